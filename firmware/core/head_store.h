/* Two head slots in the board's storage (A at 0, B at HEAD_SLOT_BYTES). A commit writes the
   inactive slot — header invalidated first, blob, then the header last — reads it back, and only
   then switches, so a torn or corrupted upload never loses the head in use. At boot the valid
   slot with the higher generation wins; with none, the compiled-in head. */
#ifndef KINEDGE_HEAD_STORE_H
#define KINEDGE_HEAD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "head.h"

#define HEAD_SLOT_BYTES 4096u
#define HEAD_SLOT_HEADER 16u
_Static_assert(HEAD_BLOB_BYTES + HEAD_SLOT_HEADER <= HEAD_SLOT_BYTES, "head blob does not fit a slot");

/* scratch: HEAD_BLOB_BYTES bytes the store may use while loading. */
void head_store_load(head_t *active, uint8_t *scratch);
/* A verified blob (head_parse accepted it) -> storage -> active. 0 or ERR_STORAGE. */
int head_store_commit(const uint8_t *blob, size_t length, head_t *active);
/* Both slots invalidated; the compiled-in head becomes active. 0 or ERR_STORAGE. */
int head_store_reset(head_t *active);

#endif
