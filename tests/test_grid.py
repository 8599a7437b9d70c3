"""The experiment grid (trainer/grid.py) on local processes: job ids, one job list for train and
combos, resuming, and a failing unit reported while the rest finish."""
import dataclasses
import json

import pytest

from trainer.approaches import ExperimentConfig
from trainer.combos import combinations
from trainer.data.store import Dataset, write_dataset
from trainer.fit import FitSettings
from trainer.grid import Job, combo_grid, make_jobs, run_grid, train_grid, units
from trainer.synth.dataset import synthesize_dataset

CONFIG = ExperimentConfig(placements=("femur",), fit=FitSettings(epochs=1, patience=1))


def test_job_ids_are_stable_and_name_every_dimension():
    job = Job("transfer-head", "S03", ("femur", "calcn"), 2, "l")
    assert job.id == "l/femur+calcn/seed-2/transfer-head/S03"
    assert job.config(CONFIG).fit.seed == 2 and job.config(CONFIG).placements == ("femur", "calcn")
    assert job.config(CONFIG).side == "l" and job.config(CONFIG).fit.epochs == 1


def test_a_transfer_brings_its_multi_user_job():
    jobs = make_jobs(["transfer-full"], ["S01"], [("femur",)], [0], "r")
    assert [j.approach for j in jobs] == ["multi-user", "transfer-full"]
    with pytest.raises(ValueError, match="unknown approach 'lstm'"):
        make_jobs(["lstm"], ["S01"], [("femur",)], [0], "r")


def test_train_and_combos_describe_the_same_jobs(tmp_path):
    subjects, seeds = ["S01", "S02"], [0, 1]
    combos = combo_grid(tmp_path / "c", "transfer-head", subjects, combinations(largest=2), CONFIG, seeds)
    for subset in combinations(largest=2):
        train = train_grid(tmp_path / "t", ["transfer-head"], subjects, dataclasses.replace(CONFIG, placements=subset), seeds)
        assert [j.id for j in train.jobs] == [j.id for j in combos.jobs if j.placements == subset]
    assert len({j.id for j in combos.jobs}) == len(combos.jobs) == 10 * 2 * 2 * 2


