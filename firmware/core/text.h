/* Building the "key=value" answers (INFO, BENCH) without printf: newlib-nano's has no 64-bit
   integers, and a full printf would cost more flash than the whole engine. */
#ifndef KINEDGE_TEXT_H
#define KINEDGE_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *at;
  const char *end;
} text;

void text_add(text *t, const char *s);
void text_add_u64(text *t, uint64_t value);
void text_add_hex32(text *t, uint32_t value);
/* "key=value\n" */
void text_line(text *t, const char *key, const char *value);
void text_line_u64(text *t, const char *key, uint64_t value);
void text_line_list(text *t, const char *key, const char *const *items, size_t count);

#endif
