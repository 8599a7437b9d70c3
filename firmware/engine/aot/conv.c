/* int8 CONV_2D with per-channel requantisation (TFLM reference_integer_ops::ConvPerChannel). */
#include "ke_dot.h"
#include "ke_fixedpoint.h"
#include "ke_kernels.h"
#include "ke_window.h"

void ke_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                const ke_shape *out, int8_t *output) {
  /* Locals, not p->...: stores through int8_t pointers may alias anything (see depthwise_conv.c). */
  const int32_t depth = in->c, row = in->w * in->c, in_h = in->h, in_w = in->w;
  const int32_t filter_h = filter->h, filter_w = filter->w, filter_row = filter_w * depth;
  const int32_t filter_size = filter_h * filter_row;
  const int32_t stride_h = p->stride_h, stride_w = p->stride_w, pad_h = p->pad_h, pad_w = p->pad_w;
  const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
  const int32_t in_off = p->input_offset, out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  const int32_t out_h = out->h, out_w = out->w, out_c = out->c;
  const int32_t *multiplier = q->multiplier;
  const int8_t *shift = q->shift;
  for (int32_t b = 0; b < out->n; ++b) {
    const int8_t *image = input + b * in_h * row;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * stride_h - pad_h;
      const ke_taps ty = ke_valid_taps(y0, dil_h, filter_h, in_h);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t x0 = ox * stride_w - pad_w;
        const ke_taps tx = ke_valid_taps(x0, dil_w, filter_w, in_w);
        /* With no dilation, the inside taps of one filter row are one contiguous run of the input
           row; when they also span whole input and filter rows, all rows are one run. */
        const int32_t run = dil_w == 1 ? (tx.end - tx.first) * depth : 0;
        const int whole = dil_h == 1 && run == row && run == filter_row;
        /* Output channels two at a time (the input run is unpacked once for both), then the odd one. */
        int32_t oc = 0;
        for (; oc < out_c; oc += 2) {
          const int pair = oc + 1 < out_c;
          const int8_t *w0 = weights + oc * filter_size, *w1 = pair ? w0 + filter_size : w0;
          int32_t acc0 = bias ? bias[oc] : 0, acc1 = 0;
          if (whole) {
            const int32_t skip = ty.first * filter_row;
            ke_dot2_s8(image + (y0 + ty.first) * row, w0 + skip, w1 + skip, (ty.end - ty.first) * row, in_off, &acc0,
                       &acc1);
          } else {
            for (int32_t ky = ty.first; ky < ty.end; ++ky) {
              const int8_t *in_row = image + (y0 + dil_h * ky) * row;
              const int32_t w_row = ky * filter_row;
              if (run) {
                const int32_t skip = w_row + tx.first * depth;
                ke_dot2_s8(in_row + (x0 + tx.first) * depth, w0 + skip, w1 + skip, run, in_off, &acc0, &acc1);
              } else {
                for (int32_t kx = tx.first; kx < tx.end; ++kx) {
                  const int32_t skip = w_row + kx * depth;
                  ke_dot2_s8(in_row + (x0 + dil_w * kx) * depth, w0 + skip, w1 + skip, depth, in_off, &acc0, &acc1);
                }
              }
            }
          }
          acc0 = ke_requantize(acc0, multiplier[oc], shift[oc]) + out_off;
          *output++ = (int8_t)ke_clamp(acc0, act_min, act_max);
          if (pair) {
            if (bias) acc1 += bias[oc + 1];
            acc1 = ke_requantize(acc1, multiplier[oc + 1], shift[oc + 1]) + out_off;
            *output++ = (int8_t)ke_clamp(acc1, act_min, act_max);
          }
        }
      }
    }
  }
}
