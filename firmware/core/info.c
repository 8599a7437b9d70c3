/* INFO: what this device runs, as "key=value" lines (PROTOCOL.md lists the keys). */
#include "board.h"
#include "device.h"
#include "device_state.h"
#include "engine.h"
#include "text.h"

static const char *const segments[] = KINEDGE_SEGMENT_NAMES;
static const char *const channels[] = KINEDGE_CHANNEL_NAMES;
static const char *const outputs[] = KINEDGE_OUTPUT_NAMES;
static const char *const units[] = KINEDGE_OUTPUT_UNITS;
static const char *const sources[] = {"default", "slot_a", "slot_b"};
static const char *const calib_sources[] = {"nominal", "slot_a", "slot_b"};

void info_reply(const proto_frame *r) {
  text t = {(char *)dev.reply + 1, (const char *)dev.reply + sizeof dev.reply};
  uint32_t flash = 0, ram = 0;
  board_memory_use(&flash, &ram);
  text_line(&t, "firmware", KINEDGE_FIRMWARE_VERSION);
  text_line_u64(&t, "protocol", PROTO_VERSION);
  text_line(&t, "board", board_name());
  text_line(&t, "engine", engine_name());
  text_line(&t, "model_hash", KINEDGE_MODEL_HASH_HEX);
  text_line_list(&t, "segments", segments, KINEDGE_N_SEGMENTS);
  text_line_list(&t, "channels", channels, KINEDGE_N_CHANNELS);
  text_line_u64(&t, "features", KINEDGE_N_FEATURES);
  text_line_u64(&t, "physics", KINEDGE_N_PHYSICS);
  text_line_u64(&t, "sample_rate_hz", (uint64_t)KINEDGE_SAMPLE_RATE_HZ);
  text_line_u64(&t, "window", KINEDGE_WINDOW);
  text_line_u64(&t, "hop", KINEDGE_HOP);
  text_line_list(&t, "outputs", outputs, KINEDGE_N_OUTPUTS);
  text_line_list(&t, "units", units, KINEDGE_N_OUTPUTS);
  text_line_u64(&t, "embedding", KINEDGE_EMBEDDING_SIZE);
  text_line_u64(&t, "head_id", dev.head.id);
  text_add(&t, "head_crc=");
  text_add_hex32(&t, dev.head.crc);
  text_add(&t, "\n");
  text_line(&t, "head_source", sources[dev.head.source]);
  text_line_u64(&t, "head_generation", dev.head.generation);
  text_line_u64(&t, "calib_id", dev.calibration.id);
  text_add(&t, "calib_crc=");
  text_add_hex32(&t, dev.calibration.crc);
  text_add(&t, "\n");
  text_line(&t, "calib_source", calib_sources[dev.calibration.source]);
  text_line_u64(&t, "calib_generation", dev.calibration.generation);
  text_line_u64(&t, "arena_bytes", engine_arena_bytes());
  text_line_u64(&t, "flash_bytes", flash);
  text_line_u64(&t, "ram_bytes", ram);
  text_line(&t, "bench_unit", board_bench_unit());
  text_line_u64(&t, "samples", dev.samples);
  text_line_u64(&t, "link_drops", dev.link_drops);
  text_line_u64(&t, "late_estimates", dev.late_estimates);
  text_line_u64(&t, "discarded_frames", dev.discarded);
  device_reply_ok(r, (size_t)(t.at - (char *)dev.reply) - 1);
}
