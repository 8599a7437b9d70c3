"""The head blob: the one definition of the bytes a device stores and receives as its head.

Little-endian, laid out as

    offset  size  field
    0       4     magic b"KEHD"
    4       2     format version (1)
    6       2     header size in bytes (32)
    8       8     model hash: first 8 bytes of SHA-256 of the int8 flatbuffer the head belongs to
    16      2     embedding size E
    18      2     number of outputs K
    20      4     head id (chosen by whoever made the head; the device reports it)
    24      8     reserved, zero
    32      4*E*K kernel, float32, row-major (E rows, K columns): out[k] = sum_e emb[e]*W[e][k] + b[k]
    ...     4*K   bias, float32
    end-4   4     CRC-32 (IEEE, as zlib.crc32) of every byte before it

The firmware's C reader and the host tools both follow this table; tests pin it with vectors.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"KEHD"
VERSION = 1
HEADER = struct.Struct("<4sHH8sHHI8s")
assert HEADER.size == 32


class HeadBlobError(ValueError):
    pass


@dataclass
class Head:
    kernel: np.ndarray   # (E, K) float32
    bias: np.ndarray     # (K,) float32
    model_hash: bytes    # 8 bytes
    head_id: int = 0

    def to_bytes(self) -> bytes:
        kernel = np.ascontiguousarray(self.kernel, dtype="<f4")
        bias = np.ascontiguousarray(self.bias, dtype="<f4")
        e, k = kernel.shape
        if bias.shape != (k,) or len(self.model_hash) != 8:
            raise HeadBlobError("head shapes or model hash are inconsistent")
        body = HEADER.pack(MAGIC, VERSION, HEADER.size, self.model_hash, e, k, self.head_id, bytes(8))
        body += kernel.tobytes() + bias.tobytes()
        return body + struct.pack("<I", zlib.crc32(body))

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Head":
        if len(blob) < HEADER.size + 4:
            raise HeadBlobError(f"head blob too short ({len(blob)} bytes)")
        magic, version, header_size, model_hash, e, k, head_id, _ = HEADER.unpack_from(blob)
        if magic != MAGIC:
            raise HeadBlobError(f"not a head blob (magic {magic!r})")
        if version != VERSION or header_size != HEADER.size:
            raise HeadBlobError(f"head blob version {version} is not supported")
        expected = HEADER.size + 4 * e * k + 4 * k + 4
        if len(blob) != expected:
            raise HeadBlobError(f"head blob is {len(blob)} bytes, its header says {expected}")
        (crc,) = struct.unpack_from("<I", blob, len(blob) - 4)
        if crc != zlib.crc32(blob[:-4]):
            raise HeadBlobError("head blob CRC mismatch (corrupted)")
        kernel = np.frombuffer(blob, "<f4", e * k, HEADER.size).reshape(e, k).copy()
        bias = np.frombuffer(blob, "<f4", k, HEADER.size + 4 * e * k).copy()
        return cls(kernel, bias, model_hash, head_id)
