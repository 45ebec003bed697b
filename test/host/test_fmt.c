/* Host tests for lib/fmt.c, the printf engine of the kernel and the loader:
 * every conversion, flag and modifier, checked against the host's C library
 * where C defines the result, and against CosmOS's own choices elsewhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <sys/types.h>
#include <cmocka.h>

#include <lib/fmt.h>

/* Formats with both fmt_vsnprintf and the host's vsnprintf, into a roomy
 * buffer and into small ones, and insists on identical text, return values
 * and no byte written past the given size. */
static void same_v(const char *file, int line, const char *f, va_list ap)
{
	static const size_t sizes[] = { 256, 6, 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char ours[300], host[300];
		va_list a, b;
		int n_ours, n_host;

		memset(ours, 'Z', sizeof(ours));
		memset(host, 'Z', sizeof(host));
		va_copy(a, ap);
		n_ours = fmt_vsnprintf(ours, sizes[i], f, a);
		va_end(a);
		va_copy(b, ap);
		n_host = vsnprintf(host, sizes[i], f, b);
		va_end(b);
		if (n_ours != n_host || strcmp(ours, host) != 0 || ours[sizes[i]] != 'Z')
			fail_msg("%s:%d: format \"%s\" size %zu: ours \"%s\" (%d), host \"%s\" (%d)",
				 file, line, f, sizes[i], ours, n_ours, host, n_host);
	}
}

static void same_at(const char *file, int line, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
static void same_at(const char *file, int line, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	same_v(file, line, f, ap);
	va_end(ap);
}

/* Without the format attribute: for flag combinations that C defines but
 * the compiler warns about (e.g. "%-05d", "%+u"). */
static void same_odd_at(const char *file, int line, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	same_v(file, line, f, ap);
	va_end(ap);
}
#define SAME_ODD(...) same_odd_at(__FILE__, __LINE__, __VA_ARGS__)
#define SAME(...) same_at(__FILE__, __LINE__, __VA_ARGS__)

/* For CosmOS-specific results (and formats the compiler would reject):
 * no format attribute, so odd strings get through. */
static int ours(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

static void test_signed(void **state)
{
	(void)state;
	SAME("%d", 0);
	SAME("%d", 42);
	SAME("%d", -42);
	SAME("%i", 123456789);
	SAME("%d", INT_MAX);
	SAME("%d", INT_MIN);
	SAME("%+d %+d % d % d", 5, -5, 5, -5);
	SAME_ODD("%+ d", 7);
	SAME_ODD("[%5d] [%-5d] [%05d] [%-05d]", -3, -3, -3, -3);
	SAME("[%+05d] [% 05d]", 3, 3);
}

static void test_unsigned_and_bases(void **state)
{
	(void)state;
	SAME("%u", 0u);
	SAME("%u", UINT_MAX);
	SAME("%x %X", 0xbeefu, 0xbeefu);
	SAME("%x", 0u);
	SAME("%#x %#X %#x", 0x1fu, 0x1fu, 0u);
	SAME("%o %o", 8u, 0u);
	SAME("%#o %#o", 8u, 0u);
	SAME("[%#08x] [%#-8x] [%#8x]", 0xabu, 0xabu, 0xabu);
	SAME("[%#08o] [%#.5o] [%#.1o] [%#.0o]", 8u, 8u, 8u, 0u);
	SAME_ODD("%+u % u", 3u, 3u);
}

static void test_modifiers(void **state)
{
	(void)state;
	SAME("%hhd %hhd %hhu %hhx", 300, -129, 511, 0x1ff);
	SAME("%hd %hu %hx", 70000, 70000u, 0x12345u);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0xdeadbeefcafeUL);
	SAME("%lld %llu %llX", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL);
	SAME("%lld", (long long)INT64_MIN);
	SAME("%lli", (long long)INT64_MAX);
	SAME("%zu %zx %zd", SIZE_MAX, (size_t)0x1000, (ssize_t)-1);
	SAME("%td %tu", (ptrdiff_t)-77, (ptrdiff_t)77);
	SAME("%-20lld|", (long long)INT64_MIN);
	SAME("%025lld|", (long long)INT64_MIN);
}

static void test_precision(void **state)
{
	(void)state;
	SAME("%.3d %.3d %.0d|%.0d|", 7, -7, 0, 1);
	SAME("%.0x|%.0u|%5.0d|", 0u, 0u, 0);
	SAME_ODD("[%8.3d] [%-8.3d] [%08.3d]", 5, 5, 5);
	SAME("%.10lld", -123LL);
	SAME("%.2s|%.0s|%.10s", "abcdef", "abc", "abc");
	SAME("[%*d] [%-*d] [%*d]", 6, 12, 6, 12, -6, 12);
	SAME("[%.*d] [%.*d]", 4, 12, -1, 12);
	SAME("[%*.*s]", 8, 3, "abcdef");
}

static void test_string_char_percent(void **state)
{
	(void)state;
	SAME("%s", "");
	SAME("%s|%10s|%-10s|", "hi", "hi", "hi");
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("[%3c] [%-3c]", 'x', 'y');
	SAME("100%%");
	SAME("%%d %d", 1);
	SAME("no conversions at all");
	SAME_ODD("");
}

static void test_char_nul_counts(void **state)
{
	char buf[8];

	(void)state;
	/* A NUL from %c is output like any other character. */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[2], 'b');
}

