/* int8 FULLY_CONNECTED, per-tensor or per-channel (TFLM reference_integer_ops::FullyConnected*).
   int8 weights are symmetric (zero point 0); the input zero point is folded into the bias at
   generation time (converter/aot/lower.py).

   With interleaved weights (ke_kernels.h) each input word is unpacked once for four outputs and
   the four weight words come from one pointer; otherwise it is one matrix product (ke_gemm.h). */
#include "ke_dot.h"
#include "ke_gemm.h"
#include "ke_kernels.h"

/* Four outputs from interleaved weights: 16 bytes per 4 inputs. */
static inline void four_outputs(const int8_t *x, const int8_t *w, int32_t n, int32_t a[4]) {
  int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  for (int32_t i = 0; i < n; i += 4, w += 16) {
#if KE_USE_DSP
    const uint32_t xv = ke_load4(x + i);
    const uint32_t x02 = __sxtb16(xv), x13 = ke_sxtb16_ror8(xv);
    const uint32_t v0 = ke_load4(w), v1 = ke_load4(w + 4), v2 = ke_load4(w + 8), v3 = ke_load4(w + 12);
    a0 = __smlad(x02, __sxtb16(v0), a0);
    a0 = __smlad(x13, ke_sxtb16_ror8(v0), a0);
    a1 = __smlad(x02, __sxtb16(v1), a1);
    a1 = __smlad(x13, ke_sxtb16_ror8(v1), a1);
    a2 = __smlad(x02, __sxtb16(v2), a2);
    a2 = __smlad(x13, ke_sxtb16_ror8(v2), a2);
    a3 = __smlad(x02, __sxtb16(v3), a3);
    a3 = __smlad(x13, ke_sxtb16_ror8(v3), a3);
#else
    for (int32_t j = 0; j < 4; ++j) {
      const int32_t xv = x[i + j];
      a0 += xv * w[j];
      a1 += xv * w[4 + j];
      a2 += xv * w[8 + j];
      a3 += xv * w[12 + j];
    }
#endif
  }
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
}

void ke_fully_connected_s8(const ke_fc_params *p, const ke_requant *q, const int8_t *input,
                           const int8_t *weights, const int32_t *bias, int8_t *output) {
  const int32_t in_depth = p->in_depth, out_depth = p->out_depth, q_step = p->per_channel ? 1 : 0;
  if (!p->interleaved) {
    const ke_gemm_shape g = {p->batches, in_depth, in_depth, in_depth, out_depth, out_depth, p->output_offset,
                             p->act_min, p->act_max, p->per_channel};
    ke_gemm_s8(&g, q, input, weights, bias, output);
    return;
  }
  for (int32_t b = 0; b < p->batches; ++b, input += in_depth) {
    for (int32_t o = 0; o < out_depth; o += 4) {
      int32_t a[4] = {bias[o], bias[o + 1], bias[o + 2], bias[o + 3]};
      four_outputs(input, weights + o * in_depth, in_depth, a);
      for (int j = 0; j < 4; ++j)
        *output++ = ke_requant_s8(a[j], q->multiplier[(o + j) * q_step], q->shift[(o + j) * q_step],
                                  p->output_offset, p->act_min, p->act_max);
    }
  }
}
