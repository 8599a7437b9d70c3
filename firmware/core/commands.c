/* Request handlers: every well-formed request gets exactly one OK or ERROR answer. */
#include <string.h>

#include "device_state.h"
#include "engine.h"

static void ping(const proto_frame *r) {
  memcpy(dev.reply + 1, "kinedge", 7);
  dev.reply[8] = PROTO_VERSION;
  device_reply_ok(r, 8);
}

static void stream_raw(const proto_frame *r) {
  if (r->length != 1 || r->payload[0] > 1) {
    device_reply_error(r, ERR_BAD_ARGUMENT);
    return;
  }
  dev.stream_raw = r->payload[0];
  device_reply_ok(r, 0);
}

/* flags: bit 0 angles on, bit 1 raw samples too. */
static void estimate(const proto_frame *r) {
  if (r->length != 1 || r->payload[0] > 3) {
    device_reply_error(r, ERR_BAD_ARGUMENT);
    return;
  }
  dev.stream_angles = r->payload[0] & 1;
  dev.stream_raw = (r->payload[0] >> 1) & 1;
  dev.estimate_due = 0;
  device_reply_ok(r, 0);
}

static void replay_reset(const proto_frame *r) {
  if (r->length != 0) {
    device_reply_error(r, ERR_BAD_LENGTH);
    return;
  }
  estimator_reset(&dev.replay, &dev.calibration);
  device_reply_ok(r, 0);
}

/* payload: flags u8 (bit 0: add the int8 embedding), count u8, count samples of N float32.
   answer: estimates u8, then per estimate: sample index u32, K float32 angles [, E int8]. */
void replay_run(const proto_frame *r) {
  if (r->length < 2 || r->payload[0] > 1) {
    device_reply_error(r, ERR_BAD_ARGUMENT);
    return;
  }
  const int with_embedding = r->payload[0] & 1;
  const uint32_t count = r->payload[1];
  const size_t sample_bytes = 4 * KINEDGE_N_CHANNELS;
  const size_t per_estimate = 4 + 4 * KINEDGE_N_OUTPUTS + (with_embedding ? KINEDGE_EMBEDDING_SIZE : 0);
  /* The most estimates `count` samples can make is one per hop, plus one for a window completing. */
  const size_t most = count / KINEDGE_HOP + 1;
  if (r->length != 2 + count * sample_bytes || 2 + most * per_estimate > sizeof dev.reply) {
    device_reply_error(r, ERR_BAD_LENGTH);
    return;
  }
  uint8_t *out = dev.reply + 2;
  uint8_t made = 0;
  for (uint32_t i = 0; i < count; ++i) {
    float sample[KINEDGE_N_CHANNELS];
    memcpy(sample, r->payload + 2 + i * sample_bytes, sample_bytes);
    if (!estimator_push(&dev.replay, &dev.calibration, sample)) continue;
    estimator_window(&dev.replay, engine_input());
    float angles[KINEDGE_N_OUTPUTS];
    device_estimate(dev.replay.physics, angles);
    put_u32(out, dev.replay.count - 1);
    memcpy(out + 4, angles, sizeof angles);
    out += 4 + sizeof angles;
    if (with_embedding) {
      memcpy(out, engine_output(), KINEDGE_EMBEDDING_SIZE);
      out += KINEDGE_EMBEDDING_SIZE;
    }
    made++;
  }
  dev.reply[1] = made;
  device_reply_ok(r, (size_t)(out - dev.reply) - 1);
}

void commands_dispatch(const proto_frame *r) {
  switch (r->type) {
    case PROTO_PING: ping(r); break;
    case PROTO_INFO: info_reply(r); break;
    case PROTO_STREAM_RAW: stream_raw(r); break;
    case PROTO_ESTIMATE: estimate(r); break;
    case PROTO_REPLAY: replay_run(r); break;
    case PROTO_REPLAY_RESET: replay_reset(r); break;
    case PROTO_HEAD_BEGIN: head_upload_begin(r); break;
    case PROTO_HEAD_CHUNK: head_upload_chunk(r); break;
    case PROTO_HEAD_COMMIT: head_upload_commit(r); break;
    case PROTO_HEAD_RESET: head_upload_reset(r); break;
    case PROTO_CALIB_RESET: calibration_reset(r); break;
    case PROTO_BENCH: bench_run(r); break;
    default: {
    device_reply_error(r, ERR_UNKNOWN_COMMAND);
    return;
  }
  }
}
