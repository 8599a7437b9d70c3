/* The matrix product of ke_gemm.h, blocked 2 rows x 2 output channels: on the Cortex-M4 DSP path
   each 32-bit load of input or weights is unpacked once (SXTB16) and feeds two dual
   multiply-accumulates (SMLAD): 16 MACs per 4 loads + 8 unpacks + 8 SMLADs. An odd last channel
   or row runs as a doubled pair with half of it dropped (an FC with interleaved weights has its
   own kernel, fully_connected.c). One out-of-line copy serves conv.c and fully_connected.c.
   Integer sums are exact, so the DSP and plain-C paths give identical results. */
#include "ke_gemm.h"

#include "ke_dot.h"

#if KE_USE_DSP
/* One weight word against both rows' unpacked words: four MACs into each row's accumulator. */
static inline void word_2x1(uint32_t xa02, uint32_t xa13, uint32_t xb02, uint32_t xb13, uint32_t w, int32_t *acc_a,
                            int32_t *acc_b) {
  const uint32_t w02 = __sxtb16(w), w13 = ke_sxtb16_ror8(w);
  *acc_a = __smlad(xa13, w13, __smlad(xa02, w02, *acc_a));
  *acc_b = __smlad(xb13, w13, __smlad(xb02, w02, *acc_b));
}
#endif

/* a[0..3] += rows (x0, x1) . weight rows (w0, w1): a = {x0.w0, x0.w1, x1.w0, x1.w1}. */
static inline void dot_2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1, int32_t n,
                           int32_t a[4]) {
  int32_t a00 = a[0], a01 = a[1], a10 = a[2], a11 = a[3];
  int32_t i = 0;
#if KE_USE_DSP
  for (; i + 4 <= n; i += 4) {
    const uint32_t xa = ke_load4(x0 + i), xb = ke_load4(x1 + i);
    const uint32_t xa02 = __sxtb16(xa), xa13 = ke_sxtb16_ror8(xa);
    const uint32_t xb02 = __sxtb16(xb), xb13 = ke_sxtb16_ror8(xb);
    word_2x1(xa02, xa13, xb02, xb13, ke_load4(w0 + i), &a00, &a10);
    word_2x1(xa02, xa13, xb02, xb13, ke_load4(w1 + i), &a01, &a11);
  }
#endif
  for (; i < n; ++i) {
    const int32_t xa = x0[i], xb = x1[i], v = w0[i], u = w1[i];
    a00 += xa * v;
    a01 += xa * u;
    a10 += xb * v;
    a11 += xb * u;
  }
  a[0] = a00, a[1] = a01, a[2] = a10, a[3] = a11;
}

void ke_gemm_s8(const ke_gemm_shape *s, const ke_requant *q, const int8_t *input, const int8_t *weights,
                const int32_t *bias, int8_t *output) {
  const int32_t rows = s->rows, stride = s->row_stride, k = s->k, w_stride = s->w_stride, out_c = s->out_c;
  const int32_t out_stride = s->out_stride, out_off = s->output_offset, act_min = s->act_min, act_max = s->act_max;
  const int32_t q_step = s->per_channel ? 1 : 0;
  const int32_t *multiplier = q->multiplier;
  const int8_t *shift = q->shift;
  int32_t r = 0;
  /* Pairs of rows: pairs of channels, then an odd last channel as a doubled pair. */
  for (; r + 2 <= rows; r += 2) {
    const int8_t *x0 = input + r * stride, *x1 = x0 + stride;
    int8_t *o0 = output + r * out_stride, *o1 = o0 + out_stride;
    int32_t c = 0;
    for (; c + 2 <= out_c; c += 2) {
      int32_t a[4] = {bias[c], bias[c + 1], bias[c], bias[c + 1]};
      dot_2x2(x0, x1, weights + c * w_stride, weights + (c + 1) * w_stride, k, a);
      const int32_t m0 = multiplier[c * q_step], m1 = multiplier[(c + 1) * q_step];
      const int s0 = shift[c * q_step], s1 = shift[(c + 1) * q_step];
      o0[c] = ke_requant_s8(a[0], m0, s0, out_off, act_min, act_max);
      o0[c + 1] = ke_requant_s8(a[1], m1, s1, out_off, act_min, act_max);
      o1[c] = ke_requant_s8(a[2], m0, s0, out_off, act_min, act_max);
      o1[c + 1] = ke_requant_s8(a[3], m1, s1, out_off, act_min, act_max);
    }
    if (c < out_c) {
      const int8_t *w = weights + c * w_stride;
      int32_t a[4] = {bias[c], bias[c], bias[c], bias[c]};
      dot_2x2(x0, x1, w, w, k, a);
      o0[c] = ke_requant_s8(a[0], multiplier[c * q_step], shift[c * q_step], out_off, act_min, act_max);
      o1[c] = ke_requant_s8(a[2], multiplier[c * q_step], shift[c * q_step], out_off, act_min, act_max);
    }
  }
  /* An odd last row (or a single one): as a doubled pair of rows, half of it dropped. */
  if (r < rows) {
    const int8_t *x = input + r * stride;
    int8_t *o = output + r * out_stride;
    for (int32_t c = 0; c < out_c; c += 2) {
      const int32_t d = c + 1 < out_c ? c + 1 : c;
      int32_t a[4] = {bias[c], bias[d], 0, 0};
      dot_2x2(x, x, weights + c * w_stride, weights + d * w_stride, k, a);
      o[c] = ke_requant_s8(a[0], multiplier[c * q_step], shift[c * q_step], out_off, act_min, act_max);
      if (d != c) o[d] = ke_requant_s8(a[1], multiplier[d * q_step], shift[d * q_step], out_off, act_min, act_max);
    }
  }
}

int32_t ke_sum_s8(const int8_t *w, int32_t n) {
  int32_t sum = 0;
  for (int32_t i = 0; i < n; ++i) sum += w[i];
  return sum;
}
