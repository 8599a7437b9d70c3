/* The float head: angles[k] = bias[k] + sum_e embedding[e] * kernel[e][k]
                              + sum_p physics[p] * kernel[E + p][k],
   with the embedding dequantised from the backbone's int8 output and the physics inputs the
   front-end's normalised inclination features of the window's newest sample. Summed in that order,
   in float32, with no fused multiply-add, so host_tools/device_model.py reproduces it exactly.

   A head arrives as a blob (converter/head_blob.py defines the layout; little-endian, this code
   assumes a little-endian core as every supported MCU is). */
#ifndef KINEDGE_HEAD_H
#define KINEDGE_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "model_config.h"

#define HEAD_BLOB_VERSION 2
#define HEAD_BLOB_HEADER 32
#define HEAD_INPUTS (KINEDGE_EMBEDDING_SIZE + KINEDGE_N_PHYSICS)
#define HEAD_BLOB_BYTES (HEAD_BLOB_HEADER + 4 * HEAD_INPUTS * KINEDGE_N_OUTPUTS + 4 * KINEDGE_N_OUTPUTS + 4)

enum { HEAD_SOURCE_DEFAULT = 0, HEAD_SOURCE_SLOT_A = 1, HEAD_SOURCE_SLOT_B = 2 };

typedef struct {
  float kernel[HEAD_INPUTS * KINEDGE_N_OUTPUTS];
  float bias[KINEDGE_N_OUTPUTS];
  uint32_t id;         /* from the blob; 0 for the compiled-in head */
  uint32_t crc;        /* the blob's CRC-32 (what `kinedge push-head` verifies) */
  uint32_t generation; /* storage generation, 0 for the compiled-in head */
  uint8_t source;      /* HEAD_SOURCE_* */
} head_t;

void head_load_default(head_t *head);
/* Checks and reads a blob; 0 or ERR_HEAD_BAD_BLOB / ERR_HEAD_MODEL_MISMATCH / ERR_HEAD_SHAPE_MISMATCH. */
int head_parse(const uint8_t *blob, size_t length, head_t *head);
void head_apply(const head_t *head, const int8_t *embedding, const float *physics, float *angles);

#endif
