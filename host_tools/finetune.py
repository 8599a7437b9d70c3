"""Head-only fine-tuning for one person, on the host, against the device's own int8 embeddings.

The backbone stays what the device runs; only the float head (a linear map from the embedding and
the newest sample's inclination features to the angles) is refitted, with the one personalisation
fit the experiments use too (`trainer.personalize.fit_head`). The person's calibration shapes the
front-end's features, so it is the one the device will run: given, or made label-free from the
labelled recording itself. The windows are those the device estimates (first full window, then
every hop); the last `holdout` of them are kept for scoring.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from converter.head_blob import Head
from trainer.calibration import Calibration
from trainer.data.errors import DataError
from trainer.data.recording import Recording
from trainer.personalize import HeadPull, balance_weights, fit_head, window_motion
from trainer.physics import head_basis

from .device_model import DeviceModel


@dataclass
class FineTune:
    head: Head
    joints: list[str]
    before_rmse: np.ndarray   # per joint, on the held-out tail
    after_rmse: np.ndarray
    train_windows: int
    test_windows: int


def labelled_windows(model: DeviceModel, recording: Recording, joints: list[str], calibration: Calibration | None):
    """(int8 embeddings, physics inputs, target angles, window motion) of every labelled window the
    device estimates."""
    for name in model.channels:
        if name not in recording.data.columns:
            raise DataError(recording.source, "the model's IMU channel is missing", column=name)
    for name in joints:
        if name not in recording.data.columns:
            raise DataError(recording.source, "the model's output angle is missing (sync with a reference first)",
                            column=name)
    x = recording.data[model.channels].to_numpy(np.float32)
    if np.isnan(x).any():
        from trainer.windows import _fill_forward
        x = _fill_forward(x)
    y = recording.data[joints].to_numpy(np.float32)
    ends, embeddings, physics = model.embeddings(x, calibration)
    targets = y[ends]
    keep = ~np.isnan(targets).any(axis=1)
    gyro = x[:, [i for i, name in enumerate(model.channels) if "_gyr_" in name]]
    index = ends[:, None] + np.arange(-model.window + 1, 1)[None, :]
    motion = window_motion(gyro[index]) if len(ends) else np.zeros(0)
    return embeddings[keep], physics[keep], targets[keep], motion[keep]


def rmse(model: DeviceModel, head: Head, embeddings, physics, targets) -> np.ndarray:
    return np.sqrt(np.mean((model.apply_head(embeddings, physics, head) - targets) ** 2, axis=0))


def finetune_head(model: DeviceModel, recording: Recording, calibration: Calibration | None,
                  holdout: float = 0.25, pull: HeadPull = HeadPull(), head_id: int | None = None) -> FineTune:
    joints = [o["name"] for o in model.card["outputs"]]
    embeddings, physics, targets, motion = labelled_windows(model, recording, joints, calibration)
    n_test = int(round(len(embeddings) * holdout))
    n_train = len(embeddings) - n_test
    if n_train < 20 or (holdout > 0 and n_test < 5):
        raise DataError(recording.source, f"only {len(embeddings)} labelled windows; fine-tuning needs a few "
                                          f"seconds more of labelled walking")
    inputs = np.column_stack([model.dequantized(embeddings), physics]).astype(np.float64)
    side = joints[0].rsplit("_", 1)[1]
    basis = head_basis(model.segments, side, joints)
    kernel, bias = fit_head(inputs[:n_train], targets[:n_train], model.head.kernel, model.head.bias,
                            model.head.n_embedding, pull, balance_weights(motion[:n_train]), basis.observed,
                            np.asarray(model.card["training"]["head_input_rms"]), mix=basis.mix)
    if head_id is None:  # the same fit gets the same id
        head_id = int.from_bytes(hashlib.sha256(kernel.tobytes() + bias.tobytes()).digest()[:4], "little") or 1
    head = Head(kernel, bias, bytes.fromhex(model.model_hash), head_id, model.head.n_physics)
    test = slice(n_train, None)
    if n_test == 0:
        test = slice(0, n_train)  # nothing held out: report the fit itself
    return FineTune(head, joints, rmse(model, model.head, embeddings[test], physics[test], targets[test]),
                    rmse(model, head, embeddings[test], physics[test], targets[test]), n_train, n_test)
