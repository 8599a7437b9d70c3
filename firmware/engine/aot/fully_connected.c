/* int8 FULLY_CONNECTED, per-tensor or per-channel (TFLM reference_integer_ops::FullyConnected*).
   int8 weights are symmetric (zero point 0), so only the input carries an offset. */
#include "ke_dot.h"
#include "ke_fixedpoint.h"
#include "ke_kernels.h"

void ke_fully_connected_s8(const ke_fc_params *p, const ke_requant *q, const int8_t *input,
                           const int8_t *weights, const int32_t *bias, int8_t *output) {
  const int32_t in_depth = p->in_depth, out_depth = p->out_depth, in_off = p->input_offset;
  const int32_t out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  for (int32_t b = 0; b < p->batches; ++b) {
    const int8_t *x = input + b * in_depth;
    /* Two outputs at a time: the input is unpacked once for both weight rows. */
    for (int32_t o = 0; o < out_depth; o += 2) {
      const int pair = o + 1 < out_depth;
      const int8_t *w0 = weights + o * in_depth;
      int32_t acc[2] = {bias ? bias[o] : 0, (bias && pair) ? bias[o + 1] : 0};
      ke_dot2_s8(x, w0, pair ? w0 + in_depth : w0, in_depth, in_off, &acc[0], &acc[1]);
      for (int k = 0; k <= pair; ++k) {
        const int32_t c = p->per_channel ? o + k : 0;
        const int32_t v = ke_requantize(acc[k], q->multiplier[c], q->shift[c]) + out_off;
        *output++ = (int8_t)ke_clamp(v, act_min, act_max);
      }
    }
  }
}
