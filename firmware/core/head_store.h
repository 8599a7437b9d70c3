/* The device's head in storage: A/B slots (slot_store.h) at the start of the board's storage.
   At boot the valid slot with the higher generation wins; with none, the compiled-in head. */
#ifndef KINEDGE_HEAD_STORE_H
#define KINEDGE_HEAD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "head.h"
#include "slot_store.h"

#define HEAD_SLOT_BYTES 4096u
_Static_assert(HEAD_BLOB_BYTES + SLOT_HEADER_BYTES <= HEAD_SLOT_BYTES, "head blob does not fit a slot");

/* scratch: HEAD_BLOB_BYTES bytes the store may use while loading. */
void head_store_load(head_t *active, uint8_t *scratch);
/* A verified blob (head_parse accepted it) -> storage -> active. 0 or ERR_STORAGE. */
int head_store_commit(const uint8_t *blob, size_t length, head_t *active);
/* Both slots invalidated; the compiled-in head becomes active. 0 or ERR_STORAGE. */
int head_store_reset(head_t *active);

#endif
