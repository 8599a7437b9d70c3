#include "instruction_counter.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define RELOAD 0xFFFFFFu

static volatile uint32_t wraps;

void SysTick_Handler(void) { ++wraps; }

void ic_start(void) {
  SYST_CSR = 0;
  SYST_RVR = RELOAD;
  SYST_CVR = 0;
  wraps = 0;
  SYST_CSR = 7u; /* enable, wrap interrupt, core clock */
}

uint64_t ic_ticks(void) {
  uint32_t before, now, after;
  do { /* a wrap between the two reads would pair the wrong counts */
    before = wraps;
    now = SYST_CVR;
    after = wraps;
  } while (before != after);
  return (uint64_t)before * (RELOAD + 1u) + (RELOAD - now);
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
