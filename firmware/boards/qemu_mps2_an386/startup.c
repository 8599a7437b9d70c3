/* Reset and exception vectors for the mps2-an386 Cortex-M4F: copy .data, clear .bss, enable the
   FPU (the firmware is built hard-float), run main. A fault ends the emulation with a message and
   exit code 3 instead of hanging the test that started it. */
#include <stdint.h>

#include "semihosting.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern int main(void);

void Reset_Handler(void);
void SysTick_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void UART0RX_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UART1RX_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

#define CPACR (*(volatile uint32_t *)0xE000ED88u)

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + 8])(void) = {
    (void (*)(void))(&__stack_top), Reset_Handler, Default_Handler, HardFault_Handler,
    HardFault_Handler, HardFault_Handler, HardFault_Handler, 0, 0, 0, 0,
    Default_Handler, Default_Handler, 0, Default_Handler, SysTick_Handler,
    /* External interrupts of the AN386: 0 UART0 RX, 1 UART0 TX, 2 UART1 RX, 3 UART1 TX, ... */
    UART0RX_Handler, Default_Handler, UART1RX_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
};

void Reset_Handler(void) {
  for (uint32_t *src = &__data_load, *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  CPACR |= 0xFu << 20; /* CP10 and CP11: full access to the FPU */
  __asm__ volatile("dsb\n isb");
  sh_exit(main());
}

void HardFault_Handler(void) {
  sh_print("fault: hard fault\n");
  sh_exit(3);
}

void Default_Handler(void) {
  sh_print("fault: unexpected interrupt\n");
  sh_exit(3);
}
