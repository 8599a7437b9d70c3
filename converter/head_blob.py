"""The head blob: the one definition of the bytes a device stores and receives as its head.

Little-endian, laid out as

    offset  size  field
    0       4     magic b"KEHD"
    4       2     format version (2)
    6       2     header size in bytes (32)
    8       8     model hash: first 8 bytes of SHA-256 of the int8 flatbuffer the head belongs to
    16      2     embedding size E
    18      2     number of outputs K
    20      4     head id (chosen by whoever made the head; the device reports it)
    24      2     physics inputs P: the front-end features of the newest sample the head also reads
    26      6     reserved, zero
    32      4*(E+P)*K kernel, float32, row-major (E+P rows, K columns):
                  out[k] = sum_e emb[e]*W[e][k] + sum_p phys[p]*W[E+p][k] + b[k]
    ...     4*K   bias, float32
    end-4   4     CRC-32 (IEEE, as zlib.crc32) of every byte before it

The firmware's C reader (firmware/core/head.c) and the host tools both follow this table; tests
pin it with vectors.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from .blob import BlobError, check_blob, seal

MAGIC = b"KEHD"
VERSION = 2
HEADER = struct.Struct("<4sHH8sHHIH6s")
assert HEADER.size == 32


class HeadBlobError(BlobError):
    pass


@dataclass
class Head:
    kernel: np.ndarray   # (E + P, K) float32: embedding rows, then physics rows
    bias: np.ndarray     # (K,) float32
    model_hash: bytes    # 8 bytes
    head_id: int = 0
    n_physics: int = 0   # P

    @property
    def n_embedding(self) -> int:
        return self.kernel.shape[0] - self.n_physics

    def to_bytes(self) -> bytes:
        kernel = np.ascontiguousarray(self.kernel, dtype="<f4")
        bias = np.ascontiguousarray(self.bias, dtype="<f4")
        rows, k = kernel.shape
        if bias.shape != (k,) or len(self.model_hash) != 8 or not 0 <= self.n_physics < rows:
            raise HeadBlobError("head shapes or model hash are inconsistent")
        header = HEADER.pack(MAGIC, VERSION, HEADER.size, self.model_hash, rows - self.n_physics, k, self.head_id,
                             self.n_physics, bytes(6))
        return seal(header + kernel.tobytes() + bias.tobytes())

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Head":
        check_blob(blob, MAGIC, "head", HEADER.size, HeadBlobError)
        magic, version, header_size, model_hash, e, k, head_id, p, _ = HEADER.unpack_from(blob)
        if version != VERSION or header_size != HEADER.size:
            raise HeadBlobError(f"head blob version {version} is not supported (this kinedge reads {VERSION})")
        expected = HEADER.size + 4 * (e + p) * k + 4 * k + 4
        if len(blob) != expected:
            raise HeadBlobError(f"head blob is {len(blob)} bytes, its header says {expected}")
        kernel = np.frombuffer(blob, "<f4", (e + p) * k, HEADER.size).reshape(e + p, k).copy()
        bias = np.frombuffer(blob, "<f4", k, HEADER.size + 4 * (e + p) * k).copy()
        return cls(kernel, bias, model_hash, head_id, p)
