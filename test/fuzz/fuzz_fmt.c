/* Fuzz target for lib/fmt.c: a fuzzed format string with fuzzed arguments.
 * Input: one byte (the small buffer's size), the format up to a NUL, then
 * the arguments in the order the format consumes them: for an integer
 * (also a "*" width or precision) a selector byte, below 16 one of the
 * values that break formatters (INT_MIN, -1, LLONG_MIN...), else 8 raw
 * bytes; for %s a length byte (255: NULL) and that many bytes.
 * Checked: the buffer, sink and sized forms agree on the length and the
 * text, the buffer is terminated where it should be, and nothing is
 * written past it. */
#include "fuzz.h"

#include <limits.h>
#include <stdarg.h>
#include <lib/fmt.h>

#define MAX_ARGS 32

enum kind { K_INT, K_STR };

static const uint64_t trouble[16] = {
	0, 1, (uint64_t)-1, (uint64_t)INT_MIN, INT_MAX, UINT_MAX, (uint64_t)LLONG_MIN, LLONG_MAX,
	ULLONG_MAX, 4096, 4097, (uint64_t)-4096, (uint64_t)-4097, (uint64_t)SHRT_MIN, 255, 0x80,
};

/* The argument kinds the format consumes, following fmt.h's grammar:
 * flags "-0+ #", width (digits or one *), precision (. digits or one *),
 * hh/h/l/ll/z/t, then the conversion. The format is cut before the spec
 * that would need more than MAX_ARGS arguments. */
static unsigned scan(char *f, enum kind *kinds)
{
	unsigned n = 0;

	while (*f) {
		char *start = f;
		unsigned need = 0;
		enum kind k[3];

		if (*f++ != '%')
			continue;
		while (*f && strchr("-0+ #", *f))
			f++;
		if (*f == '*')
			k[need++] = K_INT, f++;
		else
			while (*f >= '0' && *f <= '9')
				f++;
		if (*f == '.') {
			f++;
			if (*f == '*')
				k[need++] = K_INT, f++;
			else
				while (*f >= '0' && *f <= '9')
					f++;
		}
		if (*f == 'h' || *f == 'l') {
			f += f[1] == f[0] ? 2 : 1;
		} else if (*f == 'z' || *f == 't') {
			f++;
		}
		if (*f && strchr("diuxXopc", *f))
			k[need++] = K_INT;
		else if (*f == 's')
			k[need++] = K_STR;
		if (n + need > MAX_ARGS) {
			*start = 0;
			break;
		}
		memcpy(kinds + n, k, need * sizeof(k[0]));
		n += need;
		if (*f)
			f++;
	}
	return n;
}

struct sink {
	char text[1 << 16];
	size_t len;
	size_t calls_bytes;
};

static void sink_fn(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	FUZZ_CHECK(n > 0, "empty write to the sink");
	for (size_t i = 0; i < n; i++, k->len++)
		if (k->len < sizeof(k->text))
			k->text[k->len] = s[i];
	k->calls_bytes += n;
}

static int via_sink(struct sink *k, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = fmt_vformat(sink_fn, k, f, ap);
	va_end(ap);
	return n;
}

/* All arguments are passed as 64-bit integers: on x86-64 every integer and
 * pointer argument of a variadic call fills one 8-byte slot, so fmt reads
 * an int from the low half and a pointer from the whole. */
#define ARGS(a) a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],   \
		a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], \
		a[23], a[24], a[25], a[26], a[27], a[28], a[29], a[30], a[31]

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sink k;
	struct fuzz_in in = fuzz_in(data, size);
	size_t small_size = fuzz_u8(&in), flen = 0, got;
	enum kind kinds[MAX_ARGS];
	uint64_t a[MAX_ARGS] = { 0 };
	char *strs[MAX_ARGS] = { 0 };
	char *fmt, *big, *small;
	unsigned nargs;
	int n_big, n_small, n_sink;

	while (flen < in.left && in.p[flen])
		flen++;
	fmt = fuzz_strndup(in.p, flen);
	fuzz_bytes(&in, flen + 1, &got);
	nargs = scan(fmt, kinds);
	for (unsigned i = 0; i < nargs; i++) {
		if (kinds[i] == K_INT) {
			uint8_t sel = fuzz_u8(&in);
			a[i] = sel < 16 ? trouble[sel] : fuzz_u64(&in);
		} else {
			uint8_t len = fuzz_u8(&in);
			const uint8_t *s;

			if (len == 255)
				continue;       /* NULL: fmt prints "(null)" */
			s = fuzz_bytes(&in, len, &got);
			strs[i] = fuzz_strndup(s, got);
			a[i] = (uint64_t)(uintptr_t)strs[i];
		}
	}

	big = malloc(sizeof(k.text));
	small = small_size ? malloc(small_size) : NULL;
	if (!big || (small_size && !small))
		abort();
	k.len = k.calls_bytes = 0;
	n_big = fmt_snprintf(big, sizeof(k.text), fmt, ARGS(a));
	n_small = fmt_snprintf(small, small_size, fmt, ARGS(a));
	n_sink = via_sink(&k, fmt, ARGS(a));

	FUZZ_CHECK(n_big >= 0 && n_big == n_small && n_big == n_sink,
		   "lengths differ: buffer %d, small buffer %d, sink %d", n_big, n_small, n_sink);
	FUZZ_CHECK(k.calls_bytes == (size_t)n_sink, "sink got %zu bytes, fmt says %d",
		   k.calls_bytes, n_sink);
	/* every field is clamped to 4096 characters plus a sign or prefix,
	 * and takes at least two bytes of format */
	FUZZ_CHECK((size_t)n_big <= flen * 2050,
		   "output of %d bytes for a %zu-byte format", n_big, flen);
	size_t shown = (size_t)n_big < sizeof(k.text) ? (size_t)n_big : sizeof(k.text) - 1;
	FUZZ_CHECK(big[shown] == 0, "buffer not terminated at %zu", shown);
	FUZZ_CHECK(memcmp(big, k.text, shown) == 0, "buffer and sink text differ");
	if (small) {
		size_t cut = (size_t)n_small < small_size ? (size_t)n_small : small_size - 1;
		FUZZ_CHECK(small[cut] == 0, "small buffer not terminated at %zu", cut);
		FUZZ_CHECK(memcmp(small, big, cut) == 0, "small buffer is not a prefix of the output");
	}

	free(small);
	free(big);
	for (unsigned i = 0; i < nargs; i++)
		free(strs[i]);
	free(fmt);
	return 0;
}
