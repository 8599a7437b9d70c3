/* Sliding windows over the IMU stream: samples are normalised once on arrival into a ring; an
   estimate is due at the first full window and then every KINEDGE_HOP samples. The live stream and
   REPLAY each have their own. */
#ifndef KINEDGE_ESTIMATOR_H
#define KINEDGE_ESTIMATOR_H

#include <stdint.h>

#include "model_config.h"

#define ESTIMATOR_RING 128 /* a power of two >= KINEDGE_WINDOW + KINEDGE_HOP */
_Static_assert(ESTIMATOR_RING >= KINEDGE_WINDOW + KINEDGE_HOP, "ring too small for the window");

typedef struct {
  int8_t ring[ESTIMATOR_RING][KINEDGE_N_CHANNELS];
  uint32_t count;          /* samples pushed since reset; the next sample's sequence number */
  uint32_t since_estimate; /* samples since the last due estimate */
} estimator;

void estimator_reset(estimator *e);
/* Adds one sample; returns 1 when an estimate is due for the window ending with it. */
int estimator_push(estimator *e, const float *sample);
/* The latest KINEDGE_WINDOW samples, oldest first, into the engine's input layout. */
void estimator_window(const estimator *e, int8_t *input);

#endif
