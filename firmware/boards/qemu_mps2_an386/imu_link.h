/* The emulated sensor bus: the host (`kinedge emulate`, tests) plays the IMUs and sends each sample
   on UART1 as a COBS frame of  sequence u32 | KINEDGE_N_CHANNELS int16 | CRC-32, ended by 0x00.
   The int16 values are raw sensor readings as an IMU's registers give them, accelerometer at
   +-16 g full scale and gyroscope at +-2000 deg/s (channel order of the model: per segment acc x,y,z
   then gyr x,y,z); the board turns them into m/s^2 and rad/s. Compact on purpose: QEMU delivers a
   UART byte per main-loop turn (about 0.1 ms), so four IMUs at 100 Hz use about 60% of the link.
   On a real board this is where the IMU drivers sit. */
#ifndef IMU_LINK_H
#define IMU_LINK_H

#include <stdint.h>

#define IMU_ACC_LSB (16.0f * 9.80665f / 32768.0f)                   /* m/s^2 per count */
#define IMU_GYR_LSB (2000.0f / 32768.0f * 3.14159265358979f / 180.0f) /* rad/s per count */

/* Feeds one byte; returns 1 when `sample` holds a new sample, with *lost the number of sequence
   numbers skipped before it (or corrupt frames dropped). */
int imu_link_byte(uint8_t byte, float *sample, uint32_t *lost);

#endif
