"""A kinedge device over pyserial: any port name or URL (`/dev/ttyACM0`, `socket://127.0.0.1:PORT`).
Requests are answered in order; stream frames (raw samples, angles) that arrive meanwhile are kept
in a queue for read_stream()."""
from __future__ import annotations

import collections
import struct
import time

import numpy as np
import serial

from . import protocol as p


from .errors import ToolError

class DeviceError(ToolError):
    """The device answered with an error code."""

    def __init__(self, request: int, code: int):
        self.request, self.code = request, code
        self.name = p.ERRORS.get(code, f"code {code}")
        super().__init__(f"device refused request 0x{request:02x}: {self.name}")


class DeviceTimeout(TimeoutError):
    pass


class DeviceGone(ConnectionError):
    pass


class Device:
    def __init__(self, port: str, timeout: float = 5.0):
        self.port, self.timeout = port, timeout
        try:
            self.serial = serial.serial_for_url(port, baudrate=921600, timeout=0.05)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceGone(f"cannot open {port}: {exc}") from None
        self._sequence = 0
        self._buffer = bytearray()
        # A lone delimiter ends whatever partial frame the device may hold from an earlier session.
        self._write(b"\x00")
        self.stream: collections.deque[p.Frame] = collections.deque()
        self._info: dict | None = None

    def close(self):
        self.serial.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- frames ---------------------------------------------------------------------------
    def _read_frame(self, deadline: float) -> p.Frame | None:
        while True:
            end = self._buffer.find(b"\x00")
            if end >= 0:
                wire = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                if not wire:
                    continue
                try:
                    return p.decode(wire)
                except p.FrameError:
                    continue  # line noise: resynchronised at the delimiter
            if time.monotonic() > deadline:
                return None
            try:
                chunk = self.serial.read(max(1, self.serial.in_waiting or 1))
            except (serial.SerialException, OSError) as exc:
                raise DeviceGone(f"{self.port}: connection lost ({exc})") from None
            if chunk:
                self._buffer += chunk

    def _write(self, data: bytes) -> None:
        try:
            self.serial.write(data)
        except (serial.SerialException, OSError) as exc:
            raise DeviceGone(f"{self.port}: connection lost ({exc})") from None

    def send(self, type_: int, payload: bytes = b"") -> int:
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._write(p.encode(type_, self._sequence, payload))
        return self._sequence

    def request(self, type_: int, payload: bytes = b"", timeout: float | None = None) -> bytes:
        sequence = self.send(type_, payload)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            frame = self._read_frame(deadline)
            if frame is None:
                raise DeviceTimeout(f"no answer from {self.port} within {timeout or self.timeout:g} s "
                                    f"(request 0x{type_:02x}); is a kinedge device connected there?")
            if frame.type in (p.RAW_SAMPLE, p.ANGLES):
                self.stream.append(frame)
            elif frame.sequence == sequence and frame.type == p.OK:
                return frame.payload[1:]
            elif frame.sequence == sequence and frame.type == p.ERROR:
                raise DeviceError(frame.payload[0], frame.payload[1])

    def has_input(self) -> bool:
        """Whether a frame is already here to read (queued, buffered or waiting in the port)."""
        try:
            return bool(self.stream) or b"\x00" in self._buffer or self.serial.in_waiting > 0
        except (serial.SerialException, OSError) as exc:
            raise DeviceGone(f"{self.port}: connection lost ({exc})") from None

    def read_stream(self, timeout: float) -> p.Frame | None:
        """The next stream frame (raw sample or angles), or None after `timeout` seconds."""
        if self.stream:
            return self.stream.popleft()
        frame = self._read_frame(time.monotonic() + timeout)
        while frame is not None and frame.type not in (p.RAW_SAMPLE, p.ANGLES):
            frame = self._read_frame(time.monotonic() + timeout)
        return frame

    # --- commands ---------------------------------------------------------------------------
    def ping(self, timeout: float | None = None) -> bool:
        return self.request(p.PING, timeout=timeout)[:7] == b"kinedge"

    def info(self) -> dict:
        info = p.parse_text(self.request(p.INFO))
        for key in ("segments", "channels", "outputs", "units"):
            info[key] = info[key].split(",") if info.get(key) else []
        for key in ("window", "hop", "embedding", "head_id", "head_generation", "arena_bytes", "flash_bytes",
                    "ram_bytes", "samples", "link_drops", "late_estimates", "discarded_frames", "protocol",
                    "sample_rate_hz", "features", "physics", "calib_id", "calib_generation"):
            if key in info:
                info[key] = int(info[key])
        self._info = info
        return info

    def _shape(self) -> dict:
        return self._info or self.info()

    def stream_raw(self, on: bool) -> None:
        self.request(p.STREAM_RAW, bytes([int(on)]))

    def estimate(self, on: bool, raw: bool = False) -> None:
        self.request(p.ESTIMATE, bytes([int(on) | (int(raw) << 1)]))

    def replay(self, samples: np.ndarray, embeddings: bool = False, on_progress=None):
        """Samples (n, channels) through the device's own estimator from a fresh start: returns
        (sample index of each window's last sample, angles (m, K) float32, embeddings (m, E) int8 or None)."""
        info = self._shape()
        n_ch, k, e, hop = len(info["channels"]), len(info["outputs"]), info["embedding"], info["hop"]
        samples = np.ascontiguousarray(samples, dtype="<f4")
        if samples.ndim != 2 or samples.shape[1] != n_ch:
            raise ValueError(f"replay needs samples shaped (n, {n_ch}), got {samples.shape}")
        per_estimate = 4 + 4 * k + (e if embeddings else 0)

        def fits(count: int) -> bool:  # the request and the device's worst-case answer both fit a frame
            return 2 + count * 4 * n_ch <= p.MAX_PAYLOAD and 2 + (count // hop + 1) * per_estimate <= p.MAX_PAYLOAD

        chunk = max(c for c in range(1, 256) if fits(c))
        self.request(p.REPLAY_RESET)
        index, angles, embedding = [], [], []
        for start in range(0, len(samples), chunk):
            part = samples[start:start + chunk]
            answer = self.request(p.REPLAY, bytes([int(embeddings), len(part)]) + part.tobytes(), timeout=max(self.timeout, 30))
            count, at = answer[0], 1
            for _ in range(count):
                index.append(struct.unpack_from("<I", answer, at)[0])
                angles.append(np.frombuffer(answer, "<f4", k, at + 4))
                at += 4 + 4 * k
                if embeddings:
                    embedding.append(np.frombuffer(answer, np.int8, e, at))
                    at += e
            if on_progress:
                on_progress(len(part))
        return (np.array(index, dtype=np.int64), np.array(angles, dtype=np.float32).reshape(-1, k),
                np.array(embedding, dtype=np.int8).reshape(-1, e) if embeddings else None)

    def upload_head(self, blob: bytes, chunk: int = 256, *, corrupt_chunk: int | None = None,
                    stop_after_chunks: int | None = None) -> tuple[int, int]:
        """HEAD_BEGIN, HEAD_CHUNKs, HEAD_COMMIT for a head or a calibration blob (the device tells
        them by their magic); returns the (id, CRC) of what the device now runs.
        corrupt_chunk / stop_after_chunks exist for tests of the device's refusals."""
        import zlib

        self.request(p.HEAD_BEGIN, struct.pack("<II", len(blob), zlib.crc32(blob)))
        for i, at in enumerate(range(0, len(blob), chunk)):
            if stop_after_chunks is not None and i >= stop_after_chunks:
                break
            data = bytearray(blob[at:at + chunk])
            if corrupt_chunk == i:
                data[len(data) // 2] ^= 0x5A
            self.request(p.HEAD_CHUNK, struct.pack("<I", at) + bytes(data))
        answer = self.request(p.HEAD_COMMIT, timeout=max(self.timeout, 10))
        head_id, crc = struct.unpack("<II", answer[:8])
        self._info = None
        return head_id, crc

    upload_calibration = upload_head  # the same upload; the blob's magic says what it is

    def reset_head(self) -> None:
        self.request(p.HEAD_RESET)
        self._info = None

    def reset_calibration(self) -> None:
        """Back to the nominal mounting (sensor axes = segment axes)."""
        self.request(p.CALIB_RESET)
        self._info = None

    def bench(self, runs: int) -> dict:
        answer = p.parse_text(self.request(p.BENCH, struct.pack("<H", runs), timeout=max(self.timeout, 60)))
        return {k: (v if k == "unit" else int(v)) for k, v in answer.items()}
