"""Splitting a bundle's float model into the int8 backbone (input → embedding) and the float head."""
from __future__ import annotations

import numpy as np

from trainer.models.head import EMBEDDING_NAME, HEAD_NAME
from trainer.tf_setup import keras


TRAINING_ONLY = (keras.layers.GaussianNoise,)


def backbone_layers(model: keras.Model) -> list:
    """The layers from the input to the embedding, in order: a single chain (the head's other input,
    the newest sample's physics features, branches off the input beside it)."""
    chain, layer = [], model.get_layer(EMBEDDING_NAME)
    while not isinstance(layer, keras.layers.InputLayer):
        chain.append(layer)
        inbound = layer._inbound_nodes[0].inbound_layers
        if isinstance(inbound, (list, tuple)):
            if len(inbound) != 1:
                raise ValueError(f"model {model.name}: {layer.name} has several inputs; the backbone must be a chain")
            inbound = inbound[0]
        layer = inbound
    return chain[::-1]


def backbone_model(model: keras.Model, batch_size: int = 1) -> keras.Model:
    """The layers up to the embedding, re-applied on an input of fixed batch size.

    A fixed batch of 1 keeps the converter from adding SHAPE/STRIDED_SLICE/PACK ops around Flatten:
    the device runs one window at a time anyway. Training-only layers (input noise) are left out.
    """
    inputs = keras.Input(shape=model.input_shape[1:], batch_size=batch_size, name="imu_window")
    x = inputs
    for layer in backbone_layers(model):
        if not isinstance(layer, TRAINING_ONLY):
            x = layer(x)
    return keras.Model(inputs, x, name=f"{model.name}_backbone")


def head_weights(model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    kernel, bias = model.get_layer(HEAD_NAME).get_weights()
    return kernel.astype(np.float32), bias.astype(np.float32)


def apply_head(embedding: np.ndarray, physics: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The head in float32 on [embedding, physics inputs] (the device sums in its own order)."""
    x = np.column_stack([embedding.astype(np.float32), physics.astype(np.float32)])
    return (x @ kernel + bias).astype(np.float32)
