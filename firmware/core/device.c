#include "device.h"

#include <string.h>

#include "board.h"
#include "device_state.h"
#include "engine.h"
#include "calibration.h"
#include "head_store.h"

device_state dev;

void device_init(void) {
  memset(&dev, 0, sizeof dev);
  engine_init();
  head_store_load(&dev.head, dev.upload.staging);
  calib_store_load(&dev.calibration, dev.upload.staging);
  estimator_reset(&dev.live, &dev.calibration);
  estimator_reset(&dev.replay, &dev.calibration);
}

void device_calibration_changed(void) {
  estimator_reset(&dev.live, &dev.calibration);
  estimator_reset(&dev.replay, &dev.calibration);
}

void device_send(uint8_t type, uint16_t sequence, const uint8_t *payload, size_t length) {
  board_write(dev.wire, proto_encode(type, sequence, payload, length, dev.wire));
}

void device_reply_ok(const proto_frame *request, size_t length) {
  dev.reply[0] = request->type;
  device_send(PROTO_OK, request->sequence, dev.reply, length + 1);
  dev.answered++;
}

void device_reply_error(const proto_frame *request, uint8_t code) {
  const uint8_t payload[2] = {request->type, code};
  device_send(PROTO_ERROR, request->sequence, payload, sizeof payload);
  dev.answered++;
}

void device_estimate(const float *physics, float *angles) {
  engine_invoke();
  head_apply(&dev.head, engine_output(), physics, angles);
}

void device_protocol_byte(uint8_t byte) {
  const long n = proto_reader_push(&dev.reader, byte);
  if (n == 0) return;
  if (n < 0) {
    dev.discarded++;
    return;
  }
  proto_frame request;
  const int status = proto_parse(dev.reader.buffer, (size_t)n, &request);
  if (status == ERR_BAD_FRAME) {
    /* Its type and sequence number cannot be trusted: dropped, the host times out and retries. */
    dev.discarded++;
  } else if (status) {
    device_reply_error(&request, (uint8_t)status);
  } else {
    commands_dispatch(&request);
  }
}

static void send_raw(const float *sample, uint32_t sequence, uint32_t time) {
  uint8_t payload[8 + 4 * KINEDGE_N_CHANNELS];
  put_u32(payload, sequence);
  put_u32(payload + 4, time);
  memcpy(payload + 8, sample, 4 * KINEDGE_N_CHANNELS);
  device_send(PROTO_RAW_SAMPLE, dev.stream_sequence++, payload, sizeof payload);
}

int device_imu_sample(const float *sample, uint32_t lost_before) {
  const uint32_t time = board_micros();
  dev.link_drops += lost_before;
  const uint32_t sequence = dev.samples;
  const int due = estimator_push(&dev.live, &dev.calibration, sample);
  dev.samples++;
  if (dev.stream_raw) send_raw(sample, sequence, time);
  if (due && dev.stream_angles) {
    if (dev.estimate_due) dev.late_estimates++; /* the previous one was not run in time */
    dev.estimate_due = 1;
    dev.due_time = time;
  }
  return dev.estimate_due;
}

int device_poll(void) {
  if (!dev.estimate_due) return 0;
  dev.estimate_due = 0;
  estimator_window(&dev.live, engine_input());
  uint8_t payload[8 + 4 * KINEDGE_N_OUTPUTS];
  float angles[KINEDGE_N_OUTPUTS];
  device_estimate(dev.live.physics, angles);
  put_u32(payload, dev.samples - 1); /* sequence number of the window's last sample (since boot) */
  put_u32(payload + 4, dev.due_time);
  memcpy(payload + 8, angles, sizeof angles);
  device_send(PROTO_ANGLES, dev.stream_sequence++, payload, sizeof payload);
  return dev.estimate_due;
}

uint32_t device_frames_answered(void) { return dev.answered; }
uint32_t device_frames_discarded(void) { return dev.discarded; }
