#include "calibration.h"

#include <string.h>

#include "crc32.h"
#include "protocol.h"

static const uint8_t model_hash[8] = KINEDGE_MODEL_HASH_BYTES;
static const slot_area area = {CALIB_AREA_BASE, CALIB_SLOT_BYTES, CALIB_BLOB_BYTES};

void calib_load_nominal(calib_t *c) {
  for (int i = 0; i < KINEDGE_N_SEGMENTS; ++i) fe_calibration_identity(&c->imu[i]);
  c->id = c->crc = c->generation = 0;
  c->source = CALIB_SOURCE_NOMINAL;
}

int calib_parse(const uint8_t *blob, size_t length, calib_t *c) {
  if (length < CALIB_BLOB_HEADER + 4 || memcmp(blob, "KECA", 4) != 0) return ERR_HEAD_BAD_BLOB;
  if (get_u16(blob + 4) != CALIB_BLOB_VERSION || get_u16(blob + 6) != CALIB_BLOB_HEADER) return ERR_HEAD_BAD_BLOB;
  const uint32_t n = get_u16(blob + 16), per = get_u16(blob + 18);
  if (per != FE_CALIBRATION_FLOATS || length != CALIB_BLOB_HEADER + 4 * n * per + 4) return ERR_HEAD_BAD_BLOB;
  if (crc32_update(0, blob, length - 4) != get_u32(blob + length - 4)) return ERR_HEAD_BAD_BLOB;
  if (memcmp(blob + 8, model_hash, 8) != 0) return ERR_HEAD_MODEL_MISMATCH;
  if (n != KINEDGE_N_SEGMENTS) return ERR_HEAD_SHAPE_MISMATCH;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t *at = blob + CALIB_BLOB_HEADER + 4 * FE_CALIBRATION_FLOATS * i;
    memcpy(c->imu[i].rotation, at, sizeof c->imu[i].rotation);
    memcpy(c->imu[i].gyro_bias, at + sizeof c->imu[i].rotation, sizeof c->imu[i].gyro_bias);
  }
  c->id = get_u32(blob + 20);
  c->crc = get_u32(blob + length - 4);
  return 0;
}

void calib_store_load(calib_t *active, uint8_t *scratch) {
  calib_load_nominal(active);
  slot_state found;
  for (int pass = 0; slot_store_candidate(&area, pass, scratch, &found) == 0; ++pass) {
    if (calib_parse(scratch, CALIB_BLOB_BYTES, active) == 0) {
      active->generation = found.generation;
      active->source = (uint8_t)(CALIB_SOURCE_SLOT_A + found.slot);
      return;
    }
    calib_load_nominal(active);
  }
}

int calib_store_commit(const uint8_t *blob, size_t length, calib_t *active) {
  if (length != CALIB_BLOB_BYTES) return ERR_HEAD_BAD_BLOB;
  const slot_state now = {active->source == CALIB_SOURCE_NOMINAL ? -1 : active->source - CALIB_SOURCE_SLOT_A,
                          active->generation};
  slot_state written;
  const int status = slot_store_commit(&area, now, blob, &written);
  if (status) return status;
  calib_parse(blob, length, active);
  active->generation = written.generation;
  active->source = (uint8_t)(CALIB_SOURCE_SLOT_A + written.slot);
  return 0;
}

int calib_store_reset(calib_t *active) {
  if (slot_store_reset(&area)) return ERR_STORAGE;
  calib_load_nominal(active);
  return 0;
}
