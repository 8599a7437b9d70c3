/* board.h on the host, for the core's unit tests and the protocol fuzz harness: frames written
   are counted (and kept for the last one), storage is RAM with an optional injected failure, time
   is a counter. */
#include "board_native.h"

#include <string.h>

static uint8_t storage[16384];
static long writes_until_failure = -1;
static uint64_t clock_counter;

native_output native_out;

const char *board_name(void) { return "native"; }

void board_write(const uint8_t *data, size_t length) {
  native_out.frames++;
  native_out.bytes += length;
  if (length <= sizeof native_out.last) {
    memcpy(native_out.last, data, length);
    native_out.last_length = length;
  }
}

uint32_t board_micros(void) { return (uint32_t)(clock_counter += 10); }
void board_bench_begin(void) {}
void board_bench_sync(void) {}
void board_bench_end(void) {}
uint64_t board_bench_counter(void) { return ++clock_counter; }
uint64_t board_bench_units(uint64_t difference) { return difference; }
const char *board_bench_unit(void) { return "ticks"; }
int board_micros_are_real(void) { return 0; }

int board_storage_read(uint32_t offset, void *data, uint32_t length) {
  if (offset + length > sizeof storage) return -1;
  memcpy(data, storage + offset, length);
  return 0;
}

int board_storage_write(uint32_t offset, const void *data, uint32_t length) {
  if (offset + length > sizeof storage) return -1;
  if (writes_until_failure == 0) {
    /* A power cut in the middle of this write: half of it lands. */
    memcpy(storage + offset, data, length / 2);
    return -1;
  }
  if (writes_until_failure > 0) writes_until_failure--;
  memcpy(storage + offset, data, length);
  return 0;
}

void board_memory_use(uint32_t *flash_bytes, uint32_t *ram_bytes) {
  *flash_bytes = 0;
  *ram_bytes = 0;
}

void native_storage_erase(void) {
  memset(storage, 0xFF, sizeof storage);
  writes_until_failure = -1;
}

void native_storage_fail_after(long writes) { writes_until_failure = writes; }
