/* QUANTIZE (TFLM's quantize kernel): int8 -> int8 requantisation, and float32 -> int8 with
   round-half-away-from-zero of x / scale in single precision. */
#include <math.h>

#include "ke_fixedpoint.h"
#include "ke_kernels.h"

void ke_requantize_s8(const ke_requantize_params *p, const int8_t *input, int8_t *output) {
  for (int32_t i = 0; i < p->size; ++i) {
    const int32_t v = ke_requantize(input[i] - p->input_zero_point, p->multiplier, p->shift) + p->output_zero_point;
    output[i] = (int8_t)ke_clamp(v, -128, 127);
  }
}

void ke_quantize_f32_s8(int32_t size, float scale, int32_t zero_point, const float *input, int8_t *output) {
  for (int32_t i = 0; i < size; ++i) {
    const int32_t v = (int32_t)roundf(input[i] / scale) + zero_point;
    output[i] = (int8_t)ke_clamp(v, -128, 127);
  }
}
