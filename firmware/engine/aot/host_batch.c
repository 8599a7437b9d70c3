/* Host builds only: run the generated model over a batch of inputs in one call, so the converter's
   bit-exact check (converter/aot/host.py) and host tools do not cross into C once per window. */
#include <stdint.h>
#include <string.h>

#include "model_aot.h"

void kinedge_aot_run_batch(const void *inputs, int8_t *outputs, int32_t count) {
  const uint8_t *in = (const uint8_t *)inputs;
  for (int32_t i = 0; i < count; ++i) {
    memcpy(kinedge_aot_input(), in + (size_t)i * KINEDGE_AOT_INPUT_BYTES, KINEDGE_AOT_INPUT_BYTES);
    kinedge_aot_invoke();
    memcpy(outputs + (size_t)i * KINEDGE_AOT_OUTPUT_BYTES, kinedge_aot_output(), KINEDGE_AOT_OUTPUT_BYTES);
  }
}