static void test_pointer(void **state)
{
	char buf[64], host[64];
	void *p = (void *)(uintptr_t)0xffffffff80001234ULL;

	(void)state;
	/* glibc prints non-NULL pointers as %#lx too. */
	fmt_snprintf(buf, sizeof(buf), "%p", p);
	snprintf(host, sizeof(host), "%p", p);
	assert_string_equal(buf, host);
	assert_string_equal(buf, "0xffffffff80001234");
	/* NULL: CosmOS prints 0x0 where glibc says (nil). */
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0);
	assert_string_equal(buf, "0x0");
	fmt_snprintf(buf, sizeof(buf), "[%20p]", p);
	assert_string_equal(buf, "[  0xffffffff80001234]");
	fmt_snprintf(buf, sizeof(buf), "[%-20p]", p);
	assert_string_equal(buf, "[0xffffffff80001234  ]");
}

static void test_null_string(void **state)
{
	char buf[32];
	const char *null = NULL;

	(void)state;
	assert_int_equal(ours(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(ours(buf, sizeof(buf), "[%8s]", null), 10);
	assert_string_equal(buf, "[  (null)]");
}

static void test_unknown_and_lone_percent(void **state)
{
	char buf[32];

	(void)state;
	/* Unknown conversions are shown verbatim and consume no argument. */
	assert_int_equal(ours(buf, sizeof(buf), "a%kb%d", 5), 5);
	assert_string_equal(buf, "a%kb5");
	assert_int_equal(ours(buf, sizeof(buf), "%f"), 2);
	assert_string_equal(buf, "%f");
	assert_int_equal(ours(buf, sizeof(buf), "%lq"), 2);
	assert_string_equal(buf, "%q");
	/* A trailing '%' prints itself and stops: nothing after the NUL is read. */
	assert_int_equal(ours(buf, sizeof(buf), "50%"), 3);
	assert_string_equal(buf, "50%");
	assert_int_equal(ours(buf, sizeof(buf), "x%-08"), 2);
	assert_string_equal(buf, "x%");
	assert_int_equal(ours(buf, sizeof(buf), "%"), 1);
	assert_string_equal(buf, "%");
}

static void test_truncation(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "hello world"), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'Z');

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 'Z');

	/* size 0: nothing is written, not even the terminator. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 0, "abc%d", 12345), 8);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(fmt_snprintf(NULL, 0, "%s", "measure me"), 10);

	/* Exactly fitting output. */
	assert_int_equal(fmt_snprintf(buf, 4, "abc"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(fmt_snprintf(buf, 4, "%05d", 42), 5);
	assert_string_equal(buf, "000");
}

static void test_width_clamp(void **state)
{
	static char big[8192];

	(void)state;
	/* Widths and precisions beyond 4096 are clamped (a bad format string
	 * must not make the kernel emit megabytes). */
	assert_int_equal(ours(big, sizeof(big), "%9999d", 1), 4096);
	assert_int_equal(strlen(big), 4096);
	assert_int_equal(big[4095], '1');
	assert_int_equal(ours(big, sizeof(big), "%.9999d", 1), 4096);
	assert_int_equal(ours(big, sizeof(big), "%*d", 1 << 30, 1), 4096);
	assert_int_equal(ours(big, sizeof(big), "%-*d|", INT_MIN + 1, 1), 4097);
}

/* Found by fuzzing (test/fuzz/crashes/fmt/): a "*" width of INT_MIN cannot
 * be negated; it is a left-justified field clamped like any other. */
static void test_star_width_int_min(void **state)
{
	static char big[8192];

	(void)state;
	assert_int_equal(ours(big, sizeof(big), "%*d|", INT_MIN, 7), 4097);
	assert_int_equal(big[0], '7');
	assert_int_equal(big[4095], ' ');
	assert_int_equal(big[4096], '|');
	assert_int_equal(ours(big, sizeof(big), "%*s|", INT_MIN, "ab"), 4097);
	assert_int_equal(big[1], 'b');
	assert_int_equal(big[4096], '|');
}

/* Found by fuzzing: a width or precision written with more digits than an
 * int holds overflowed while it was read, before the clamp. */
static void test_long_digit_width(void **state)
{
	static char big[8192];

	(void)state;
	assert_int_equal(ours(big, sizeof(big), "%7777777777d|", 3), 4097);
	assert_int_equal(big[4095], '3');
	assert_int_equal(ours(big, sizeof(big), "%.99999999999999d", 3), 4096);
	assert_int_equal(big[0], '0');
	assert_int_equal(big[4095], '3');
}

struct collect {
	char text[64];
	size_t len;
	int calls;
};

static void collect_sink(void *ctx, const char *s, size_t n)
{
	struct collect *c = ctx;

	assert_true(n > 0);
	assert_true(c->len + n < sizeof(c->text));
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->calls++;
}

static int via_sink(struct collect *c, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = fmt_vformat(collect_sink, c, f, ap);
	va_end(ap);
	return n;
}

static void test_sink(void **state)
{
	struct collect c = { .len = 0 };

	(void)state;
	assert_int_equal(via_sink(&c, "x=%d %s|%20s", -5, "ok", ""), 28);
	assert_int_equal(c.len, 28);
	assert_memory_equal(c.text, "x=-5 ok|                    ", 28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned_and_bases),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_string_char_percent),
		cmocka_unit_test(test_char_nul_counts),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_unknown_and_lone_percent),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_width_clamp),
		cmocka_unit_test(test_star_width_int_min),
		cmocka_unit_test(test_long_digit_width),
		cmocka_unit_test(test_sink),
	};
	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
