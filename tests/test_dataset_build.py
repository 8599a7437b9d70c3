"""Data sets from the CLI: a study plan built in one command, recordings added one at a time,
and `data info` validating every file — run as a user runs them (the installed `kinedge`)."""
import json

import pytest

from test_cli_data import run
from test_opensim import write_mot
from test_xsens import write_export
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

SENSORS = {"femur_r": "00B40C3C", "calcn_r": "00B40C48", "tibia_r": "00B40C47"}
ANGLES = ["hip_flexion_r", "hip_adduction_r", "hip_rotation_r", "knee_angle_r", "ankle_angle_r"]
REFERENCE_LEAD = 40  # the mocap starts 0.4 s after the IMUs: the build must find that lag


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Two people x two trials as a lab has them: per-sensor Xsens exports, an OpenSense IMU
    mapping file, one IK .mot per trial, and the plan that names them all."""
    root = tmp_path_factory.mktemp("study")
    (root / "raw").mkdir()
    (root / "ik").mkdir()
    (root / "imu_map.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<OpenSimDocument Version='40000'><XsensDataReaderSettings>"
        "<ExperimentalSensors>"
        + "".join(f"<ExperimentalSensor name='_{sid}'><name_in_model>{segment}_imu</name_in_model></ExperimentalSensor>"
                  for segment, sid in SENSORS.items())
        + "<ExperimentalSensor name='_00B40AAA'><name_in_model>torso_imu</name_in_model></ExperimentalSensor>"
        "</ExperimentalSensors><trial_prefix>study_</trial_prefix></XsensDataReaderSettings></OpenSimDocument>\n")
    rows = ["subject,activity,trial,format,files,map,reference"]
    for person in ("P01", "P02"):
        rng = subject_rng(77, int(person[-1]))
        profile = sample_subject(rng, person)
        for trial in ("walk1", "walk2"):
            recording = synthesize_trial(profile, TrialSpec("walk", 1.0, 14.0), rng)
            for segment, sid in SENSORS.items():
                write_export(root / "raw" / f"{person}_{trial}-000_{sid}.txt", recording, segment, 1000)
            write_mot(root / "ik" / f"{person}_{trial}.mot", recording.slice(REFERENCE_LEAD, recording.n_samples), ANGLES)
            rows.append(f"{person},walk,{trial},xsens,raw/{person}_{trial}-000_*.txt,imu_map.xml,ik/{person}_{trial}.mot")
    (root / "study.csv").write_text("\n".join(rows) + "\n")
    return root


def bad_plan(study, tmp_path, row: str):
    lines = (study / "study.csv").read_text().splitlines()
    lines[3] = row
    plan = study / f"bad_{tmp_path.name}.csv"
    plan.write_text("\n".join(lines) + "\n")
    return plan


def test_plan_builds_a_data_set_that_trains(study, tmp_path):
    result = run("data", "build", tmp_path / "ds", "--plan", study / "study.csv")
    assert result.returncode == 0, result.stderr
    assert "2 subjects, 4 recordings" in result.stdout
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert sorted((e["subject"], e["trial"]) for e in manifest["recordings"]) == [
        ("P01", "walk1"), ("P01", "walk2"), ("P02", "walk1"), ("P02", "walk2")]
    assert all(e["segments"] == ["femur_r", "tibia_r", "calcn_r"] and e["angles"] == ANGLES
               for e in manifest["recordings"])
    from trainer.data.store import read_recording

    one = read_recording(tmp_path / "ds" / manifest["recordings"][0]["file"])
    assert abs(one.extra["alignment"]["lag_s"] - REFERENCE_LEAD / 100) < 0.02

    info = run("data", "info", tmp_path / "ds")
    assert info.returncode == 0, info.stderr
    assert "4 of 4 recordings valid" in info.stdout and "P02" in info.stdout

    trained = run("train", "multi-user", tmp_path / "ds", "--out", tmp_path / "results", "--imus", "femur,calcn",
                  "--epochs", "2", "--subject", "P01")
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / "results" / "bundles" / "multi-user" / "P01" / "card.json").exists()


@pytest.mark.parametrize("row, fragments", [
    ("P02,walk,walk1,xsens,raw/P02_walk1-000_*.txt;raw/missing.txt,imu_map.xml,ik/P02_walk1.mot",
     ["row 3 (line 4)", "missing.txt", "no such file"]),
    ("P02,walk,walk1,xsens,raw/P02_walk1-000_*.txt,00B40C3C=thigh_r 00B40C48=calcn_r,ik/P02_walk1.mot",
     ["row 3 (line 4)", "unknown segment 'thigh_r'"]),
    ("P02,walk,walk1,xsens,raw/P02_walk1-000_*.txt,imu_map.xml,ik/short.mot",
     ["row 3 (line 4)", "short.mot", "column 'knee_angle_r'", "missing column"]),
])
def test_a_bad_row_writes_nothing_and_is_named(study, tmp_path, row, fragments):
    from trainer.data.loaders.opensim import load_angles

    if "short.mot" in row:
        full = load_angles(study / "ik" / "P02_walk1.mot", "P02", "walk")
        write_mot(study / "ik" / "short.mot", full, [a for a in ANGLES if a != "knee_angle_r"])
    result = run("data", "build", tmp_path / "ds", "--plan", bad_plan(study, tmp_path, row))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "1 of 4 rows are bad; nothing was written" in lines[0], result.stderr
    assert len(lines) == 2, result.stderr
    for fragment in fragments:
        assert fragment in lines[1], lines[1]
    assert not (tmp_path / "ds").exists()
    assert not list(tmp_path.glob(".ds.*"))


def test_every_bad_row_is_reported_at_once(study, tmp_path):
    plan = study / "two_bad.csv"
    text = (study / "study.csv").read_text().replace("ik/P01_walk1.mot", "ik/nope.mot").replace(",xsens,raw/P02_walk2",
                                                                                                  ",vicon,raw/P02_walk2")
    plan.write_text(text)
    result = run("data", "build", tmp_path / "ds", "--plan", plan)
    assert result.returncode != 0 and "2 of 4 rows are bad" in result.stderr
    assert "row 1 (line 2)" in result.stderr and "nope.mot" in result.stderr
    assert "row 4 (line 5)" in result.stderr and "unknown format 'vicon'" in result.stderr


def test_import_into_and_add_grow_a_data_set(study, tmp_path):
    files = sorted((study / "raw").glob("P01_walk1-000_*.txt"))
    common = ["--map-file", study / "imu_map.xml", "--reference", study / "ik" / "P01_walk1.mot", "--subject", "P01"]
    first = run("data", "import", "xsens", *files, *common, "--trial", "walk1", "--into", tmp_path / "ds")
    assert first.returncode == 0, first.stderr
    assert "skipping sensors on frames kinedge does not model: 00B40AAA (torso_imu)" in first.stdout
    twice = run("data", "import", "xsens", *files, *common, "--trial", "walk1", "--into", tmp_path / "ds")
    assert twice.returncode != 0 and "already has subject P01 trial walk1" in twice.stderr and "--replace" in twice.stderr
    again = run("data", "import", "xsens", *files, *common, "--trial", "walk1", "--into", tmp_path / "ds", "--replace")
    assert again.returncode == 0, again.stderr

    single = run("data", "import", "xsens", *sorted((study / "raw").glob("P02_walk1-000_*.txt")), "--map-file",
                 study / "imu_map.xml", "--subject", "P02", "--trial", "walk1", "--out", tmp_path / "p02.parquet")
    assert single.returncode == 0, single.stderr
    added = run("data", "add", tmp_path / "ds", tmp_path / "p02.parquet")
    assert added.returncode == 0, added.stderr
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert [(e["subject"], e["trial"]) for e in manifest["recordings"]] == [("P01", "walk1"), ("P02", "walk1")]
    assert not list((tmp_path / "ds").glob(".*tmp"))

    (tmp_path / "ds" / "stray.parquet").write_bytes((tmp_path / "p02.parquet").read_bytes())
    (tmp_path / "ds" / manifest["recordings"][0]["file"]).write_bytes(b"not parquet")
    info = run("data", "info", tmp_path / "ds")
    assert info.returncode != 0
    assert "1 of 2 recordings valid" in info.stdout
    assert "not a readable Parquet file" in info.stdout and "stray.parquet: not listed" in info.stdout


def test_out_or_into_not_both(study, tmp_path):
    files = sorted((study / "raw").glob("P01_walk1-000_*.txt"))
    result = run("data", "import", "xsens", *files, "--map-file", study / "imu_map.xml", "--subject", "P01",
                 "--out", tmp_path / "a.parquet", "--into", tmp_path / "ds")
    assert result.returncode == 2 and "exactly one of --out" in result.stderr


def test_opensense_sto_rows_build_too(walk_recording, tmp_path):
    from test_opensim import write_vec3

    for person in ("A", "B"):
        write_vec3(tmp_path / f"{person}_acc.sto", walk_recording, "acc")
        write_vec3(tmp_path / f"{person}_gyr.sto", walk_recording, "gyr")
    (tmp_path / "plan.csv").write_text("subject,trial,format,files\n" + "".join(
        f"{p},t1,imu-sto,{p}_acc.sto;{p}_gyr.sto\n" for p in ("A", "B")))
    result = run("data", "build", tmp_path / "ds", "--plan", tmp_path / "plan.csv")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert [e["segments"] for e in manifest["recordings"]] == [["pelvis", "femur_r"]] * 2
    assert all(e["activity"] == "walk" and e["angles"] == [] for e in manifest["recordings"])


def test_errors_cross_process_boundaries():
    # combos --jobs runs experiments in worker processes; their errors come back pickled.
    import pickle

    from trainer.data.errors import DataError
    from trainer.data.plan import PlanError

    error = pickle.loads(pickle.dumps(DataError("ds", "lacks the pelvis IMU", column="c", frame=3)))
    assert str(error) == "ds, column 'c', frame 3: lacks the pelvis IMU"
    plan = pickle.loads(pickle.dumps(PlanError("p.csv", ["row 1: bad"], 4)))
    assert plan.problems == ["row 1: bad"] and "1 of 4 rows are bad" in str(plan)


def test_into_keeps_the_gap_limit_asked_for(walk_recording, tmp_path):
    table = walk_recording.data.copy()
    table.loc[100:119, "femur_r_gyr_x"] = float("nan")      # a 0.2 s dropout, over the 0.1 s default
    table[["time", *[c for c in table.columns if c.startswith("femur_r")]]].to_csv(tmp_path / "t.csv", index=False)
    common = ["data", "import", "table", tmp_path / "t.csv", "--subject", "S1", "--into", tmp_path / "ds"]
    assert run(*common).returncode != 0
    result = run(*common, "--gap-limit", "0.5")
    assert result.returncode == 0, result.stderr
