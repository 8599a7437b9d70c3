#include "head_store.h"

#include <string.h>

#include "board.h"
#include "crc32.h"
#include "protocol.h"

#define SLOT_MAGIC 0x544C534Bu /* "KSLT" */

typedef struct {
  uint32_t generation, length;
} slot_info;

static uint32_t slot_offset(int slot) { return (uint32_t)slot * HEAD_SLOT_BYTES; }

/* 1 when the slot header is intact (magic, its own CRC) and the blob's CRC matches. */
static int slot_valid(int slot, slot_info *info) {
  uint8_t header[HEAD_SLOT_HEADER];
  if (board_storage_read(slot_offset(slot), header, sizeof header)) return 0;
  if (get_u32(header) != SLOT_MAGIC || crc32_update(0, header, 12) != get_u32(header + 12)) return 0;
  info->generation = get_u32(header + 4);
  info->length = get_u32(header + 8);
  if (info->length != HEAD_BLOB_BYTES) return 0;
  /* Stream the blob through the CRC in small pieces: no second blob-sized buffer needed. */
  uint8_t piece[64];
  uint32_t crc = 0, stored = 0;
  for (uint32_t at = 0; at < info->length; at += sizeof piece) {
    const uint32_t n = info->length - at < sizeof piece ? info->length - at : (uint32_t)sizeof piece;
    if (board_storage_read(slot_offset(slot) + HEAD_SLOT_HEADER + at, piece, n)) return 0;
    if (at + n == info->length) {
      crc = crc32_update(crc, piece, n - 4);
      stored = get_u32(piece + n - 4);
    } else {
      crc = crc32_update(crc, piece, n);
    }
  }
  return crc == stored;
}

static int write_header(int slot, uint32_t magic, uint32_t generation, uint32_t length) {
  uint8_t header[HEAD_SLOT_HEADER];
  put_u32(header, magic);
  put_u32(header + 4, generation);
  put_u32(header + 8, length);
  put_u32(header + 12, crc32_update(0, header, 12));
  return board_storage_write(slot_offset(slot), header, sizeof header);
}

void head_store_load(head_t *active, uint8_t *scratch) {
  head_load_default(active);
  slot_info info[2];
  int valid[2] = {slot_valid(0, &info[0]), slot_valid(1, &info[1])};
  for (int pass = 0; pass < 2; ++pass) {
    int best = -1;
    for (int s = 0; s < 2; ++s)
      if (valid[s] && (best < 0 || info[s].generation > info[best].generation)) best = s;
    if (best < 0) return;
    /* A slot from another model (a reflash) is ignored: the head would not fit its backbone. */
    if (!board_storage_read(slot_offset(best) + HEAD_SLOT_HEADER, scratch, HEAD_BLOB_BYTES) &&
        head_parse(scratch, HEAD_BLOB_BYTES, active) == 0) {
      active->generation = info[best].generation;
      active->source = (uint8_t)(HEAD_SOURCE_SLOT_A + best);
      return;
    }
    head_load_default(active);
    valid[best] = 0;
  }
}

int head_store_commit(const uint8_t *blob, size_t length, head_t *active) {
  if (length != HEAD_BLOB_BYTES) return ERR_HEAD_BAD_BLOB;
  const int slot = active->source == HEAD_SOURCE_SLOT_A ? 1 : 0;
  slot_info other;
  uint32_t generation = active->generation + 1;
  if (slot_valid(1 - slot, &other) && other.generation >= generation) generation = other.generation + 1;
  /* Invalidate first: a power cut during the blob write then leaves this slot unused. */
  if (write_header(slot, 0, 0, 0)) return ERR_STORAGE;
  if (board_storage_write(slot_offset(slot) + HEAD_SLOT_HEADER, blob, (uint32_t)length)) return ERR_STORAGE;
  if (write_header(slot, SLOT_MAGIC, generation, (uint32_t)length)) return ERR_STORAGE;
  slot_info check;
  if (!slot_valid(slot, &check) || check.generation != generation) return ERR_STORAGE;
  /* The caller checked the blob with head_parse, so this cannot fail now it is stored. */
  head_parse(blob, length, active);
  active->generation = generation;
  active->source = (uint8_t)(HEAD_SOURCE_SLOT_A + slot);
  return 0;
}

int head_store_reset(head_t *active) {
  if (write_header(0, 0, 0, 0) || write_header(1, 0, 0, 0)) return ERR_STORAGE;
  head_load_default(active);
  return 0;
}
