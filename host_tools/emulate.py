"""`kinedge emulate`: the firmware for a bundle on QEMU, with its sensors optionally playing a
recording in real time (looping), until Ctrl-C."""
from __future__ import annotations

import signal
import time
from pathlib import Path


from trainer.data.store import read_recording

from .emulator import Emulator, ImuFeeder, build_firmware
from .replay import device_samples


def _stop_on_sigterm(*_):
    raise KeyboardInterrupt  # so QEMU is stopped in `finally`, not orphaned


def run_emulator(bundle: Path, imu_recording: Path | None, state: Path, rate: float | None, seconds: float | None,
                 echo=print) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    elf = build_firmware(bundle, state / "build")
    feeder = None
    with Emulator(elf, state / "device") as emulator:
        echo(f"emulated device (QEMU mps2-an386, Cortex-M4F) running {bundle}")
        if imu_recording is not None:
            recording = read_recording(imu_recording)
            from .device import Device

            with Device(emulator.url) as dev:
                samples = device_samples(recording, dev.info()["channels"], imu_recording)
            feed_rate = rate or recording.sample_rate
            feeder = ImuFeeder(emulator.imu_url, samples, rate=feed_rate, loop=True).start()
            echo(f"IMUs play {imu_recording} ({recording.duration:.1f} s, looping) at {feed_rate:g} Hz")
        echo(f"IMU link: {emulator.imu_url}")
        echo(f"port: {emulator.url}")  # last: whoever waits for this line finds the device ready
        echo("Ctrl-C stops the device." if seconds is None else f"running for {seconds:g} s")
        try:
            deadline = None if seconds is None else time.monotonic() + seconds
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2)
                if emulator.process.poll() is not None:
                    raise RuntimeError(f"QEMU stopped (exit {emulator.process.returncode})")
        except KeyboardInterrupt:
            pass
        finally:
            if feeder:
                feeder.stop()
