/* int8 MEAN over adjacent axes (TFLM's reduce kernel): sum the int8 values, remove the input zero
   point, and rescale with a multiplier that already includes 1/count. TFLM takes this path even
   when input and output share their quantisation (checked by the zoo's mean_same_quantization). */
#include "ke_fixedpoint.h"
#include "ke_kernels.h"

void ke_mean_s8(const ke_mean_params *p, const int8_t *input, int8_t *output) {
  for (int32_t o = 0; o < p->outer; ++o) {
    const int8_t *block = input + o * p->count * p->inner;
    for (int32_t i = 0; i < p->inner; ++i) {
      int32_t sum = 0;
      for (int32_t k = 0; k < p->count; ++k) sum += block[k * p->inner + i];
      const int32_t v = ke_requantize(sum - p->input_zero_point * p->count, p->multiplier, p->shift) + p->output_zero_point;
      *output++ = (int8_t)ke_clamp(v, -128, 127);
    }
  }
}
