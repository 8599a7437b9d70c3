"""`edge`: the model that runs on the microcontroller.

Built only from layers that quantise to full int8 and that the firmware engine implements:
Conv2D with (k, 1) kernels on a (T, 1, C) input (tf_keras QAT does not support Conv1D),
depthwise-separable blocks, ReLU, Flatten and Dense. The last hidden Dense is the embedding —
the end of the backbone the device runs in int8 — and the float `head` maps it to degrees.

For 4 IMUs (24 channels) and a 64-sample window: about 25k parameters and 115k MACs.
"""
from __future__ import annotations

from ..tf_setup import keras
from .head import EMBEDDING_NAME, degree_head, start_in_degrees


def make_edge(window: int, n_channels: int, n_outputs: int, target_mean, target_std,
              width: int = 16, embedding: int = 64, batch_size: int | None = None) -> keras.Model:
    layers = keras.layers
    inputs = keras.Input(shape=(window, 1, n_channels), batch_size=batch_size, name="imu_window")
    # Strided first convolution: halves time at once, where most of the MACs would be.
    x = layers.Conv2D(width, (5, 1), strides=(2, 1), padding="same", activation="relu", name="conv_in")(inputs)
    for i, filters in enumerate((2 * width, 3 * width, 4 * width), start=1):
        # TensorFlow's CPU depthwise kernel wants equal strides; on a width-1 input (2, 2) is (2, 1).
        x = layers.DepthwiseConv2D((5, 1), strides=(2, 2), padding="same", name=f"dw{i}")(x)
        x = layers.Conv2D(filters, (1, 1), activation="relu", name=f"pw{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(embedding, activation="relu", name=EMBEDDING_NAME)(x)
    outputs = degree_head(n_outputs)(x)
    return start_in_degrees(keras.Model(inputs, outputs, name="edge"), target_mean, target_std)
