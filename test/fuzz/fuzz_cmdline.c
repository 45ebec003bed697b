/* Fuzz target for lib/cmdline.c: the input is a command line (cut at its
 * first NUL, as the loader hands it over). When the parser accepts it, the
 * harness checks the options it made: non-empty keys without '=', text
 * inside the parser's own buffer, printable bytes only; looks every key up
 * (as a value and as a number, against its own reading of the number) and
 * writes the options out again, quoted, which must parse to the same list. */
#include "fuzz.h"

#include <cosmos/errno.h>
#include <lib/cmdline.h>

static int in_buf(const struct cmdline *cl, const char *s)
{
	return s >= cl->buf && s < cl->buf + CMDLINE_MAX_LEN &&
	       memchr(s, 0, (size_t)(cl->buf + CMDLINE_MAX_LEN - s)) != NULL;
}

/* The number cmdline_get_u64 should find: decimal or 0x hex, no overflow. */
static int expect_u64(const char *v, unsigned long long *out)
{
	unsigned long long n = 0;
	unsigned base = 10;

	if (v[0] == '0' && (v[1] | 0x20) == 'x') {
		base = 16;
		v += 2;
	}
	if (!*v)
		return -EINVAL;
	for (; *v; v++) {
		int d = *v >= '0' && *v <= '9' ? *v - '0'
			: base == 16 && (*v | 0x20) >= 'a' && (*v | 0x20) <= 'f' ? (*v | 0x20) - 'a' + 10
			: -1;
		if (d < 0 || __builtin_mul_overflow(n, base, &n) || __builtin_add_overflow(n, (unsigned)d, &n))
			return -EINVAL;
	}
	*out = n;
	return 0;
}

static void count_unused(const struct cmdline_opt *o, void *ctx)
{
	(void)o;
	++*(unsigned *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline cl, again;
	static char out[4 * CMDLINE_MAX_LEN];
	char *text = fuzz_strndup(data, size);
	size_t n = 0;
	unsigned unused = 0;
	int r = cmdline_parse(&cl, text);

	out[0] = 0;

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG, "returned %d", r);
	if (r != 0) {
		FUZZ_CHECK(cl.count == 0, "%u options left after an error", cl.count);
		free(text);
		return 0;
	}
	FUZZ_CHECK(cl.count <= CMDLINE_MAX_OPTS, "%u options", cl.count);
	for (unsigned i = 0; i < cl.count; i++) {
		const struct cmdline_opt *o = &cl.opts[i];

		FUZZ_CHECK(in_buf(&cl, o->key) && o->key[0], "option %u key", i);
		FUZZ_CHECK(!strchr(o->key, '=') && !strchr(o->key, ' ') && !strchr(o->key, '"'),
			   "key \"%s\"", o->key);
		FUZZ_CHECK(!o->value || in_buf(&cl, o->value), "option %u value", i);
		for (const char *c = o->key; *c; c++)
			FUZZ_CHECK(*c > 0x20 && *c < 0x7f, "byte %#x in a key", (unsigned char)*c);
		for (const char *c = o->value; c && *c; c++)
			FUZZ_CHECK(*c >= 0x20 && *c < 0x7f, "byte %#x in a value", (unsigned char)*c);
		/* written out again: key, or key="value" */
		n += (size_t)snprintf(out + n, sizeof(out) - n, o->value ? "%s=\"%s\" " : "%s ",
				      o->key, o->value);
	}
	cmdline_for_unused(&cl, count_unused, &unused);
	FUZZ_CHECK(unused == cl.count, "%u of %u options unused before any lookup", unused, cl.count);

	if (n < CMDLINE_MAX_LEN - 1) {
		FUZZ_CHECK(cmdline_parse(&again, out) == 0, "written out, it does not parse: %s", out);
		FUZZ_CHECK(again.count == cl.count, "%u options, %u after writing out", cl.count, again.count);
		for (unsigned i = 0; i < cl.count; i++) {
			FUZZ_CHECK(strcmp(again.opts[i].key, cl.opts[i].key) == 0, "key %u changed", i);
			FUZZ_CHECK(!again.opts[i].value == !cl.opts[i].value &&
				   (!cl.opts[i].value || strcmp(again.opts[i].value, cl.opts[i].value) == 0),
				   "value %u changed", i);
		}
	}

	for (unsigned i = 0; i < cl.count; i++) {
		const char *key = cl.opts[i].key, *want, *got;
		unsigned long long num = 0, exp = 0;
		unsigned last = i;
		int rn, re;

		for (unsigned j = 0; j < cl.count; j++)
			if (strcmp(cl.opts[j].key, key) == 0)
				last = j;
		want = cl.opts[last].value;
		got = cmdline_get(&cl, key);
		FUZZ_CHECK(want ? got == want : got && !*got, "%s: not the last option's value", key);
		want = got;
		FUZZ_CHECK(cmdline_has(&cl, key), "%s: not found", key);
		rn = cmdline_get_u64(&cl, key, &num);
		re = expect_u64(want, &exp);
		FUZZ_CHECK(rn == re && (rn || num == exp), "%s=%s: number %d/%llu, expected %d/%llu",
			   key, want, rn, num, re, exp);
		FUZZ_CHECK(cl.opts[i].used, "%s: looked up but not marked used", key);
		/* a value as a list, the key as a word in it */
		(void)cmdline_list_has(want, key);
		FUZZ_CHECK(strchr(key, ',') || cmdline_list_has(key, key), "%s is not in the list \"%s\"",
			   key, key);
	}
	unused = 0;
	cmdline_for_unused(&cl, count_unused, &unused);
	FUZZ_CHECK(unused == 0, "%u options unused after every lookup", unused);
	FUZZ_CHECK(!cmdline_get(&cl, "no such key with spaces"), "found a key that cannot exist");
	free(text);
	return 0;
}
