"""The real-data path on the shared recordings; every test skips when ../shared/data is absent."""

import numpy as np
import pytest

from conftest import shared
from test_cli_data import run
from trainer.data.store import read_recording

pytestmark = pytest.mark.shared_data

# Sensor ids of the gaittoolbox S02 trial (from the data's README).
S02_MAP = ["00B40C45=femur_l", "00B40C3C=femur_r", "00B40C44=tibia_l", "00B40C47=tibia_r",
           "00B40C55=calcn_l", "00B40C48=calcn_r"]


@pytest.fixture(scope="module")
def s02(tmp_path_factory):
    folder = shared("gaittoolbox-s02-walk")
    out = tmp_path_factory.mktemp("s02") / "s02.parquet"
    args = ["data", "import", "xsens", *sorted((folder / "rawimu").glob("*.txt"))]
    for item in S02_MAP:
        args += ["--map", item]
    result = run(*args, "--reference", folder / "S02-Trial-Walk-1-vicon.c3d", "--subject", "S02",
                 "--activity", "walk", "--out", out)
    assert result.returncode == 0, result.stderr
    return read_recording(out), result.stdout


def test_s02_imu_and_vicon_are_aligned_by_cross_correlation(s02):
    recording, printed = s02
    alignment = recording.extra["alignment"]
    # The clocks differ by a few samples (data README); the leg signals agree closely once aligned.
    assert 0 < alignment["lag_samples"] < 6
    assert alignment["correlation"] > 0.85
    assert "aligned to S02-Trial-Walk-1-vicon.c3d" in printed


def test_s02_is_a_validated_recording_with_both_legs(s02):
    recording, _ = s02
    assert recording.segments == ["femur_r", "femur_l", "tibia_r", "tibia_l", "calcn_r", "calcn_l"]
    assert len(recording.angles) == 10
    assert recording.sample_rate == 100.0 and recording.n_samples > 2400
    assert recording.extra["reference_extra"]["convention"] == "gaittoolbox"


def test_s02_angles_are_those_of_walking(s02):
    recording, _ = s02
    walking = recording.data[(recording.data["time"] > 10.5) & (recording.data["time"] < 19.5)]
    for side in "rl":
        knee = walking[f"knee_angle_{side}"]
        assert 50 < knee.max() < 75 and -10 < knee.min() < 10
        hip = walking[f"hip_flexion_{side}"]
        assert 35 < hip.max() - hip.min() < 65
        ankle = walking[f"ankle_angle_{side}"]
        assert -30 < ankle.min() < -10 and 5 < ankle.max() < 25
    # Gyro magnitudes of real walking: shank peaks of several rad/s.
    shank = np.linalg.norm(walking[["tibia_r_gyr_x", "tibia_r_gyr_y", "tibia_r_gyr_z"]].to_numpy(), axis=1)
    assert 3 < shank.max() < 15


def test_synthetic_sagittal_gyros_match_real_gait_cycles():
    """Regression guard on realism: the dominant (sagittal) gyro waveforms of the legs stay close
    to the real BioMAC cycle averages. The full per-channel table is in bench/results."""
    from trainer.synth.realism import compare_with_biomac

    pytest.importorskip("matio")
    result = compare_with_biomac(shared("biomac-p01", "P01_normwalking.mat"))
    r = {row["channel"]: row["r"] for row in result["channels"]}
    for side in "rl":
        for segment in ("femur", "tibia", "calcn"):
            assert r[f"{segment}_{side}_gyr_z"] > 0.8, (segment, side, r[f"{segment}_{side}_gyr_z"])


def test_single_user_on_the_real_trial(s02, tmp_path):
    """The seed paper's single-user setting on real sensors: first 60% of the trial trains
    (its last sixth validates), the last 40% tests. The trial stands still for its first 10 s, so
    training sees only about 2.5 s of walking: the model is expected to follow the gait pattern,
    not to be accurate. Per-joint RMSE and r are printed (-s) for the record."""
    from trainer.approaches import ExperimentConfig
    from trainer.data.store import write_dataset
    from trainer.experiment import Experiment
    from trainer.fit import FitSettings
    from trainer.results import collect

    recording, _ = s02
    folder = write_dataset([recording], tmp_path / "s02")
    config = ExperimentConfig(test_fraction=0.4, val_fraction=0.1, train_hop=1, fit=FitSettings(epochs=60, patience=10))
    Experiment(folder, tmp_path / "r", config).run(["single-user"], ["S02"])
    joints = collect(tmp_path / "r")["single-user"]["joints"]
    print({j: (round(v["rmse_deg"]["mean"], 2), round(v["r"]["mean"], 2)) for j, v in joints.items()})
    assert len(joints) == 5
    for joint, values in joints.items():
        assert np.isfinite(values["rmse_deg"]["mean"]) and values["r"]["mean"] > 0.3, (joint, values)


# --- The core promise on real sensors: a synthetic-trained model for a person it has never seen ----

S02_ALL = S02_MAP + ["00B40B91=pelvis"]
SAGITTAL = ("hip_flexion", "knee_angle", "ankle_angle")


