/* The device protocol, version 2 (firmware/PROTOCOL.md is the specification; host_tools/protocol.py
   is the host side). A frame body is
       version u8 | type u8 | sequence u16 | payload (0..PROTO_MAX_PAYLOAD) | CRC-32 u32 of all before
   little-endian, COBS-encoded and ended by one 0x00 byte on the wire. */
#ifndef KINEDGE_PROTOCOL_H
#define KINEDGE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "cobs.h"

#define PROTO_VERSION 2
#define PROTO_MAX_PAYLOAD 1200
#define PROTO_OVERHEAD 8 /* version, type, sequence, CRC */
#define PROTO_MAX_BODY (PROTO_MAX_PAYLOAD + PROTO_OVERHEAD)
#define PROTO_MAX_WIRE (COBS_MAX_ENCODED(PROTO_MAX_BODY) + 1)

/* Requests (host -> device). */
enum {
  PROTO_PING = 0x01,
  PROTO_INFO = 0x02,
  PROTO_STREAM_RAW = 0x10,
  PROTO_ESTIMATE = 0x11,
  PROTO_REPLAY = 0x12,
  PROTO_REPLAY_RESET = 0x13,
  PROTO_HEAD_BEGIN = 0x20,
  PROTO_HEAD_CHUNK = 0x21,
  PROTO_HEAD_COMMIT = 0x22,
  PROTO_HEAD_RESET = 0x23,
  PROTO_CALIB_RESET = 0x24,
  PROTO_BENCH = 0x30,
};

/* Device -> host: answers carry the request's sequence number; streams count their own. */
enum {
  PROTO_OK = 0x80,
  PROTO_ERROR = 0x81,
  PROTO_RAW_SAMPLE = 0x90,
  PROTO_ANGLES = 0x91,
};

/* Error codes (payload of PROTO_ERROR: request type u8, code u8). */
enum {
  ERR_BAD_FRAME = 1,        /* CRC or COBS wrong: the sequence number cannot be trusted */
  ERR_BAD_VERSION = 2,
  ERR_UNKNOWN_COMMAND = 3,
  ERR_BAD_LENGTH = 4,
  ERR_BAD_ARGUMENT = 5,
  ERR_HEAD_NOT_STARTED = 16,
  ERR_HEAD_TOO_LARGE = 17,
  ERR_HEAD_OUT_OF_ORDER = 18,
  ERR_HEAD_TRUNCATED = 19,
  ERR_HEAD_CRC = 20,
  ERR_HEAD_BAD_BLOB = 21,
  ERR_HEAD_MODEL_MISMATCH = 22,
  ERR_HEAD_SHAPE_MISMATCH = 23,
  ERR_STORAGE = 24,
};

typedef struct {
  uint8_t type;
  uint16_t sequence;
  const uint8_t *payload;
  size_t length;
} proto_frame;

/* A decoded body -> frame fields; 0 or an ERR_ code (the frame is then answered or dropped). */
int proto_parse(const uint8_t *body, size_t length, proto_frame *frame);

/* Body + COBS + delimiter into wire (PROTO_MAX_WIRE bytes); returns the wire length. */
size_t proto_encode(uint8_t type, uint16_t sequence, const uint8_t *payload, size_t length, uint8_t *wire);

/* Byte-at-a-time receiver: collects up to a delimiter, decodes. Oversized input is dropped up to
   the next delimiter (counted as a discard). */
typedef struct {
  uint8_t buffer[PROTO_MAX_WIRE];
  size_t used;
  int overflow;
} proto_reader;

/* Feeds one byte; returns the decoded body length when a frame ends (body in r->buffer), 0 while
   collecting, -1 for a frame that had to be discarded (too long or not valid COBS). */
long proto_reader_push(proto_reader *r, uint8_t byte);

static inline void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static inline void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif
