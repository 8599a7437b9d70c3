/* TensorFlow Lite's integer requantisation, written out so the kernels round exactly as TFLM's
   reference kernels do (bit-exact outputs are the contract, see converter/aot/quant.py). */
#ifndef KE_FIXEDPOINT_H
#define KE_FIXEDPOINT_H

#include <stdint.h>

/* round(a * b / 2^31), halves rounded up: TFLite's SaturatingRoundingDoublingHighMul. TFLite adds a
   sign-dependent nudge and divides with truncation; for a negative product that equals adding 2^30
   and flooring, so one 64-bit add and an arithmetic shift give identical results (tested on the
   host against the literal formula). Its saturation case, a == b == INT32_MIN, cannot occur: our
   multipliers are Q31 significands in [2^30, 2^31) or 0 (converter/aot/quant.py). */
static inline int32_t ke_doubling_high_mul(int32_t a, int32_t b) {
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^exponent rounded to nearest, ties away from zero (exponent 0..31). */
static inline int32_t ke_rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)((1u << exponent) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^(shift - 31): a left shift first (for shift > 0), then the Q31 multiply,
   then a rounding right shift: TFLite's default two-rounding MultiplyByQuantizedMultiplier. */
static inline int32_t ke_requantize(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  return ke_rounding_divide_by_pot(ke_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

static inline int32_t ke_clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

#endif
