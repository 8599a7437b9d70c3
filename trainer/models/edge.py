"""`edge`: the model that runs on the microcontroller.

Built only from layers that quantise to full int8 and that the firmware engine implements:
Conv2D with (k, 1) kernels on a (T, 1, C) input (tf_keras QAT does not support Conv1D),
depthwise-separable blocks, ReLU, Flatten and Dense. The last hidden Dense is the embedding —
the end of the backbone the device runs in int8 — and the float `head` maps it, with the newest
sample's inclination features, to degrees (head.py).

For 2 IMUs (16 front-end channels) and a 64-sample window: about 24k parameters and 90k MACs.
"""
from __future__ import annotations

from ..tf_setup import keras
from .head import EMBEDDING_NAME, head_on, start_in_degrees


# Noise on the normalised inputs while training: synthetic people are not real ones, and a network
# that leans on fine detail of synthetic signals generalises worse to real sensors (measured on the
# shared S02 trial, label-free sagittal RMSE: 8.5 deg without, 7.4 with). Identity when running.
INPUT_NOISE = 0.3


def make_edge(window: int, n_channels: int, n_outputs: int, target_mean, target_std, physics_channels=(),
              fixed=None, width: int = 16, embedding: int = 64, batch_size: int | None = None) -> keras.Model:
    layers = keras.layers
    inputs = keras.Input(shape=(window, 1, n_channels), batch_size=batch_size, name="imu_window")
    x = layers.GaussianNoise(INPUT_NOISE, name="input_noise")(inputs)
    # Strided first convolution: halves time at once, where most of the MACs would be.
    x = layers.Conv2D(width, (5, 1), strides=(2, 1), padding="same", activation="relu", name="conv_in")(x)
    for i, filters in enumerate((2 * width, 3 * width, 4 * width), start=1):
        # TensorFlow's CPU depthwise kernel wants equal strides; on a width-1 input (2, 2) is (2, 1).
        x = layers.DepthwiseConv2D((5, 1), strides=(2, 2), padding="same", name=f"dw{i}")(x)
        x = layers.Conv2D(filters, (1, 1), activation="relu", name=f"pw{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(embedding, activation="relu", name=EMBEDDING_NAME)(x)
    outputs = head_on(x, inputs, n_outputs, physics_channels, fixed=fixed)
    return start_in_degrees(keras.Model(inputs, outputs, name="edge"), target_mean, target_std)
