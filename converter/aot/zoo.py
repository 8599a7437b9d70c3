"""Small generated int8 graphs that between them use every kernel of the AOT engine and every
padding / stride / dilation / broadcast / quantisation case it handles, for the bit-exact check
against TFLM. Each is a tiny Keras model with random weights, converted like the real backbone."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import flatbuffers
import numpy as np
from tflite_micro.python.tflite_micro import runtime

from trainer.tf_setup import keras, seed_everything, tf

from ..quantize import int8_flatbuffer

L = keras.layers


@dataclass
class ZooModel:
    name: str
    build: Callable[[], keras.Model]
    float_input: bool = False
    per_channel_dense: bool = True
    edit: Callable | None = None     # a change made on the converted model (see same_quantization_mean)


def _model(shape, body) -> keras.Model:
    inputs = keras.Input(shape=shape, batch_size=1)
    return keras.Model(inputs, body(inputs))


def conv_strides_padding():
    # SAME with odd total padding and stride 2 in both directions, VALID with a (k, 1) kernel, RELU6.
    return _model((9, 7, 5), lambda x: L.Conv2D(4, (5, 1), strides=(2, 1), padding="valid", activation="relu")(
        L.Conv2D(6, 3, strides=2, padding="same", activation="relu6")(x)))


def conv_dilated():
    return _model((12, 10, 3), lambda x: L.Conv2D(5, (3, 2), dilation_rate=(2, 3), padding="valid")(
        L.Conv2D(4, 3, dilation_rate=2, padding="same", activation="relu")(x)))


def depthwise():
    # Depth multiplier 2, stride 2 SAME; then dilated VALID with multiplier 1.
    return _model((14, 12, 3), lambda x: L.DepthwiseConv2D((3, 3), dilation_rate=2, padding="valid", activation="relu")(
        L.DepthwiseConv2D((3, 3), strides=2, depth_multiplier=2, padding="same")(x)))


def pools():
    def body(x):
        x = L.Conv2D(6, 1, activation="relu")(x)
        a = L.AveragePooling2D(pool_size=3, strides=2, padding="same")(x)     # edge windows count fewer taps
        m = L.MaxPooling2D(pool_size=(2, 3), strides=(2, 1), padding="valid")(x)
        return L.Concatenate(axis=-1)([L.Flatten()(a), L.Flatten()(m)])
    return _model((9, 7, 4), body)


def residual_add_mean():
    # ADD of equal shapes with a fused RELU, MEAN over H and W, and a broadcast ADD of that mean.
    def body(x):
        y = L.Conv2D(8, 3, padding="same")(x)
        z = L.Conv2D(8, 3, padding="same")(y)
        s = L.ReLU()(L.Add()([y, z]))
        g = L.Lambda(lambda t: tf.reduce_mean(t, axis=[1, 2], keepdims=True))(s)
        return L.Lambda(lambda t: t[0] + t[1])([s, g])
    return _model((6, 5, 3), body)


def dense_layers():
    # Per-channel FULLY_CONNECTED after a RESHAPE.
    return _model((8, 1, 6), lambda x: L.Dense(7)(L.Dense(16, activation="relu")(L.Flatten()(x))))


def float_input_concat():
    # float32 input (QUANTIZE in front), channel CONCATENATION of two branches, EXPAND_DIMS/SQUEEZE.
    def body(x):
        a = L.Conv2D(3, (3, 1), padding="same", activation="relu")(x)
        b = L.Conv2D(5, (1, 1), activation="relu")(x)
        c = L.Concatenate(axis=-1)([a, b])
        c = L.Lambda(lambda t: tf.squeeze(t, axis=2))(c)
        c = L.Lambda(lambda t: tf.expand_dims(t, axis=2))(c)
        return L.Conv2D(4, (2, 1), strides=(2, 1))(c)
    return _model((16, 1, 4), body)


def one_column_sequence():
    # The edge model's layout, on shapes that reach every tail of the fast paths: a (k,1) depthwise
    # on a one-column input with a channel count that is not a multiple of 4 and clipped windows at
    # both ends, a (k,1) convolution whose window (k x channels bytes) is not a multiple of 4 with
    # an odd number of output channels and of output steps, and 1x1 convolutions on odd row counts.
    def body(x):
        x = L.DepthwiseConv2D((5, 1), strides=(2, 2), padding="same")(x)
        x = L.Conv2D(5, (5, 1), strides=(2, 1), padding="same", activation="relu")(x)
        x = L.Conv2D(7, (1, 1), activation="relu")(x)
        x = L.DepthwiseConv2D((3, 1), padding="valid")(x)
        return L.Conv2D(4, (1, 1))(x)
    return _model((19, 1, 6), body)


def same_quantization_mean(model) -> None:
    """Give MEAN's output the input's scale and zero point. Older TFLM releases then divided the raw
    sum with truncation; the current one rescales as usual, and this model pins which one we match."""
    sg = model.subgraphs[0]
    for op in sg.operators:
        code = runtime.get_builtin_code_from_operator_code(model.operatorCodes[op.opcodeIndex])
        if code == runtime.schema_fb.BuiltinOperator.MEAN:
            src, dst = sg.tensors[op.inputs[0]].quantization, sg.tensors[op.outputs[0]].quantization
            dst.scale, dst.zeroPoint = list(src.scale), list(src.zeroPoint)


def _opcode(model, code: int) -> int:
    """Index of the builtin `code` in the model's operator codes, adding it when missing."""
    for i, c in enumerate(model.operatorCodes):
        if runtime.get_builtin_code_from_operator_code(c) == code:
            return i
    oc = runtime.schema_fb.OperatorCodeT()
    oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), 1
    model.operatorCodes.append(oc)
    return len(model.operatorCodes) - 1


