/* Text buffers for generated files (procfs, sysfs, devfs): printf into a
 * fixed buffer that records whether anything did not fit, so the caller
 * can generate again into a larger one. Portable (host-tested). */
#ifndef FS_SEQBUF_H
#define FS_SEQBUF_H

#include <stdbool.h>
#include <stddef.h>

struct seqbuf {
	char *buf;
	size_t size;
	size_t len;          /* bytes stored (<= size) */
	bool overflow;       /* something was cut off */
};

static inline void seqbuf_init(struct seqbuf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = size;
	s->len = 0;
	s->overflow = false;
}

void seq_write(struct seqbuf *s, const void *p, size_t n);
void seq_puts(struct seqbuf *s, const char *str);
void seq_putc(struct seqbuf *s, char c);
void seq_printf(struct seqbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
