/* The front-end's features (KINEDGE_N_FEATURES floats, model feature order) -> the model's int8
   input, with normalisation folded into the quantisation (model_config.h):
       q = clamp(floor(x * mul + add + 0.5), -128, 127)      in float32, no fused multiply-add
   and the head's physics inputs, normalised in float32: (x[i] - mean[i]) / std[i] for the
   features listed in KINEDGE_PHYSICS_INDEX. host_tools/device_model.py computes the same, bit
   for bit. A NaN becomes the zero point. */
#ifndef KINEDGE_NORMALIZE_H
#define KINEDGE_NORMALIZE_H

#include <stdint.h>

void normalize_features(const float *features, int8_t *quantized);
void physics_inputs(const float *features, float *physics);

#endif
