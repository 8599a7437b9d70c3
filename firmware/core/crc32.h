/* CRC-32 (IEEE 802.3, as zlib.crc32): frames of the protocol and head blobs. */
#ifndef KINEDGE_CRC32_H
#define KINEDGE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t length);

#endif
