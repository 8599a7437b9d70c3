"""Pushing a head or a person calibration to a device, the one way every caller does it (the CLI's
push-head / push-calibration and the web page): refuse a blob made for another model before
anything is sent, upload it, then require INFO to report the blob's CRC as the one running."""
from __future__ import annotations

import time

from converter.blob import blob_crc

from .device import Device
from .errors import ToolError

_INFO_PREFIX = {"head": "head", "calibration": "calib"}


class PushRefused(ToolError):
    """The blob does not belong on this device, or the device does not run it after the upload."""


def push_verified(dev: Device, blob: bytes, model_hash: bytes, kind: str, source: str = "the blob") -> tuple[dict, float]:
    """Upload `blob` (a head or a calibration, `kind`) to `dev`. Returns (INFO after the upload,
    seconds from the upload's start to verified)."""
    prefix = _INFO_PREFIX[kind]
    running = dev.info()
    if model_hash.hex() != running["model_hash"]:
        raise PushRefused(f"{source} is for model {model_hash.hex()}, the device at {dev.port} runs "
                          f"{running['model_hash']}; nothing was sent")
    started = time.perf_counter()
    dev.upload_head(blob)  # heads and calibrations travel the same way; the blob's magic says which
    after = dev.info()
    seconds = time.perf_counter() - started
    if int(after[f"{prefix}_crc"], 16) != blob_crc(blob):
        raise PushRefused(f"the device at {dev.port} reports {kind} crc {after[f'{prefix}_crc']} after the "
                          f"upload, not {blob_crc(blob):08x}")
    return after, seconds


def push_head(dev: Device, blob: bytes, source: str = "the head") -> tuple[dict, float, int]:
    """A head blob checked, pushed and verified; returns (INFO after, seconds, head id)."""
    from converter.head_blob import Head, HeadBlobError

    try:
        head = Head.from_bytes(blob)
    except HeadBlobError as exc:
        raise PushRefused(f"{source}: {exc}") from None
    after, seconds = push_verified(dev, blob, head.model_hash, "head", source)
    if after["head_id"] != head.head_id:
        raise PushRefused(f"the device at {dev.port} reports head {after['head_id']} after the upload, "
                          f"not {head.head_id}")
    return after, seconds, head.head_id


def push_calibration(dev: Device, blob: bytes, source: str = "the calibration") -> tuple[dict, float, int]:
    """A person calibration blob checked, pushed and verified; returns (INFO after, seconds, calibration id)."""
    from converter.calibration_blob import CalibrationBlobError, read_fields

    try:
        model_hash, calibration_id, _ = read_fields(blob)
    except CalibrationBlobError as exc:
        raise PushRefused(f"{source}: {exc} (heads go with push-head)") from None
    after, seconds = push_verified(dev, blob, model_hash, "calibration", source)
    return after, seconds, calibration_id
