"""Host-tool benchmarks against the emulated device (targets from the host-tools issue):
- push-head: wall time of the upload + INFO verification (goal <= 1 s on the emulated UART), and
  of the whole `kinedge push-head` command (Python start-up included);
- collect throughput at 100 Hz with 4 IMUs (24 channels): samples kept, lost, sequence gaps;
- the new-person story end to end through the CLI (emulate, collect 30 s, calibrate,
  push-calibration, sync, finetune, push-head, replay), each step timed, with RMSE on a second walk
  label-free (calibration only) and after the head push.
Writes bench/results/host_tools.json. Needs runs/bench-convert/ptq (bench/convert.py); trains its
own small 4-IMU model."""
import json
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import PROJECT, write_result

from converter.aot import qemu_check
from converter.convert import convert_bundle
from converter.head_blob import Head
from host_tools.collect import collect
from host_tools.device import Device
from host_tools.emulator import Emulator, ImuFeeder, build_firmware
from trainer.data.loaders.opensim import write_angles
from trainer.data.store import write_recording
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

BUNDLE = PROJECT / "runs" / "bench-convert" / "ptq"
WORK = PROJECT / "runs" / "bench-host-tools"
KINEDGE = Path(sys.executable).with_name("kinedge")


def cli(*args) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(KINEDGE), *map(str, args)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"kinedge {args[0]} failed: {done.stderr.strip()}")
    return round(time.perf_counter() - started, 2), done.stdout


def push_head_times(bundle: Path) -> dict:
    elf = build_firmware(bundle, WORK / "push" / "build")
    head = Head.from_bytes((bundle / "head.bin").read_bytes())
    upload = []
    with Emulator(elf, WORK / "push" / "device") as emulator:
        with Device(emulator.url) as dev:
            for i in range(5):
                head.head_id = 100 + i
                started = time.perf_counter()
                dev.upload_head(head.to_bytes())
                assert dev.info()["head_id"] == head.head_id
                upload.append(time.perf_counter() - started)
        head.head_id = 200
        (WORK / "head200.bin").write_bytes(head.to_bytes())
        # One client at a time on the emulated port, as on a real serial port: the one above is closed.
        command, _ = cli("push-head", WORK / "head200.bin", "--port", emulator.url)
    return {"blob_bytes": len(head.to_bytes()), "upload_and_verify_s_median": round(statistics.median(upload), 3),
            "upload_and_verify_s_runs": [round(t, 3) for t in upload], "cli_command_s": command}


def four_imu_bundle() -> Path:
    """A small multi-user model on pelvis + femur + tibia + calcn (its accuracy does not matter here)."""
    from trainer.approaches import ExperimentConfig
    from trainer.experiment import Experiment
    from trainer.fit import FitSettings
    from trainer.synth.dataset import synthesize_dataset

    folder = WORK / "four-imus"
    shutil.rmtree(folder, ignore_errors=True)
    data = synthesize_dataset(folder / "data", subjects=3, minutes=1.0, seed=5, jobs=2)
    config = ExperimentConfig(placements=("pelvis", "femur", "tibia", "calcn"), fit=FitSettings(epochs=3, patience=2))
    experiment = Experiment(data, folder / "results", config)
    experiment.run(["multi-user"], ["S01"])
    bundle = experiment.bundle_path("multi-user", "S01")
    convert_bundle(bundle)
    return bundle


def collect_four_imus() -> dict:
    bundle = four_imu_bundle()
    elf = build_firmware(bundle, WORK / "four" / "build")
    rng = subject_rng(9, 0)
    walk = synthesize_trial(sample_subject(rng, "B01"), TrialSpec("walk", 1.0, 35.0), rng)
    with Emulator(elf, WORK / "four" / "device") as emulator, Device(emulator.url) as dev:
        channels = dev.info()["channels"]
        with ImuFeeder(emulator.imu_url, walk.data[channels].to_numpy(np.float32), rate=100.0):
            time.sleep(1.0)
            started = time.perf_counter()
            result = collect(dev, 30.0)
            seconds = time.perf_counter() - started
    seq = np.asarray(result.sequence)
    return {"channels": len(channels), "seconds": round(seconds, 2), "samples": len(seq),
            "samples_per_second": round(len(seq) / seconds, 1), "lost_samples": result.drops,
            "sequence_gaps": int(np.sum(np.diff(seq) != 1))}


