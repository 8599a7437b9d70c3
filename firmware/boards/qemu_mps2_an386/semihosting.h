/* ARM semihosting (BKPT 0xAB): QEMU serves it from the host when started with
   -semihosting-config enable=on,target=native. Used for exit codes, test files and logs. */
#ifndef SEMIHOSTING_H
#define SEMIHOSTING_H

#include <stdint.h>

enum { SH_MODE_READ_BINARY = 1, SH_MODE_UPDATE_BINARY = 3, SH_MODE_WRITE_BINARY = 5, SH_MODE_CREATE_UPDATE_BINARY = 7 };

int sh_open(const char *path, int mode);          /* a handle, or -1 */
int sh_close(int handle);
int sh_read(int handle, void *buffer, int length); /* bytes NOT read (0: all of them) */
int sh_write(int handle, const void *buffer, int length); /* bytes NOT written */
int sh_seek(int handle, int position);                     /* 0 on success */
void sh_print(const char *text);                   /* to QEMU's console */
void sh_print_u32(const char *label, uint32_t value);
_Noreturn void sh_exit(int code);

#endif
