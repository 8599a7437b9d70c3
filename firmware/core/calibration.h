/* The person calibration the front-end applies: per IMU, segment-from-sensor rotation and gyro
   bias (frontend.h). It arrives as a blob (converter/calibration_blob.py defines the layout), is
   kept in its own A/B slots after the heads', and falls back to the nominal mounting (sensor axes
   = segment axes) when none is stored. */
#ifndef KINEDGE_CALIBRATION_H
#define KINEDGE_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "frontend.h"
#include "model_config.h"
#include "slot_store.h"

#define CALIB_BLOB_VERSION 1
#define CALIB_BLOB_HEADER 32
#define CALIB_BLOB_BYTES (CALIB_BLOB_HEADER + 4 * FE_CALIBRATION_FLOATS * KINEDGE_N_SEGMENTS + 4)
#define CALIB_AREA_BASE 8192u
#define CALIB_SLOT_BYTES 1024u
_Static_assert(CALIB_BLOB_BYTES + SLOT_HEADER_BYTES <= CALIB_SLOT_BYTES, "calibration blob does not fit a slot");

enum { CALIB_SOURCE_NOMINAL = 0, CALIB_SOURCE_SLOT_A = 1, CALIB_SOURCE_SLOT_B = 2 };

typedef struct {
  fe_calibration imu[KINEDGE_N_SEGMENTS];
  uint32_t id, crc, generation; /* 0 for the nominal calibration */
  uint8_t source;               /* CALIB_SOURCE_* */
} calib_t;

void calib_load_nominal(calib_t *c);
/* Checks and reads a blob; 0 or ERR_HEAD_BAD_BLOB / ERR_HEAD_MODEL_MISMATCH / ERR_HEAD_SHAPE_MISMATCH. */
int calib_parse(const uint8_t *blob, size_t length, calib_t *c);

/* Storage, as head_store.h does it for heads. */
void calib_store_load(calib_t *active, uint8_t *scratch);
int calib_store_commit(const uint8_t *blob, size_t length, calib_t *active);
int calib_store_reset(calib_t *active);

#endif
