"""TensorFlow Lite's integer requantisation parameters, computed exactly as TFLM computes them at
prepare time, so the generated constants equal the interpreter's (bit-exact outputs depend on it).

A real multiplier M > 0 becomes a Q31 significand m in [2^30, 2^31) and a power-of-two exponent s
with M ~= m * 2^(s - 31); the kernels apply it with MultiplyByQuantizedMultiplier semantics
(firmware/engine/aot/ke_fixedpoint.h).
"""
from __future__ import annotations

import math

import numpy as np

INT8_MIN, INT8_MAX = -128, 127


def round_half_away(x: float) -> int:
    """C's round(): halves go away from zero (Python's round() goes to even)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: (significand, shift) for a real multiplier (double precision)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return int(q_fixed), int(shift)


def per_channel_multipliers(input_scale: float, filter_scales: np.ndarray, output_scale: float,
                            channels: int) -> tuple[list[int], list[int]]:
    """Conv/depthwise/per-channel FC: input_scale * filter_scale / output_scale in double, from the
    float32 scales (TFLM's PopulateConvolutionQuantizationParams)."""
    scales = [float(s) for s in np.asarray(filter_scales, dtype=np.float32)]
    if len(scales) == 1:
        scales = scales * channels
    pairs = [quantize_multiplier(float(np.float32(input_scale)) * s / float(np.float32(output_scale)))
             for s in scales]
    return [m for m, _ in pairs], [s for _, s in pairs]


def per_tensor_fc_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> tuple[int, int]:
    """Per-tensor FULLY_CONNECTED: TFLM multiplies the two float32 scales in float32 first
    (GetQuantizedConvolutionMultipler), then divides in double."""
    product = float(np.float32(input_scale) * np.float32(filter_scale))
    return quantize_multiplier(product / float(np.float32(output_scale)))


def activation_range(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """CalculateActivationRangeQuantized: the fused activation as an int8 clamp (f / scale in float32)."""
    def quantize(f: float) -> int:
        return zero_point + round_half_away(float(np.float32(f) / np.float32(scale)))

    if activation == "NONE":
        return INT8_MIN, INT8_MAX
    if activation == "RELU":
        return max(INT8_MIN, quantize(0.0)), INT8_MAX
    if activation == "RELU6":
        return max(INT8_MIN, quantize(0.0)), min(INT8_MAX, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(INT8_MIN, quantize(-1.0)), min(INT8_MAX, quantize(1.0))
    raise ValueError(f"fused activation {activation} is not supported")


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """int8 MEAN with different input/output quantisation: the 1/count factor folded into the
    multiplier, with TFLM's clamp of the extra shift (QuantizedMeanOrSum)."""
    multiplier, shift = quantize_multiplier(float(np.float32(input_scale)) / float(np.float32(output_scale)))
    extra = min(count.bit_length() - 1, 32, 31 + shift)
    return int((multiplier << extra) // count), shift - extra


def add_multipliers(scale1: float, scale2: float, output_scale: float, left_shift: int = 20) -> dict:
    """int8 ADD: both inputs rescaled to twice the larger input scale, shifted left 20 bits for
    headroom, summed, then rescaled to the output (TFLM's add CalculateOpData)."""
    s1, s2, so = (float(np.float32(v)) for v in (scale1, scale2, output_scale))
    twice_max = 2.0 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << left_shift) * so))
    return {"left_shift": left_shift, "input1_multiplier": m1, "input1_shift": sh1,
            "input2_multiplier": m2, "input2_shift": sh2, "output_multiplier": mo, "output_shift": sho}


def compute_padding(padding: str, in_size: int, filter_size: int, stride: int, dilation: int, out_size: int) -> int:
    """The leading padding (TFLite's ComputePaddingWithOffset; the odd extra goes at the end)."""
    if padding == "VALID":
        return 0
    effective = (filter_size - 1) * dilation + 1
    total = max((out_size - 1) * stride + effective - in_size, 0)
    return total // 2
