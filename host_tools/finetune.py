"""Head-only fine-tuning for one person, on the host, against the device's own int8 embeddings.

The backbone stays what the device runs; only the float head (a linear map from the 64-value
embedding to the angles) is refitted. With little data the fit is ridge regression pulled toward
the current head rather than toward zero:

    minimise  |E W - Y|^2 + lam * |W - W0|^2      (bias included as a constant embedding input)

which has a closed form, is deterministic and takes milliseconds. The windows are those the device
estimates (first full window, then every hop); the last `holdout` of them are kept for scoring.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from converter.head_blob import Head
from trainer.data.errors import DataError
from trainer.data.recording import Recording

from .device_model import DeviceModel


@dataclass
class FineTune:
    head: Head
    joints: list[str]
    before_rmse: np.ndarray   # per joint, on the held-out tail
    after_rmse: np.ndarray
    train_windows: int
    test_windows: int


def labelled_windows(model: DeviceModel, recording: Recording, joints: list[str]):
    for name in model.channels:
        if name not in recording.data.columns:
            raise DataError(recording.source, "the model's IMU channel is missing", column=name)
    for name in joints:
        if name not in recording.data.columns:
            raise DataError(recording.source, "the model's output angle is missing (sync with a reference first)",
                            column=name)
    x = recording.data[model.channels].to_numpy(np.float32)
    y = recording.data[joints].to_numpy(np.float32)
    ends, embeddings = model.embeddings(x)
    targets = y[ends]
    keep = ~np.isnan(targets).any(axis=1)
    return embeddings[keep], targets[keep]


def rmse(model: DeviceModel, head: Head, embeddings: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean((model.apply_head(embeddings, head) - targets) ** 2, axis=0))


def finetune_head(model: DeviceModel, recording: Recording, holdout: float = 0.25, strength: float = 10.0,
                  head_id: int | None = None) -> FineTune:
    joints = [o["name"] for o in model.card["outputs"]]
    embeddings, targets = labelled_windows(model, recording, joints)
    n_test = int(round(len(embeddings) * holdout))
    n_train = len(embeddings) - n_test
    if n_train < 20 or n_test < 5:
        raise DataError(recording.source, f"only {len(embeddings)} labelled windows; fine-tuning needs a few "
                                          f"seconds more of labelled walking")
    scale = np.float32(model.quant["output_scale"])
    features = (embeddings.astype(np.float64) - model.quant["output_zero_point"]) * scale
    e = np.column_stack([features, np.ones(len(features))])
    w0 = np.vstack([model.head.kernel, model.head.bias[None, :]]).astype(np.float64)
    a, b = e[:n_train], targets[:n_train].astype(np.float64)
    # Scale the pull toward W0 with the data so `strength` reads as "worth this many windows".
    lam = strength * np.mean(np.sum(a * a, axis=1))
    w = np.linalg.solve(a.T @ a + lam * np.eye(e.shape[1]), a.T @ b + lam * w0)
    kernel, bias = w[:-1].astype(np.float32), w[-1].astype(np.float32)
    if head_id is None:  # the same fit gets the same id
        head_id = int.from_bytes(hashlib.sha256(kernel.tobytes() + bias.tobytes()).digest()[:4], "little") or 1
    head = Head(kernel, bias, bytes.fromhex(model.model_hash), head_id)
    test_e, test_y = embeddings[n_train:], targets[n_train:]
    return FineTune(head, joints, rmse(model, model.head, test_e, test_y), rmse(model, head, test_e, test_y),
                    n_train, n_test)
