/* int8 kernels of the ahead-of-time engine: TensorFlow Lite Micro's reference semantics, no heap,
   no interpreter. The generated model file (model_aot.c, from `kinedge convert`) calls them in graph
   order with constant parameters worked out at generation time (converter/aot/lower.py). */
#ifndef KE_KERNELS_H
#define KE_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* NHWC; lower-rank tensors are padded with leading ones. */
typedef struct {
  int32_t n, h, w, c;
} ke_shape;

/* CONV_2D and DEPTHWISE_CONV_2D. Offsets are the negated input zero point and the output zero
   point; act_min/act_max are the fused activation as an int8 clamp. */
typedef struct {
  int16_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int16_t depth_multiplier; /* depthwise only */
  int32_t input_offset, output_offset, act_min, act_max;
} ke_conv_params;

/* Per output channel: Q31 multiplier and power-of-two shift (see ke_fixedpoint.h). */
/* The convolution and FULLY_CONNECTED kernels take the bias with the input zero point folded in
   (bias + input_offset x the sum of the channel's weights; converter/aot/lower.py writes it), never
   NULL: the products are then of raw int8 values, as in TFLM's sum once the offset is taken out. */
typedef struct {
  const int32_t *multiplier;
  const int8_t *shift;
} ke_requant;

void ke_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                const ke_shape *out, int8_t *output);

void ke_depthwise_conv_s8(const ke_conv_params *p, const ke_requant *q, const ke_shape *in, const int8_t *input,
                          const ke_shape *filter, const int8_t *weights, const int32_t *bias,
                          const ke_shape *out, int8_t *output);

/* FULLY_CONNECTED: weights [out_depth][in_depth], or with `interleaved` (in_depth and out_depth
   multiples of 4) in groups of four outputs: for each 4 inputs, 4 bytes of each of the four rows
   in turn, so one pointer walks all four rows. per_channel selects one multiplier per output or
   one for all. */
typedef struct {
  int32_t batches, in_depth, out_depth;
  int32_t input_offset, output_offset, act_min, act_max;
  int32_t per_channel, interleaved;
} ke_fc_params;

void ke_fully_connected_s8(const ke_fc_params *p, const ke_requant *q, const int8_t *input,
                           const int8_t *weights, const int32_t *bias, int8_t *output);

/* AVERAGE_POOL_2D and MAX_POOL_2D (input and output share quantisation). */
typedef struct {
  int16_t stride_h, stride_w, filter_h, filter_w, pad_h, pad_w;
  int32_t act_min, act_max;
} ke_pool_params;

void ke_avg_pool_s8(const ke_pool_params *p, const ke_shape *in, const int8_t *input, const ke_shape *out,
                    int8_t *output);
void ke_max_pool_s8(const ke_pool_params *p, const ke_shape *in, const int8_t *input, const ke_shape *out,
                    int8_t *output);

/* ADD with 4-D broadcasting: a stride of 0 repeats an input along that dimension. */
typedef struct {
  ke_shape out;
  int32_t stride1[4], stride2[4];
  int32_t input1_offset, input2_offset, output_offset, left_shift;
  int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift, output_multiplier, output_shift;
  int32_t act_min, act_max;
} ke_add_params;

void ke_add_s8(const ke_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output);

/* MEAN over a run of adjacent axes, seen as [outer][count][inner] -> [outer][inner]; the
   multiplier includes 1/count. */
typedef struct {
  int32_t outer, count, inner;
  int32_t input_zero_point, output_zero_point, multiplier, shift;
} ke_mean_params;

void ke_mean_s8(const ke_mean_params *p, const int8_t *input, int8_t *output);

/* CONCATENATION: `outer` repetitions of each input's contiguous part, in input order. */
void ke_concatenation_s8(int32_t outer, int32_t n_inputs, const int8_t *const *inputs, const int32_t *part_bytes,
                         int8_t *output);

/* QUANTIZE: int8 -> int8 with new scale/zero point, and float32 -> int8. */
typedef struct {
  int32_t size, input_zero_point, output_zero_point, multiplier, shift;
} ke_requantize_params;

void ke_requantize_s8(const ke_requantize_params *p, const int8_t *input, int8_t *output);
void ke_quantize_f32_s8(int32_t size, float scale, int32_t zero_point, const float *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
