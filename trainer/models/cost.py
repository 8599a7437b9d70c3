"""Parameters and multiply-accumulates per inference, counted from the layer shapes."""
from __future__ import annotations

import numpy as np

from ..tf_setup import keras


def _out_elems(layer) -> int:
    return int(np.prod(layer.output_shape[1:]))


def layer_macs(layer) -> int:
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        kh, kw = layer.kernel_size
        return _out_elems(layer) * kh * kw
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv1D)):
        kernel = layer.kernel_size
        in_channels = layer.input_shape[-1]
        return _out_elems(layer) * int(np.prod(kernel)) * in_channels
    if isinstance(layer, keras.layers.Dense):
        return int(np.prod(layer.input_shape[1:])) * layer.units
    if isinstance(layer, keras.layers.LSTM):
        steps, features = layer.input_shape[1], layer.input_shape[2]
        return steps * 4 * layer.units * (features + layer.units)
    return 0


def model_cost(model) -> dict:
    return {"parameters": int(model.count_params()),
            "macs": int(sum(layer_macs(layer) for layer in model.layers))}
