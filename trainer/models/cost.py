"""Parameters and multiply-accumulates per inference, counted from the layer shapes."""
from __future__ import annotations

import numpy as np

from ..tf_setup import keras


# Shapes of a layer's first use (node 0): a layer re-applied elsewhere (the converter's batch-1
# backbone) has more than one, and the first is the model's own.
def _in_shape(layer):
    return layer.get_input_shape_at(0)


def _out_elems(layer) -> int:
    return int(np.prod(layer.get_output_shape_at(0)[1:]))


def layer_macs(layer) -> int:
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        kh, kw = layer.kernel_size
        return _out_elems(layer) * kh * kw
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv1D)):
        kernel = layer.kernel_size
        in_channels = _in_shape(layer)[-1]
        return _out_elems(layer) * int(np.prod(kernel)) * in_channels
    if isinstance(layer, keras.layers.Dense):
        return int(np.prod(_in_shape(layer)[1:])) * layer.units
    if isinstance(layer, keras.layers.LSTM):
        steps, features = _in_shape(layer)[1], _in_shape(layer)[2]
        return steps * 4 * layer.units * (features + layer.units)
    return 0


def model_cost(model, exclude=()) -> dict:
    """Totals over the model's layers, leaving out the layers named in `exclude`."""
    layers = [layer for layer in model.layers if layer.name not in exclude]
    return {"parameters": int(sum(layer.count_params() for layer in layers)),
            "macs": int(sum(layer_macs(layer) for layer in layers))}
