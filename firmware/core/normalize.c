#include "normalize.h"

#include <math.h>

#include "model_config.h"

static const float input_mul[KINEDGE_N_FEATURES] = KINEDGE_INPUT_MUL;
static const float input_add[KINEDGE_N_FEATURES] = KINEDGE_INPUT_ADD;
static const float norm_mean[KINEDGE_N_FEATURES] = KINEDGE_NORM_MEAN;
static const float norm_std[KINEDGE_N_FEATURES] = KINEDGE_NORM_STD;
#if KINEDGE_N_PHYSICS > 0
static const int physics_index[KINEDGE_N_PHYSICS] = KINEDGE_PHYSICS_INDEX;
#endif

void normalize_features(const float *features, int8_t *quantized) {
  for (int c = 0; c < KINEDGE_N_FEATURES; ++c) {
    const float v = features[c] * input_mul[c] + input_add[c];
    if (v != v) quantized[c] = (int8_t)KINEDGE_INPUT_ZERO_POINT;
    else if (v >= 127.0f) quantized[c] = 127;
    else if (v <= -128.0f) quantized[c] = -128;
    else quantized[c] = (int8_t)floorf(v + 0.5f);
  }
}

void physics_inputs(const float *features, float *physics) {
#if KINEDGE_N_PHYSICS > 0
  for (int p = 0; p < KINEDGE_N_PHYSICS; ++p) {
    const int c = physics_index[p];
    physics[p] = (features[c] - norm_mean[c]) / norm_std[c];
  }
#else
  (void)features;
  (void)physics;
#endif
}
