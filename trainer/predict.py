"""Offline estimates from a bundle's float model: exactly the windows a device would stream (the
first full window, then every hop, causal), from the person's calibrated front-end features."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import Calibration, features
from .data.errors import DataError
from .data.recording import Recording
from .data.schema import TIME
from .fit import predict
from .models.head import HEAD_NAME
from .windows import device_ends


def estimate(model, card: dict, normalizer, calibration: Calibration, recording: Recording,
             head: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(window end indices, angles (m, K) float32). `head` (kernel, bias) replaces the model's."""
    for name in card["channels"]:
        if name not in recording.data.columns:
            raise DataError(recording.source, "the model's IMU channel is missing", column=name)
    if head is not None:
        layer = model.get_layer(HEAD_NAME)
        if head[0].shape != layer.get_weights()[0].shape:
            raise DataError("head", f"head of shape {head[0].shape} does not fit the model's {layer.get_weights()[0].shape}")
        layer.set_weights([np.asarray(head[0], np.float32), np.asarray(head[1], np.float32)])
    x = normalizer.apply(features(recording, calibration.select(card["segments"])))
    window = int(card["window"])
    ends = device_ends(len(x), window, int(card["hop"]))
    if not len(ends):
        raise DataError(recording.source, f"shorter than one window ({window} samples)")
    index = ends[:, None] + np.arange(-window + 1, 1)[None, :]
    return ends, predict(model, x[index])


def estimates_table(recording: Recording, outputs, ends: np.ndarray, angles: np.ndarray) -> pd.DataFrame:
    """A recording-like table: the time of each estimate's newest sample and the angle columns."""
    table = pd.DataFrame(np.asarray(angles, np.float32), columns=list(outputs))
    table.insert(0, TIME, recording.data[TIME].to_numpy()[ends])
    return table


def scores(recording: Recording, outputs, ends: np.ndarray, angles: np.ndarray, test_fraction: float | None):
    """RMSE (deg) per output against the recording's own angles, over the estimates at samples of its
    last `test_fraction` (all of them when None) — the experiments' test set."""
    keep = np.ones(len(ends), bool) if test_fraction is None else \
        ends >= int(round((1.0 - test_fraction) * recording.n_samples))
    out = {}
    for k, name in enumerate(outputs):
        if name in recording.data.columns:
            truth = recording.data[name].to_numpy(np.float64)[ends[keep]]
            ok = ~np.isnan(truth)
            if ok.any():
                out[name] = float(np.sqrt(np.mean((angles[keep][ok, k] - truth[ok]) ** 2)))
    return out
