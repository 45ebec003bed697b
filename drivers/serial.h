/* 16550 UART on COM1: the kernel's first console and the test harness's eyes. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stddef.h>
#include <stdbool.h>

bool serial_init(void);
void serial_write(const char *s, size_t n);

#endif
