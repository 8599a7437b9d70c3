"""The calibration blob: one person's sensor-to-segment calibration as a device stores and receives it.

Little-endian, laid out as

    offset  size  field
    0       4     magic b"KECA"
    4       2     format version (1)
    6       2     header size in bytes (32)
    8       8     model hash the calibration is for (its IMUs in the model's segment order)
    16      2     number of IMUs N
    18      2     floats per IMU (12)
    20      4     calibration id (chosen by whoever made it; the device reports it)
    24      8     reserved, zero
    32      48*N  per IMU, float32: rotation segment-from-sensor row-major (9), gyro bias rad/s (3)
    end-4   4     CRC-32 (IEEE, as zlib.crc32) of every byte before it

A calibration is tied to a model hash because its IMU order is the model's; the firmware's reader
is firmware/core/calibration.c.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np

from trainer.calibration import Calibration

from .blob import BlobError, check_blob, seal

MAGIC = b"KECA"
VERSION = 1
FLOATS_PER_IMU = 12
HEADER = struct.Struct("<4sHH8sHHI8s")
assert HEADER.size == 32


class CalibrationBlobError(BlobError):
    pass


@dataclass
class CalibrationBlob:
    calibration: Calibration
    model_hash: bytes
    calibration_id: int = 0

    def values(self) -> np.ndarray:
        return self.calibration.as_array()

    def to_bytes(self) -> bytes:
        values = np.ascontiguousarray(self.values(), dtype="<f4")
        if len(self.model_hash) != 8:
            raise CalibrationBlobError("model hash must be 8 bytes")
        calibration_id = self.calibration_id or int.from_bytes(hashlib.sha256(values.tobytes()).digest()[:4], "little") or 1
        header = HEADER.pack(MAGIC, VERSION, HEADER.size, self.model_hash, len(values), FLOATS_PER_IMU,
                             calibration_id, bytes(8))
        return seal(header + values.tobytes())

    @classmethod
    def from_bytes(cls, blob: bytes, segments) -> "CalibrationBlob":
        """The blob read back, for the model's `segments` (which the blob does not name)."""
        model_hash, calibration_id, values = read_fields(blob)
        n = len(values)
        if n != len(segments):
            raise CalibrationBlobError(f"calibration blob holds {n} IMUs, the model reads {len(segments)}")
        calibration = Calibration(list(segments), values[:, :9].reshape(n, 3, 3), values[:, 9:])
        return cls(calibration, model_hash, calibration_id)


def read_fields(blob: bytes) -> tuple[bytes, int, np.ndarray]:
    """A checked blob's (model hash, calibration id, (n, 12) values): all a device needs of it."""
    check_blob(blob, MAGIC, "calibration", HEADER.size, CalibrationBlobError)
    _, version, header_size, model_hash, n, per, calibration_id, _ = HEADER.unpack_from(blob)
    if version != VERSION or header_size != HEADER.size or per != FLOATS_PER_IMU:
        raise CalibrationBlobError(f"calibration blob version {version} is not supported")
    if len(blob) != HEADER.size + 4 * n * per + 4:
        raise CalibrationBlobError(f"calibration blob is {len(blob)} bytes, its header says {HEADER.size + 4 * n * per + 4}")
    return model_hash, calibration_id, np.frombuffer(blob, "<f4", n * per, HEADER.size).reshape(n, per).astype(np.float64)
