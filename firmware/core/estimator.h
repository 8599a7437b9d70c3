/* Sliding windows over the IMU stream: each raw sample goes through the front-end (calibration,
   orientation filter, features) and is normalised once on arrival into a ring; an estimate is due
   at the first full window and then every KINEDGE_HOP samples. The newest sample's physics inputs
   (normalised inclination features) are kept for the head. The live stream and REPLAY each have
   their own. */
#ifndef KINEDGE_ESTIMATOR_H
#define KINEDGE_ESTIMATOR_H

#include <stdint.h>

#include "calibration.h"
#include "frontend.h"
#include "model_config.h"

#define ESTIMATOR_RING 128 /* a power of two >= KINEDGE_WINDOW + KINEDGE_HOP */
_Static_assert(ESTIMATOR_RING >= KINEDGE_WINDOW + KINEDGE_HOP, "ring too small for the window");
_Static_assert(KINEDGE_N_FEATURES == FE_FEATURES_PER_IMU * KINEDGE_N_SEGMENTS, "model features are not the front-end's");
_Static_assert(KINEDGE_N_CHANNELS == FE_RAW_PER_IMU * KINEDGE_N_SEGMENTS, "raw channels are not 6 per IMU");

typedef struct {
  fe_imu imu[KINEDGE_N_SEGMENTS];
  int8_t ring[ESTIMATOR_RING][KINEDGE_N_FEATURES];
  float physics[KINEDGE_N_PHYSICS]; /* of the newest sample */
  uint32_t count;          /* samples pushed since reset; the next sample's sequence number */
  uint32_t since_estimate; /* samples since the last due estimate */
} estimator;

/* Restarts the stream: front-end state from `calibration`, an empty window. */
void estimator_reset(estimator *e, const calib_t *calibration);
/* Adds one raw sample (KINEDGE_N_CHANNELS floats, SI units, sensor frames, model segment order);
   returns 1 when an estimate is due for the window ending with it. */
int estimator_push(estimator *e, const calib_t *calibration, const float *sample);
/* The latest KINEDGE_WINDOW samples, oldest first, into the engine's input layout. */
void estimator_window(const estimator *e, int8_t *input);

#endif
