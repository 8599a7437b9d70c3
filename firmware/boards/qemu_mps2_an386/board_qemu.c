/* board.h for QEMU's mps2-an386: protocol on UART0, the IMU link on UART1, head storage in a host
   file through semihosting (it survives resets and restarts of the emulator), time from SysTick. */
#include <stddef.h>

#include "board.h"
#include "board_qemu.h"
#include "instruction_counter.h"
#include "semihosting.h"

#define STORAGE_FILE "kinedge_storage.bin"
#define STORAGE_BYTES 16384u /* heads at 0, calibrations at 8192 */
#define SYSTICK_HZ 25000000u /* the AN386 core clock QEMU drives SysTick with */

extern uint32_t __data_load, __data_start, __data_end, __stack_top;

cmsdk_uart protocol_uart, imu_uart;
static uint32_t ticks_per_65536_instructions;
static int storage = -1;

void UART0RX_Handler(void) { uart_on_interrupt(&protocol_uart); }
void UART1RX_Handler(void) { uart_on_interrupt(&imu_uart); }

/* BENCH reads the instruction counter's ticks with interrupts off. At -icount shift=6
   a tick is 40 ns and an instruction 64 ns, so ticks = floor(1.6 * instructions + phase): how many
   ticks a stretch of code takes depends on where in that 5-instruction pattern it starts.
   board_bench_sync() always starts a run at the same place in the pattern — where three
   instructions later exactly 4 ticks have passed, which is true at one position in five — so the
   counts repeat exactly, whatever happened before. */
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
void board_bench_begin(void) { __asm__ volatile("cpsid i" ::: "memory"); }

void board_bench_sync(void) {
  uint32_t first, second;
  /* 8 instructions per turn, coprime with 5: every position of the pattern comes round. */
  __asm__ volatile(
      "1: ldr %0, [%2]\n"
      "   nop\n"
      "   nop\n"
      "   ldr %1, [%2]\n"
      "   subs %0, %0, %1\n"   /* ticks between the two reads (the counter counts down) */
      "   lsls %0, %0, #8\n"   /* modulo 2^24 */
      "   cmp %0, #1024\n"     /* 4 << 8 */
      "   bne 1b\n"
      : "=&r"(first), "=&r"(second)
      : "r"(&SYST_CVR)
      : "cc", "memory");
}

void board_bench_end(void) { __asm__ volatile("cpsie i" ::: "memory"); }

uint64_t board_bench_counter(void) { return ic_ticks(); }
static void open_storage(void) {
  storage = sh_open(STORAGE_FILE, SH_MODE_UPDATE_BINARY);
  if (storage >= 0) return;
  /* First boot: an erased (all 0xFF) storage file, as new flash would be. */
  storage = sh_open(STORAGE_FILE, SH_MODE_CREATE_UPDATE_BINARY);
  if (storage < 0) return;
  uint8_t erased[256];
  for (unsigned i = 0; i < sizeof erased; ++i) erased[i] = 0xFF;
  for (uint32_t at = 0; at < STORAGE_BYTES; at += sizeof erased) sh_write(storage, erased, sizeof erased);
}

void board_init(void) {
  ic_start();
  ticks_per_65536_instructions = ic_calibrate();
  open_storage();
  uart_init(&protocol_uart, 0x40004000u, 0);
  uart_init(&imu_uart, 0x40005000u, 2);
}

void board_poll(void) { (void)ic_ticks(); }

/* SysTick is paused while asleep: the emulator runs with -icount sleep=off, where virtual time
   stands still in WFI but jumps straight to any pending timer deadline — a running SysTick would
   be one every 2^24 ticks, waking QEMU in a busy loop. Idle time is not counted (it is not
   instructions anyway). */
void board_idle(void) {
  ic_pause();
  __asm__ volatile("wfi");
  ic_resume();
}

const char *board_name(void) { return "qemu-mps2-an386"; }

void board_write(const uint8_t *data, size_t length) { uart_write(&protocol_uart, data, (uint32_t)length); }

uint32_t board_micros(void) { return (uint32_t)(ic_ticks() / (SYSTICK_HZ / 1000000u)); }

uint64_t board_bench_units(uint64_t difference) { return ic_instructions(difference, ticks_per_65536_instructions); }
const char *board_bench_unit(void) { return "instructions"; }
int board_micros_are_real(void) { return 0; }

int board_storage_read(uint32_t offset, void *data, uint32_t length) {
  if (storage < 0 || offset + length > STORAGE_BYTES || sh_seek(storage, (int)offset)) return -1;
  return sh_read(storage, data, (int)length) == 0 ? 0 : -1;
}

int board_storage_write(uint32_t offset, const void *data, uint32_t length) {
  if (storage < 0 || offset + length > STORAGE_BYTES || sh_seek(storage, (int)offset)) return -1;
  return sh_write(storage, data, (int)length) == 0 ? 0 : -1;
}

void board_memory_use(uint32_t *flash_bytes, uint32_t *ram_bytes) {
  const uint32_t data = (uint32_t)((uintptr_t)&__data_end - (uintptr_t)&__data_start);
  *flash_bytes = (uint32_t)(uintptr_t)&__data_load + data;
  *ram_bytes = (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)&__data_start);
}
