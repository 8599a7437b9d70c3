/* Which filter taps of a convolution or pool window fall inside the input (padding contributes
   nothing in TFLite's integer kernels, so out-of-range taps are skipped, not read as zeros). */
#ifndef KE_WINDOW_H
#define KE_WINDOW_H

#include <stdint.h>

typedef struct {
  int32_t first, end; /* taps [first, end) are inside */
} ke_taps;

/* Taps k in [0, size) with 0 <= origin + dilation * k < limit. */
static inline ke_taps ke_valid_taps(int32_t origin, int32_t dilation, int32_t size, int32_t limit) {
  ke_taps t;
  t.first = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
  t.end = origin >= limit ? 0 : (limit - 1 - origin) / dilation + 1;
  if (t.end > size) t.end = size;
  if (t.first > t.end) t.first = t.end;
  return t;
}

#endif
