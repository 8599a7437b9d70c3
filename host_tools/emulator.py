"""The emulated device: the kinedge firmware for a converted bundle, built for QEMU's mps2-an386
(Cortex-M4F) and started with its protocol UART and its IMU UART on local TCP ports, so pyserial
reaches it at `socket://127.0.0.1:PORT` as it would a board at /dev/ttyACM0.

The device's head storage is a file in the state folder, so a pushed head survives a restart."""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from converter.aot.qemu_check import FIRMWARE, ICOUNT_SHIFT, QEMU, available

from . import protocol


from .errors import ToolError

class EmulatorError(ToolError):
    pass


def build_firmware(bundle: Path, build: Path) -> Path:
    """The QEMU firmware for the bundle's generated sources (c/); returns the ELF."""
    sources = Path(bundle) / "c"
    if not (sources / "model_aot.c").exists():
        raise EmulatorError(f"{bundle}: no c/model_aot.c; convert the bundle first (kinedge convert {bundle})")
    missing = available()
    if missing:
        raise EmulatorError(f"the emulated device needs arm-none-eabi-gcc and qemu-system-arm ({missing})")
    done = subprocess.run(["make", "-s", "-C", str(FIRMWARE), "qemu", f"MODEL_DIR={sources.resolve()}",
                           f"BUILD={Path(build).resolve()}"], capture_output=True, text=True)
    if done.returncode:
        raise EmulatorError("building the firmware failed:\n" + done.stderr + done.stdout)
    return Path(build) / "kinedge_qemu.elf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """start() / stop(); `url` for the protocol, `imu_url` for the sensor link."""

    def __init__(self, elf: Path, state: Path):
        self.elf, self.state = Path(elf), Path(state)
        self.process: subprocess.Popen | None = None
        self.port = self.imu_port = 0

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    @property
    def imu_url(self) -> str:
        return f"socket://127.0.0.1:{self.imu_port}"

    def start(self, timeout: float = 20.0) -> "Emulator":
        self.state.mkdir(parents=True, exist_ok=True)
        self.port, self.imu_port = _free_port(), _free_port()
        command = [QEMU, "-M", "mps2-an386", "-cpu", "cortex-m4", "-display", "none", "-monitor", "none",
                   "-semihosting-config", "enable=on,target=native", "-icount", f"shift={ICOUNT_SHIFT},sleep=off",
                   "-serial", f"tcp:127.0.0.1:{self.port},server=on,wait=off,nodelay=on",
                   "-serial", f"tcp:127.0.0.1:{self.imu_port},server=on,wait=off,nodelay=on", "-kernel", str(self.elf.resolve())]
        self._log = open(self.state / "qemu.log", "w")
        self.process = subprocess.Popen(command, cwd=self.state, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError(f"QEMU exited with {self.process.returncode}: {(self.state / 'qemu.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise EmulatorError(f"the emulated device did not open port {self.port} within {timeout:g} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start() if self.process is None else self

    def __exit__(self, *exc):
        self.stop()


class ImuFeeder:
    """Plays the IMUs: sends samples (SI units, model channel order) on the emulated sensor link as
    int16 readings, at `rate` samples per second of real time (None: as fast as the link takes
    them), in a background thread. protocol.imu_values(protocol.imu_counts(x)) is what the device sees.
    With record_times, `sent_at[i]` is the wall-clock time (time.time()) sample i left for the device."""

    def __init__(self, imu_url: str, samples: np.ndarray, rate: float | None = 100.0, first_sequence: int = 0,
                 skip: set[int] | None = None, loop: bool = False, record_times: bool = False):
        host, port = imu_url.removeprefix("socket://").rsplit(":", 1)
        self.address = (host, int(port))
        self.counts = protocol.imu_counts(samples)
        self.rate, self.first_sequence, self.skip, self.loop = rate, first_sequence, skip or set(), loop
        self.sent = 0
        self.sent_at: list[float] | None = [] if record_times else None
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ImuFeeder":
        self._socket = socket.create_connection(self.address, timeout=5)
        self._thread.start()
        return self

    def _run(self) -> None:
        started = time.monotonic()
        try:
            i = 0
            while not self._stop.is_set() and (self.loop or i < len(self.counts)):
                counts = self.counts[i % len(self.counts)]
                if self.rate:
                    delay = started + i / self.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                if i not in self.skip:  # skipped: a sample the link loses (tests of drop counting)
                    self._socket.sendall(protocol.imu_frame(self.first_sequence + i, counts))
                    self.sent += 1
                if self.sent_at is not None:
                    self.sent_at.append(time.time() if i not in self.skip else float("nan"))
                i += 1
        except OSError as exc:
            self.error = exc

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

