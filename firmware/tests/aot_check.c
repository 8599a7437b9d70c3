/* The AOT engine on the emulated Cortex-M4: runs every input of aot_inputs.bin through the
   generated model, writes the outputs to aot_outputs.bin (the host compares them with TFLM), and
   reports instruction counts, per op and per inference (semihosting files and console). */
#include <stdint.h>

#include "instruction_counter.h"
#include "model_aot.h"
#include "semihosting.h"

static uint64_t op_ticks[KINEDGE_AOT_N_OPS];
static uint64_t last_mark;

void kinedge_aot_op_done(int op_index) {
  const uint64_t now = ic_ticks();
  op_ticks[op_index] += now - last_mark;
  last_mark = ic_ticks(); /* the hook's own cost is left out of the next op */
}

int main(void) {
  const int in = sh_open("aot_inputs.bin", SH_MODE_READ_BINARY);
  const int out = sh_open("aot_outputs.bin", SH_MODE_WRITE_BINARY);
  if (in < 0 || out < 0) {
    sh_print("error: cannot open aot_inputs.bin / aot_outputs.bin\n");
    return 2;
  }
  ic_start();
  const uint32_t ratio = ic_calibrate();
  uint64_t total = 0, smallest = UINT64_MAX;
  uint32_t count = 0;
  while (sh_read(in, kinedge_aot_input(), KINEDGE_AOT_INPUT_BYTES) == 0) {
    last_mark = ic_ticks();
    const uint64_t start = last_mark;
    kinedge_aot_invoke();
    const uint64_t ticks = ic_ticks() - start;
    total += ticks;
    if (ticks < smallest) smallest = ticks;
    sh_write(out, kinedge_aot_output(), KINEDGE_AOT_OUTPUT_BYTES);
    ++count;
  }
  sh_close(in);
  sh_close(out);
  sh_print_u32("inferences ", count);
  sh_print_u32("ticks_per_65536_instructions ", ratio);
  if (count) {
    sh_print_u32("instructions_per_inference_mean ", (uint32_t)ic_instructions(total / count, ratio));
    sh_print_u32("instructions_per_inference_min ", (uint32_t)ic_instructions(smallest, ratio));
    for (int i = 0; i < KINEDGE_AOT_N_OPS; ++i) {
      sh_print(kinedge_aot_op_names[i]);
      sh_print_u32(" ", (uint32_t)ic_instructions(op_ticks[i] / count, ratio));
    }
  }
  return 0;
}
