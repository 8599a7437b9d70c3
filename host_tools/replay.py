"""Scoring a device's REPLAY: against a recording's reference angles, and bit for bit against the
host's copy of the device computation."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from converter.head_blob import Head
from trainer.data.recording import Recording
from trainer.predict import scores

from .device_model import DeviceModel


def device_samples(recording: Recording, channels: list[str], source) -> np.ndarray:
    """The recording's samples in the device's channel order (n, channels) float32, or a one-line
    error naming the first channel it lacks."""
    missing = [c for c in channels if c not in recording.data.columns]
    if missing:
        raise ValueError(f"{source}: no column {missing[0]} (the device reads {', '.join(channels)})")
    return recording.data[channels].to_numpy(np.float32)


def score_against_reference(recording: Recording, outputs: list[str], ends: np.ndarray, angles: np.ndarray) -> dict:
    """RMSE per output joint the recording has (NaN reference frames skipped), over every estimate:
    the same scoring as `kinedge predict`."""
    return scores(recording, outputs, ends, angles, None)


def compare_with_host(bundle: Path, running: dict, samples, ends, angles, embeddings, head: Head | None,
                      calibration=None) -> dict:
    model = DeviceModel(bundle)
    if model.model_hash != running["model_hash"]:
        raise ValueError(f"{bundle} holds model {model.model_hash}, the device runs {running['model_hash']}")
    host_ends, host_angles, host_embeddings = model.run(samples, head, calibration)
    if not np.array_equal(host_ends, ends):
        raise ValueError("the device estimated different windows than the host expects")
    return {"identical_embeddings": int(np.all(host_embeddings == embeddings, axis=1).sum()),
            "max_angle_difference_deg": float(np.abs(host_angles - angles).max()) if len(ends) else 0.0,
            "identical_angles": bool(np.array_equal(host_angles, angles))}
