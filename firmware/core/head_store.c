#include "head_store.h"

#include "protocol.h"

static const slot_area area = {0, HEAD_SLOT_BYTES, HEAD_BLOB_BYTES};

static slot_state state_of(const head_t *h) {
  return (slot_state){h->source == HEAD_SOURCE_DEFAULT ? -1 : h->source - HEAD_SOURCE_SLOT_A, h->generation};
}

void head_store_load(head_t *active, uint8_t *scratch) {
  head_load_default(active);
  slot_state found;
  for (int pass = 0; slot_store_candidate(&area, pass, scratch, &found) == 0; ++pass) {
    /* A slot from another model (a reflash) is skipped: the head would not fit its backbone. */
    if (head_parse(scratch, HEAD_BLOB_BYTES, active) == 0) {
      active->generation = found.generation;
      active->source = (uint8_t)(HEAD_SOURCE_SLOT_A + found.slot);
      return;
    }
    head_load_default(active);
  }
}

int head_store_commit(const uint8_t *blob, size_t length, head_t *active) {
  if (length != HEAD_BLOB_BYTES) return ERR_HEAD_BAD_BLOB;
  slot_state written;
  const int status = slot_store_commit(&area, state_of(active), blob, &written);
  if (status) return status;
  /* The caller checked the blob with head_parse, so this cannot fail now it is stored. */
  head_parse(blob, length, active);
  active->generation = written.generation;
  active->source = (uint8_t)(HEAD_SOURCE_SLOT_A + written.slot);
  return 0;
}

int head_store_reset(head_t *active) {
  if (slot_store_reset(&area)) return ERR_STORAGE;
  head_load_default(active);
  return 0;
}
