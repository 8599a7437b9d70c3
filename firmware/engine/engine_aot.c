/* The AOT engine: the converter's generated model_aot.c calling firmware/engine/aot kernels.
   (Builds with KINEDGE_ENGINE_TFLM use engine_tflm.cpp instead.) */
#if !defined(KINEDGE_ENGINE_TFLM)
#include "engine.h"

#include "model_aot.h"
#include "model_config.h"

_Static_assert(KINEDGE_AOT_INPUT_BYTES == KINEDGE_WINDOW * KINEDGE_N_FEATURES, "model input is not the window");
_Static_assert(KINEDGE_AOT_OUTPUT_BYTES == KINEDGE_EMBEDDING_SIZE, "model output is not the embedding");
_Static_assert(!KINEDGE_AOT_INPUT_IS_FLOAT, "the device feeds an int8 input");

int engine_init(void) { return 0; }
int8_t *engine_input(void) { return (int8_t *)kinedge_aot_input(); }
const int8_t *engine_output(void) { return kinedge_aot_output(); }

int engine_invoke(void) {
  kinedge_aot_invoke();
  return 0;
}

const char *engine_name(void) { return "aot"; }
uint32_t engine_arena_bytes(void) { return KINEDGE_AOT_ARENA_BYTES; }
#endif
