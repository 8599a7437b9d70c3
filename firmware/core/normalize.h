/* One IMU sample (KINEDGE_N_CHANNELS floats, SI units, model channel order) -> the model's int8
   input, with normalisation folded into the quantisation (model_config.h):
       q = clamp(floor(x * mul + add + 0.5), -128, 127)      in float32, no fused multiply-add
   host_tools/device_model.py computes the same, bit for bit. A NaN becomes the zero point. */
#ifndef KINEDGE_NORMALIZE_H
#define KINEDGE_NORMALIZE_H

#include <stdint.h>

void normalize_sample(const float *sample, int8_t *quantized);

#endif
