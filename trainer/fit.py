"""Training and fine-tuning loops (Keras `fit` with early stopping and a progress hook)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models.head import HEAD_NAME, scaled_mse
from .tf_setup import keras, seed_everything
from .windows import Examples


@dataclass
class FitSettings:
    epochs: int = 40
    batch_size: int = 128
    learning_rate: float = 2e-3
    patience: int = 6
    seed: int = 0


class _EpochHook(keras.callbacks.Callback):
    def __init__(self, on_epoch):
        super().__init__()
        self.on_epoch = on_epoch

    def on_epoch_end(self, epoch, logs=None):
        self.on_epoch(epoch + 1, logs or {})


def as_input(x: np.ndarray) -> np.ndarray:
    """(n, T, C) windows → the models' (n, T, 1, C) input."""
    return x[:, :, None, :]


def fit(model, train: Examples, val: Examples | None, target_std, settings: FitSettings,
        train_only_head: bool = False, on_epoch=None) -> dict:
    """Train `model` in place on normalised examples; returns the Keras history.

    With `val`, training stops when the validation loss has not improved for `patience` epochs
    and the best weights are kept; without it, it runs all `epochs` (used for fine-tuning on the
    small calibration set, which has no data to spare for validation).
    """
    seed_everything(settings.seed)
    for layer in model.layers:
        layer.trainable = (layer.name == HEAD_NAME) if train_only_head else True
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss=scaled_mse(target_std))
    callbacks = [_EpochHook(on_epoch)] if on_epoch else []
    if val is not None:
        callbacks.append(keras.callbacks.EarlyStopping(patience=settings.patience, restore_best_weights=True))
    history = model.fit(as_input(train.x), train.y, batch_size=settings.batch_size, epochs=settings.epochs,
                        validation_data=(as_input(val.x), val.y) if val is not None else None,
                        shuffle=True, verbose=0, callbacks=callbacks)
    return {k: [float(v) for v in values] for k, values in history.history.items()}


def predict(model, x: np.ndarray) -> np.ndarray:
    return model.predict(as_input(x), batch_size=1024, verbose=0)
