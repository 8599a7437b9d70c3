/* The Cortex-M4 DSP building blocks of the int8 kernels (gemm.c, depthwise_conv.c,
   fully_connected.c): four int8 values per 32-bit load, unpacked to two pairs of halfwords
   (SXTB16, and SXTB16 with the rotate for bytes 1 and 3) that feed dual 16-bit
   multiply-accumulates (SMLAD, SMLABB/SMLATT). Used when the core has __ARM_FEATURE_DSP; define
   KE_NO_DSP to force the plain-C paths on an M4. Integer sums are exact, so both paths give
   identical results. */
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
/* Bytes 1 and 3 sign-extended to halfwords: one instruction with the rotate folded in, which GCC
   does not do on its own for the ACLE intrinsic. */
static inline uint32_t ke_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

static inline uint32_t ke_load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); /* an unaligned LDR on the M4 */
  return v;
}
#endif

#endif
