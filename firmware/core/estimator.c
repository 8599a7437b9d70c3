#include "estimator.h"

#include <string.h>

#include "normalize.h"

void estimator_reset(estimator *e, const calib_t *calibration) {
  for (int i = 0; i < KINEDGE_N_SEGMENTS; ++i) fe_imu_reset(&e->imu[i], &calibration->imu[i], KINEDGE_SAMPLE_RATE_HZ);
  for (int p = 0; p < KINEDGE_N_PHYSICS; ++p) e->physics[p] = 0.0f;
  e->count = 0;
  e->since_estimate = 0;
}

int estimator_push(estimator *e, const calib_t *calibration, const float *sample) {
  float features[KINEDGE_N_FEATURES];
  for (int i = 0; i < KINEDGE_N_SEGMENTS; ++i)
    fe_imu_push(&e->imu[i], &calibration->imu[i], sample + FE_RAW_PER_IMU * i, features + FE_FEATURES_PER_IMU * i);
  normalize_features(features, e->ring[e->count % ESTIMATOR_RING]);
  physics_inputs(features, e->physics);
  e->count++;
  e->since_estimate++;
  if (e->count < KINEDGE_WINDOW) return 0;
  if (e->count == KINEDGE_WINDOW || e->since_estimate >= KINEDGE_HOP) {
    e->since_estimate = 0;
    return 1;
  }
  return 0;
}

void estimator_window(const estimator *e, int8_t *input) {
  const uint32_t first = e->count - KINEDGE_WINDOW; /* sequence number of the oldest sample */
  const uint32_t start = first % ESTIMATOR_RING;
  const uint32_t head = ESTIMATOR_RING - start < KINEDGE_WINDOW ? ESTIMATOR_RING - start : KINEDGE_WINDOW;
  memcpy(input, e->ring[start], head * KINEDGE_N_FEATURES);
  memcpy(input + head * KINEDGE_N_FEATURES, e->ring[0], (KINEDGE_WINDOW - head) * KINEDGE_N_FEATURES);
}
