// ESP32-S3 DevKitC with two external LSM6DSOX IMUs on one I2C bus: 0x6A on the thigh (femur),
// 0x6B (SDO high) on the heel (calcaneus).
#if defined(ARDUINO_ARCH_ESP32)
#include <Adafruit_LSM6DSOX.h>

#include "imu.h"

static Adafruit_LSM6DSOX thigh, heel;

static bool start(Adafruit_LSM6DSOX &imu, uint8_t address) {
  if (!imu.begin_I2C(address)) return false;
  imu.setAccelRange(LSM6DS_ACCEL_RANGE_16_G);
  imu.setGyroRange(LSM6DS_GYRO_RANGE_2000_DPS);
  imu.setAccelDataRate(LSM6DS_RATE_208_HZ);
  imu.setGyroDataRate(LSM6DS_RATE_208_HZ);
  return true;
}

bool imu_begin() { return start(thigh, 0x6A) && start(heel, 0x6B); }

static void read_into(Adafruit_LSM6DSOX &imu, float *s) {
  sensors_event_t acc, gyr, temp;
  imu.getEvent(&acc, &gyr, &temp);  // m/s^2, rad/s
  s[0] = acc.acceleration.x, s[1] = acc.acceleration.y, s[2] = acc.acceleration.z;
  s[3] = gyr.gyro.x, s[4] = gyr.gyro.y, s[5] = gyr.gyro.z;
}

bool imu_read(float *s) {
  read_into(thigh, s);
  read_into(heel, s + 6);
  return true;
}
#endif
