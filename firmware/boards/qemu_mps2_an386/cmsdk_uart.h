/* The AN386's CMSDK APB UARTs with interrupt-driven receive into a ring: bytes keep arriving
   while an estimate runs. When a ring is full, receive interrupts pause and QEMU holds further
   bytes in its socket (flow control), so nothing is lost. */
#ifndef CMSDK_UART_H
#define CMSDK_UART_H

#include <stdint.h>

#define UART_RING 1024u

typedef struct {
  volatile uint32_t *base;
  uint8_t ring[UART_RING];
  volatile uint32_t head, tail; /* written by the interrupt / by the main loop */
  int irq;
} cmsdk_uart;

void uart_init(cmsdk_uart *u, uint32_t base_address, int irq);
void uart_write(cmsdk_uart *u, const uint8_t *data, uint32_t length);
int uart_read(cmsdk_uart *u, uint8_t *byte); /* 1 when a byte was taken */
int uart_pending(const cmsdk_uart *u);
void uart_on_interrupt(cmsdk_uart *u);

#endif
