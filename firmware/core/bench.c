/* BENCH n: n estimates on a fixed input, timed per stage with the board's counter:
   frontend (KINEDGE_HOP new samples through calibration, inclination filter and features, as each live
   estimate needs), normalise (those samples' features into the int8 ring and the window copy),
   backbone (the int8 engine), head (float). Answer: "key=value" lines with totals over n in the
   board's unit ("instructions" on QEMU, "cycles" on real boards, plus microseconds there).
   Uses the replay stream's buffers, so it resets REPLAY. */
#include "board.h"
#include "device_state.h"
#include "engine.h"
#include "normalize.h"
#include "text.h"

#define MAX_RUNS 1000
#define STAGES 4

/* A fixed, varied sample: every channel different, nothing random; about 1 g on each
   accelerometer so the front-end sees plausible motion. */
static void fixed_sample(uint32_t i, float *sample) {
  for (int c = 0; c < KINEDGE_N_CHANNELS; ++c) {
    const float v = (float)((int)((i * 7u + (uint32_t)c * 13u) % 41u) - 20) * 0.05f;
    sample[c] = c % 6 == 1 ? 9.81f + v : v;
  }
}

void bench_run(const proto_frame *r) {
  if (r->length != 2 || get_u16(r->payload) == 0 || get_u16(r->payload) > MAX_RUNS) {
    device_reply_error(r, ERR_BAD_ARGUMENT);
    return;
  }
  const uint32_t runs = get_u16(r->payload);
  float sample[KINEDGE_N_CHANNELS], angles[KINEDGE_N_OUTPUTS];
  estimator *e = &dev.replay;
  estimator_reset(e, &dev.calibration);
  for (uint32_t i = 0; i < KINEDGE_WINDOW; ++i) {
    fixed_sample(i, sample);
    estimator_push(e, &dev.calibration, sample);
  }
  uint64_t stage[STAGES] = {0}, micros[STAGES] = {0};
  static const char *const names[STAGES] = {"frontend", "normalise", "backbone", "head"};
  static const char *const names_us[STAGES] = {"frontend_us", "normalise_us", "backbone_us", "head_us"};
  board_bench_begin();
  for (uint32_t run = 0; run < runs; ++run) {
    board_bench_sync();
    uint64_t c[STAGES + 1];
    uint32_t t[STAGES + 1];
    c[0] = board_bench_counter(), t[0] = board_micros();
    float hop[KINEDGE_HOP][KINEDGE_N_FEATURES];
    for (uint32_t h = 0; h < KINEDGE_HOP; ++h) {
      fixed_sample(run * KINEDGE_HOP + h, sample);
      for (int i = 0; i < KINEDGE_N_SEGMENTS; ++i)
        fe_imu_push(&e->imu[i], &dev.calibration.imu[i], sample + FE_RAW_PER_IMU * i, hop[h] + FE_FEATURES_PER_IMU * i);
    }
    c[1] = board_bench_counter(), t[1] = board_micros();
    for (uint32_t h = 0; h < KINEDGE_HOP; ++h) {
      normalize_features(hop[h], e->ring[e->count % ESTIMATOR_RING]);
      physics_inputs(hop[h], e->physics);
      e->count++;
    }
    estimator_window(e, engine_input());
    c[2] = board_bench_counter(), t[2] = board_micros();
    engine_invoke();
    c[3] = board_bench_counter(), t[3] = board_micros();
    head_apply(&dev.head, engine_output(), e->physics, angles);
    c[4] = board_bench_counter(), t[4] = board_micros();
    for (int s = 0; s < STAGES; ++s) stage[s] += c[s + 1] - c[s], micros[s] += t[s + 1] - t[s];
  }
  board_bench_end();
  estimator_reset(e, &dev.calibration);
  text t = {(char *)dev.reply + 1, (const char *)dev.reply + sizeof dev.reply};
  text_line_u64(&t, "runs", runs);
  text_line(&t, "unit", board_bench_unit());
  for (int s = 0; s < STAGES; ++s) text_line_u64(&t, names[s], board_bench_units(stage[s]));
  if (board_micros_are_real())
    for (int s = 0; s < STAGES; ++s) text_line_u64(&t, names_us[s], micros[s]);
  device_reply_ok(r, (size_t)(t.at - (char *)dev.reply) - 1);
}
