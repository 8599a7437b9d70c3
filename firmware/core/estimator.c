#include "estimator.h"

#include <string.h>

#include "normalize.h"

void estimator_reset(estimator *e) {
  e->count = 0;
  e->since_estimate = 0;
}

int estimator_push(estimator *e, const float *sample) {
  normalize_sample(sample, e->ring[e->count % ESTIMATOR_RING]);
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
  memcpy(input, e->ring[start], head * KINEDGE_N_CHANNELS);
  memcpy(input + head * KINEDGE_N_CHANNELS, e->ring[0], (KINEDGE_WINDOW - head) * KINEDGE_N_CHANNELS);
}