def _insert_after_first_op(model, make_ops) -> None:
    """Route the first op's output through new ops: make_ops(model, tensor) appends tensors and
    returns (ops, final tensor); every later reader of the old output reads the final one."""
    sg = model.subgraphs[0]
    out_index = sg.operators[0].outputs[0]
    new_ops, final = make_ops(model, out_index)
    for op in sg.operators[1:]:
        op.inputs = [final if i == out_index else i for i in op.inputs]
    sg.operators[1:1] = new_ops


def _tensor_like(model, index: int, shape, name: bytes, scale_factor: float = 1.0, zero_shift: int = 0) -> int:
    sg = model.subgraphs[0]
    original = sg.tensors[index]
    t = runtime.schema_fb.TensorT()
    t.shape, t.type, t.buffer, t.name = list(shape), original.type, 0, name
    t.quantization = runtime.schema_fb.QuantizationParametersT()
    t.quantization.scale = [float(original.quantization.scale[0]) * scale_factor]
    t.quantization.zeroPoint = [int(original.quantization.zeroPoint[0]) + zero_shift]
    sg.tensors.append(t)
    return len(sg.tensors) - 1


def _op(model, code: int, inputs, outputs, options_type=0, options=None):
    op = runtime.schema_fb.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = _opcode(model, code), list(inputs), list(outputs)
    op.builtinOptionsType, op.builtinOptions = options_type, options
    return op


def requantize_edit(model) -> None:
    """An int8 -> int8 QUANTIZE after the first op (the converter emits one only between differently
    quantised producers and consumers)."""
    def make(model, index):
        shape = model.subgraphs[0].tensors[index].shape
        new = _tensor_like(model, index, shape, b"requantized", scale_factor=1.37, zero_shift=-9)
        return [_op(model, runtime.schema_fb.BuiltinOperator.QUANTIZE, [index], [new])], new
    _insert_after_first_op(model, make)


def squeeze_expand_edit(model) -> None:
    """SQUEEZE the batch axis after the first op and EXPAND_DIMS it back (the converter folds both
    into RESHAPE on its own): aliases in the middle of the graph, which move no bytes."""
    B = runtime.schema_fb.BuiltinOperator

    def make(model, index):
        sg = model.subgraphs[0]
        shape = list(sg.tensors[index].shape)
        squeezed = _tensor_like(model, index, shape[1:], b"squeezed")
        expanded = _tensor_like(model, index, shape, b"expanded")
        axis_buffer = runtime.schema_fb.BufferT()
        axis_buffer.data = np.array([0], dtype=np.int32).view(np.uint8)
        model.buffers.append(axis_buffer)
        axis = runtime.schema_fb.TensorT()
        axis.shape, axis.type, axis.buffer, axis.name = [1], runtime.schema_fb.TensorType.INT32, len(model.buffers) - 1, b"axis"
        sg.tensors.append(axis)
        squeeze_options = runtime.schema_fb.SqueezeOptionsT()
        squeeze_options.squeezeDims = [0]
        return [_op(model, B.SQUEEZE, [index], [squeezed], runtime.schema_fb.BuiltinOptions.SqueezeOptions, squeeze_options),
                _op(model, B.EXPAND_DIMS, [squeezed, len(sg.tensors) - 1], [expanded],
                    runtime.schema_fb.BuiltinOptions.ExpandDimsOptions, runtime.schema_fb.ExpandDimsOptionsT())], expanded
    _insert_after_first_op(model, make)


ZOO = [
    ZooModel("conv_strides_padding", conv_strides_padding),
    ZooModel("conv_dilated", conv_dilated),
    ZooModel("depthwise", depthwise),
    ZooModel("pools_concat", pools),
    ZooModel("residual_add_mean", residual_add_mean),
    ZooModel("mean_same_quantization", residual_add_mean, edit=same_quantization_mean),
    ZooModel("dense_per_channel", dense_layers),
    ZooModel("dense_per_tensor", dense_layers, per_channel_dense=False),
    ZooModel("float_input_concat", float_input_concat, float_input=True),
    ZooModel("one_column_sequence", one_column_sequence),
    ZooModel("requantize", conv_dilated, edit=requantize_edit),
    ZooModel("squeeze_expand_dims", conv_strides_padding, edit=squeeze_expand_edit),
]


def _edited(flatbuffer: bytes, edit) -> bytes:
    model = runtime.convert_bytearray_to_object(bytearray(flatbuffer))
    edit(model)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def build(entry: ZooModel, seed: int = 0, samples: int = 64) -> bytes:
    """The zoo model converted to int8 (random weights; calibrated on random normal inputs)."""
    seed_everything(seed)
    model = entry.build()
    x = np.random.default_rng(seed).normal(size=(samples, *model.input_shape[1:])).astype(np.float32)
    flatbuffer = int8_flatbuffer(model, x, float_input=entry.float_input, per_channel_dense=entry.per_channel_dense)
    return _edited(flatbuffer, entry.edit) if entry.edit else flatbuffer
