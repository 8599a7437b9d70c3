/* Host tests of the portable core (native board, sanitizers on): CRC-32, COBS, the shared
   protocol vectors, the estimate schedule, and the head store under torn writes. Prints the first
   failure and exits 1. Run by tests/test_firmware_core.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_native.h"
#include "cobs.h"
#include "crc32.h"
#include "device_state.h"
#include "estimator.h"
#include "head.h"
#include "calibration.h"
#include "head_store.h"
#include "protocol.h"

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
      exit(1);                                                       \
    }                                                                \
  } while (0)

static size_t from_hex(const char *hex, uint8_t *out) {
  size_t n = 0;
  if (strcmp(hex, "-") == 0) return 0;
  for (; hex[0] && hex[1]; hex += 2) {
    unsigned v;
    sscanf(hex, "%2x", &v);
    out[n++] = (uint8_t)v;
  }
  return n;
}

static void test_crc_and_cobs(void) {
  CHECK(crc32_update(0, "123456789", 9) == 0xCBF43926u);
  CHECK(crc32_update(crc32_update(0, "1234", 4), "56789", 5) == 0xCBF43926u);
  static uint8_t data[2000], encoded[COBS_MAX_ENCODED(2000)], decoded[2000];
  unsigned seed = 1;
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = (size_t)(trial * 9 % 2000);
    for (size_t i = 0; i < n; ++i) data[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16) % (trial % 3 ? 256 : 3);
    const size_t m = cobs_encode(data, n, encoded);
    CHECK(m <= COBS_MAX_ENCODED(n) && memchr(encoded, 0, m) == NULL);
    CHECK(cobs_decode(encoded, m, decoded) == (long)n && memcmp(data, decoded, n) == 0);
  }
}

static void test_protocol_vectors(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  static char line[8192], payload_hex[4096], wire_hex[4096];
  static uint8_t payload[2048], wire[2048], encoded[PROTO_MAX_WIRE];
  int checked = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned type, sequence;
    if (line[0] == '#' || sscanf(line, "%x %u %4095s %4095s", &type, &sequence, payload_hex, wire_hex) != 4) continue;
    const size_t n = from_hex(payload_hex, payload), w = from_hex(wire_hex, wire);
    CHECK(proto_encode((uint8_t)type, (uint16_t)sequence, payload, n, encoded) == w);
    CHECK(memcmp(encoded, wire, w) == 0);
    proto_reader reader = {0};
    long body = 0;
    for (size_t i = 0; i < w; ++i) body = proto_reader_push(&reader, wire[i]);
    proto_frame frame;
    CHECK(body > 0 && proto_parse(reader.buffer, (size_t)body, &frame) == 0);
    CHECK(frame.type == type && frame.sequence == sequence && frame.length == n);
    CHECK(n == 0 || memcmp(frame.payload, payload, n) == 0);
    checked++;
  }
  fclose(f);
  CHECK(checked >= 5);
}

static void test_estimate_schedule(void) {
  static estimator e;
  calib_t nominal;
  calib_load_nominal(&nominal);
  estimator_reset(&e, &nominal);
  float sample[KINEDGE_N_CHANNELS] = {0};
  int due = 0;
  for (uint32_t i = 0; i < KINEDGE_WINDOW + 10 * KINEDGE_HOP; ++i) {
    sample[0] = (float)i * 0.01f;
    sample[1] = 9.81f;
    if (estimator_push(&e, &nominal, sample)) {
      CHECK(i + 1 >= KINEDGE_WINDOW && (i + 1 - KINEDGE_WINDOW) % KINEDGE_HOP == 0);
      due++;
    }
  }
  CHECK(due == 11);
}

/* The header every blob shares (converter/blob.py): magic, version, header size, this model's
   hash, two counts, an id; the bytes after it are zeroed. */
static void put_blob_header(uint8_t *blob, size_t size, const char *magic, uint16_t version, uint16_t header,
                            uint16_t count_a, uint16_t count_b, uint32_t id) {
  static const uint8_t hash[8] = KINEDGE_MODEL_HASH_BYTES;
  memset(blob, 0, size);
  memcpy(blob, magic, 4);
  put_u16(blob + 4, version);
  put_u16(blob + 6, header);
  memcpy(blob + 8, hash, 8);
  put_u16(blob + 16, count_a);
  put_u16(blob + 18, count_b);
  put_u32(blob + 20, id);
}

/* A head blob like converter/head_blob.py makes, for this model. */
static size_t make_blob(uint8_t *blob, uint32_t id, float bias0) {
  put_blob_header(blob, HEAD_BLOB_BYTES, "KEHD", HEAD_BLOB_VERSION, HEAD_BLOB_HEADER, KINEDGE_EMBEDDING_SIZE,
                  KINEDGE_N_OUTPUTS, id);
  put_u16(blob + 24, KINEDGE_N_PHYSICS);
  float values[HEAD_INPUTS * KINEDGE_N_OUTPUTS + KINEDGE_N_OUTPUTS];
  for (size_t i = 0; i < sizeof values / sizeof values[0]; ++i) values[i] = (float)i * 0.001f;
  values[HEAD_INPUTS * KINEDGE_N_OUTPUTS] = bias0;
  memcpy(blob + HEAD_BLOB_HEADER, values, sizeof values);
  put_u32(blob + HEAD_BLOB_BYTES - 4, crc32_update(0, blob, HEAD_BLOB_BYTES - 4));
  return HEAD_BLOB_BYTES;
}

