"""Checks in the device's runtime: TensorFlow Lite Micro's interpreter (`tflite_micro`), not
`tf.lite`, whose kernels round differently."""
from __future__ import annotations

import numpy as np
from tflite_micro.python.tflite_micro import runtime

from trainer.tf_setup import quiet_native_stderr

# What the firmware's engines implement (the AOT engine's kernel list; TFLM has them all).
SUPPORTED_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "MEAN", "AVERAGE_POOL_2D",
                 "MAX_POOL_2D", "CONCATENATION", "RESHAPE", "EXPAND_DIMS", "SQUEEZE", "QUANTIZE")


class UnsupportedOpError(ValueError):
    pass


def op_names(flatbuffer: bytes) -> list[str]:
    """Operator names in graph order, read with TFLM's generated flatbuffer schema."""
    model = runtime.convert_bytearray_to_object(bytearray(flatbuffer))
    by_code = {v: k for k, v in vars(runtime.schema_fb.BuiltinOperator).items() if not k.startswith("_")}
    codes = [runtime.get_builtin_code_from_operator_code(c) for c in model.operatorCodes]
    return [by_code[codes[op.opcodeIndex]] for op in model.subgraphs[0].operators]


def check_supported(flatbuffer: bytes) -> list[str]:
    ops = op_names(flatbuffer)
    for op in ops:
        if op not in SUPPORTED_OPS:
            raise UnsupportedOpError(f"the model uses {op}, which the firmware engine does not support "
                                     f"(supported: {', '.join(SUPPORTED_OPS)})")
    return ops


def interpreter(flatbuffer: bytes, arena_size: int | None = None):
    with quiet_native_stderr():
        return runtime.Interpreter.from_bytes(flatbuffer, arena_size=arena_size)


def io_quantization(flatbuffer: bytes) -> dict:
    it = interpreter(flatbuffer)
    q = lambda d: (float(d["quantization_parameters"]["scales"][0]), int(d["quantization_parameters"]["zero_points"][0]))
    (in_scale, in_zero), (out_scale, out_zero) = q(it.get_input_details(0)), q(it.get_output_details(0))
    return {"input_scale": in_scale, "input_zero_point": in_zero, "output_scale": out_scale,
            "output_zero_point": out_zero, "input_shape": [int(v) for v in it.get_input_details(0)["shape"]],
            "output_shape": [int(v) for v in it.get_output_details(0)["shape"]]}


def quantize_input(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Normalised float windows (n, T, C) → the model's int8 input (n, T, 1, C), as the device does."""
    q = np.round(x / scale) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)[:, :, None, :]


def run(flatbuffer: bytes, inputs_int8: np.ndarray) -> np.ndarray:
    """The int8 outputs of every input, one invoke each (batch 1, as on the device)."""
    it = interpreter(flatbuffer)
    outputs = []
    for x in inputs_int8:
        it.set_input(x[None], 0)
        it.invoke()
        outputs.append(it.get_output(0)[0].copy())
    return np.stack(outputs)


def smallest_arena(flatbuffer: bytes, start: int = 1024, limit: int = 1 << 20) -> int:
    """Smallest tensor arena (bytes, multiple of 16) in which TFLM allocates the model.

    TFLM decides everything at allocation (scratch buffers included), so allocation is the test;
    the answer is then confirmed by a run. Arenas far below 512 bytes crash the interpreter
    instead of failing cleanly, so the search never probes below start / 2.
    """
    def allocates(size: int) -> bool:
        try:
            interpreter(flatbuffer, arena_size=size)
            return True
        except RuntimeError:
            return False

    high = start
    while not allocates(high):
        high *= 2
        if high > limit:
            raise RuntimeError(f"the model does not fit a {limit}-byte arena")
    low = max(high // 2, 512)
    while high - low > 16:
        mid = (low + high) // 32 * 16
        low, high = (low, mid) if allocates(mid) else (mid, high)
    it = interpreter(flatbuffer, arena_size=high)
    with quiet_native_stderr():
        it.invoke()
    return high


def recorded_allocations(flatbuffer: bytes) -> str:
    """TFLM's RecordingMicroAllocator report (what each allocation type used), as text."""
    import os
    import tempfile

    it = interpreter(flatbuffer)
    with tempfile.TemporaryFile(mode="w+") as capture:
        saved = [os.dup(1), os.dup(2)]
        os.dup2(capture.fileno(), 1)
        os.dup2(capture.fileno(), 2)
        try:
            it.print_allocations()
        finally:
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
        capture.seek(0)
        return capture.read()
