/* 16550 UART on COM1: the kernel's first console, the test harness's eyes,
 * and the line behind /dev/ttyS0. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stddef.h>
#include <stdbool.h>
#include <cosmos/compiler.h>

bool serial_init(void);
/* Kernel log text: each '\n' goes out as CR LF. */
void serial_write(const char *s, size_t n);
/* A terminal's bytes, as they are (its line discipline did the mapping). */
void serial_write_raw(const char *s, size_t n);

/* Received bytes, in interrupt context, as the handler drains the FIFO. */
typedef void (*serial_rx_fn)(void *ctx, const char *s, size_t n);
/* Switches the receive interrupt (IRQ 4) on, with fn as its consumer. 0,
 * -ENODEV without a UART, or the interrupt layer's error. */
int serial_input_start(serial_rx_fn fn, void *ctx) __must_check;
/* Bytes the interrupt handler took off the line so far. */
unsigned long serial_rx_count(void);

#endif
