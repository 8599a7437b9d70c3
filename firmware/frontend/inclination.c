#include "inclination.h"

#include <math.h>

#define SQRT2 1.4142135623730951

static void quat_multiply(const float *p, const float *q, float *out) {
  const float w = p[0] * q[0] - p[1] * q[1] - p[2] * q[2] - p[3] * q[3];
  const float x = p[0] * q[1] + p[1] * q[0] + p[2] * q[3] - p[3] * q[2];
  const float y = p[0] * q[2] - p[1] * q[3] + p[2] * q[0] + p[3] * q[1];
  const float z = p[0] * q[3] + p[1] * q[2] - p[2] * q[1] + p[3] * q[0];
  out[0] = w;
  out[1] = x;
  out[2] = y;
  out[3] = z;
}

static void quat_normalise(float *q) {
  const float n = sqrtf(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  for (int i = 0; i < 4; ++i) q[i] /= n;
}

/* v turned by q: v + 2w (u x v) + 2 u x (u x v), u = q's vector part. */
static void quat_rotate(const float *q, const float *v, float *out) {
  const float tx = 2.0f * (q[2] * v[2] - q[3] * v[1]);
  const float ty = 2.0f * (q[3] * v[0] - q[1] * v[2]);
  const float tz = 2.0f * (q[1] * v[1] - q[2] * v[0]);
  out[0] = v[0] + q[0] * tx + (q[2] * tz - q[3] * ty);
  out[1] = v[1] + q[0] * ty + (q[3] * tx - q[1] * tz);
  out[2] = v[2] + q[0] * tz + (q[1] * ty - q[2] * tx);
}

/* tan(x) for 0 <= x <= 0.1 by its series to x^7 (relative error below 1e-10). */
static double tan_small(double x) {
  const double x2 = x * x;
  return x * (1.0 + x2 * (1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (17.0 / 315.0))));
}

void fe_inclination_reset(fe_inclination *s, float sample_rate_hz) {
  for (int i = 0; i < 4; ++i) s->q_gyr[i] = s->q_acc[i] = (i == 0) ? 1.0f : 0.0f; /* identity */
  s->dt = 1.0f / sample_rate_hz;
  /* Second-order Butterworth low-pass by the bilinear transform, cut-off sqrt(2) / (2 pi tau) as
     VQF chooses it, so tan(pi fc T) = tan(T / (sqrt(2) tau)). */
  const double k = tan_small((double)s->dt / (SQRT2 * FE_INCLINATION_TAU_S));
  const double norm = 1.0 / (1.0 + SQRT2 * k + k * k);
  s->b[0] = k * k * norm;
  s->b[1] = 2.0 * s->b[0];
  s->b[2] = s->b[0];
  s->a[0] = 2.0 * (k * k - 1.0) * norm;
  s->a[1] = (1.0 - SQRT2 * k + k * k) * norm;
  for (int i = 0; i < 3; ++i) s->state[i][0] = s->state[i][1] = s->sum[i] = 0.0;
  s->count = 0;
  /* The first tau seconds are averaged (one sample would set the start) and start the filter. */
  s->start_samples = (uint32_t)(FE_INCLINATION_TAU_S * (double)sample_rate_hz + 0.5);
}

/* q_gyr turned by the rotation rate gyr over one sample: exp(gyr dt / 2), as Taylor series in the
   turned angle a = |gyr| dt up to a^6 (below 3e-11 for a < 0.35 rad, i.e. 2000 deg/s at 100 Hz). */
static void integrate_gyro(fe_inclination *s, const float *gyr) {
  const float a2 = (gyr[0] * gyr[0] + gyr[1] * gyr[1] + gyr[2] * gyr[2]) * s->dt * s->dt;
  const float c = 1.0f - a2 * (1.0f / 8.0f - a2 * (1.0f / 384.0f - a2 * (1.0f / 46080.0f)));
  const float h = 0.5f * s->dt * (1.0f - a2 * (1.0f / 24.0f - a2 * (1.0f / 1920.0f - a2 * (1.0f / 322560.0f))));
  const float step[4] = {c, h * gyr[0], h * gyr[1], h * gyr[2]};
  float q[4];
  quat_multiply(s->q_gyr, step, q);
  quat_normalise(q);
  for (int i = 0; i < 4; ++i) s->q_gyr[i] = q[i];
}

/* The strapdown-frame acceleration through the low-pass (the running mean during start-up). */
static void low_pass(fe_inclination *s, const float *x, float *out) {
  if (s->count < s->start_samples) {
    s->count++;
    for (int i = 0; i < 3; ++i) {
      s->sum[i] += (double)x[i];
      out[i] = (float)(s->sum[i] / (double)s->count);
    }
    if (s->count == s->start_samples)
      for (int i = 0; i < 3; ++i) { /* the filter's steady state for a constant input out[i] */
        s->state[i][0] = (1.0 - s->b[0]) * (double)out[i];
        s->state[i][1] = (s->b[2] - s->a[1]) * (double)out[i];
      }
    return;
  }
  for (int i = 0; i < 3; ++i) {
    const double xi = (double)x[i];
    const double y = s->b[0] * xi + s->state[i][0];
    s->state[i][0] = s->b[1] * xi - s->a[0] * y + s->state[i][1];
    s->state[i][1] = s->b[2] * xi - s->a[1] * y;
    out[i] = (float)y;
  }
}

/* q_acc corrected so that the filtered acceleration v (strapdown frame) points straight up. */
static void correct_inclination(fe_inclination *s, const float *v) {
  float e[3];
  quat_rotate(s->q_acc, v, e);
  const float n = sqrtf(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
  if (!(n > 0.0f)) return;
  for (int i = 0; i < 3; ++i) e[i] /= n;
  /* The shortest rotation taking e onto (0, 0, 1): about (e_y, -e_x, 0) by acos(e_z). */
  const float w = sqrtf(0.5f * (e[2] + 1.0f));
  float turn[4] = {0.0f, 1.0f, 0.0f, 0.0f}; /* e straight down: half a turn about x */
  if (w > 1e-6f) {
    turn[0] = w;
    turn[1] = 0.5f * e[1] / w;
    turn[2] = -0.5f * e[0] / w;
  }
  float q[4];
  quat_multiply(turn, s->q_acc, q);
  quat_normalise(q);
  for (int i = 0; i < 4; ++i) s->q_acc[i] = q[i];
}

void fe_inclination_update(fe_inclination *s, const float *gyr, const float *acc, float *up) {
  integrate_gyro(s, gyr);
  float strapdown[3], filtered[3];
  quat_rotate(s->q_gyr, acc, strapdown);
  low_pass(s, strapdown, filtered);
  correct_inclination(s, filtered);
  float q[4];
  quat_multiply(s->q_acc, s->q_gyr, q);
  /* The vertical in the sensor frame: the third row of q's rotation matrix. */
  up[0] = 2.0f * (q[1] * q[3] - q[0] * q[2]);
  up[1] = 2.0f * (q[2] * q[3] + q[0] * q[1]);
  up[2] = 1.0f - 2.0f * (q[1] * q[1] + q[2] * q[2]);
}
