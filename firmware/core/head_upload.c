/* HEAD_BEGIN / HEAD_CHUNK / HEAD_COMMIT: a new blob — a head (magic KEHD) or a person calibration
   (KECA) — arrives in a RAM staging buffer, in order, and is checked whole (CRC announced at BEGIN,
   then the blob's own checks) before its store writes it to the inactive slot. Any failure leaves
   the active head and calibration as they were. HEAD_RESET / CALIB_RESET return to the compiled-in
   head / the nominal calibration. */
#include <string.h>

#include "crc32.h"
#include "device_state.h"
#include "calibration.h"
#include "head_store.h"

static void fail(const proto_frame *r, uint8_t code) {
  dev.upload.started = 0;
  device_reply_error(r, code);
}

/* payload: total length u32, CRC-32 of the whole blob u32. */
void head_upload_begin(const proto_frame *r) {
  if (r->length != 8) {
    fail(r, ERR_BAD_LENGTH);
    return;
  }
  const uint32_t total = get_u32(r->payload);
  if (total > sizeof dev.upload.staging) {
    fail(r, ERR_HEAD_TOO_LARGE);
    return;
  }
  dev.upload.expected = total;
  dev.upload.crc = get_u32(r->payload + 4);
  dev.upload.received = 0;
  dev.upload.started = 1;
  device_reply_ok(r, 0);
}

/* payload: offset u32, bytes. Chunks must come in order (offset = bytes received so far). */
void head_upload_chunk(const proto_frame *r) {
  if (!dev.upload.started) {
    device_reply_error(r, ERR_HEAD_NOT_STARTED);
    return;
  }
  if (r->length < 4) {
    fail(r, ERR_BAD_LENGTH);
    return;
  }
  const uint32_t offset = get_u32(r->payload), n = (uint32_t)r->length - 4;
  if (offset != dev.upload.received) {
    fail(r, ERR_HEAD_OUT_OF_ORDER);
    return;
  }
  if (n > dev.upload.expected - dev.upload.received) {
    fail(r, ERR_HEAD_TOO_LARGE);
    return;
  }
  memcpy(dev.upload.staging + offset, r->payload + 4, n);
  dev.upload.received += n;
  device_reply_ok(r, 0);
}

void head_upload_commit(const proto_frame *r) {
  if (!dev.upload.started) {
    device_reply_error(r, ERR_HEAD_NOT_STARTED);
    return;
  }
  dev.upload.started = 0;
  if (dev.upload.received != dev.upload.expected) {
    device_reply_error(r, ERR_HEAD_TRUNCATED);
    return;
  }
  if (crc32_update(0, dev.upload.staging, dev.upload.received) != dev.upload.crc) {
    device_reply_error(r, ERR_HEAD_CRC);
    return;
  }
  if (dev.upload.received >= 4 && memcmp(dev.upload.staging, "KECA", 4) == 0) {
    const int status = calib_parse(dev.upload.staging, dev.upload.received, &dev.scratch_calibration);
    const int stored = status ? status : calib_store_commit(dev.upload.staging, dev.upload.received, &dev.calibration);
    if (stored) {
      device_reply_error(r, (uint8_t)stored);
      return;
    }
    device_calibration_changed();
    put_u32(dev.reply + 1, dev.calibration.id);
    put_u32(dev.reply + 5, dev.calibration.crc);
    device_reply_ok(r, 8);
    return;
  }
  const int status = head_parse(dev.upload.staging, dev.upload.received, &dev.scratch_head);
  const int stored = status ? status : head_store_commit(dev.upload.staging, dev.upload.received, &dev.head);
  if (stored) {
    device_reply_error(r, (uint8_t)stored);
    return;
  }
  put_u32(dev.reply + 1, dev.head.id);
  put_u32(dev.reply + 5, dev.head.crc);
  device_reply_ok(r, 8);
}

void calibration_reset(const proto_frame *r) {
  dev.upload.started = 0;
  const int status = calib_store_reset(&dev.calibration);
  if (status) {
    device_reply_error(r, (uint8_t)status);
    return;
  }
  device_calibration_changed();
  device_reply_ok(r, 0);
}

void head_upload_reset(const proto_frame *r) {
  dev.upload.started = 0;
  const int status = head_store_reset(&dev.head);
  if (status) {
    device_reply_error(r, (uint8_t)status);
    return;
  }
  device_reply_ok(r, 0);
}
