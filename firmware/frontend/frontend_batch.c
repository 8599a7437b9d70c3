/* Host builds only: the front-end over a whole recording in one call (trainer/frontend.py). */
#include <stdint.h>

#include "frontend.h"

#define FE_MAX_IMUS 16

/* calibration: n_imus x FE_CALIBRATION_FLOATS (rotation row-major, then gyro bias);
   raw: n_samples x n_imus x FE_RAW_PER_IMU; features: n_samples x n_imus x FE_FEATURES_PER_IMU.
   Returns 0, or -1 for more IMUs than FE_MAX_IMUS. */
int fe_run_batch(const float *calibration, int32_t n_imus, float sample_rate_hz, const float *raw,
                 int64_t n_samples, float *features) {
  if (n_imus < 1 || n_imus > FE_MAX_IMUS) return -1;
  fe_imu state[FE_MAX_IMUS];
  fe_calibration cal[FE_MAX_IMUS];
  for (int i = 0; i < n_imus; ++i) {
    for (int k = 0; k < 9; ++k) cal[i].rotation[k] = calibration[i * FE_CALIBRATION_FLOATS + k];
    for (int k = 0; k < 3; ++k) cal[i].gyro_bias[k] = calibration[i * FE_CALIBRATION_FLOATS + 9 + k];
    fe_imu_reset(&state[i], &cal[i], sample_rate_hz);
  }
  for (int64_t t = 0; t < n_samples; ++t)
    for (int i = 0; i < n_imus; ++i)
      fe_imu_push(&state[i], &cal[i], raw + (t * n_imus + i) * FE_RAW_PER_IMU,
                  features + (t * n_imus + i) * FE_FEATURES_PER_IMU);
  return 0;
}

float fe_atan2_deg_host(float y, float x) { return fe_atan2_deg(y, x); }
