/* Inclination filter: each segment's gravity direction from its gyroscope and accelerometer.

   The algorithm is the 6-axis core of VQF (D. Laidig and T. Seel, "VQF: Highly accurate IMU
   orientation estimation with bias estimation and magnetic disturbance rejection", Information
   Fusion 91, 2023), written here in C11 without library transcendentals so host and device
   compute the same bits:
     1. the gyroscope is integrated into an orientation q_gyr (strapdown);
     2. the accelerometer, turned into q_gyr's frame, is low-pass filtered there (second-order
        Butterworth with time constant FE_INCLINATION_TAU_S). In that frame the sensor's own
        acceleration averages out over strides (its velocity stays bounded), so the filtered
        vector is gravity even while the segment swings — unlike a filter that corrects towards
        each raw accelerometer sample, whose linear accelerations tilt it by several degrees on
        stairs and in the swinging foot;
     3. an inclination correction q_acc (a rotation about a horizontal axis) turns the filtered
        vector exactly onto the vertical; the estimate is q_acc * q_gyr.
   The filter is checked against the reference implementation (the `vqf` package's BasicVQF) in
   tests/test_frontend.py. Its state and coefficients are double: with a 3 s time constant at
   100 Hz the filter's poles sit 0.3% inside the unit circle, too close for float32. */
#ifndef KINEDGE_INCLINATION_H
#define KINEDGE_INCLINATION_H

#include <stdint.h>

#define FE_INCLINATION_TAU_S 3.0 /* VQF's default tauAcc */

typedef struct {
  float q_gyr[4];      /* w, x, y, z: sensor to the strapdown frame */
  float q_acc[4];      /* the inclination correction, strapdown frame to the vertical frame */
  double b[3], a[2];   /* low-pass coefficients (a[0] = 1 left out) */
  double state[3][2];  /* low-pass state per axis (transposed direct form II) */
  double sum[3];       /* start-up: the strapdown-frame acceleration summed so far */
  uint32_t count;      /* start-up samples summed; the filter runs once count reaches start_samples */
  uint32_t start_samples;
  float dt;
} fe_inclination;

void fe_inclination_reset(fe_inclination *s, float sample_rate_hz);
/* One sample: gyr (rad/s) and acc (m/s^2) in the same frame -> up, the unit vertical in that
   frame ((0, 1, 0) for a segment in its standing pose). */
void fe_inclination_update(fe_inclination *s, const float *gyr, const float *acc, float *up);

#endif
