// The kinedge firmware on Arduino boards (PlatformIO envs in platformio.ini): the protocol on the
// USB serial port, IMUs sampled at the model's rate, estimates in the loop. The portable core does
// the rest; see firmware/core/device.h.
#include <Arduino.h>

extern "C" {
#include "device.h"
#include "model_config.h"
}
#include "imu.h"

static uint32_t next_sample_us;
static const uint32_t period_us = (uint32_t)(1000000.0f / KINEDGE_SAMPLE_RATE_HZ);

void setup() {
  Serial.begin(921600);
  board_arduino_init();
  if (!imu_begin()) {
    // Without sensors the device still answers (INFO, REPLAY, BENCH, heads): useful on the bench.
    Serial.write((const uint8_t *)"\0", 1);
  }
  device_init();
  next_sample_us = micros();
}

void loop() {
  while (Serial.available() > 0) device_protocol_byte((uint8_t)Serial.read());
  if ((int32_t)(micros() - next_sample_us) >= 0) {
    next_sample_us += period_us;
    float sample[KINEDGE_N_CHANNELS];
    if (imu_read(sample)) device_imu_sample(sample, 0);
  }
  device_poll();
}
