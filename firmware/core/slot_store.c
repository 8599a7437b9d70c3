#include "slot_store.h"

#include "board.h"
#include "crc32.h"
#include "protocol.h"

#define SLOT_MAGIC 0x544C534Bu /* "KSLT" */

static uint32_t slot_offset(const slot_area *a, int slot) { return a->base + (uint32_t)slot * a->slot_bytes; }

/* 1 when the slot header is intact (magic, its own CRC) and the blob's CRC matches. */
static int slot_valid(const slot_area *a, int slot, uint32_t *generation) {
  uint8_t header[SLOT_HEADER_BYTES];
  if (board_storage_read(slot_offset(a, slot), header, sizeof header)) return 0;
  if (get_u32(header) != SLOT_MAGIC || crc32_update(0, header, 12) != get_u32(header + 12)) return 0;
  if (get_u32(header + 8) != a->blob_bytes) return 0;
  *generation = get_u32(header + 4);
  /* Stream the blob through the CRC in small pieces: no second blob-sized buffer needed. */
  uint8_t piece[64];
  uint32_t crc = 0, stored = 0;
  for (uint32_t at = 0; at < a->blob_bytes; at += sizeof piece) {
    const uint32_t n = a->blob_bytes - at < sizeof piece ? a->blob_bytes - at : (uint32_t)sizeof piece;
    if (board_storage_read(slot_offset(a, slot) + SLOT_HEADER_BYTES + at, piece, n)) return 0;
    if (at + n == a->blob_bytes) {
      crc = crc32_update(crc, piece, n - 4);
      stored = get_u32(piece + n - 4);
    } else {
      crc = crc32_update(crc, piece, n);
    }
  }
  return crc == stored;
}

static int write_header(const slot_area *a, int slot, uint32_t magic, uint32_t generation, uint32_t length) {
  uint8_t header[SLOT_HEADER_BYTES];
  put_u32(header, magic);
  put_u32(header + 4, generation);
  put_u32(header + 8, length);
  put_u32(header + 12, crc32_update(0, header, 12));
  return board_storage_write(slot_offset(a, slot), header, sizeof header);
}

int slot_store_candidate(const slot_area *area, int pass, uint8_t *blob, slot_state *found) {
  uint32_t generation[2] = {0, 0};
  const int valid[2] = {slot_valid(area, 0, &generation[0]), slot_valid(area, 1, &generation[1])};
  int order[2] = {0, 1};
  if (valid[1] && (!valid[0] || generation[1] > generation[0])) order[0] = 1, order[1] = 0;
  int seen = 0;
  for (int i = 0; i < 2; ++i) {
    const int s = order[i];
    if (!valid[s]) continue;
    if (seen++ < pass) continue;
    if (board_storage_read(slot_offset(area, s) + SLOT_HEADER_BYTES, blob, area->blob_bytes)) return -1;
    found->slot = s;
    found->generation = generation[s];
    return 0;
  }
  return -1;
}

int slot_store_commit(const slot_area *area, slot_state active, const uint8_t *blob, slot_state *written) {
  const int slot = active.slot == 0 ? 1 : 0;
  uint32_t generation = active.generation + 1, other;
  if (slot_valid(area, 1 - slot, &other) && other >= generation) generation = other + 1;
  /* Invalidate first: a power cut during the blob write then leaves this slot unused. */
  if (write_header(area, slot, 0, 0, 0)) return ERR_STORAGE;
  if (board_storage_write(slot_offset(area, slot) + SLOT_HEADER_BYTES, blob, area->blob_bytes)) return ERR_STORAGE;
  if (write_header(area, slot, SLOT_MAGIC, generation, area->blob_bytes)) return ERR_STORAGE;
  uint32_t check;
  if (!slot_valid(area, slot, &check) || check != generation) return ERR_STORAGE;
  written->slot = slot;
  written->generation = generation;
  return 0;
}

int slot_store_reset(const slot_area *area) {
  return write_header(area, 0, 0, 0, 0) || write_header(area, 1, 0, 0, 0) ? ERR_STORAGE : 0;
}
