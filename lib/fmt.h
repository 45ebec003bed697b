/* printf-style formatting into any sink; used by the kernel log, the loader
 * and the host tests. Supports %d %i %u %x %X %o %p %s %c %%, flags "-0+ #",
 * widths and precisions (also "*"), and the hh/h/l/ll/z/t modifiers. */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink_fn)(void *ctx, const char *s, size_t n);

/* Returns the number of characters produced. */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/* Like C's vsnprintf: always NUL-terminates when size > 0 and returns the
 * length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
