/* The device application, board-independent: protocol in, samples in, estimates and answers out.
   A board's main loop calls these; nothing here blocks except board_write(). */
#ifndef KINEDGE_DEVICE_H
#define KINEDGE_DEVICE_H

#include <stdint.h>

#define KINEDGE_FIRMWARE_VERSION "0.1.0"

void device_init(void);
/* One byte from the protocol link. */
void device_protocol_byte(uint8_t byte);
/* One IMU sample (KINEDGE_N_CHANNELS floats in model order, SI units); lost_before counts samples
   the sensor link lost just before this one (0 normally). Returns 1 when an estimate is now due
   (call device_poll() before the next sample). */
int device_imu_sample(const float *sample, uint32_t lost_before);
/* Runs due work (a live estimate); returns non-zero while more is pending. */
int device_poll(void);

/* For tests and the fuzz harness: frames answered and frames discarded so far. */
uint32_t device_frames_answered(void);
uint32_t device_frames_discarded(void);

#endif
