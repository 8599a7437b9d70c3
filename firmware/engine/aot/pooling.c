/* int8 AVERAGE_POOL_2D and MAX_POOL_2D (TFLM reference_integer_ops pooling): only the taps
   inside the input count, and the average rounds half away from zero. */
#include "ke_fixedpoint.h"
#include "ke_kernels.h"
#include "ke_window.h"

/* image points at one channel of one batch; the window starts at (y0, x0), which may be padding. */
typedef int32_t (*ke_pool_reduce)(const int8_t *image, int32_t depth, int32_t row, int32_t y0, int32_t x0,
                                  ke_taps ty, ke_taps tx);

static int32_t average(const int8_t *image, int32_t depth, int32_t row, int32_t y0, int32_t x0, ke_taps ty,
                       ke_taps tx) {
  int32_t sum = 0, count = 0;
  for (int32_t y = ty.first; y < ty.end; ++y)
    for (int32_t x = tx.first; x < tx.end; ++x, ++count) sum += image[(y0 + y) * row + (x0 + x) * depth];
  if (count == 0) return 0;
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

static int32_t maximum(const int8_t *image, int32_t depth, int32_t row, int32_t y0, int32_t x0, ke_taps ty,
                       ke_taps tx) {
  int32_t best = -128;
  for (int32_t y = ty.first; y < ty.end; ++y)
    for (int32_t x = tx.first; x < tx.end; ++x)
      if (image[(y0 + y) * row + (x0 + x) * depth] > best) best = image[(y0 + y) * row + (x0 + x) * depth];
  return best;
}

static void pool(ke_pool_reduce reduce, const ke_pool_params *p, const ke_shape *in, const int8_t *input,
                 const ke_shape *out, int8_t *output) {
  const int32_t depth = in->c, row = in->w * depth;
  for (int32_t b = 0; b < out->n; ++b) {
    const int8_t *image = input + b * in->h * row;
    for (int32_t oy = 0; oy < out->h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      const ke_taps ty = ke_valid_taps(y0, 1, p->filter_h, in->h);
      for (int32_t ox = 0; ox < out->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        const ke_taps tx = ke_valid_taps(x0, 1, p->filter_w, in->w);
        for (int32_t c = 0; c < depth; ++c)
          *output++ = (int8_t)ke_clamp(reduce(image + c, depth, row, y0, x0, ty, tx), p->act_min, p->act_max);
      }
    }
  }
}

void ke_avg_pool_s8(const ke_pool_params *p, const ke_shape *in, const int8_t *input, const ke_shape *out,
                    int8_t *output) {
  pool(average, p, in, input, out, output);
}

void ke_max_pool_s8(const ke_pool_params *p, const ke_shape *in, const int8_t *input, const ke_shape *out,
                    int8_t *output) {
  pool(maximum, p, in, input, out, output);
}
