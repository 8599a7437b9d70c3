/* Time on the emulated board, from SysTick on the core clock. Under `qemu -icount shift=N` every
   guest instruction advances virtual time by 2^N ns, so SysTick ticks are a fixed multiple of
   executed instructions: an instruction count, deterministic, NOT real Cortex-M4 cycles (no wait
   states, no pipeline effects). ic_calibrate() measures the ratio on a loop of known length. */
#ifndef INSTRUCTION_COUNTER_H
#define INSTRUCTION_COUNTER_H

#include <stdint.h>

void ic_start(void);          /* SysTick free-running from the core clock */
uint64_t ic_ticks(void);      /* ticks since ic_start; call at least every ~10M instructions */
/* Stop and restart counting (the pause is not counted). */
void ic_pause(void);
void ic_resume(void);
/* Ticks per 2^16 instructions, measured on a loop of known instruction count. */
uint32_t ic_calibrate(void);
uint64_t ic_instructions(uint64_t ticks, uint32_t ticks_per_65536);

#endif