static void test_head_store_survives_torn_writes(void) {
  static uint8_t blob[HEAD_BLOB_BYTES], scratch[HEAD_BLOB_BYTES];
  head_t active, loaded;
  native_storage_erase();
  head_store_load(&active, scratch);
  CHECK(active.source == HEAD_SOURCE_DEFAULT && active.id == 0);

  make_blob(blob, 11, 1.5f);
  CHECK(head_parse(blob, HEAD_BLOB_BYTES, &loaded) == 0);
  CHECK(head_store_commit(blob, HEAD_BLOB_BYTES, &active) == 0 && active.id == 11);
  head_store_load(&loaded, scratch);
  CHECK(loaded.id == 11 && loaded.bias[0] == 1.5f && loaded.generation == active.generation);

  /* A power cut at each write of the next commit: after "reboot" head 11 is still there. */
  make_blob(blob, 12, 2.5f);
  for (long cut = 0; cut < 3; ++cut) {
    head_t running = loaded;
    native_storage_fail_after(cut);
    CHECK(head_store_commit(blob, HEAD_BLOB_BYTES, &running) == ERR_STORAGE);
    native_storage_fail_after(-1);
    head_store_load(&running, scratch);
    CHECK(running.id == 11 && running.bias[0] == 1.5f);
  }
  /* Then a clean commit goes to the other slot, and the newer generation wins at load. */
  CHECK(head_store_commit(blob, HEAD_BLOB_BYTES, &loaded) == 0);
  head_store_load(&active, scratch);
  CHECK(active.id == 12 && active.source != HEAD_SOURCE_DEFAULT);

  /* Wrong model hash and wrong CRC are refused by the parser. */
  make_blob(blob, 13, 0.0f);
  blob[8] ^= 1;
  put_u32(blob + HEAD_BLOB_BYTES - 4, crc32_update(0, blob, HEAD_BLOB_BYTES - 4));
  CHECK(head_parse(blob, HEAD_BLOB_BYTES, &loaded) == ERR_HEAD_MODEL_MISMATCH);
  blob[8] ^= 1;
  CHECK(head_parse(blob, HEAD_BLOB_BYTES, &loaded) == ERR_HEAD_BAD_BLOB);

  CHECK(head_store_reset(&active) == 0 && active.source == HEAD_SOURCE_DEFAULT);
  head_store_load(&active, scratch);
  CHECK(active.source == HEAD_SOURCE_DEFAULT);
}

/* A calibration blob like converter/calibration_blob.py makes: rotation = identity, bias = b. */
static void make_calibration(uint8_t *blob, uint32_t id, float b) {
  put_blob_header(blob, CALIB_BLOB_BYTES, "KECA", CALIB_BLOB_VERSION, CALIB_BLOB_HEADER, KINEDGE_N_SEGMENTS,
                  FE_CALIBRATION_FLOATS, id);
  for (int i = 0; i < KINEDGE_N_SEGMENTS; ++i) {
    float v[FE_CALIBRATION_FLOATS] = {1, 0, 0, 0, 1, 0, 0, 0, 1, b, b, b};
    memcpy(blob + CALIB_BLOB_HEADER + sizeof v * (size_t)i, v, sizeof v);
  }
  put_u32(blob + CALIB_BLOB_BYTES - 4, crc32_update(0, blob, CALIB_BLOB_BYTES - 4));
}

/* Heads and calibrations share the storage: writing one never disturbs the other, and each
   survives a torn write of its own. */
static void test_calibration_store_beside_heads(void) {
  static uint8_t blob[CALIB_BLOB_BYTES], head_blob[HEAD_BLOB_BYTES], scratch[UPLOAD_BYTES];
  calib_t active, loaded;
  head_t head;
  native_storage_erase();
  calib_store_load(&active, scratch);
  CHECK(active.source == CALIB_SOURCE_NOMINAL && active.imu[0].rotation[0] == 1.0f);
  make_blob(head_blob, 21, 4.0f);
  head_store_load(&head, scratch);
  CHECK(head_store_commit(head_blob, HEAD_BLOB_BYTES, &head) == 0);
  make_calibration(blob, 31, 0.01f);
  CHECK(calib_parse(blob, CALIB_BLOB_BYTES, &loaded) == 0);
  CHECK(calib_store_commit(blob, CALIB_BLOB_BYTES, &active) == 0 && active.id == 31);
  make_calibration(blob, 32, 0.02f);
  for (long cut = 0; cut < 3; ++cut) {
    calib_t running = active;
    native_storage_fail_after(cut);
    CHECK(calib_store_commit(blob, CALIB_BLOB_BYTES, &running) == ERR_STORAGE);
    native_storage_fail_after(-1);
    calib_store_load(&running, scratch);
    CHECK(running.id == 31 && running.imu[0].gyro_bias[0] == 0.01f);
  }
  head_store_load(&head, scratch);
  CHECK(head.id == 21 && head.bias[0] == 4.0f);
  blob[8] ^= 1;
  put_u32(blob + CALIB_BLOB_BYTES - 4, crc32_update(0, blob, CALIB_BLOB_BYTES - 4));
  CHECK(calib_parse(blob, CALIB_BLOB_BYTES, &loaded) == ERR_HEAD_MODEL_MISMATCH);
  CHECK(calib_store_reset(&active) == 0 && active.source == CALIB_SOURCE_NOMINAL);
  head_store_load(&head, scratch);
  CHECK(head.id == 21);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  test_crc_and_cobs();
  test_protocol_vectors(argv[1]);
  test_estimate_schedule();
  test_head_store_survives_torn_writes();
  test_calibration_store_beside_heads();
  printf("ok\n");
  return 0;
}
