"""Recording raw IMU samples from a device into a validated recording (the calibration data a
head is fine-tuned on). Sample sequence numbers are checked: a gap becomes NaN rows (never silently
closed) and is reported. Whatever was received is kept when the user stops or the link drops."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trainer.data.recording import Recording
from trainer.data.schema import TIME

from . import protocol as p
from .device import Device, DeviceGone


@dataclass
class Collected:
    info: dict
    sequence: list[int] = field(default_factory=list)
    device_us: list[int] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    stopped_by: str = "time"          # "time", "interrupt" or "disconnect"
    error: str | None = None

    def add(self, frame: p.Frame) -> None:
        """One RAW_SAMPLE frame: sample sequence u32, device time µs u32, the channels as float32."""
        self.sequence.append(int.from_bytes(frame.payload[:4], "little"))
        self.device_us.append(int.from_bytes(frame.payload[4:8], "little"))
        self.values.append(np.frombuffer(frame.payload, "<f4", len(self.info["channels"]), 8).copy())

    @property
    def drops(self) -> int:
        if len(self.sequence) < 2:
            return 0
        return int(self.sequence[-1] - self.sequence[0] + 1 - len(self.sequence))

    def recording(self, subject: str, activity: str) -> Recording:
        """Time from sequence numbers (the device samples at its fixed rate); lost samples are NaN."""
        rate = float(self.info["sample_rate_hz"])
        channels = self.info["channels"]
        if not self.sequence:
            raise ValueError("no samples were received")
        seq = np.asarray(self.sequence, dtype=np.int64)
        n = int(seq[-1] - seq[0] + 1)
        table = np.full((n, len(channels)), np.nan, dtype=np.float32)
        table[seq - seq[0]] = np.stack(self.values)
        data = pd.DataFrame(table, columns=channels)
        data.insert(0, TIME, (np.arange(n) / rate).astype(np.float64))
        extra = {"device": {k: self.info[k] for k in ("board", "firmware", "engine", "model_hash")},
                 "first_sequence": int(seq[0]), "lost_samples": self.drops, "stopped_by": self.stopped_by,
                 "device_time_us": [int(self.device_us[0]), int(self.device_us[-1])]}
        return Recording(data, subject, activity, rate, source="kinedge-device", extra=extra)


def collect(device: Device, seconds: float, on_sample=None) -> Collected:
    """Raw samples for `seconds` of wall time (Ctrl-C or a lost link end it early, keeping what came)."""
    result = Collected(device.info())
    device.stream_raw(True)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            frame = device.read_stream(timeout=min(1.0, max(deadline - time.monotonic(), 0.01)))
            if frame is None or frame.type != p.RAW_SAMPLE:
                continue
            result.add(frame)
            if on_sample:
                on_sample(len(result.sequence))
    except KeyboardInterrupt:
        result.stopped_by = "interrupt"
    except DeviceGone as exc:
        result.stopped_by, result.error = "disconnect", str(exc)
        return result
    try:
        device.stream_raw(False)
    except DeviceGone as exc:
        result.stopped_by, result.error = "disconnect", str(exc)
    return result
