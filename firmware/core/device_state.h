/* State shared by the device's parts (device.c, commands.c, head_upload.c, bench.c, info.c). */
#ifndef KINEDGE_DEVICE_STATE_H
#define KINEDGE_DEVICE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "calibration.h"
#include "estimator.h"
#include "head.h"
#include "protocol.h"

#define UPLOAD_BYTES (HEAD_BLOB_BYTES > CALIB_BLOB_BYTES ? HEAD_BLOB_BYTES : CALIB_BLOB_BYTES)

/* A blob on its way in: a head (magic KEHD) or a calibration (KECA). */
typedef struct {
  uint8_t staging[UPLOAD_BYTES];
  uint32_t expected, received, crc;
  int started;
} head_upload;

typedef struct {
  estimator live, replay;
  head_t head;
  head_t scratch_head; /* where an upload is checked before the store takes it */
  calib_t calibration;
  calib_t scratch_calibration;
  head_upload upload;
  proto_reader reader;
  uint8_t reply[PROTO_MAX_PAYLOAD];
  uint8_t wire[PROTO_MAX_WIRE];
  int stream_raw, stream_angles;
  int estimate_due;
  uint32_t due_time;
  uint16_t stream_sequence;
  /* samples counts every sample received since boot: it is the sequence number of the next one
     (a new calibration restarts the estimators, not this count). */
  uint32_t samples, link_drops, late_estimates, answered, discarded;
} device_state;

extern device_state dev;

void device_send(uint8_t type, uint16_t sequence, const uint8_t *payload, size_t length);
/* OK answers carry the request type first, then `length` bytes already placed at dev.reply + 1. */
void device_reply_ok(const proto_frame *request, size_t length);
void device_reply_error(const proto_frame *request, uint8_t code);

/* Backbone + head on a window already in the engine's input, with the physics inputs of its
   newest sample: angles (and the int8 embedding stays in the engine's output). */
void device_estimate(const float *physics, float *angles);
/* A new calibration took effect: both streams restart their front-end from it. */
void device_calibration_changed(void);

void commands_dispatch(const proto_frame *request);
void head_upload_begin(const proto_frame *request);
void head_upload_chunk(const proto_frame *request);
void head_upload_commit(const proto_frame *request);
void head_upload_reset(const proto_frame *request);
void calibration_reset(const proto_frame *request);
void bench_run(const proto_frame *request);
void info_reply(const proto_frame *request);
void replay_run(const proto_frame *request);

#endif
