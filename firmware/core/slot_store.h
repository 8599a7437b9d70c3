/* A/B slots in the board's storage for one kind of blob (heads, calibrations). A commit writes the
   inactive slot — header invalidated first, blob, then the header last — reads it back, and only
   then reports the new slot, so a torn or corrupted write never loses the blob in use. At load the
   valid slot with the higher generation wins. Each slot: a 16-byte header (magic, generation,
   length, CRC of those), then the blob, whose own last 4 bytes are its CRC-32. */
#ifndef KINEDGE_SLOT_STORE_H
#define KINEDGE_SLOT_STORE_H

#include <stdint.h>

#define SLOT_HEADER_BYTES 16u

typedef struct {
  uint32_t base;       /* storage offset of slot A; slot B follows at base + slot_bytes */
  uint32_t slot_bytes; /* room per slot, header included */
  uint32_t blob_bytes; /* the one blob length this area holds */
} slot_area;

/* Which slot holds what (slot -1: none). */
typedef struct {
  int slot;
  uint32_t generation;
} slot_state;

/* Candidates in load order: call with pass 0, 1 to get the best valid slot, then the other valid
   one (a slot whose blob the caller then rejects, e.g. another model's, is skipped that way).
   The blob is read into `blob`; returns 0 with *found set, or -1 when no further valid slot. */
int slot_store_candidate(const slot_area *area, int pass, uint8_t *blob, slot_state *found);
/* Writes `blob` (area->blob_bytes) into the slot that is not `active`; 0 or ERR_STORAGE. */
int slot_store_commit(const slot_area *area, slot_state active, const uint8_t *blob, slot_state *written);
/* Both slots invalidated; 0 or ERR_STORAGE. */
int slot_store_reset(const slot_area *area);

#endif
