#include "cmsdk_uart.h"

enum { DATA = 0, STATE = 1, CTRL = 2, INTSTATUS = 3, BAUDDIV = 4 };
enum { TX_FULL = 1u, RX_FULL = 2u, TX_EN = 1u, RX_EN = 2u, RX_INT_EN = 8u, RX_INT = 2u };

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)

void uart_init(cmsdk_uart *u, uint32_t base_address, int irq) {
  u->base = (volatile uint32_t *)base_address;
  u->head = u->tail = 0;
  u->irq = irq;
  u->base[BAUDDIV] = 16; /* the smallest legal divider; QEMU does not pace bytes anyway */
  u->base[CTRL] = TX_EN | RX_EN | RX_INT_EN;
  NVIC_ISER0 = 1u << irq;
}

void uart_write(cmsdk_uart *u, const uint8_t *data, uint32_t length) {
  for (uint32_t i = 0; i < length; ++i) {
    while (u->base[STATE] & TX_FULL) {
    }
    u->base[DATA] = data[i];
  }
}

void uart_on_interrupt(cmsdk_uart *u) {
  /* Clear first: a byte that lands after this raises the interrupt again instead of being lost. */
  u->base[INTSTATUS] = RX_INT;
  while (u->base[STATE] & RX_FULL) {
    if (u->head - u->tail >= UART_RING) {
      u->base[CTRL] &= ~RX_INT_EN; /* full: leave the byte in the UART until the main loop reads */
      break;
    }
    u->ring[u->head % UART_RING] = (uint8_t)u->base[DATA];
    u->head++;
  }
}

int uart_read(cmsdk_uart *u, uint8_t *byte) {
  if (u->head != u->tail) {
    *byte = u->ring[u->tail % UART_RING];
    u->tail++;
    if (!(u->base[CTRL] & RX_INT_EN)) u->base[CTRL] |= RX_INT_EN; /* room again: resume */
    return 1;
  }
  /* Ring empty but a byte waiting in the UART (its interrupt was paused or missed): take it here,
     with interrupts off so the handler cannot read the same register at the same time. */
  int got = 0;
  __asm__ volatile("cpsid i" ::: "memory");
  if (u->base[STATE] & RX_FULL) {
    *byte = (uint8_t)u->base[DATA];
    got = 1;
  }
  u->base[CTRL] |= RX_INT_EN;
  __asm__ volatile("cpsie i" ::: "memory");
  return got;
}

int uart_pending(const cmsdk_uart *u) { return u->head != u->tail || (u->base[STATE] & RX_FULL); }
