#ifndef BOARD_QEMU_H
#define BOARD_QEMU_H

#include "cmsdk_uart.h"

extern cmsdk_uart protocol_uart, imu_uart;
void board_init(void);
/* Once per main-loop turn: keeps the instruction counter's extension current. */
void board_poll(void);
/* Sleep until an interrupt (called with interrupts masked; WFI still wakes on a pending one). */
void board_idle(void);

#endif
