// The TFLM engine for PlatformIO boards (env *_tflm): the stock interpreter over the converter's
// flatbuffer array, with only the ops the edge model uses. Same interface as engine_aot.c.
#if defined(KINEDGE_ENGINE_TFLM)
#include <tensorflow/lite/micro/micro_interpreter.h>
#include <tensorflow/lite/micro/micro_mutable_op_resolver.h>
#include <tensorflow/lite/schema/schema_generated.h>

extern "C" {
#include "engine.h"
#include "model_config.h"
#include "model_data.h"
}

namespace {
// The converter measured the smallest arena in the real TFLM (KINEDGE_ARENA_SIZE); a little
// headroom for the board's TFLM build, which may differ in version.
alignas(16) uint8_t arena[KINEDGE_ARENA_SIZE + 1024];
tflite::MicroInterpreter *interpreter;
}  // namespace

extern "C" int engine_init(void) {
  static tflite::MicroMutableOpResolver<4> ops;
  ops.AddConv2D();
  ops.AddDepthwiseConv2D();
  ops.AddReshape();
  ops.AddFullyConnected();
  static tflite::MicroInterpreter instance(tflite::GetModel(kinedge_model_data), ops, arena, sizeof arena);
  interpreter = &instance;
  return interpreter->AllocateTensors() == kTfLiteOk ? 0 : -1;
}

extern "C" int8_t *engine_input(void) { return interpreter->input(0)->data.int8; }
extern "C" const int8_t *engine_output(void) { return interpreter->output(0)->data.int8; }
extern "C" int engine_invoke(void) { return interpreter->Invoke() == kTfLiteOk ? 0 : -1; }
extern "C" const char *engine_name(void) { return "tflm"; }
extern "C" uint32_t engine_arena_bytes(void) { return (uint32_t)interpreter->arena_used_bytes(); }
#endif
