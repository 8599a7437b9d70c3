/* int8 CONV_2D with per-channel requantisation (TFLM reference_integer_ops::ConvPerChannel).

   The bias arrives with the input zero point folded in (bias + input_offset x the sum of the
   channel's weights, converter/aot/lower.py), so the products are of raw int8 values. A tap that
   falls in the padding contributes nothing in TFLite — not even its offset — so where a window is
   clipped, input_offset x the sum of its missing taps' weights comes off again.

   Two layouts are matrix products (ke_gemm.h) with no per-tap bookkeeping:
   - a 1x1 convolution with stride 1 and no padding: every pixel is one row;
   - a (k, 1) convolution on a one-column input (the edge model's time axis): every output step
     is one row of contiguous bytes, rows stride x channels apart; a step whose window is clipped
     at either end is a shorter row with the missing taps taken off its bias.
   Everything else takes the general path (plain C, one output at a time). */
#include "ke_gemm.h"
#include "ke_kernels.h"
#include "ke_window.h"

/* One output pixel, every channel, any shape. Kept out of line: only unusual graphs come here. */
__attribute__((noinline, cold)) static void one_pixel(const ke_conv_params *p, const ke_requant *q,
                                                      const ke_shape *in, const int8_t *image, const ke_shape *filter,
                                                      const int8_t *weights, const int32_t *bias, int32_t out_c,
                                                      int32_t y0, int32_t x0, int8_t *output) {
  const int32_t depth = in->c, kh = filter->h, kw = filter->w, filter_size = kh * kw * depth;
  for (int32_t oc = 0; oc < out_c; ++oc) {
    const int8_t *w = weights + oc * filter_size;
    int32_t acc = bias[oc];
    for (int32_t ky = 0; ky < kh; ++ky) {
      const int32_t iy = y0 + p->dilation_h * ky;
      for (int32_t kx = 0; kx < kw; ++kx, w += depth) {
        const int32_t ix = x0 + p->dilation_w * kx;
        if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w) {
          const int8_t *x = image + (iy * in->w + ix) * depth;
          for (int32_t i = 0; i < depth; ++i) acc += (int32_t)x[i] * (int32_t)w[i];
        } else {
          acc -= p->input_offset * ke_sum_s8(w, depth);
        }
      }
    }
    output[oc] = ke_requant_s8(acc, q->multiplier[oc], q->shift[oc], p->output_offset, p->act_min, p->act_max);
  }
}

/* One output step of a (k, 1) convolution on a one-column input whose window starts at input row
   y0: its inside taps as one row, in chunks of channels whose bias loses the missing taps. */
__attribute__((noinline)) static void one_step(const ke_gemm_shape *g0, const ke_requant *q, const int8_t *image,
                                               int32_t depth, int32_t kh, int32_t in_h, const int8_t *weights,
                                               const int32_t *bias, int32_t in_off, int32_t y0, int8_t *output) {
  enum { CHUNK = 8 };
  const ke_taps t = ke_valid_taps(y0, 1, kh, in_h);
  const int32_t k = kh * depth;
  ke_gemm_shape g = *g0;
  g.rows = 1, g.k = (t.end - t.first) * depth;
  for (int32_t c = 0; c < g0->out_c; c += CHUNK) {
    int32_t clipped[CHUNK];
    g.out_c = g0->out_c - c < CHUNK ? g0->out_c - c : CHUNK;
    for (int32_t j = 0; j < g.out_c; ++j) {
      const int8_t *w = weights + (c + j) * k;
      const int32_t missing = ke_sum_s8(w, t.first * depth) + ke_sum_s8(w + t.end * depth, k - t.end * depth);
      clipped[j] = bias[c + j] - in_off * missing;
    }
    const ke_requant chunk_q = {q->multiplier + c, q->shift + c};
    ke_gemm_s8(&g, &chunk_q, image + (y0 + t.first) * depth, weights + c * k + t.first * depth, clipped, output + c);
  }
}

void ke_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                const ke_shape *out, int8_t *output) {
  const int32_t depth = in->c, in_h = in->h, in_w = in->w, kh = filter->h, kw = filter->w;
  const int32_t out_h = out->h, out_w = out->w, out_c = out->c, stride_h = p->stride_h, pad_h = p->pad_h;
  const int pointwise = kh == 1 && kw == 1 && stride_h == 1 && p->stride_w == 1 && pad_h == 0 && p->pad_w == 0;
  const int one_column = in_w == 1 && out_w == 1 && kw == 1 && p->dilation_h == 1 && p->pad_w == 0;
  ke_gemm_shape g = {0, 0, 0, 0, out_c, out_c, p->output_offset, p->act_min, p->act_max, 1};
  for (int32_t b = 0; b < out->n; ++b) {
    const int8_t *image = input + b * in_h * in_w * depth;
    int8_t *image_out = output + b * out_h * out_w * out_c;
    if (pointwise) {
      g.rows = in_h * in_w, g.row_stride = depth, g.k = depth, g.w_stride = depth;
      ke_gemm_s8(&g, q, image, weights, bias, image_out);
    } else if (one_column) {
      /* Output steps whose windows lie inside the input: [first, end). */
      int32_t first = (pad_h + stride_h - 1) / stride_h;
      int32_t end = in_h - kh + pad_h >= 0 ? (in_h - kh + pad_h) / stride_h + 1 : 0;
      if (end > out_h) end = out_h;
      if (first > end) first = end;
      g.rows = end - first, g.row_stride = stride_h * depth, g.k = kh * depth, g.w_stride = kh * depth;
      if (g.rows) ke_gemm_s8(&g, q, image + (first * stride_h - pad_h) * depth, weights, bias, image_out + first * out_c);
      for (int32_t oy = 0; oy < out_h; ++oy) {
        if (oy == first) oy = end;
        if (oy >= out_h) break;
        one_step(&g, q, image, depth, kh, in_h, weights, bias, p->input_offset, oy * stride_h - pad_h,
                 image_out + oy * out_c);
      }
    } else {
      for (int32_t oy = 0; oy < out_h; ++oy)
        for (int32_t ox = 0; ox < out_w; ++ox)
          one_pixel(p, q, in, image, filter, weights, bias, out_c, oy * stride_h - pad_h, ox * p->stride_w - p->pad_w,
                    image_out + (oy * out_w + ox) * out_c);
    }
  }
}
