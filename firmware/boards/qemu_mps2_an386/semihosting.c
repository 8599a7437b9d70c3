#include "semihosting.h"

#include <string.h>

enum { SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
       SYS_SEEK = 0x0A, SYS_EXIT_EXTENDED = 0x20 };

static int call(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int sh_open(const char *path, int mode) {
  uint32_t block[3] = {(uint32_t)path, (uint32_t)mode, (uint32_t)strlen(path)};
  return call(SYS_OPEN, block);
}

int sh_close(int handle) {
  uint32_t block[1] = {(uint32_t)handle};
  return call(SYS_CLOSE, block);
}

int sh_read(int handle, void *buffer, int length) {
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)buffer, (uint32_t)length};
  return call(SYS_READ, block);
}

int sh_write(int handle, const void *buffer, int length) {
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)buffer, (uint32_t)length};
  return call(SYS_WRITE, block);
}

int sh_seek(int handle, int position) {
  uint32_t block[2] = {(uint32_t)handle, (uint32_t)position};
  return call(SYS_SEEK, block);
}

void sh_print(const char *text) { call(SYS_WRITE0, (void *)text); }

void sh_print_u32(const char *label, uint32_t value) {
  char digits[12];
  int i = sizeof digits - 1;
  digits[i] = '\0';
  do {
    digits[--i] = (char)('0' + value % 10);
    value /= 10;
  } while (value && i > 0);
  sh_print(label);
  sh_print(&digits[i]);
  sh_print("\n");
}

_Noreturn void sh_exit(int code) {
  /* ADP_Stopped_ApplicationExit with an exit status (SYS_EXIT_EXTENDED). */
  uint32_t block[2] = {0x20026, (uint32_t)code};
  for (;;) call(SYS_EXIT_EXTENDED, block);
}
