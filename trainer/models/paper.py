"""Float reference models in the style of the seed paper, to compare the edge model with.

They take the same (T, 1, C) input and head as `edge` and reshape it to (T, C) for the recurrent and 1-D
convolutional layers. Not for the device: they are large and use ops the engine does not have.
"""
from __future__ import annotations

from ..tf_setup import keras
from .head import EMBEDDING_NAME, head_on, start_in_degrees


def make_paper_lstm(window: int, n_channels: int, n_outputs: int, target_mean, target_std,
                    physics_channels=(), fixed=None) -> keras.Model:
    """Three stacked LSTM layers of 128 units and a linear output."""
    layers = keras.layers
    inputs = keras.Input(shape=(window, 1, n_channels), name="imu_window")
    x = layers.Reshape((window, n_channels))(inputs)
    x = layers.LSTM(128, return_sequences=True)(x)
    x = layers.LSTM(128, return_sequences=True)(x)
    x = layers.LSTM(128, name=EMBEDDING_NAME)(x)
    model = keras.Model(inputs, head_on(x, inputs, n_outputs, physics_channels, fixed=fixed), name="paper_lstm")
    return start_in_degrees(model, target_mean, target_std)


def make_paper_cnn(window: int, n_channels: int, n_outputs: int, target_mean, target_std,
                   physics_channels=(), fixed=None) -> keras.Model:
    """Three Conv1D layers (64 filters, kernel 3, ReLU), pooling, a dense layer and the output."""
    layers = keras.layers
    inputs = keras.Input(shape=(window, 1, n_channels), name="imu_window")
    x = layers.Reshape((window, n_channels))(inputs)
    for i in range(3):
        x = layers.Conv1D(64, 3, activation="relu", name=f"conv{i + 1}")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(100, activation="relu", name=EMBEDDING_NAME)(x)
    model = keras.Model(inputs, head_on(x, inputs, n_outputs, physics_channels, fixed=fixed), name="paper_cnn")
    return start_in_degrees(model, target_mean, target_std)
