"""The output head shared by every model: a Dense layer that speaks degrees.

Its bias starts at the training targets' mean and its kernel is scaled by their spread, so the
layers below learn in standardised units while the model's output — and the head a device
receives — is in degrees with no extra de-normalisation step anywhere.
"""
from __future__ import annotations

import numpy as np

from ..tf_setup import keras

HEAD_NAME = "head"
EMBEDDING_NAME = "embedding"


def degree_head(n_outputs: int) -> keras.layers.Dense:
    return keras.layers.Dense(n_outputs, name=HEAD_NAME)


def start_in_degrees(model: keras.Model, target_mean, target_std) -> keras.Model:
    """Scale the freshly initialised head so the model starts out predicting the mean angles."""
    head = model.get_layer(HEAD_NAME)
    kernel, _ = head.get_weights()
    head.set_weights([kernel * np.asarray(target_std, np.float32)[None, :], np.asarray(target_mean, np.float32)])
    return model


def scaled_mse(target_std):
    """Mean squared error in units of each target's spread, so every joint counts alike."""
    import tensorflow as tf

    weight = tf.constant(1.0 / np.square(np.asarray(target_std, np.float32)))

    def loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred) * weight, axis=-1)

    return loss