@pytest.fixture(scope="module")
def s02_study(tmp_path_factory):
    """The demo's synthetic people plus the real S02 trial (all seven IMUs) as one data set, and
    per IMU set and leg a results folder with the multi-user model for S02 (calibrated label-free
    on S02's first 60%), its head-only personalisation on the labels of that part, and the
    classical baseline — all scored on S02's last 40%."""
    from trainer.data.store import Dataset, write_dataset
    from trainer.synth.dataset import synthesize_dataset

    root = tmp_path_factory.mktemp("s02study")
    folder = shared("gaittoolbox-s02-walk")
    args = ["data", "import", "xsens", *sorted((folder / "rawimu").glob("*.txt"))]
    for item in S02_ALL:
        args += ["--map", item]
    result = run(*args, "--reference", folder / "S02-Trial-Walk-1-vicon.c3d", "--subject", "GT-S02",
                 "--activity", "walk", "--out", root / "s02.parquet")
    assert result.returncode == 0, result.stderr
    synthetic = synthesize_dataset(root / "synthetic", subjects=10, minutes=3.0, seed=0, jobs=2)
    data = write_dataset(Dataset(synthetic).load() + [read_recording(root / "s02.parquet")], root / "data")
    results = {}
    for imus in ("femur,calcn", "pelvis,femur,tibia,calcn"):
        for side in "rl":
            out = root / f"{imus}-{side}"
            common = ["--out", out, "--subject", "GT-S02", "--imus", imus, "--side", side, "--test-fraction", 0.4,
                      "--transfer-fraction", 0.6]
            trained = run("train", "transfer", data, "--mode", "head", *common)
            assert trained.returncode == 0, trained.stderr
            if imus.startswith("pelvis"):
                assert run("baseline", data, *common).returncode == 0
            results[imus, side] = out
    return root / "s02.parquet", results


def predicted_rmse(bundle, recording, *extra) -> dict:
    """`kinedge predict` on the recording, scored on its last 40%: {joint: RMSE}."""
    import re

    out = bundle.parent.parent.parent / f"estimates-{bundle.parent.name}.parquet"
    result = run("predict", bundle, recording, "--out", out, "--test-fraction", 0.4, "--force", *extra)
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("RMSE on the last 40%"))
    return {name: float(value) for name, value in re.findall(r"(\w+_[rl]) ([0-9.]+)", line)}


def sagittal(scores: dict) -> list:
    return [v for k, v in scores.items() if k.rsplit("_", 1)[0] in SAGITTAL]


def experiment_rmse(results, approach) -> dict:
    import json

    run_ = json.loads((results / "runs" / approach / "GT-S02.json").read_text())
    return {k: v["rmse_deg"] for k, v in run_["metrics"].items()}


def test_s02_label_free_multi_user_femur_calcn(s02_study):
    """Trained on synthetic people only, calibrated on S02's own IMU data, no angle of S02 used;
    `kinedge predict` reproduces the experiment's scores exactly.

    The goal is a mean sagittal RMSE (hip flexion, knee, ankle, both legs) <= 6 deg; measured:
    7.9 deg with the VQF front-end (6.9 with Fusion's AHRS, 29 before label-free calibration;
    7.7-8.5 over training seeds in bench/real_s02.py), most of it the ankle (10 deg: S02's
    reference ankle zero sits 4-7 deg from the standing pose any label-free method assumes) and
    the hip (6-7 deg: the thigh's pitch alone carries the pelvis's forward tilt while walking).
    So this guards what is reached, not the goal."""
    recording, results = s02_study
    scores = []
    for side in "rl":
        folder = results["femur,calcn", side]
        predicted = predicted_rmse(folder / "bundles" / "multi-user" / "GT-S02", recording)
        for joint, value in experiment_rmse(folder, "multi-user").items():
            assert predicted[joint] == pytest.approx(value, abs=0.0051), joint  # printed to 2 decimals
        scores += sagittal(predicted)
    print(f"S02 label-free femur+calcn: sagittal {np.mean(scores):.2f} deg {np.round(scores, 2)}")
    assert np.mean(scores) <= 9.0


def test_s02_head_only_personalisation(s02_study):
    """With the labels of S02's first 60% and only the head refitted: pelvis + femur + tibia +
    calcn below the classical baseline on the same samples (measured 2.9 vs 4.0 deg); femur +
    calcn better than label-free (measured 6.4 vs 7.9 deg). The goal for femur + calcn is
    <= 3.5 deg and is not reached: S02's labelled 60% is 11 s of standing and 2 s of walking, and
    the person stands differently after the walk (the physics error moves by 3-6 deg between the
    two standing parts), so no offset learnt from the first part holds in the last."""
    recording, results = s02_study
    two = [v for side in "rl" for v in sagittal(experiment_rmse(results["femur,calcn", side], "transfer-head"))]
    four = [v for side in "rl" for v in
            sagittal(experiment_rmse(results["pelvis,femur,tibia,calcn", side], "transfer-head"))]
    baseline = [v for side in "rl" for v in
                sagittal(experiment_rmse(results["pelvis,femur,tibia,calcn", side], "baseline"))]
    print(f"S02 head-only: femur+calcn {np.mean(two):.2f}, 4 IMUs {np.mean(four):.2f}, baseline {np.mean(baseline):.2f}")
    label_free = [v for side in "rl" for v in sagittal(experiment_rmse(results["femur,calcn", side], "multi-user"))]
    assert np.mean(two) < np.mean(label_free)
    assert np.mean(four) < np.mean(baseline)
    # predict with the personalised bundle gives the same figures as the experiment.
    folder = results["femur,calcn", "r"]
    predicted = predicted_rmse(folder / "bundles" / "transfer-head" / "GT-S02", recording)
    assert predicted["knee_angle_r"] == pytest.approx(experiment_rmse(folder, "transfer-head")["knee_angle_r"], abs=0.0051)
