/* CONCATENATION: TFLM copies int8 bytes as they are (the converter gives every input the output's
   quantisation; the generator refuses a model where they differ). */
#include <string.h>

#include "ke_kernels.h"

void ke_concatenation_s8(int32_t outer, int32_t n_inputs, const int8_t *const *inputs, const int32_t *part_bytes,
                         int8_t *output) {
  for (int32_t o = 0; o < outer; ++o)
    for (int32_t i = 0; i < n_inputs; ++i) {
      memcpy(output, inputs[i] + o * part_bytes[i], (size_t)part_bytes[i]);
      output += part_bytes[i];
    }
}
