"""The experiment grid on a real Ray cluster of two worker processes (a head and one more node,
one CPU each, on 127.0.0.1, started here with `ray start` as a user would): the same results
files as local processes, and a killed worker's unit is retried with every job in the results once."""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

from trainer.synth.dataset import synthesize_dataset  # noqa: E402

RAY = str(Path(sys.executable).parent / "ray")
SUBJECTS = ["S01", "S02", "S03", "S04"]
SUBSETS = [("femur",), ("femur", "calcn")]
# Files that carry when or how they were written rather than what was computed: the bundle's card
# ("created") and its Keras zip (member timestamps), and the grid's own report (seconds, executor).
NOT_COMPARED = {"card.json", "model.keras", "grid.json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # Token authentication, as on a real cluster: one shared token for every node and the driver
    # (a token of its own, so whatever ~/.ray holds does not matter).
    token = tmp_path_factory.mktemp("ray-auth") / "auth_token"
    token.write_text(secrets.token_hex(32))
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token), "RAY_USAGE_STATS_ENABLED": "0"}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)
    env = dict(os.environ)
    port = free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--object-store-memory", "100000000"]
    try:
        subprocess.run([RAY, "start", "--head", "--port", str(port), "--include-dashboard=false",
                        "--disable-usage-stats", *common], check=True, capture_output=True, env=env, timeout=120)
        subprocess.run([RAY, "start", "--address", address, *common], check=True, capture_output=True, env=env,
                       timeout=120)
        yield address
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, env=env, timeout=120)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return synthesize_dataset(tmp_path_factory.mktemp("ray") / "ds", subjects=4, minutes=1.0, seed=6, jobs=2)


def result_files(out: Path) -> dict:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in NOT_COMPARED}


# The driver runs in a process of its own: Ray reads its authentication settings when it is imported.
DRIVER = """
import json, sys
from trainer.approaches import ExperimentConfig
from trainer.fit import FitSettings
from trainer.grid import combo_grid, run_grid
dataset, out, executor, address, subjects, subsets = json.loads(sys.argv[1])
grid = combo_grid(out, "single-user", subjects, [tuple(s) for s in subsets],
                  ExperimentConfig(fit=FitSettings(epochs=2, patience=2)), seeds=[0, 1])
print(json.dumps(run_grid(dataset, grid, executor, 2, address)))
"""


def test_ray_gives_the_same_results_files_as_local_processes(cluster, dataset, tmp_path):
    reports = {}
    for executor, address in (("local", None), ("ray", cluster)):
        args = json.dumps([str(dataset), str(tmp_path / executor), executor, address, SUBJECTS, SUBSETS])
        done = subprocess.run([sys.executable, "-c", DRIVER, args], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        reports[executor] = json.loads(done.stdout.strip().splitlines()[-1])
        assert all(j["status"] == "done" and j["attempts"] == 1 for j in reports[executor]["jobs"])
    local, ray = result_files(tmp_path / "local"), result_files(tmp_path / "ray")
    assert len(local) > 2 * 2 * 4 * 2  # runs (json + npz) of 16 jobs, summaries, configs
    assert sorted(local) == sorted(ray)
    assert [name for name in local if local[name] != ray[name]] == []
    assert [j["id"] for j in reports["local"]["jobs"]] == [j["id"] for j in reports["ray"]["jobs"]]
    # Different seeds are different models: the seed is a real dimension of the grid.
    assert local["combos/femur/seed-0/results.json"] != local["combos/femur/seed-1/results.json"]


def running_units() -> list[int]:
    """Pids of Ray workers executing a unit (Ray names a busy worker process after its task)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(b"ray::run_unit"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def test_a_killed_worker_is_retried_and_every_job_is_in_the_results_once(cluster, dataset, tmp_path):
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "kinedge"), "combos", str(dataset), "--out", str(out),
               "--max-imus", "1", "--epochs", "2", "--executor", "ray", "--address", cluster]
    driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, victim = time.monotonic() + 120, None
    while victim is None and time.monotonic() < deadline and driver.poll() is None:
        busy = running_units()
        time.sleep(0.5)  # let it get into training, then kill it if it is still on its unit
        if busy and busy[0] in running_units():
            victim = busy[0]
            os.kill(victim, signal.SIGKILL)
        time.sleep(0.1)
    stdout, stderr = driver.communicate(timeout=600)
    assert victim is not None, "no Ray worker was seen running a unit"
    assert driver.returncode == 0, stderr
    report = json.loads((out / "grid.json").read_text())
    assert len(report["jobs"]) == 4 * 4 and all(j["status"] == "done" for j in report["jobs"])
    assert [j["attempts"] for j in report["jobs"]].count(2) == 1  # the killed worker's unit, run again
    for name in ("pelvis", "femur", "tibia", "calcn"):
        runs = json.loads((out / "combos" / name / "results.json").read_text())["runs"]
        subjects = [r["subject"] for r in runs if r["joint"] == "knee_angle_r"]
        assert sorted(subjects) == SUBJECTS
    assert sorted(json.loads((out / "combos.json").read_text())["overall"]) == ["calcn", "femur", "pelvis", "tibia"]
