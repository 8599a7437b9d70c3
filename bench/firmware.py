"""Firmware benchmarks on the emulated Cortex-M4 (QEMU mps2-an386) for the default demo model
(budgets from the firmware issue):
- sizes: arm-none-eabi-size of the firmware, and flash/RAM by part from the link map;
- estimate cost per stage from BENCH (instructions under -icount, not cycles), and the front-end's
  cost per IMU sample (calibration, inclination filter, features);
- the live loop at 100 Hz for 20 s: late estimates, link drops, sample sequence gaps;
- the most samples per second the emulated link and loop take (fed as fast as possible).
Writes bench/results/firmware.json. Needs runs/bench-convert/ptq from bench/convert.py."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import PROJECT, write_result
from link_map import grouped

from converter.aot import qemu_check
from host_tools import protocol as p
from host_tools.device import Device
from host_tools.emulator import Emulator, ImuFeeder, build_firmware

BUNDLE = PROJECT / "runs" / "bench-convert" / "ptq"
GROUPS = {"/model/": "model (generated)", "engine/aot": "kernels", "/core/": "core", "engine/engine_aot": "core",
          "/frontend/": "front-end", "boards/": "board"}
BUDGETS = {"flash_bytes": 64 * 1024, "ram_bytes": 24 * 1024, "estimate_instructions": 640_000}


def stream(device: Device, imu_url: str, samples: np.ndarray, rate) -> dict:
    device.estimate(True, raw=True)
    started = time.monotonic()
    raw, angles, last = [], 0, started
    with ImuFeeder(imu_url, samples, rate=rate):
        # Read while the feeder sends, as a host does: the device's output never backs up.
        while (frame := device.read_stream(timeout=2.0)) is not None:
            if frame.type == p.RAW_SAMPLE:
                raw.append(int.from_bytes(frame.payload[:4], "little"))
                last = time.monotonic()  # the device sends a sample's frame once it has taken it in
            else:
                angles += 1
    device.estimate(False)
    info = device.info()
    gaps = int(np.sum(np.diff(raw) != 1)) if len(raw) > 1 else 0
    return {"samples_sent": len(samples), "raw_frames": len(raw), "sequence_gaps": gaps, "angle_frames": angles,
            "late_estimates": info["late_estimates"], "link_drops": info["link_drops"],
            "seconds_to_last_sample": round(last - started, 2),
            "samples_per_second": round(len(raw) / max(last - started, 1e-9), 1)}


def synthetic_walk(n: int) -> np.ndarray:
    """A synthetic person walking, in the model's raw channels (the front-end needs real motion)."""
    from trainer.data.schema import imu_channels
    from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
    from trainer.synth.subjects import sample_subject

    rng = subject_rng(99, 0)
    recording = synthesize_trial(sample_subject(rng, "B01"), TrialSpec("walk", 1.0, n / 100.0 + 1), rng)
    return recording.data[imu_channels(["femur_r", "calcn_r"])].to_numpy(np.float32)[:n]


if __name__ == "__main__":
    if qemu_check.available():
        sys.exit(f"the emulated Cortex-M4 is needed: {qemu_check.available()}")
    if not (BUNDLE / "c" / "model_aot.c").exists():
        sys.exit(f"run bench/convert.py first: {BUNDLE} has no AOT sources")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        elf = build_firmware(BUNDLE, work / "build")
        text, data, bss = (int(v) for v in subprocess.run(["arm-none-eabi-size", str(elf)], capture_output=True,
                                                           text=True, check=True).stdout.splitlines()[1].split()[:3])
        parts = grouped(work / "build" / "kinedge_qemu.map", GROUPS)
        walk = synthetic_walk(2000)
        with Emulator(elf, work / "state") as emulator, Device(emulator.url) as device:
            info = device.info()
            bench = device.bench(100)
            per_estimate = {k: bench[k] / bench["runs"] for k in ("frontend", "normalise", "backbone", "head")}
            live = stream(device, emulator.imu_url, walk, rate=100.0)
        with Emulator(elf, work / "state2") as emulator, Device(emulator.url) as device:
            flat_out = stream(device, emulator.imu_url, walk, rate=None)
    estimate = sum(per_estimate.values())
    imus = len(info["segments"])
    result = {
        "model": "default demo model (edge, femur_r + calcn_r, window 64, hop 2, 100 Hz)",
        "instructions_are": "guest instructions under qemu-system-arm -icount shift=6 (mps2-an386), not cycles",
        "size": {"text": text, "data": data, "bss": bss, "flash_bytes": text + data, "ram_bytes_static": data + bss,
                 "info_flash_bytes": info["flash_bytes"], "info_ram_bytes": info["ram_bytes"], "by_part": parts},
        "estimate_instructions": {**{k: round(v) for k, v in per_estimate.items()}, "total": round(estimate)},
        "frontend_instructions_per_imu_sample": round(per_estimate["frontend"] / (info["hop"] * imus)),
        "cpu_at_100_hz_hop_2": "50 estimates/s x %d instructions = %.1f M instructions/s" % (estimate, estimate * 50 / 1e6),
        "live_100_hz_20_s": live,
        "fastest_feed": flat_out,
        "budgets": BUDGETS,
        "within_budget": {"flash": text + data <= BUDGETS["flash_bytes"], "ram": data + bss <= BUDGETS["ram_bytes"],
                          "estimate": estimate <= BUDGETS["estimate_instructions"]},
    }
    write_result("firmware", result)
    print({k: result[k] for k in ("size", "estimate_instructions", "live_100_hz_20_s", "fastest_feed", "within_budget")})
