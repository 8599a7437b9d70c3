/* Consistent Overhead Byte Stuffing: frames contain no 0x00, so 0x00 delimits them on the wire and
   a receiver resynchronises at the next delimiter after any corruption. */
#ifndef KINEDGE_COBS_H
#define KINEDGE_COBS_H

#include <stddef.h>
#include <stdint.h>

/* Worst case output size for n input bytes (without the delimiter). */
#define COBS_MAX_ENCODED(n) ((n) + (n) / 254 + 1)

size_t cobs_encode(const uint8_t *in, size_t length, uint8_t *out);
/* Decodes in place-safe (out may equal in); returns the decoded length, or -1 if malformed. */
long cobs_decode(const uint8_t *in, size_t length, uint8_t *out);

#endif
