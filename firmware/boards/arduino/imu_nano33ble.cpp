// Arduino Nano 33 BLE Sense Rev2: the on-board BMI270 on the thigh (femur), a second IMU
// (LSM6DSOX breakout, I2C address 0x6A on the same bus) on the heel (calcaneus).
#if defined(ARDUINO_ARDUINO_NANO33BLE)
#include <Adafruit_LSM6DSOX.h>
#include <Arduino_BMI270_BMM150.h>

#include "imu.h"

static Adafruit_LSM6DSOX heel;
static const float G = 9.80665f, DEG = 0.017453292519943295f;

bool imu_begin() {
  if (!IMU.begin()) return false;
  if (!heel.begin_I2C(0x6A)) return false;
  heel.setAccelRange(LSM6DS_ACCEL_RANGE_16_G);
  heel.setGyroRange(LSM6DS_GYRO_RANGE_2000_DPS);
  heel.setAccelDataRate(LSM6DS_RATE_208_HZ);
  heel.setGyroDataRate(LSM6DS_RATE_208_HZ);
  return true;
}

bool imu_read(float *s) {
  float ax, ay, az, gx, gy, gz;
  if (!IMU.readAcceleration(ax, ay, az) || !IMU.readGyroscope(gx, gy, gz)) return false;  // g, deg/s
  s[0] = ax * G, s[1] = ay * G, s[2] = az * G, s[3] = gx * DEG, s[4] = gy * DEG, s[5] = gz * DEG;
  sensors_event_t acc, gyr, temp;
  heel.getEvent(&acc, &gyr, &temp);  // m/s^2, rad/s
  s[6] = acc.acceleration.x, s[7] = acc.acceleration.y, s[8] = acc.acceleration.z;
  s[9] = gyr.gyro.x, s[10] = gyr.gyro.y, s[11] = gyr.gyro.z;
  return true;
}
#endif
