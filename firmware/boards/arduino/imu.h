// The board's IMUs, read as one sample in the model's channel order (per segment acc x,y,z in
// m/s^2, gyr x,y,z in rad/s). One implementation per board: imu_nano33ble.cpp, imu_esp32s3.cpp.
#pragma once

bool imu_begin();
bool imu_read(float *sample);
void board_arduino_init();
