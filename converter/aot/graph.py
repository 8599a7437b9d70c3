"""The int8 flatbuffer as a small graph of tensors and ops, read through TFLM's generated schema
module (never a hand-written flatbuffer parser)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tflite_micro.python.tflite_micro import runtime

SCHEMA = runtime.schema_fb
DTYPES = {SCHEMA.TensorType.INT8: np.int8, SCHEMA.TensorType.INT32: np.int32,
          SCHEMA.TensorType.FLOAT32: np.float32, SCHEMA.TensorType.INT16: np.int16,
          SCHEMA.TensorType.UINT8: np.uint8, SCHEMA.TensorType.INT64: np.int64}
_OP_NAMES = {v: k for k, v in vars(SCHEMA.BuiltinOperator).items() if not k.startswith("_")}
_ACTIVATIONS = {v: k for k, v in vars(SCHEMA.ActivationFunctionType).items() if not k.startswith("_")}


class GraphError(ValueError):
    """The model cannot be compiled ahead of time (names the op and why)."""


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: type
    scales: np.ndarray | None        # float32, one per channel or one for the tensor
    zero_points: np.ndarray | None
    quantized_dimension: int
    data: np.ndarray | None           # constant tensors only (weights, biases, shapes, axes)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize

    @property
    def scale(self) -> float:
        return float(self.scales[0])

    @property
    def zero_point(self) -> int:
        return int(self.zero_points[0])


@dataclass
class Op:
    index: int
    kind: str                         # builtin name, e.g. "CONV_2D"
    inputs: list[int]                 # tensor indices; -1 for an absent optional input
    outputs: list[int]
    options: dict = field(default_factory=dict)

    @property
    def activation(self) -> str:
        return _ACTIVATIONS.get(self.options.get("fusedActivationFunction", 0), "NONE")


@dataclass
class Graph:
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]

    def describe(self, op: Op) -> str:
        return f"op {op.index} ({op.kind})"


def _tensor(index: int, t, buffers) -> Tensor:
    dtype = DTYPES.get(t.type)
    if dtype is None:
        raise GraphError(f"tensor {index} ({t.name.decode()}) has an unsupported type {t.type}")
    shape = tuple(int(v) for v in (t.shape if t.shape is not None else ()))
    raw = buffers[t.buffer].data if t.buffer < len(buffers) else None
    data = None
    if raw is not None and len(raw):
        data = np.frombuffer(np.asarray(raw, dtype=np.uint8).tobytes(), dtype=dtype).reshape(shape)
    q = t.quantization
    scales = zero_points = None
    if q is not None and q.scale is not None and len(q.scale):
        scales = np.asarray(q.scale, dtype=np.float32)
        zero_points = np.asarray(q.zeroPoint, dtype=np.int64)
    return Tensor(index, t.name.decode(), shape, dtype, scales, zero_points,
                  int(q.quantizedDimension) if q is not None else 0, data)


def read_graph(flatbuffer: bytes) -> Graph:
    model = runtime.convert_bytearray_to_object(bytearray(flatbuffer))
    if len(model.subgraphs) != 1:
        raise GraphError(f"the model has {len(model.subgraphs)} subgraphs; the AOT engine compiles one")
    sg = model.subgraphs[0]
    tensors = [_tensor(i, t, model.buffers) for i, t in enumerate(sg.tensors)]
    codes = [runtime.get_builtin_code_from_operator_code(c) for c in model.operatorCodes]
    ops = []
    for i, op in enumerate(sg.operators):
        options = dict(vars(op.builtinOptions)) if op.builtinOptions is not None else {}
        ops.append(Op(i, _OP_NAMES.get(codes[op.opcodeIndex], str(codes[op.opcodeIndex])),
                      [int(v) for v in op.inputs], [int(v) for v in op.outputs], options))
    return Graph(tensors, ops, [int(v) for v in sg.inputs], [int(v) for v in sg.outputs])
