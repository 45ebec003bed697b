/* Text buffers for generated files (fs/seqbuf.h). */
#include <fs/seqbuf.h>
#include <stdarg.h>
#include <lib/fmt.h>
#include <lib/string.h>

void seq_write(struct seqbuf *s, const void *p, size_t n)
{
	size_t room = s->size - s->len;

	if (n > room) {
		s->overflow = true;
		n = room;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

void seq_puts(struct seqbuf *s, const char *str)
{
	seq_write(s, str, strlen(str));
}

void seq_putc(struct seqbuf *s, char c)
{
	seq_write(s, &c, 1);
}

static void seq_sink(void *ctx, const char *p, size_t n)
{
	seq_write(ctx, p, n);
}

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(seq_sink, s, fmt, ap);
	va_end(ap);
}
