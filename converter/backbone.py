"""Splitting a bundle's float model into the int8 backbone (input → embedding) and the float head."""
from __future__ import annotations

import numpy as np

from trainer.models.head import EMBEDDING_NAME, HEAD_NAME
from trainer.tf_setup import keras


def backbone_model(model: keras.Model, batch_size: int = 1) -> keras.Model:
    """The layers up to the embedding, re-applied on an input of fixed batch size.

    A fixed batch of 1 keeps the converter from adding SHAPE/STRIDED_SLICE/PACK ops around Flatten:
    the device runs one window at a time anyway.
    """
    inputs = keras.Input(shape=model.input_shape[1:], batch_size=batch_size, name="imu_window")
    x = inputs
    for layer in model.layers[1:]:
        x = layer(x)
        if layer.name == EMBEDDING_NAME:
            return keras.Model(inputs, x, name=f"{model.name}_backbone")
    raise ValueError(f"model {model.name} has no layer named {EMBEDDING_NAME!r}")


def head_weights(model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    kernel, bias = model.get_layer(HEAD_NAME).get_weights()
    return kernel.astype(np.float32), bias.astype(np.float32)


def apply_head(embedding: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The head in float32, as the device computes it."""
    return (embedding.astype(np.float32) @ kernel + bias).astype(np.float32)
