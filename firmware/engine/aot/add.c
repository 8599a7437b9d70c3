/* int8 ADD (TFLM reference_integer_ops::Add): each input is offset, shifted left for headroom,
   rescaled to a common scale, summed, and rescaled to the output. */
#include "ke_fixedpoint.h"
#include "ke_kernels.h"

static int8_t add_one(const ke_add_params *p, int32_t x1, int32_t x2) {
  const int32_t a = ke_requantize((int32_t)((uint32_t)(x1 + p->input1_offset) << p->left_shift),
                                  p->input1_multiplier, p->input1_shift);
  const int32_t b = ke_requantize((int32_t)((uint32_t)(x2 + p->input2_offset) << p->left_shift),
                                  p->input2_multiplier, p->input2_shift);
  const int32_t sum = ke_requantize(a + b, p->output_multiplier, p->output_shift) + p->output_offset;
  return (int8_t)ke_clamp(sum, p->act_min, p->act_max);
}

void ke_add_s8(const ke_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output) {
  const ke_shape *o = &p->out;
  for (int32_t n = 0; n < o->n; ++n)
    for (int32_t h = 0; h < o->h; ++h)
      for (int32_t w = 0; w < o->w; ++w) {
        const int8_t *a = input1 + n * p->stride1[0] + h * p->stride1[1] + w * p->stride1[2];
        const int8_t *b = input2 + n * p->stride2[0] + h * p->stride2[1] + w * p->stride2[2];
        for (int32_t c = 0; c < o->c; ++c)
          *output++ = add_one(p, a[c * p->stride1[3]], b[c * p->stride2[3]]);
      }
}
