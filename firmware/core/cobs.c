#include "cobs.h"

size_t cobs_encode(const uint8_t *in, size_t length, uint8_t *out) {
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < length; ++i) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = in[i];
      if (++code == 0xFF) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
      }
    }
  }
  out[code_at] = code;
  return o;
}

long cobs_decode(const uint8_t *in, size_t length, uint8_t *out) {
  size_t i = 0, o = 0;
  while (i < length) {
    const uint8_t code = in[i++];
    if (code == 0) return -1;
    for (uint8_t k = 1; k < code; ++k) {
      if (i >= length || in[i] == 0) return -1;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < length) out[o++] = 0;
  }
  return (long)o;
}
