/* Helpers shared by the libFuzzer targets in test/fuzz/: reading structured
 * values off the fuzz input, heap copies sized exactly (so AddressSanitizer
 * sees a read one byte past the data), and checks of the properties a parser
 * promises, which stop the run like a crash so libFuzzer keeps the input. */
#ifndef TEST_FUZZ_FUZZ_H
#define TEST_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, consumed front to back. Past its end every value reads as 0,
 * so a short input is still a complete (if dull) test case. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline struct fuzz_in fuzz_in(const uint8_t *data, size_t size)
{
	return (struct fuzz_in){ data, size };
}

static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->p++, in->left--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in) { return (uint8_t)fuzz_uint(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_uint(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_uint(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_uint(in, 8); }

/* Up to n bytes; *got says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->left ? n : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* A heap block of exactly n bytes (at least 1, so malloc never returns
 * NULL for an empty input) holding a copy of p. */
static inline uint8_t *fuzz_dup(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (!b)
		abort();
	if (n)
		memcpy(b, p, n);
	return b;
}

/* A NUL-terminated heap copy of n bytes (which may hold NULs themselves). */
static inline char *fuzz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* A promise of the parser was broken: report it and abort, which libFuzzer
 * treats as a crash (the input is saved, `make test` fails). */
#define FUZZ_CHECK(cond, ...)                                                     \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "==FUZZ CHECK== %s:%d: %s: ", __FILE__,   \
				__LINE__, #cond);                                 \
			fprintf(stderr, __VA_ARGS__);                             \
			fputc('\n', stderr);                                      \
			abort();                                                  \
		}                                                                 \
	} while (0)

#endif
