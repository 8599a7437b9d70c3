/* int8 DEPTHWISE_CONV_2D with per-channel requantisation and a depth multiplier
   (TFLM reference_integer_ops::DepthwiseConvPerChannel). Channels are contiguous in both the
   input and the filter, so with a depth multiplier of 1 the DSP path runs four channels side by
   side (one 32-bit load each, four 16x16 multiply-accumulates into four accumulators). */
#include "ke_dot.h"
#include "ke_fixedpoint.h"
#include "ke_kernels.h"
#include "ke_window.h"

typedef struct {
  const int8_t *input;   /* first inside tap of the window, channel 0 */
  const int8_t *weights; /* the same tap in the filter, output channel 0 */
  int32_t rows, cols;    /* inside taps */
  int32_t in_dy, in_dx, w_dy, w_dx;
} window;

static inline int32_t one_channel(const window *win, int32_t ic, int32_t oc, int32_t in_off, int32_t acc) {
  const int8_t *in_row = win->input + ic, *w_row = win->weights + oc;
  for (int32_t r = 0; r < win->rows; ++r, in_row += win->in_dy, w_row += win->w_dy) {
    const int8_t *x = in_row, *w = w_row;
    for (int32_t c = 0; c < win->cols; ++c, x += win->in_dx, w += win->w_dx) acc += ((int32_t)*x + in_off) * (int32_t)*w;
  }
  return acc;
}

#if KE_USE_DSP
/* Channels c..c+3 (depth multiplier 1): bytes 0/2 and 1/3 unpacked to halfword pairs, then the
   bottom and top halves multiplied separately so each channel keeps its own sum. */
static inline void four_channels(const window *win, int32_t c, uint32_t offset2, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int8_t *in_row = win->input + c, *w_row = win->weights + c;
  for (int32_t r = 0; r < win->rows; ++r, in_row += win->in_dy, w_row += win->w_dy) {
    const int8_t *x = in_row, *w = w_row;
    for (int32_t k = 0; k < win->cols; ++k, x += win->in_dx, w += win->w_dx) {
      const uint32_t xv = ke_load4(x), wv = ke_load4(w);
      const uint32_t x02 = __sxtab16(offset2, xv), x13 = ke_sxtab16_ror8(offset2, xv);
      const uint32_t w02 = __sxtb16(wv), w13 = ke_sxtb16_ror8(wv);
      a0 = __smlabb((int32_t)x02, (int32_t)w02, a0);
      a2 = __smlatt((int32_t)x02, (int32_t)w02, a2);
      a1 = __smlabb((int32_t)x13, (int32_t)w13, a1);
      a3 = __smlatt((int32_t)x13, (int32_t)w13, a3);
    }
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}
#endif

void ke_depthwise_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                          const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                          const ke_shape *out, int8_t *output) {
  /* Locals, not p->...: stores through int8_t pointers may alias anything, which would make the
     compiler reload every parameter after each output byte. */
  const int32_t depth = in->c, row = in->w * depth, out_depth = out->c, mult = p->depth_multiplier;
  const int32_t stride_h = p->stride_h, stride_w = p->stride_w, pad_h = p->pad_h, pad_w = p->pad_w;
  const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w, filter_h = filter->h, filter_w = filter->w;
  const int32_t in_off = p->input_offset, out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  const int32_t out_h = out->h, out_w = out->w, in_h = in->h, in_w = in->w;
  const int32_t *multiplier = q->multiplier;
  const int8_t *shift = q->shift;
#if KE_USE_DSP
  const uint32_t offset2 = ((uint32_t)(uint16_t)in_off << 16) | (uint16_t)in_off;
#endif
  window win;
  win.in_dy = dil_h * row, win.in_dx = dil_w * depth, win.w_dy = filter_w * out_depth, win.w_dx = out_depth;
  for (int32_t b = 0; b < out->n; ++b) {
    const int8_t *image = input + b * in_h * row;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * stride_h - pad_h;
      const ke_taps ty = ke_valid_taps(y0, dil_h, filter_h, in_h);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t x0 = ox * stride_w - pad_w;
        const ke_taps tx = ke_valid_taps(x0, dil_w, filter_w, in_w);
        win.input = image + (y0 + dil_h * ty.first) * row + (x0 + dil_w * tx.first) * depth;
        win.weights = weights + (ty.first * filter_w + tx.first) * out_depth;
        win.rows = ty.end - ty.first, win.cols = tx.end - tx.first;
        int32_t ic = 0;
#if KE_USE_DSP
        if (mult == 1) {
          for (; ic + 4 <= depth; ic += 4) {
            int32_t acc[4];
            for (int k = 0; k < 4; ++k) acc[k] = bias ? bias[ic + k] : 0;
            four_channels(&win, ic, offset2, acc);
            for (int k = 0; k < 4; ++k) {
              const int32_t v = ke_requantize(acc[k], multiplier[ic + k], shift[ic + k]) + out_off;
              output[ic + k] = (int8_t)ke_clamp(v, act_min, act_max);
            }
          }
        }
#endif
        for (; ic < depth; ++ic) {
          for (int32_t m = 0; m < mult; ++m) {
            const int32_t oc = ic * mult + m;
            int32_t acc = one_channel(&win, ic, oc, in_off, bias ? bias[oc] : 0);
            acc = ke_requantize(acc, multiplier[oc], shift[oc]) + out_off;
            output[oc] = (int8_t)ke_clamp(acc, act_min, act_max);
          }
        }
        output += out_depth;
      }
    }
  }
}
