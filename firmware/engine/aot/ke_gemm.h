/* The int8 matrix product behind CONV_2D and FULLY_CONNECTED (gemm.c):

       out[r * out_stride + c] = requantise(bias[c] + sum over i < k of in[r * row_stride + i] * w[c * w_stride + i])

   for `rows` input rows (a 1x1 convolution's pixels, a (k,1) convolution's windows on a one-column
   input — rows are then stride x channels bytes apart —, or an FC input). The input zero point is
   already in the bias (converter/aot/lower.py folds -zero_point x the sum of each channel's
   weights into it), so the products are of raw int8 values. */
#ifndef KE_GEMM_H
#define KE_GEMM_H

#include <stdint.h>

#include "ke_fixedpoint.h"
#include "ke_kernels.h"

typedef struct {
  int32_t rows, row_stride, k, w_stride, out_c, out_stride;
  int32_t output_offset, act_min, act_max;
  int32_t per_channel; /* 0: one multiplier and shift for every output channel */
} ke_gemm_shape;

void ke_gemm_s8(const ke_gemm_shape *s, const ke_requant *q, const int8_t *input, const int8_t *weights,
                const int32_t *bias, int8_t *output);

static inline int8_t ke_requant_s8(int32_t acc, int32_t multiplier, int shift, int32_t out_off, int32_t act_min,
                                   int32_t act_max) {
  return (int8_t)ke_clamp(ke_requantize(acc, multiplier, shift) + out_off, act_min, act_max);
}

/* The sum of n int8 values (a clipped window's missing weights). */
int32_t ke_sum_s8(const int8_t *w, int32_t n);

#endif
