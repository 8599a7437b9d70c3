#include "protocol.h"

#include <string.h>

#include "crc32.h"

int proto_parse(const uint8_t *body, size_t length, proto_frame *frame) {
  if (length < PROTO_OVERHEAD) return ERR_BAD_FRAME;
  if (crc32_update(0, body, length - 4) != get_u32(body + length - 4)) return ERR_BAD_FRAME;
  frame->type = body[1];
  frame->sequence = get_u16(body + 2);
  frame->payload = body + 4;
  frame->length = length - PROTO_OVERHEAD;
  if (body[0] != PROTO_VERSION) return ERR_BAD_VERSION;
  return 0;
}

size_t proto_encode(uint8_t type, uint16_t sequence, const uint8_t *payload, size_t length, uint8_t *wire) {
  static uint8_t body[PROTO_MAX_BODY];
  if (length > PROTO_MAX_PAYLOAD) length = PROTO_MAX_PAYLOAD; /* callers size payloads; never overrun */
  body[0] = PROTO_VERSION;
  body[1] = type;
  put_u16(body + 2, sequence);
  if (length) memcpy(body + 4, payload, length);
  put_u32(body + 4 + length, crc32_update(0, body, 4 + length));
  const size_t n = cobs_encode(body, length + PROTO_OVERHEAD, wire);
  wire[n] = 0;
  return n + 1;
}

long proto_reader_push(proto_reader *r, uint8_t byte) {
  if (byte != 0) {
    if (r->used < sizeof r->buffer) r->buffer[r->used++] = byte;
    else r->overflow = 1;
    return 0;
  }
  const size_t used = r->used;
  const int overflow = r->overflow;
  r->used = 0;
  r->overflow = 0;
  if (used == 0) return 0; /* back-to-back delimiters: nothing to answer */
  if (overflow) return -1;
  const long n = cobs_decode(r->buffer, used, r->buffer);
  return n <= 0 ? -1 : n;
}
