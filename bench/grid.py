"""The experiment grid's throughput: jobs per minute on this machine with local processes and with
Ray tasks (a local Ray cluster of the same number of CPUs), so the cost of Ray is measured, then
the wall time of the seed paper's analysis (126 IMU combinations, 8 leave-one-out folds,
multi-user) estimated for N machines. Writes bench/results/grid.json.

The jobs: multi-user (leave-one-subject-out, the default edge model and epochs) for each of 8
synthetic people, on each of the 4 single-IMU subsets of the right leg — 32 jobs per executor.
"""
import math
import os
import shutil
import time

from common import PROJECT, write_result

from trainer.approaches import ExperimentConfig
from trainer.combos import combinations
from trainer.grid import combo_grid, run_grid
from trainer.synth.dataset import synthesize_dataset

WORK = PROJECT / "runs" / "bench-grid"
PEOPLE, MINUTES, WORKERS = 8, 1.0, 2
SEED_PAPER_GRID = {"combinations": 126, "folds": 8}


def measure(data, executor: str) -> dict:
    out = WORK / f"results-{executor}"
    shutil.rmtree(out, ignore_errors=True)
    subjects = [f"S{i:02d}" for i in range(1, PEOPLE + 1)]
    grid = combo_grid(out, "multi-user", subjects, combinations(largest=1), ExperimentConfig(), seeds=[0])
    start = time.perf_counter()
    report = run_grid(data, grid, executor, WORKERS)
    seconds = time.perf_counter() - start
    jobs = len(report["jobs"])
    assert all(j["status"] == "done" for j in report["jobs"]), report
    return {"jobs": jobs, "seconds": round(seconds, 1), "jobs_per_minute": round(60 * jobs / seconds, 2),
            "cpu_seconds_per_job": round(seconds * WORKERS / jobs, 1)}


def estimate(cpu_seconds_per_job: float, machines: int, cores: int) -> float:
    """Hours for the seed paper's grid when every core of every machine runs jobs back to back
    (the last round may be partly idle)."""
    jobs = SEED_PAPER_GRID["combinations"] * SEED_PAPER_GRID["folds"]
    rounds = math.ceil(jobs / (machines * cores))
    return round(rounds * cpu_seconds_per_job / 3600, 2)


if __name__ == "__main__":
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    data = WORK / "data"
    if not (data / "manifest.json").exists():
        synthesize_dataset(data, subjects=PEOPLE, minutes=MINUTES, jobs=2, overwrite=True)
    local = measure(data, "local")
    ray = measure(data, "ray")
    per_job = max(local["cpu_seconds_per_job"], ray["cpu_seconds_per_job"])
    write_result("grid", {
        "jobs": f"multi-user, default edge model, {PEOPLE} synthetic people x {MINUTES} min, 4 single-IMU subsets",
        "workers": WORKERS, "local": local, "ray": ray,
        "ray_overhead_pct": round(100 * (ray["seconds"] / local["seconds"] - 1), 1),
        "seed_paper_grid": {**SEED_PAPER_GRID, "jobs": SEED_PAPER_GRID["combinations"] * SEED_PAPER_GRID["folds"],
                            "cpu_seconds_per_job": per_job,
                            "estimated_hours": {f"{n} machines x 2 cores": estimate(per_job, n, 2) for n in (1, 4, 16)},
                            "note": "one job per core, jobs of the size measured here; the seed paper's 7 sites "
                                    "give larger inputs, so take these as lower bounds"}})
