#include "normalize.h"

#include <math.h>

#include "model_config.h"

static const float input_mul[KINEDGE_N_CHANNELS] = KINEDGE_INPUT_MUL;
static const float input_add[KINEDGE_N_CHANNELS] = KINEDGE_INPUT_ADD;

void normalize_sample(const float *sample, int8_t *quantized) {
  for (int c = 0; c < KINEDGE_N_CHANNELS; ++c) {
    const float v = sample[c] * input_mul[c] + input_add[c];
    if (v != v) quantized[c] = (int8_t)KINEDGE_INPUT_ZERO_POINT;
    else if (v >= 127.0f) quantized[c] = 127;
    else if (v <= -128.0f) quantized[c] = -128;
    else quantized[c] = (int8_t)floorf(v + 0.5f);
  }
}