def story() -> dict:
    folder = WORK / "story"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = subject_rng(404, 0)
    profile = sample_subject(rng, "N07")
    calibration = synthesize_trial(profile, TrialSpec("walk", 1.05, 50.0), rng)
    test = synthesize_trial(profile, TrialSpec("walk", 1.2, 12.0), rng)
    write_recording(calibration, folder / "walk.parquet")
    write_angles(calibration, folder / "mocap.mot")
    write_recording(test, folder / "test.parquet")
    steps = {}
    started = time.perf_counter()
    emulate = subprocess.Popen([str(KINEDGE), "emulate", str(BUNDLE), "--imu", str(folder / "walk.parquet"),
                                "--state", str(folder / "state")], stdout=subprocess.PIPE, text=True)
    url = next(line.split()[1] for line in emulate.stdout if line.startswith("port: "))
    steps["emulate_ready"] = round(time.perf_counter() - started, 2)
    try:
        steps["collect_30s"], _ = cli("collect", "--port", url, "--seconds", 30, "--out", folder / "rec.parquet")
        steps["calibrate"], _ = cli("calibrate", BUNDLE, folder / "rec.parquet", "--out", folder / "person.bin")
        steps["push_calibration"], _ = cli("push-calibration", folder / "person.bin", "--port", url)
        steps["sync"], sync_out = cli("sync", folder / "rec.parquet", "--reference", folder / "mocap.mot", "--out",
                                      folder / "labelled.parquet", "--max-lag", 20)
        steps["finetune"], _ = cli("finetune", BUNDLE, folder / "labelled.parquet", "--person", folder / "person.bin",
                                  "--out", folder / "head.bin")
        steps["replay_before"], _ = cli("replay", folder / "test.parquet", "--port", url, "--bundle", BUNDLE,
                                        "--person", folder / "person.bin", "--json", folder / "before.json")
        steps["push_head"], _ = cli("push-head", folder / "head.bin", "--port", url)
        steps["replay_after"], _ = cli("replay", folder / "test.parquet", "--port", url, "--bundle", BUNDLE,
                                       "--person", folder / "person.bin", "--head", folder / "head.bin", "--json", folder / "after.json")
    finally:
        emulate.send_signal(signal.SIGTERM)
        emulate.wait(20)
    before, after = (json.loads((folder / f"{n}.json").read_text()) for n in ("before", "after"))
    mean = lambda r: round(float(np.mean(list(r["rmse_deg"].values()))), 2)
    return {"steps_s": steps, "total_s": round(time.perf_counter() - started, 1), "alignment": sync_out.splitlines()[0],
            "rmse_deg_before": mean(before), "rmse_deg_after": mean(after),
            "device_equals_host": before["host"]["identical_angles"] and after["host"]["identical_angles"]}


if __name__ == "__main__":
    if qemu_check.available():
        sys.exit(f"the emulated device is needed: {qemu_check.available()}")
    if not (BUNDLE / "c" / "model_aot.c").exists():
        sys.exit(f"run bench/convert.py first: {BUNDLE} has no AOT sources")
    WORK.mkdir(parents=True, exist_ok=True)
    result = {"push_head": push_head_times(BUNDLE), "collect_100hz_4_imus": collect_four_imus(), "story": story()}
    result["targets"] = {"push_head_le_1s": result["push_head"]["upload_and_verify_s_median"] <= 1.0,
                         "collect_zero_drops": result["collect_100hz_4_imus"]["lost_samples"] == 0
                         and result["collect_100hz_4_imus"]["sequence_gaps"] == 0}
    write_result("host_tools", result)
    print(json.dumps(result, indent=1))
