/* int8 DEPTHWISE_CONV_2D with per-channel requantisation and a depth multiplier
   (TFLM reference_integer_ops::DepthwiseConvPerChannel).

   As in conv.c, the bias carries the input zero point (bias + input_offset x the sum of the
   channel's taps) and a tap in the padding takes its share off again. Channels are contiguous in
   both the input and the filter, so on a one-column input (the edge model's time axis) with a
   depth multiplier of 1 the DSP path runs four channels side by side: one 32-bit load of input and
   of weights per tap, four 16x16 multiply-accumulates. Any other shape takes the general path. */
#include "ke_dot.h"
#include "ke_fixedpoint.h"
#include "ke_gemm.h"
#include "ke_kernels.h"
#include "ke_window.h"

/* One output pixel, every output channel, any shape. Kept out of line: only unusual graphs come
   here. */
__attribute__((noinline, cold)) static void one_pixel(const ke_conv_params *p, const ke_requant *q,
                                                      const ke_shape *in, const int8_t *image, const ke_shape *filter,
                                                      const int8_t *weights, const int32_t *bias, int32_t out_c,
                                                      int32_t y0, int32_t x0, int8_t *output) {
  const int32_t depth = in->c, mult = p->depth_multiplier, kh = filter->h, kw = filter->w;
  for (int32_t oc = 0; oc < out_c; ++oc) {
    const int32_t ic = oc / mult;
    int32_t acc = bias[oc];
    for (int32_t ky = 0; ky < kh; ++ky) {
      const int32_t iy = y0 + p->dilation_h * ky;
      for (int32_t kx = 0; kx < kw; ++kx) {
        const int32_t ix = x0 + p->dilation_w * kx;
        const int32_t w = weights[(ky * kw + kx) * out_c + oc];
        if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w)
          acc += (int32_t)image[(iy * in->w + ix) * depth + ic] * w;
        else
          acc -= p->input_offset * w;
      }
    }
    output[oc] = ke_requant_s8(acc, q->multiplier[oc], q->shift[oc], p->output_offset, p->act_min, p->act_max);
  }
}

/* One output step of a (k, 1) filter on a one-column input, depth multiplier 1: taps [first, end)
   are inside, starting at input row y0 + first. */
static void one_step(const ke_conv_params *p, const ke_requant *q, const int8_t *image, int32_t depth, int32_t kh,
                     const int8_t *weights, const int32_t *bias, int32_t y0, int32_t first, int32_t end,
                     int8_t *output) {
  const int32_t in_off = p->input_offset, out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  const int32_t *multiplier = q->multiplier;
  const int8_t *shift = q->shift;
  const int8_t *x_first = image + (y0 + first) * depth, *w_first = weights + first * depth;
  int32_t c = 0;
#if KE_USE_DSP
  for (; c + 4 <= depth; c += 4) {
    int32_t a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
    const int8_t *x = x_first + c, *w = w_first + c;
    for (int32_t ky = first; ky < end; ++ky, x += depth, w += depth) {
      const uint32_t xv = ke_load4(x), wv = ke_load4(w);
      const uint32_t x02 = __sxtb16(xv), x13 = ke_sxtb16_ror8(xv);
      const uint32_t w02 = __sxtb16(wv), w13 = ke_sxtb16_ror8(wv);
      a0 = __smlabb((int32_t)x02, (int32_t)w02, a0);
      a2 = __smlatt((int32_t)x02, (int32_t)w02, a2);
      a1 = __smlabb((int32_t)x13, (int32_t)w13, a1);
      a3 = __smlatt((int32_t)x13, (int32_t)w13, a3);
    }
    for (int32_t ky = 0; ky < kh; ++ky) {
      if (ky == first) ky = end; /* only the clipped taps */
      if (ky >= kh) break;
      const int8_t *wk = weights + ky * depth + c;
      a0 -= in_off * wk[0], a1 -= in_off * wk[1], a2 -= in_off * wk[2], a3 -= in_off * wk[3];
    }
    output[c] = ke_requant_s8(a0, multiplier[c], shift[c], out_off, act_min, act_max);
    output[c + 1] = ke_requant_s8(a1, multiplier[c + 1], shift[c + 1], out_off, act_min, act_max);
    output[c + 2] = ke_requant_s8(a2, multiplier[c + 2], shift[c + 2], out_off, act_min, act_max);
    output[c + 3] = ke_requant_s8(a3, multiplier[c + 3], shift[c + 3], out_off, act_min, act_max);
  }
#endif
  for (; c < depth; ++c) {
    int32_t acc = bias[c];
    const int8_t *x = x_first + c, *w = w_first + c;
    for (int32_t ky = first; ky < end; ++ky, x += depth, w += depth) acc += (int32_t)*x * (int32_t)*w;
    for (int32_t ky = 0; ky < kh; ++ky) {
      if (ky == first) ky = end;
      if (ky >= kh) break;
      acc -= in_off * weights[ky * depth + c];
    }
    output[c] = ke_requant_s8(acc, multiplier[c], shift[c], out_off, act_min, act_max);
  }
}

void ke_depthwise_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                          const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                          const ke_shape *out, int8_t *output) {
  const int32_t depth = in->c, in_h = in->h, in_w = in->w, kh = filter->h, kw = filter->w;
  const int32_t out_h = out->h, out_w = out->w, out_c = out->c, stride_h = p->stride_h, pad_h = p->pad_h;
  const int one_column = in_w == 1 && out_w == 1 && kw == 1 && p->dilation_h == 1 && p->pad_w == 0 &&
                         p->depth_multiplier == 1;
  for (int32_t b = 0; b < out->n; ++b) {
    const int8_t *image = input + b * in_h * in_w * depth;
    int8_t *image_out = output + b * out_h * out_w * out_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * stride_h - pad_h;
      if (one_column) {
        const ke_taps ty = ke_valid_taps(y0, 1, kh, in_h);
        one_step(p, q, image, depth, kh, weights, bias, y0, ty.first, ty.end, image_out + oy * out_c);
        continue;
      }
      for (int32_t ox = 0; ox < out_w; ++ox)
        one_pixel(p, q, in, image, filter, weights, bias, out_c, y0, ox * p->stride_w - p->pad_w,
                  image_out + (oy * out_w + ox) * out_c);
    }
  }
}
