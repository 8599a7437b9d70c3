"""The device protocol, host side (firmware/PROTOCOL.md is the specification; firmware/core/protocol.c
the device side). A frame body is  version u8 | type u8 | sequence u16 | payload | CRC-32 u32,
little-endian, COBS-encoded and ended by 0x00 on the wire."""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

VERSION = 2
MAX_PAYLOAD = 1200

PING, INFO, STREAM_RAW, ESTIMATE, REPLAY, REPLAY_RESET = 0x01, 0x02, 0x10, 0x11, 0x12, 0x13
HEAD_BEGIN, HEAD_CHUNK, HEAD_COMMIT, HEAD_RESET, CALIB_RESET, BENCH = 0x20, 0x21, 0x22, 0x23, 0x24, 0x30
OK, ERROR, RAW_SAMPLE, ANGLES = 0x80, 0x81, 0x90, 0x91
BENCH_STAGES = ("frontend", "normalise", "backbone", "head")  # the stages of one estimate BENCH times

ERRORS = {
    1: "BAD_FRAME", 2: "BAD_VERSION", 3: "UNKNOWN_COMMAND", 4: "BAD_LENGTH", 5: "BAD_ARGUMENT",
    16: "HEAD_NOT_STARTED", 17: "HEAD_TOO_LARGE", 18: "HEAD_OUT_OF_ORDER", 19: "HEAD_TRUNCATED",
    20: "HEAD_CRC", 21: "HEAD_BAD_BLOB", 22: "HEAD_MODEL_MISMATCH", 23: "HEAD_SHAPE_MISMATCH", 24: "STORAGE",
}


class FrameError(ValueError):
    pass


@dataclass
class Frame:
    type: int
    sequence: int
    payload: bytes


def cobs_encode(data: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for byte in data:
        if byte == 0:
            out += bytes([len(block) + 1]) + block
            block.clear()
        else:
            block.append(byte)
            if len(block) == 254:
                out += b"\xff" + block
                block.clear()
    return bytes(out + bytes([len(block) + 1]) + block)


def cobs_decode(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        i += 1
        if code == 0 or i + code - 1 > len(data) or 0 in data[i:i + code - 1]:
            raise FrameError("malformed COBS")
        out += data[i:i + code - 1]
        i += code - 1
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def encode(type_: int, sequence: int, payload: bytes = b"") -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    body = struct.pack("<BBH", VERSION, type_, sequence & 0xFFFF) + payload
    body += struct.pack("<I", zlib.crc32(body))
    return cobs_encode(body) + b"\x00"


def decode(wire: bytes) -> Frame:
    """One frame without its delimiter."""
    body = cobs_decode(wire)
    if len(body) < 8:
        raise FrameError(f"frame of {len(body)} bytes is too short")
    if zlib.crc32(body[:-4]) != struct.unpack_from("<I", body, len(body) - 4)[0]:
        raise FrameError("frame CRC mismatch")
    version, type_, sequence = struct.unpack_from("<BBH", body)
    if version != VERSION:
        raise FrameError(f"protocol version {version}, expected {VERSION}")
    return Frame(type_, sequence, body[4:-4])


def parse_text(payload: bytes) -> dict[str, str]:
    """INFO and BENCH answers: "key=value" lines."""
    return dict(line.split("=", 1) for line in payload.decode("ascii").splitlines() if "=" in line)


# The emulated IMUs' full scales (firmware/boards/qemu_mps2_an386/imu_link.h): counts -> SI units,
# computed in float32 exactly as the board's constants are.
IMU_ACC_LSB = np.float32(16.0) * np.float32(9.80665) / np.float32(32768.0)
IMU_GYR_LSB = np.float32(2000.0) / np.float32(32768.0) * np.float32(3.14159265358979) / np.float32(180.0)


def imu_lsb(n_channels: int) -> np.ndarray:
    """Per channel (model order: per segment acc x,y,z then gyr x,y,z), SI units per count."""
    return np.array([IMU_ACC_LSB if c % 6 < 3 else IMU_GYR_LSB for c in range(n_channels)], dtype=np.float32)


def imu_counts(samples: np.ndarray) -> np.ndarray:
    """SI samples (n, channels) -> the int16 readings the emulated IMUs send (rounded, saturated)."""
    x = np.asarray(samples, dtype=np.float64) / imu_lsb(np.shape(samples)[-1]).astype(np.float64)
    return np.clip(np.round(np.nan_to_num(x)), -32768, 32767).astype(np.int16)


def imu_values(counts: np.ndarray) -> np.ndarray:
    """What the board computes from the readings (float32 count * float32 LSB)."""
    return counts.astype(np.float32) * imu_lsb(np.shape(counts)[-1])


def imu_frame(sequence: int, counts) -> bytes:
    """One sample on the emulated sensor link (UART1 of the QEMU board): sequence u32, int16
    readings in model channel order, CRC-32; COBS, 0x00."""
    body = struct.pack("<I", sequence & 0xFFFFFFFF) + np.asarray(counts, dtype="<i2").tobytes()
    body += struct.pack("<I", zlib.crc32(body))
    return cobs_encode(body) + b"\x00"
