#include "head.h"

#include <string.h>

#include "crc32.h"
#include "head_default.h"
#include "protocol.h"

static const uint8_t model_hash[8] = KINEDGE_MODEL_HASH_BYTES;

void head_load_default(head_t *head) {
  memcpy(head->kernel, kinedge_head_default_kernel, sizeof head->kernel);
  memcpy(head->bias, kinedge_head_default_bias, sizeof head->bias);
  head->id = 0;
  head->crc = KINEDGE_HEAD_DEFAULT_CRC;
  head->generation = 0;
  head->source = HEAD_SOURCE_DEFAULT;
}

int head_parse(const uint8_t *blob, size_t length, head_t *head) {
  if (length < HEAD_BLOB_HEADER + 4 || memcmp(blob, "KEHD", 4) != 0) return ERR_HEAD_BAD_BLOB;
  if (get_u16(blob + 4) != HEAD_BLOB_VERSION || get_u16(blob + 6) != HEAD_BLOB_HEADER) return ERR_HEAD_BAD_BLOB;
  const uint32_t e = get_u16(blob + 16), k = get_u16(blob + 18), p = get_u16(blob + 24);
  if (length != HEAD_BLOB_HEADER + 4 * (e + p) * k + 4 * k + 4) return ERR_HEAD_BAD_BLOB;
  if (crc32_update(0, blob, length - 4) != get_u32(blob + length - 4)) return ERR_HEAD_BAD_BLOB;
  if (memcmp(blob + 8, model_hash, 8) != 0) return ERR_HEAD_MODEL_MISMATCH;
  if (e != KINEDGE_EMBEDDING_SIZE || k != KINEDGE_N_OUTPUTS || p != KINEDGE_N_PHYSICS) return ERR_HEAD_SHAPE_MISMATCH;
  memcpy(head->kernel, blob + HEAD_BLOB_HEADER, sizeof head->kernel);
  memcpy(head->bias, blob + HEAD_BLOB_HEADER + sizeof head->kernel, sizeof head->bias);
  head->id = get_u32(blob + 20);
  head->crc = get_u32(blob + length - 4);
  return 0;
}

void head_apply(const head_t *head, const int8_t *embedding, const float *physics, float *angles) {
  const float scale = KINEDGE_OUTPUT_SCALE;
  for (int k = 0; k < KINEDGE_N_OUTPUTS; ++k) angles[k] = head->bias[k];
  for (int e = 0; e < KINEDGE_EMBEDDING_SIZE; ++e) {
    const float x = (float)(embedding[e] - KINEDGE_OUTPUT_ZERO_POINT) * scale;
    const float *row = head->kernel + e * KINEDGE_N_OUTPUTS;
    for (int k = 0; k < KINEDGE_N_OUTPUTS; ++k) angles[k] += x * row[k];
  }
  for (int p = 0; p < KINEDGE_N_PHYSICS; ++p) {
    const float *row = head->kernel + (KINEDGE_EMBEDDING_SIZE + p) * KINEDGE_N_OUTPUTS;
    for (int k = 0; k < KINEDGE_N_OUTPUTS; ++k) angles[k] += physics[p] * row[k];
  }
}
