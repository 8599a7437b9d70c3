#ifndef BOARD_QEMU_H
#define BOARD_QEMU_H

#include "cmsdk_uart.h"

extern cmsdk_uart protocol_uart, imu_uart;
void board_init(void);

#endif
