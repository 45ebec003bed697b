/* Formatted output straight to a descriptor with write(2): no stdio buffer,
 * so nothing is lost or printed twice when a program forks or crashes. */
#ifndef USER_OUT_H
#define USER_OUT_H

#include <stdarg.h>

/* Writes the whole formatted text (at most 1023 bytes; longer is cut) and
 * returns its length, or -1 if write failed. */
int out_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int out_vprintf(int fd, const char *fmt, va_list ap);

#endif
