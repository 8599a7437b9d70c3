/* BENCH n: n estimates on a fixed input, timed per stage with the board's counter:
   normalise (KINEDGE_HOP new samples and the window copy, as each live estimate does),
   backbone (the int8 engine), head (float). Answer: "key=value" lines with totals over n in the
   board's unit ("instructions" on QEMU, "cycles" on real boards, plus microseconds there).
   Uses the replay stream's buffer, so it resets REPLAY. */
#include "board.h"
#include "device_state.h"
#include "engine.h"
#include "text.h"

#define MAX_RUNS 1000

/* A fixed, varied sample: every channel different, nothing random. */
static void fixed_sample(uint32_t i, float *sample) {
  for (int c = 0; c < KINEDGE_N_CHANNELS; ++c) sample[c] = (float)((int)((i * 7u + (uint32_t)c * 13u) % 41u) - 20) * 0.25f;
}

void bench_run(const proto_frame *r) {
  if (r->length != 2 || get_u16(r->payload) == 0 || get_u16(r->payload) > MAX_RUNS) {
    device_reply_error(r, ERR_BAD_ARGUMENT);
    return;
  }
  const uint32_t runs = get_u16(r->payload);
  float sample[KINEDGE_N_CHANNELS], angles[KINEDGE_N_OUTPUTS];
  estimator_reset(&dev.replay);
  for (uint32_t i = 0; i < KINEDGE_WINDOW; ++i) {
    fixed_sample(i, sample);
    estimator_push(&dev.replay, sample);
  }
  uint64_t stage[3] = {0, 0, 0}, micros[3] = {0, 0, 0};
  board_bench_begin();
  for (uint32_t run = 0; run < runs; ++run) {
    board_bench_sync();
    const uint64_t c0 = board_bench_counter();
    const uint32_t t0 = board_micros();
    for (uint32_t h = 0; h < KINEDGE_HOP; ++h) {
      fixed_sample(run * KINEDGE_HOP + h, sample);
      estimator_push(&dev.replay, sample);
    }
    estimator_window(&dev.replay, engine_input());
    const uint64_t c1 = board_bench_counter();
    const uint32_t t1 = board_micros();
    engine_invoke();
    const uint64_t c2 = board_bench_counter();
    const uint32_t t2 = board_micros();
    head_apply(&dev.head, engine_output(), angles);
    const uint64_t c3 = board_bench_counter();
    const uint32_t t3 = board_micros();
    stage[0] += c1 - c0, stage[1] += c2 - c1, stage[2] += c3 - c2;
    micros[0] += t1 - t0, micros[1] += t2 - t1, micros[2] += t3 - t2;
  }
  board_bench_end();
  estimator_reset(&dev.replay);
  text t = {(char *)dev.reply + 1, (const char *)dev.reply + sizeof dev.reply};
  text_line_u64(&t, "runs", runs);
  text_line(&t, "unit", board_bench_unit());
  text_line_u64(&t, "normalise", board_bench_units(stage[0]));
  text_line_u64(&t, "backbone", board_bench_units(stage[1]));
  text_line_u64(&t, "head", board_bench_units(stage[2]));
  if (board_micros_are_real()) {
    text_line_u64(&t, "normalise_us", micros[0]);
    text_line_u64(&t, "backbone_us", micros[1]);
    text_line_u64(&t, "head_us", micros[2]);
  }
  device_reply_ok(r, (size_t)(t.at - (char *)dev.reply) - 1);
}
