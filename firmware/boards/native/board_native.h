#ifndef BOARD_NATIVE_H
#define BOARD_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "protocol.h"

typedef struct {
  unsigned long frames, bytes;
  uint8_t last[PROTO_MAX_WIRE];
  size_t last_length;
} native_output;

extern native_output native_out;

void native_storage_erase(void);
/* The next `writes` storage writes succeed, the one after is torn (half written) and fails. */
void native_storage_fail_after(long writes);

#endif
