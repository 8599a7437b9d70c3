/* The front-end: what happens to each IMU sample before the network sees it, on the device and —
   compiled from this same file — on the host (training features, the host mirror of the device).

   Per IMU, per sample:
     1. calibration: acc and gyro turned from the sensor frame into the segment frame (x anterior,
        y along the segment, up when standing; z to the right), gyro bias removed first. The bias
        starts at the calibration's and is re-learnt whenever the sensor stands still (FE_STILL_*):
        a gyro's bias moves between power-ups, and the inclination filter trusts the gyro over
        its accelerometer's 3 s time constant;
     2. inclination: the gravity direction in the segment frame from the calibrated signals
        (inclination.h: VQF's 6-axis filter, accelerometer low-passed in the gyro-integrated frame);
     3. features: calibrated acc (m/s^2) and gyro (rad/s), and the segment's inclination from
        that gravity direction: pitch (rotation about the segment's z, the flexion axis, from
        its standing pose; +: distal end forward) and roll (tilt of its z axis out of the
        horizontal), both in degrees. Inclination needs no heading, so it does not drift.
   Everything is IEEE arithmetic (float32; the inclination low-pass in double) in a fixed order
   with no library transcendental (own atan2), so host and device agree to the bit. */
#ifndef KINEDGE_FRONTEND_H
#define KINEDGE_FRONTEND_H

#include <stdint.h>

#include "inclination.h"

#define FE_RAW_PER_IMU 6      /* acc x,y,z (m/s^2), gyr x,y,z (rad/s), sensor frame */
#define FE_FEATURES_PER_IMU 8 /* acc x,y,z, gyr x,y,z (segment frame), pitch, roll (deg) */
#define FE_CALIBRATION_FLOATS 12

/* Sensor-to-segment calibration of one IMU. */
typedef struct {
  float rotation[9];  /* segment-from-sensor, row-major: v_segment = R * v_sensor */
  float gyro_bias[3]; /* rad/s, sensor frame, subtracted before rotating */
} fe_calibration;

typedef struct {
  fe_inclination inclination;
  float bias[3];      /* rad/s, the gyro bias in use (sensor frame) */
  float prior[3];     /* the bias when the current still stretch began */
  float sum[3];       /* gyro summed over the current still stretch */
  uint32_t still;     /* consecutive samples the sensor has stood still */
} fe_imu;

/* The nominal mounting: sensor axes are the segment axes, no gyro bias. */
void fe_calibration_identity(fe_calibration *c);
void fe_imu_reset(fe_imu *s, const fe_calibration *c, float sample_rate_hz);
/* One sample of one IMU: raw[FE_RAW_PER_IMU] -> features[FE_FEATURES_PER_IMU]. */
void fe_imu_push(fe_imu *s, const fe_calibration *c, const float *raw, float *features);

/* atan2 in degrees, |error| < 2e-5 deg, from + - * / and comparisons only. */
float fe_atan2_deg(float y, float x);

#endif
