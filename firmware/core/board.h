/* What a board provides to the portable core (implemented in boards/<board>/). */
#ifndef KINEDGE_BOARD_H
#define KINEDGE_BOARD_H

#include <stddef.h>
#include <stdint.h>

const char *board_name(void);

/* The protocol link (UART or USB serial): blocking write of whole frames. */
void board_write(const uint8_t *data, size_t length);

/* Microseconds since boot (device timestamps of samples). */
uint32_t board_micros(void);

/* BENCH counter and its unit: "cycles" (DWT on real boards) or "instructions" (QEMU -icount).
   board_bench_units() converts a counter difference to that unit. BENCH runs between
   board_bench_begin() and board_bench_end() (interrupts held off, so no handler lands inside a
   measurement) and calls board_bench_sync() before each run. */
void board_bench_begin(void);
void board_bench_sync(void);
void board_bench_end(void);
uint64_t board_bench_counter(void);
uint64_t board_bench_units(uint64_t counter_difference);
const char *board_bench_unit(void);
/* Non-zero when board_micros() is real time (real boards); QEMU's is virtual time. */
int board_micros_are_real(void);

/* Non-volatile storage for the head slots: byte-addressed, survives resets. 0 on success. */
int board_storage_read(uint32_t offset, void *data, uint32_t length);
int board_storage_write(uint32_t offset, const void *data, uint32_t length);

/* Static memory use of this build (from the linker), for INFO. */
void board_memory_use(uint32_t *flash_bytes, uint32_t *ram_bytes);

#endif
