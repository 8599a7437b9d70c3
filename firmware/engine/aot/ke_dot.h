/* The inner loop of CONV_2D and FULLY_CONNECTED: sum over i of (a[i] + a_offset) * w[i].
   On a Cortex-M4 (or any core with __ARM_FEATURE_DSP) four int8 pairs go through two SMLAD dual
   16-bit multiply-accumulates; elsewhere, and for the tail, plain C. Integer sums are exact, so
   both paths give identical results. Define KE_NO_DSP to force the plain path on an M4. */
#ifndef KE_DOT_H
#define KE_DOT_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && !defined(KE_NO_DSP)
#define KE_USE_DSP 1
#include <arm_acle.h>
#else
#define KE_USE_DSP 0
#endif

#if KE_USE_DSP
/* Bytes 1 and 3 sign-extended to halfwords (plus an offset): one instruction with the rotate
   folded in, which GCC does not do on its own for the ACLE intrinsics. */
static inline uint32_t ke_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

static inline uint32_t ke_sxtab16_ror8(uint32_t offset2, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(offset2), "r"(x));
  return r;
}

static inline uint32_t ke_load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); /* an unaligned LDR on the M4 */
  return v;
}
#endif

static inline int32_t ke_dot_s8(const int8_t *a, const int8_t *w, int32_t n, int32_t a_offset, int32_t acc) {
#if KE_USE_DSP
  /* The offset in both halfwords: SXTAB16 sign-extends bytes 0 and 2 (or 1 and 3 after a rotate)
     and adds it, giving two int16 values (a + offset) in [-255, 255]. */
  const uint32_t offset2 = ((uint32_t)(uint16_t)a_offset << 16) | (uint16_t)a_offset;
  for (; n >= 4; n -= 4, a += 4, w += 4) {
    const uint32_t av = ke_load4(a), wv = ke_load4(w);
    acc = __smlad(__sxtab16(offset2, av), __sxtb16(wv), acc);
    acc = __smlad(ke_sxtab16_ror8(offset2, av), ke_sxtb16_ror8(wv), acc);
  }
#endif
  for (; n > 0; --n) acc += ((int32_t)*a++ + a_offset) * (int32_t)*w++;
  return acc;
}

/* Two dot products over the same input (two output channels): the input is unpacked once. */
static inline void ke_dot2_s8(const int8_t *a, const int8_t *w0, const int8_t *w1, int32_t n, int32_t a_offset,
                              int32_t *acc0, int32_t *acc1) {
  int32_t s0 = *acc0, s1 = *acc1;
#if KE_USE_DSP
  const uint32_t offset2 = ((uint32_t)(uint16_t)a_offset << 16) | (uint16_t)a_offset;
  for (; n >= 4; n -= 4, a += 4, w0 += 4, w1 += 4) {
    const uint32_t av = ke_load4(a);
    const uint32_t even = __sxtab16(offset2, av), odd = ke_sxtab16_ror8(offset2, av);
    const uint32_t v0 = ke_load4(w0), v1 = ke_load4(w1);
    s0 = __smlad(even, __sxtb16(v0), s0);
    s0 = __smlad(odd, ke_sxtb16_ror8(v0), s0);
    s1 = __smlad(even, __sxtb16(v1), s1);
    s1 = __smlad(odd, ke_sxtb16_ror8(v1), s1);
  }
#endif
  for (; n > 0; --n) {
    const int32_t x = (int32_t)*a++ + a_offset;
    s0 += x * (int32_t)*w0++;
    s1 += x * (int32_t)*w1++;
  }
  *acc0 = s0;
  *acc1 = s1;
}

#endif
