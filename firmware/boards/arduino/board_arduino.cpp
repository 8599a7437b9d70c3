// board.h for Arduino boards: USB serial, micros(), the core's cycle counter for BENCH, and head
// and calibration storage in flash (nRF52840: the last 16 KB of internal flash through mbed's
// FlashIAP; ESP32-S3: a raw 16 KB image in NVS through Preferences).
#include <Arduino.h>

extern "C" {
#include "board.h"
}
#include "imu.h"

#define STORAGE_BYTES 16384u  // heads at 0, calibrations at 8192 (core/head_store.h, core/calibration.h)

#if defined(ARDUINO_ARCH_ESP32)
#include <Preferences.h>
static Preferences nvs;
static uint8_t image[16384];
#elif defined(ARDUINO_ARCH_MBED)
#include <FlashIAPBlockDevice.h>
static mbed::FlashIAP flash;
static uint32_t flash_base;
#endif

#if defined(DWT_BASE) || defined(__ARM_ARCH_7EM__)
#define CYCLES_DWT 1
static volatile uint32_t *const DEMCR = (uint32_t *)0xE000EDFC, *const DWT_CTRL = (uint32_t *)0xE0001000,
                             *const DWT_CYCCNT = (uint32_t *)0xE0001004;
#endif

static uint64_t cycles_high;
static uint32_t cycles_last;

void board_arduino_init() {
#if CYCLES_DWT
  *DEMCR |= 1u << 24;  // trace enable
  *DWT_CYCCNT = 0;
  *DWT_CTRL |= 1u;
#endif
#if defined(ARDUINO_ARCH_ESP32)
  nvs.begin("kinedge", false);
  if (nvs.getBytes("heads", image, sizeof image) != sizeof image) memset(image, 0xFF, sizeof image);
#elif defined(ARDUINO_ARCH_MBED)
  flash.init();
  flash_base = flash.get_flash_start() + flash.get_flash_size() - STORAGE_BYTES;
#endif
}

extern "C" {
const char *board_name(void) {
#if defined(ARDUINO_ARCH_ESP32)
  return "esp32s3";
#else
  return "nano33ble";
#endif
}

void board_write(const uint8_t *data, size_t length) { Serial.write(data, length); }
uint32_t board_micros(void) { return micros(); }

static uint32_t cycles_now(void) {
#if defined(ARDUINO_ARCH_ESP32)
  return ESP.getCycleCount();
#elif CYCLES_DWT
  return *DWT_CYCCNT;
#else
  return 0;
#endif
}

void board_bench_begin(void) { cycles_last = cycles_now(); }
void board_bench_sync(void) {}
void board_bench_end(void) {}
uint64_t board_bench_counter(void) {
  const uint32_t now = cycles_now();
  cycles_high += (uint32_t)(now - cycles_last);
  cycles_last = now;
  return cycles_high;
}
uint64_t board_bench_units(uint64_t difference) { return difference; }
const char *board_bench_unit(void) { return "cycles"; }
int board_micros_are_real(void) { return 1; }

int board_storage_read(uint32_t offset, void *data, uint32_t length) {
  if (offset + length > STORAGE_BYTES) return -1;
#if defined(ARDUINO_ARCH_ESP32)
  memcpy(data, image + offset, length);
  return 0;
#elif defined(ARDUINO_ARCH_MBED)
  return flash.read(data, flash_base + offset, length) == 0 ? 0 : -1;
#else
  return -1;
#endif
}

int board_storage_write(uint32_t offset, const void *data, uint32_t length) {
  if (offset + length > STORAGE_BYTES) return -1;
#if defined(ARDUINO_ARCH_ESP32)
  memcpy(image + offset, data, length);
  return nvs.putBytes("heads", image, sizeof image) == sizeof image ? 0 : -1;
#elif defined(ARDUINO_ARCH_MBED)
  // Flash writes need erased sectors: read the sector, change it, erase, program it back.
  static uint8_t sector[4096];
  const uint32_t size = flash.get_sector_size(flash_base + offset);
  if (size > sizeof sector) return -1;
  const uint32_t start = (flash_base + offset) / size * size;
  if (offset + length > start - flash_base + size) return -1;  // the core writes within one slot
  if (flash.read(sector, start, size)) return -1;
  memcpy(sector + (flash_base + offset - start), data, length);
  if (flash.erase(start, size) || flash.program(sector, start, size)) return -1;
  return 0;
#else
  return -1;
#endif
}

void board_memory_use(uint32_t *flash_bytes, uint32_t *ram_bytes) {
  *flash_bytes = 0;  // not known to the Arduino cores; `pio run` prints both
  *ram_bytes = 0;
}
}
