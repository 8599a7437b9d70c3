#include "instruction_counter.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define RELOAD 0xFFFFFFu

/* No wrap interrupt: under `-icount ...,sleep=off` a pending timer deadline would wake the idle
   CPU at once, over and over. The 24-bit count is extended by the difference since the previous
   read instead, so reads must come less than 2^24 ticks (about 10 million instructions) apart:
   the firmware's main loop reads once per turn. Main-loop context only. */
static uint32_t last;
static uint64_t total;

void ic_start(void) {
  SYST_CSR = 0;
  SYST_RVR = RELOAD;
  SYST_CVR = 0;
  SYST_CSR = 5u; /* enable, core clock, no interrupt */
  last = SYST_CVR;
  total = 0;
}

void ic_pause(void) {
  (void)ic_ticks();
  SYST_CSR = 0;
}

void ic_resume(void) {
  SYST_CSR = 5u;
  last = SYST_CVR; /* QEMU may reload the counter on enable: count on from wherever it is now */
}

uint64_t ic_ticks(void) {
  const uint32_t now = SYST_CVR;
  total += (last - now) & RELOAD;
  last = now;
  return total;
}

/* 2 instructions per iteration (SUBS, BNE) under -icount. */
static void known_loop(uint32_t iterations) {
  __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(iterations) : : "cc");
}

uint32_t ic_calibrate(void) {
  enum { ITERATIONS = 1u << 19 }; /* 2^20 instructions */
  const uint64_t t0 = ic_ticks();
  known_loop(ITERATIONS);
  const uint64_t t1 = ic_ticks();
  return (uint32_t)(((t1 - t0) + 8u) / 16u); /* ticks per 2^16 instructions */
}

uint64_t ic_instructions(uint64_t ticks, uint32_t ticks_per_65536) {
  return (ticks * 65536u + ticks_per_65536 / 2u) / ticks_per_65536;
}
