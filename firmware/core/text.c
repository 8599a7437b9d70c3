#include "text.h"

void text_add(text *t, const char *s) {
  while (*s && t->at < t->end) *t->at++ = *s++;
}

void text_add_u64(text *t, uint64_t value) {
  char digits[21];
  int i = sizeof digits;
  digits[--i] = '\0';
  do {
    digits[--i] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value && i > 0);
  text_add(t, &digits[i]);
}

void text_add_hex32(text *t, uint32_t value) {
  char digits[9];
  for (int i = 7; i >= 0; --i, value >>= 4) digits[i] = "0123456789abcdef"[value & 15u];
  digits[8] = '\0';
  text_add(t, digits);
}

void text_line(text *t, const char *key, const char *value) {
  text_add(t, key);
  text_add(t, "=");
  text_add(t, value);
  text_add(t, "\n");
}

void text_line_u64(text *t, const char *key, uint64_t value) {
  text_add(t, key);
  text_add(t, "=");
  text_add_u64(t, value);
  text_add(t, "\n");
}

void text_line_list(text *t, const char *key, const char *const *items, size_t count) {
  text_add(t, key);
  text_add(t, "=");
  for (size_t i = 0; i < count; ++i) {
    if (i) text_add(t, ",");
    text_add(t, items[i]);
  }
  text_add(t, "\n");
}
