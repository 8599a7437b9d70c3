#include "imu_link.h"

#include "cobs.h"
#include "crc32.h"
#include "model_config.h"
#include "protocol.h"

#define FRAME (4 + 2 * KINEDGE_N_CHANNELS + 4)

static uint8_t buffer[COBS_MAX_ENCODED(FRAME) + 1];
static uint32_t used, next_sequence, dropped;
static int started, overflow;

int imu_link_byte(uint8_t byte, float *sample, uint32_t *lost) {
  if (byte != 0) {
    if (used < sizeof buffer) buffer[used++] = byte;
    else overflow = 1;
    return 0;
  }
  const uint32_t n = used;
  const int too_long = overflow;
  used = 0;
  overflow = 0;
  if (n == 0) return 0;
  const long length = too_long ? -1 : cobs_decode(buffer, n, buffer);
  if (length != FRAME || crc32_update(0, buffer, FRAME - 4) != get_u32(buffer + FRAME - 4)) {
    dropped++;
    return 0;
  }
  const uint32_t sequence = get_u32(buffer);
  *lost = (started ? sequence - next_sequence : 0) + dropped;
  dropped = 0;
  started = 1;
  next_sequence = sequence + 1;
  for (int c = 0; c < KINEDGE_N_CHANNELS; ++c) {
    const int16_t raw = (int16_t)get_u16(buffer + 4 + 2 * c);
    sample[c] = (float)raw * (c % 6 < 3 ? IMU_ACC_LSB : IMU_GYR_LSB);
  }
  return 1;
}
