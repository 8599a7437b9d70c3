"""What every blob a device receives shares: a 4-byte magic first, a CRC-32 (IEEE, as zlib.crc32)
of every byte before it last. Head blobs (head_blob.py) and calibration blobs (calibration_blob.py)
build on this."""
from __future__ import annotations

import struct
import zlib


class BlobError(ValueError):
    pass


def seal(body: bytes) -> bytes:
    return body + struct.pack("<I", zlib.crc32(body))


def check_blob(blob: bytes, magic: bytes, kind: str, header_size: int, error=BlobError) -> None:
    """Raises `error` unless `blob` is long enough, starts with `magic` and its CRC holds."""
    if len(blob) < header_size + 4:
        raise error(f"{kind} blob too short ({len(blob)} bytes)")
    if blob[:4] != magic:
        raise error(f"not a {kind} blob (magic {blob[:4]!r})")
    (crc,) = struct.unpack_from("<I", blob, len(blob) - 4)
    if crc != zlib.crc32(blob[:-4]):
        raise error(f"{kind} blob CRC mismatch (corrupted)")


def blob_crc(blob: bytes) -> int:
    """The CRC a device reports for a blob it runs: the one stored in its last 4 bytes."""
    return struct.unpack_from("<I", blob, len(blob) - 4)[0]
