#include "frontend.h"

#include <math.h>

/* Still: the gyro within 0.05 rad/s (3 deg/s) of the bias and |acc| within 0.5 m/s^2 of g (both
   norms, so how a sensor is mounted does not matter),
   for FE_STILL_SAMPLES in a row. From then on the bias is the mean gyro of the still stretch,
   weighted against the bias before it as if that were FE_BIAS_PRIOR samples: averaging the whole
   stretch cancels postural sway, which a short filter would take for bias. */
#define FE_STILL_GYRO 0.05f
#define FE_STILL_ACC 0.5f
#define FE_STILL_SAMPLES 50u
#define FE_BIAS_PRIOR 100.0f

#define FE_G 9.80665f
#define FE_RAD_TO_DEG 57.295779513f
#define FE_PI_DEG 180.0f

void fe_calibration_identity(fe_calibration *c) {
  for (int i = 0; i < 9; ++i) c->rotation[i] = (i % 4 == 0) ? 1.0f : 0.0f;
  for (int i = 0; i < 3; ++i) c->gyro_bias[i] = 0.0f;
}

void fe_imu_reset(fe_imu *s, const fe_calibration *c, float sample_rate_hz) {
  fe_inclination_reset(&s->inclination, sample_rate_hz);
  for (int i = 0; i < 3; ++i) s->bias[i] = c->gyro_bias[i];
  s->still = 0;
}

static void learn_bias(fe_imu *s, const float *raw) {
  const float a2 = raw[0] * raw[0] + raw[1] * raw[1] + raw[2] * raw[2];
  const float lo = FE_G - FE_STILL_ACC, hi = FE_G + FE_STILL_ACC;
  const float gx = raw[3] - s->bias[0], gy = raw[4] - s->bias[1], gz = raw[5] - s->bias[2];
  const int still = a2 > lo * lo && a2 < hi * hi && gx * gx + gy * gy + gz * gz < FE_STILL_GYRO * FE_STILL_GYRO;
  if (!still) {
    s->still = 0;
    return;
  }
  if (s->still < FE_STILL_SAMPLES) {
    s->still++;
    return;
  }
  if (s->still == FE_STILL_SAMPLES) { /* a still stretch begins: its sum starts from the prior */
    for (int i = 0; i < 3; ++i) {
      s->prior[i] = s->bias[i];
      s->sum[i] = 0.0f;
    }
  }
  s->still++;
  const float n = (float)(s->still - FE_STILL_SAMPLES);
  for (int i = 0; i < 3; ++i) {
    s->sum[i] += raw[3 + i];
    s->bias[i] = (s->prior[i] * FE_BIAS_PRIOR + s->sum[i]) / (FE_BIAS_PRIOR + n);
  }
}

static void rotate(const float *R, const float *v, float *out) {
  for (int r = 0; r < 3; ++r) out[r] = R[3 * r] * v[0] + R[3 * r + 1] * v[1] + R[3 * r + 2] * v[2];
}

/* atan(t) for |t| <= tan(pi/8) by its Taylor series to t^17: the truncation error is below 2e-8. */
static float atan_small(float t) {
  const float t2 = t * t;
  float p = 1.0f / 17.0f;
  p = p * t2 - 1.0f / 15.0f;
  p = p * t2 + 1.0f / 13.0f;
  p = p * t2 - 1.0f / 11.0f;
  p = p * t2 + 1.0f / 9.0f;
  p = p * t2 - 1.0f / 7.0f;
  p = p * t2 + 1.0f / 5.0f;
  p = p * t2 - 1.0f / 3.0f;
  p = p * t2 + 1.0f;
  return p * t;
}

float fe_atan2_deg(float y, float x) {
  const float ax = x < 0.0f ? -x : x, ay = y < 0.0f ? -y : y;
  if (ax == 0.0f && ay == 0.0f) return 0.0f;
  /* First octant: r = min/max in [0, 1]; above tan(pi/8) use atan(r) = pi/4 + atan((r-1)/(r+1)). */
  const int swap = ay > ax;
  const float r = swap ? ax / ay : ay / ax;
  float a = r > 0.41421356f ? 45.0f + atan_small((r - 1.0f) / (r + 1.0f)) * FE_RAD_TO_DEG
                            : atan_small(r) * FE_RAD_TO_DEG;
  if (swap) a = 90.0f - a;
  if (x < 0.0f) a = FE_PI_DEG - a;
  return y < 0.0f ? -a : a;
}

void fe_imu_push(fe_imu *s, const fe_calibration *c, const float *raw, float *features) {
  learn_bias(s, raw);
  const float gyro[3] = {raw[3] - s->bias[0], raw[4] - s->bias[1], raw[5] - s->bias[2]};
  float *acc = features, *gyr = features + 3;
  rotate(c->rotation, raw, acc);
  rotate(c->rotation, gyro, gyr);
  float up[3]; /* (0, 1, 0) in the standing pose */
  fe_inclination_update(&s->inclination, gyr, acc, up);
  features[6] = fe_atan2_deg(up[0], up[1]);
  features[7] = fe_atan2_deg(-up[2], sqrtf(up[0] * up[0] + up[1] * up[1]));
}
