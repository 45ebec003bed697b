/* The formatter behind every printf-like call in CosmOS. It emits through a
 * sink so the same code writes to serial, to a buffer or to a test. */
#include <lib/fmt.h>
#include <stdint.h>
#include <stdbool.h>

#define FMT_MAX_FIELD 4096   /* widths and precisions are clamped to this */

struct spec {
	bool left, zero, plus, space, alt;
	int width;           /* -1: none */
	int prec;            /* -1: none */
	int size;            /* 'H' hh, 'h', 0 int, 'l' long, 'L' long long, 'z' size_t, 't' ptrdiff_t */
};

struct out {
	fmt_sink_fn sink;
	void *ctx;
	int count;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += (int)n;
	}
}

static void pad(struct out *o, char c, int n)
{
	char buf[16];

	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = c;
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
		put(o, buf, (size_t)k);
		n -= k;
	}
}

/* Emits one field: sign/prefix, zero padding, digits, honouring width. */
static void emit_number(struct out *o, const struct spec *sp, const char *prefix,
			const char *digits, int ndigits)
{
	int plen = 0, zeros = 0, total;

	while (prefix[plen])
		plen++;
	if (sp->prec >= 0 && sp->prec > ndigits)
		zeros = sp->prec - ndigits;
	total = plen + zeros + ndigits;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	put(o, prefix, (size_t)plen);
	pad(o, '0', zeros);
	put(o, digits, (size_t)ndigits);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static void format_uint(struct out *o, const struct spec *sp, uint64_t v,
			unsigned base, bool upper, const char *prefix)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = sizeof(buf);

	while (v) {
		buf[--i] = set[v % base];
		v /= base;
	}
	/* "%.0d" of zero prints nothing, as in C. */
	if (i == (int)sizeof(buf) && sp->prec != 0)
		buf[--i] = '0';
	emit_number(o, sp, prefix, buf + i, (int)sizeof(buf) - i);
}

static void format_string(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	put(o, s, (size_t)n);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default:  return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	default:  return va_arg(*ap, unsigned);
	}
}

/* One more decimal digit of a width or precision. Past the clamp the value
 * stops growing, so a long run of digits cannot overflow. */
static int add_digit(int v, char c)
{
	return v > FMT_MAX_FIELD ? v : v * 10 + (c - '0');
}

/* Parses flags, width, precision and size after a '%'; returns the
 * position of the conversion character. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .width = -1, .prec = -1 };
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else if (*f == '#') sp->alt = true;
		else break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);

		/* A negative width means "-"; -INT_MIN does not exist, and any
		 * width past the clamp below prints the same. */
		if (w < 0) {
			sp->left = true;
			w = w < -FMT_MAX_FIELD ? FMT_MAX_FIELD : -w;
		}
		sp->width = w;
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width = add_digit(sp->width < 0 ? 0 : sp->width, *f);
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				sp->prec = add_digit(sp->prec, *f);
		}
	}
	if (*f == 'h') {
		f++;
		sp->size = 'h';
		if (*f == 'h') { f++; sp->size = 'H'; }
	} else if (*f == 'l') {
		f++;
		sp->size = 'l';
		if (*f == 'l') { f++; sp->size = 'L'; }
	} else if (*f == 'z' || *f == 't') {
		sp->size = *f++;
	}
	/* Widths beyond any sane field are clamped, never trusted. */
	if (sp->width > FMT_MAX_FIELD) sp->width = FMT_MAX_FIELD;
	if (sp->prec > FMT_MAX_FIELD) sp->prec = FMT_MAX_FIELD;
	return f;
}

int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap0)
{
	struct out o = { sink, ctx, 0 };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap0);
	while (*fmt) {
		const char *lit = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		put(&o, lit, (size_t)(fmt - lit));
		if (!*fmt)
			break;
		fmt = parse_spec(fmt + 1, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&sp, &ap);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			const char *sign = v < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "";
			format_uint(&o, &sp, mag, 10, false, sign);
			break;
		}
		case 'u':
			format_uint(&o, &sp, arg_unsigned(&sp, &ap), 10, false, "");
			break;
		case 'x':
		case 'X': {
			uint64_t v = arg_unsigned(&sp, &ap);
			const char *pre = sp.alt && v ? (*fmt == 'x' ? "0x" : "0X") : "";
			format_uint(&o, &sp, v, 16, *fmt == 'X', pre);
			break;
		}
		case 'o': {
			/* '#' only guarantees a leading zero: none is added when the
			 * digits or the precision already start with one. */
			uint64_t v = arg_unsigned(&sp, &ap);
			int ndigits = 0;

			for (uint64_t t = v; t; t >>= 3)
				ndigits++;
			format_uint(&o, &sp, v, 8, false,
				    sp.alt && (v ? sp.prec <= ndigits : sp.prec == 0) ? "0" : "");
			break;
		}
		case 'p': {
			void *p = va_arg(ap, void *);
			sp.size = 'L';
			format_uint(&o, &sp, (uint64_t)(uintptr_t)p, 16, false, "0x");
			break;
		}
		case 's':
			format_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, &c, 1);
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past the string. */
			put(&o, "%", 1);
			va_end(ap);
			return o.count;
		default:
			/* Unknown conversion: show it verbatim so the bug is visible. */
			put(&o, "%", 1);
			put(&o, fmt, 1);
			break;
		}
		fmt++;
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size, len;
};

static void buf_sink(void *ctx, const char *s, size_t n)
{
	struct buf_ctx *b = ctx;

	for (size_t i = 0; i < n; i++, b->len++)
		if (b->size && b->len < b->size - 1)
			b->buf[b->len] = s[i];
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = fmt_vformat(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = 0;
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