def test_a_transfer_alone_ships_its_finished_multi_user_model(tmp_path):
    grid = train_grid(tmp_path, ["transfer-head", "transfer-full"], ["S01"], CONFIG, [0])
    run_file = tmp_path / "runs" / "multi-user" / "S01.json"
    run_file.parent.mkdir(parents=True)
    run_file.write_text("{}")
    (tmp_path / "bundles" / "multi-user" / "S01").mkdir(parents=True)
    (tmp_path / "bundles" / "multi-user" / "S01" / "card.json").write_text("{}")
    [unit] = units(grid)
    assert unit["approaches"] == ["transfer-head", "transfer-full"]
    assert sorted(unit["inputs"]) == ["bundles/multi-user/S01/card.json", "runs/multi-user/S01.json"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Three synthetic people; S03's trials are cut to their standing start, so S03 cannot be calibrated."""
    folder = tmp_path_factory.mktemp("grid") / "ds"
    synthesize_dataset(folder, subjects=3, minutes=1.0, seed=4, jobs=2)
    recordings = Dataset(folder).load()
    for r in recordings:
        if r.subject == "S03":
            r.data = r.data.iloc[: int(2 * r.sample_rate)].reset_index(drop=True)
    return write_dataset(recordings, folder.parent / "ds-short", overwrite=True)


def test_a_failing_unit_is_reported_after_two_attempts_and_the_rest_finish(dataset, tmp_path):
    grid = train_grid(tmp_path / "out", ["single-user"], ["S01", "S02", "S03"], CONFIG, [0, 1])
    attempts = []
    report = run_grid(dataset, grid, "local", 2, on_unit=lambda unit, ok: attempts.append((unit["subject"], ok)))
    status = {j["id"]: j for j in report["jobs"]}
    for seed in (0, 1):
        assert status[f"r/femur/seed-{seed}/single-user/S01"]["status"] == "done"
        assert status[f"r/femur/seed-{seed}/single-user/S02"]["status"] == "done"
        failed = status[f"r/femur/seed-{seed}/single-user/S03"]
        assert failed["status"] == "failed" and failed["attempts"] == 2
        assert "S03: cannot calibrate" in failed["error"]
    assert sorted(attempts).count(("S03", False)) == 4 and ("S01", True) in attempts
    assert json.loads((tmp_path / "out" / "grid.json").read_text()) == report
    # Each seed's folder has its table, and the parent gives mean ± sd over the two seeds.
    for seed in (0, 1):
        runs = json.loads((tmp_path / "out" / f"seed-{seed}" / "results.json").read_text())["runs"]
        assert {r["subject"] for r in runs} == {"S01", "S02"}
    summary = json.loads((tmp_path / "out" / "results.json").read_text())["summary"]["single-user"]
    assert summary["seeds"] == [0, 1] and summary["sagittal_rmse_deg"]["sd"] > 0
    assert "mean ± sd over 2 seeds" in (tmp_path / "out" / "results.md").read_text()
    from trainer.report import build_report

    with pytest.raises(FileNotFoundError, match="one results folder per seed .seed-0, seed-1."):
        build_report(tmp_path / "out")
    assert build_report(tmp_path / "out" / "seed-1").exists()

    # Rerunning the finished part runs nothing: no attempt, no file rewritten.
    done = train_grid(tmp_path / "out", ["single-user"], ["S01", "S02"], CONFIG, [0, 1])
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("runs/*/*")}
    again = run_grid(dataset, done, "local", 2, on_unit=lambda unit, ok: pytest.fail(f"ran {unit['key']}"))
    assert all(j["attempts"] == 0 and j["status"] == "done" for j in again["jobs"])
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("runs/*/*")} == before


def test_the_cli_exits_non_zero_and_names_the_failed_job(dataset, tmp_path):
    from test_cli_data import run

    result = run("train", "single-user", dataset, "--out", tmp_path / "r", "--imus", "femur", "--epochs", "1",
                 "--subject", "S02", "--subject", "S03")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "job r/femur/seed-0/single-user/S03 failed 2 times: S03: cannot calibrate" in lines[0]
    assert (tmp_path / "r" / "runs" / "single-user" / "S02.json").exists()
    assert not (tmp_path / "r" / "runs" / "single-user" / "S03.json").exists()


def test_a_lost_local_worker_costs_only_an_attempt(dataset, tmp_path):
    import multiprocessing
    import os
    import signal
    import threading
    import time

    def kill_a_worker():
        deadline = time.monotonic() + 60
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(4.0)  # past TensorFlow's import, into a unit
        os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    grid = train_grid(tmp_path / "out", ["single-user"], ["S01", "S02"], CONFIG, [0, 1])
    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    report = run_grid(dataset, grid, "local", 2)
    killer.join()
    assert all(j["status"] == "done" for j in report["jobs"])
    assert 1 <= [j["attempts"] for j in report["jobs"]].count(2) <= 2  # the units in flight when the pool broke
    assert len(list((tmp_path / "out").glob("seed-*/runs/single-user/*.json"))) == 4


def test_executor_choices_are_checked_before_anything_is_written(dataset, tmp_path):
    from test_cli_data import assert_one_line_error, run

    common = ["train", "single-user", dataset, "--out", tmp_path / "r", "--subject", "S01"]
    assert_one_line_error(run(*common, "--address", "127.0.0.1:1"), "--address is for --executor ray")
    pytest.importorskip("ray")
    assert_one_line_error(run(*common, "--executor", "ray", "--address", "127.0.0.1:1"),
                          "no Ray cluster answers at 127.0.0.1:1")
    assert not (tmp_path / "r").exists()
