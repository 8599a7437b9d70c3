/* The int8 backbone behind one interface: `aot` (generated C + our kernels, engine_aot.c) on every
   build, `tflm` (the TFLM interpreter over the flatbuffer, engine_tflm.cpp) on PlatformIO boards. */
#ifndef KINEDGE_ENGINE_H
#define KINEDGE_ENGINE_H

#include <stdint.h>

int engine_init(void);              /* 0 when ready */
int8_t *engine_input(void);         /* KINEDGE_WINDOW x KINEDGE_N_FEATURES int8, time-major */
const int8_t *engine_output(void);  /* KINEDGE_EMBEDDING_SIZE int8 */
int engine_invoke(void);            /* 0 on success */
const char *engine_name(void);
uint32_t engine_arena_bytes(void);

#endif
