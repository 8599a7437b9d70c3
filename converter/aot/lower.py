"""Each op of the graph as C: the constant data and parameter structs it needs, and one kernel call.

Every number a kernel uses at run time (requantisation multipliers and shifts, offsets, clamps,
padding, broadcast strides) is computed here, in converter/aot/quant.py, exactly as TFLM computes
it at prepare time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import quant
from .graph import Graph, GraphError, Op, Tensor
from .plan import ALIAS_OPS, Plan

PADDING = {0: "SAME", 1: "VALID"}
C_TYPES = {np.int8: "int8_t", np.int32: "int32_t", np.float32: "float", np.int16: "int16_t"}


@dataclass
class Lowered:
    comment: str
    decls: list[str]
    call: str | None          # None for ops that move no bytes


def _rows(values, per_line: int = 24) -> str:
    items = [str(int(v)) for v in values]
    return "\n".join("  " + ", ".join(items[i:i + per_line]) + "," for i in range(0, len(items), per_line))


def c_array(ctype: str, name: str, values) -> str:
    values = np.asarray(values).ravel()
    return f"static const {ctype} {name}[{max(len(values), 1)}] = {{\n{_rows(values) if len(values) else '  0,'}\n}};"


def shape4(shape) -> tuple[int, int, int, int]:
    shape = tuple(shape)
    if len(shape) > 4:
        raise GraphError(f"a {len(shape)}-D tensor; the AOT engine handles up to 4-D")
    return (1,) * (4 - len(shape)) + shape


def c_shape(name: str, shape) -> str:
    n, h, w, c = shape4(shape)
    return f"static const ke_shape {name} = {{{n}, {h}, {w}, {c}}};"


class Lowerer:
    def __init__(self, graph: Graph, plan: Plan):
        self.graph, self.plan = graph, plan

    def tensor(self, index: int) -> Tensor:
        return self.graph.tensors[index]

    def pointer(self, index: int, const: bool = False) -> str:
        t = self.tensor(index)
        ctype = C_TYPES[t.dtype]
        cast = "" if ctype == "int8_t" else f"({'const ' if const else ''}{ctype} *)"
        return f"{cast}(ARENA + {self.plan.offset_of[index]})"

    def lower(self, op: Op) -> Lowered:
        handler = getattr(self, "_" + op.kind.lower(), None)
        if op.kind in ALIAS_OPS:
            return Lowered(f"op {op.index}: {op.kind} {list(self.tensor(op.inputs[0]).shape)} -> "
                           f"{list(self.tensor(op.outputs[0]).shape)} (same bytes, no code)", [], None)
        if handler is None:
            raise GraphError(f"{self.graph.describe(op)} is not supported by the AOT engine")
        for i in op.inputs + op.outputs:
            t = self.tensor(i) if i >= 0 else None
            if t is not None and t.data is None and t.dtype not in (np.int8, np.float32):
                raise GraphError(f"{self.graph.describe(op)}: activation {t.name} is {np.dtype(t.dtype).name}; "
                                 f"the AOT engine runs int8 graphs")
        return handler(op, f"op{op.index}")

    # --- shared pieces ---------------------------------------------------------------------
    def _io(self, op: Op) -> tuple[Tensor, Tensor]:
        return self.tensor(op.inputs[0]), self.tensor(op.outputs[0])

    def _activation(self, op: Op, out: Tensor) -> tuple[int, int]:
        try:
            return quant.activation_range(op.activation, out.scale, out.zero_point)
        except ValueError as e:
            raise GraphError(f"{self.graph.describe(op)}: {e}") from None

    def _bias(self, op: Op, name: str, decls: list[str], weight_sums: np.ndarray, input_zero_point: int) -> str:
        """The bias with the input zero point folded in: bias - zero_point x (sum of the channel's
        weights). TFLM computes sum((x - zero_point) * w) + bias; the kernels then compute
        sum(x * w) + this, the same integer, without an offset on every product."""
        if len(op.inputs) < 3 or op.inputs[2] < 0:
            bias = np.zeros(len(weight_sums), np.int64)
        else:
            tensor = self.tensor(op.inputs[2])
            if tensor.dtype != np.int32:
                raise GraphError(f"{self.graph.describe(op)}: bias is {np.dtype(tensor.dtype).name}, expected int32")
            bias = np.asarray(tensor.data, np.int64).ravel()
        folded = bias - int(input_zero_point) * np.asarray(weight_sums, np.int64)
        if np.abs(folded).max(initial=0) >= 2 ** 31:
            raise GraphError(f"{self.graph.describe(op)}: the bias with the input zero point folded in "
                             f"leaves int32")
        decls.append(c_array("int32_t", f"{name}_bias", folded))
        return f"{name}_bias"

    def _requant(self, name: str, multipliers, shifts, decls: list[str]) -> None:
        decls.append(c_array("int32_t", f"{name}_multiplier", multipliers))
        decls.append(c_array("int8_t", f"{name}_shift", shifts))
        decls.append(f"static const ke_requant {name}_requant = {{{name}_multiplier, {name}_shift}};")

    def _conv_like(self, op: Op, name: str, depthwise: bool) -> Lowered:
        inp, out = self._io(op)
        filt = self.tensor(op.inputs[1])
        o = op.options
        n, h, w, c = shape4(inp.shape)
        _, oh, ow, oc = shape4(out.shape)
        _, kh, kw, kc = filt.shape
        if depthwise:
            if oc % c:
                raise GraphError(f"{self.graph.describe(op)}: {oc} output channels from {c} input channels")
            multiplier = oc // c
        else:
            if kc != c:
                raise GraphError(f"{self.graph.describe(op)}: grouped convolution ({c} input channels, "
                                 f"filter depth {kc}) is not supported")
            multiplier = 1
        padding = PADDING[o.get("padding", 1)]
        sh, sw = o.get("strideH", 1), o.get("strideW", 1)
        dh, dw = o.get("dilationHFactor", 1) or 1, o.get("dilationWFactor", 1) or 1
        pad_h = quant.compute_padding(padding, h, kh, sh, dh, oh)
        pad_w = quant.compute_padding(padding, w, kw, sw, dw, ow)
        act = self._activation(op, out)
        decls = [c_array("int8_t", f"{name}_weights", filt.data)]
        weights = np.asarray(filt.data, np.int64)
        # Per output channel: conv filters are [oc][kh][kw][c], depthwise ones [1][kh][kw][oc].
        sums = weights.sum(axis=(0, 1, 2)) if depthwise else weights.reshape(oc, -1).sum(axis=1)
        bias = self._bias(op, name, decls, sums, inp.zero_point)
        mults, shifts = quant.per_channel_multipliers(inp.scale, filt.scales, out.scale, oc)
        self._requant(name, mults, shifts, decls)
        decls += [c_shape(f"{name}_in", inp.shape), c_shape(f"{name}_filter", filt.shape), c_shape(f"{name}_out", out.shape),
                  f"static const ke_conv_params {name}_params = {{{sh}, {sw}, {dh}, {dw}, {pad_h}, {pad_w}, {multiplier}, "
                  f"{-inp.zero_point}, {out.zero_point}, {act[0]}, {act[1]}}};"]
        kernel = "ke_depthwise_conv_s8" if depthwise else "ke_conv_s8"
        call = (f"{kernel}(&{name}_params, &{name}_requant, &{name}_in, {self.pointer(op.inputs[0])}, &{name}_filter, "
                f"{name}_weights, {bias}, &{name}_out, {self.pointer(op.outputs[0])});")
        comment = (f"op {op.index}: {op.kind} {list(inp.shape)} -> {list(out.shape)}, filter {kh}x{kw}, "
                   f"stride {sh}x{sw}, dilation {dh}x{dw}, {padding} (pad {pad_h},{pad_w}), {op.activation}")
        return Lowered(comment, decls, call)

    # --- one method per op kind --------------------------------------------------------------
    def _conv_2d(self, op, name):
        return self._conv_like(op, name, depthwise=False)

    def _depthwise_conv_2d(self, op, name):
        return self._conv_like(op, name, depthwise=True)

    def _fully_connected(self, op, name):
        inp, out = self._io(op)
        filt = self.tensor(op.inputs[1])
        out_depth, in_depth = filt.shape
        batches = int(np.prod(inp.shape)) // in_depth
        per_channel = filt.scales is not None and len(filt.scales) > 1
        if per_channel:
            mults, shifts = quant.per_channel_multipliers(inp.scale, filt.scales, out.scale, out_depth)
        else:
            m, s = quant.per_tensor_fc_multiplier(inp.scale, filt.scale, out.scale)
            mults, shifts = [m], [s]
        act = self._activation(op, out)
        # Groups of four output rows interleaved 4 bytes at a time (ke_kernels.h): the kernel then
        # walks all four rows with one pointer. Same bytes, another order.
        interleaved = in_depth % 4 == 0 and out_depth % 4 == 0
        weights = np.asarray(filt.data)
        stored = weights.reshape(out_depth // 4, 4, in_depth // 4, 4).transpose(0, 2, 1, 3) if interleaved else weights
        decls = [c_array("int8_t", f"{name}_weights", stored)]
        bias = self._bias(op, name, decls, weights.astype(np.int64).sum(axis=1), inp.zero_point)
        self._requant(name, mults, shifts, decls)
        decls.append(f"static const ke_fc_params {name}_params = {{{batches}, {in_depth}, {out_depth}, "
                     f"{-inp.zero_point}, {out.zero_point}, {act[0]}, {act[1]}, {int(per_channel)}, "
                     f"{int(interleaved)}}};")
        call = (f"ke_fully_connected_s8(&{name}_params, &{name}_requant, {self.pointer(op.inputs[0])}, {name}_weights, "
                f"{bias}, {self.pointer(op.outputs[0])});")
        return Lowered(f"op {op.index}: FULLY_CONNECTED {in_depth} -> {out_depth} x {batches}, "
                       f"{'per-channel' if per_channel else 'per-tensor'}, {op.activation}", decls, call)

    def _pool(self, op, name, kernel):
        inp, out = self._io(op)
        if inp.scale != out.scale or inp.zero_point != out.zero_point:
            raise GraphError(f"{self.graph.describe(op)}: input and output quantisation differ")
        o = op.options
        _, h, w, _ = shape4(inp.shape)
        _, oh, ow, _ = shape4(out.shape)
        padding = PADDING[o.get("padding", 1)]
        sh, sw, fh, fw = o["strideH"], o["strideW"], o["filterHeight"], o["filterWidth"]
        pad_h = quant.compute_padding(padding, h, fh, sh, 1, oh)
        pad_w = quant.compute_padding(padding, w, fw, sw, 1, ow)
        act = self._activation(op, out)
        decls = [c_shape(f"{name}_in", inp.shape), c_shape(f"{name}_out", out.shape),
                 f"static const ke_pool_params {name}_params = {{{sh}, {sw}, {fh}, {fw}, {pad_h}, {pad_w}, {act[0]}, {act[1]}}};"]
        call = (f"{kernel}(&{name}_params, &{name}_in, {self.pointer(op.inputs[0])}, &{name}_out, "
                f"{self.pointer(op.outputs[0])});")
        return Lowered(f"op {op.index}: {op.kind} {list(inp.shape)} -> {list(out.shape)}, window {fh}x{fw}, "
                       f"stride {sh}x{sw}, {padding}, {op.activation}", decls, call)

    def _average_pool_2d(self, op, name):
        return self._pool(op, name, "ke_avg_pool_s8")

    def _max_pool_2d(self, op, name):
        return self._pool(op, name, "ke_max_pool_s8")

    def _operand(self, index: int, name: str, decls: list[str]) -> str:
        t = self.tensor(index)
        if t.data is None:
            return self.pointer(index)
        decls.append(c_array("int8_t", name, t.data))
        return name

    def _add(self, op, name):
        a, b = self.tensor(op.inputs[0]), self.tensor(op.inputs[1])
        out = self.tensor(op.outputs[0])
        out4 = shape4(out.shape)

        def strides(t: Tensor) -> list[int]:
            dims = shape4(t.shape)
            dense = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1]
            for d in range(4):
                if dims[d] != out4[d] and dims[d] != 1:
                    raise GraphError(f"{self.graph.describe(op)}: shapes {list(a.shape)} and {list(b.shape)} do not broadcast")
            return [0 if dims[d] == 1 and out4[d] > 1 else dense[d] for d in range(4)]

        m = quant.add_multipliers(a.scale, b.scale, out.scale)
        act = self._activation(op, out)
        decls = []
        pa, pb = self._operand(op.inputs[0], f"{name}_input1", decls), self._operand(op.inputs[1], f"{name}_input2", decls)
        s1, s2 = strides(a), strides(b)
        decls.append(
            f"static const ke_add_params {name}_params = {{{{{', '.join(map(str, out4))}}}, "
            f"{{{', '.join(map(str, s1))}}}, {{{', '.join(map(str, s2))}}}, {-a.zero_point}, {-b.zero_point}, "
            f"{out.zero_point}, {m['left_shift']}, {m['input1_multiplier']}, {m['input1_shift']}, {m['input2_multiplier']}, "
            f"{m['input2_shift']}, {m['output_multiplier']}, {m['output_shift']}, {act[0]}, {act[1]}}};")
        call = f"ke_add_s8(&{name}_params, {pa}, {pb}, {self.pointer(op.outputs[0])});"
        return Lowered(f"op {op.index}: ADD {list(a.shape)} + {list(b.shape)} -> {list(out.shape)}, {op.activation}",
                       decls, call)

    def _mean(self, op, name):
        inp, out = self._io(op)
        axis_tensor = self.tensor(op.inputs[1])
        if axis_tensor.data is None:
            raise GraphError(f"{self.graph.describe(op)}: the axes are not constant")
        rank = len(inp.shape)
        axes = sorted({int(a) % rank for a in np.ravel(axis_tensor.data)})
        if axes != list(range(axes[0], axes[-1] + 1)):
            raise GraphError(f"{self.graph.describe(op)}: axes {axes} are not adjacent")
        outer = int(np.prod(inp.shape[:axes[0]]))
        count = int(np.prod(inp.shape[axes[0]:axes[-1] + 1]))
        inner = int(np.prod(inp.shape[axes[-1] + 1:]))
        mult, shift = quant.mean_multiplier(inp.scale, out.scale, count)
        decls = [f"static const ke_mean_params {name}_params = {{{outer}, {count}, {inner}, "
                 f"{inp.zero_point}, {out.zero_point}, {mult}, {shift}}};"]
        call = f"ke_mean_s8(&{name}_params, {self.pointer(op.inputs[0])}, {self.pointer(op.outputs[0])});"
        return Lowered(f"op {op.index}: MEAN {list(inp.shape)} over axes {axes} -> {list(out.shape)}", decls, call)

    def _concatenation(self, op, name):
        out = self.tensor(op.outputs[0])
        if op.activation != "NONE":
            raise GraphError(f"{self.graph.describe(op)}: a fused activation on CONCATENATION is not supported")
        rank = len(out.shape)
        axis = int(op.options.get("axis", 0)) % rank
        decls, parts, sizes = [], [], []
        for k, index in enumerate(op.inputs):
            t = self.tensor(index)
            if np.float32(t.scale) != np.float32(out.scale) or t.zero_point != out.zero_point:
                raise GraphError(f"{self.graph.describe(op)}: input {k} is quantised differently from the output "
                                 f"(TFLM would copy its bytes unchanged)")
            parts.append(self._operand(index, f"{name}_input{k}", decls))
            sizes.append(int(np.prod(t.shape[axis:])))
        outer = int(np.prod(out.shape[:axis]))
        decls.append(c_array("int32_t", f"{name}_part_bytes", sizes))
        call = (f"{{ const int8_t *const parts[{len(parts)}] = {{{', '.join(parts)}}}; "
                f"ke_concatenation_s8({outer}, {len(parts)}, parts, {name}_part_bytes, {self.pointer(op.outputs[0])}); }}")
        return Lowered(f"op {op.index}: CONCATENATION of {len(parts)} on axis {axis} -> {list(out.shape)}", decls, call)

    def _quantize(self, op, name):
        inp, out = self._io(op)
        size = int(np.prod(out.shape))
        if inp.dtype == np.float32:
            call = (f"ke_quantize_f32_s8({size}, {float(np.float32(out.scale))!r}f, {out.zero_point}, "
                    f"{self.pointer(op.inputs[0], const=True)}, {self.pointer(op.outputs[0])});")
            return Lowered(f"op {op.index}: QUANTIZE float32 -> int8 ({size} values)", [], call)
        m, s = quant.quantize_multiplier(float(np.float32(inp.scale)) / float(np.float32(out.scale)))
        decls = [f"static const ke_requantize_params {name}_params = {{{size}, {inp.zero_point}, {out.zero_point}, {m}, {s}}};"]
        call = f"ke_requantize_s8(&{name}_params, {self.pointer(op.inputs[0])}, {self.pointer(op.outputs[0])});"
        return Lowered(f"op {op.index}: QUANTIZE int8 -> int8 ({size} values)", decls, call)
