/* The kinedge firmware on QEMU's mps2-an386: bytes in from both UARTs, work done, then sleep
   until the next interrupt (WFI also lets QEMU's clock follow real time while idle). */
#include "board_qemu.h"
#include "device.h"
#include "imu_link.h"
#include "model_config.h"

int main(void) {
  board_init();
  device_init();
  for (;;) {
    uint8_t byte;
    while (uart_read(&protocol_uart, &byte)) device_protocol_byte(byte);
    /* Samples until one makes an estimate due: it runs before later samples move the window. */
    while (uart_read(&imu_uart, &byte)) {
      float sample[KINEDGE_N_CHANNELS];
      uint32_t lost;
      if (imu_link_byte(byte, sample, &lost) && device_imu_sample(sample, lost)) break;
    }
    const int more = device_poll();
    board_poll();
    __asm__ volatile("cpsid i" ::: "memory");
    if (!more && !uart_pending(&protocol_uart) && !uart_pending(&imu_uart)) board_idle();
    __asm__ volatile("cpsie i" ::: "memory");
  }
}
