/* Host tests for lib/cmdline.c, the kernel command-line parser: flags,
 * key=value, quoting, overrides, limits, malformed input and the helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <lib/cmdline.h>

/* struct cmdline is big; one per test, zeroed, from the heap so ASan sees it. */
static int setup(void **state)
{
	*state = calloc(1, sizeof(struct cmdline));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_flags_and_values(void **state)
{
	struct cmdline *cl = *state;

	assert_int_equal(cmdline_parse(cl, "quiet ktest=all  shutdown=exit\tpanic=reboot"), 0);
	assert_int_equal(cl->count, 4);
	assert_string_equal(cmdline_get(cl, "quiet"), "");
	assert_string_equal(cmdline_get(cl, "ktest"), "all");
	assert_string_equal(cmdline_get(cl, "shutdown"), "exit");
	assert_string_equal(cmdline_get(cl, "panic"), "reboot");
	assert_null(cmdline_get(cl, "missing"));
	assert_null(cmdline_get(cl, "ktes"));
	assert_null(cmdline_get(cl, "ktestx"));
	assert_true(cmdline_has(cl, "quiet"));
	assert_false(cmdline_has(cl, "loud"));
}

static void test_empty_values_and_equals(void **state)
{
	struct cmdline *cl = *state;

	assert_int_equal(cmdline_parse(cl, "a= b==c d=x=y"), 0);
	assert_string_equal(cmdline_get(cl, "a"), "");
	assert_string_equal(cmdline_get(cl, "b"), "=c");
	assert_string_equal(cmdline_get(cl, "d"), "x=y");
	/* A flag and an empty value both read as "" but differ in the option. */
	assert_non_null(cl->opts[0].value);
}

static void test_quotes(void **state)
{
	struct cmdline *cl = *state;

	assert_int_equal(cmdline_parse(cl, "msg=\"hello  world\" x=1 path=a\"b c\"d e=\"\""), 0);
	assert_int_equal(cl->count, 4);
	assert_string_equal(cmdline_get(cl, "msg"), "hello  world");
	assert_string_equal(cmdline_get(cl, "x"), "1");
	assert_string_equal(cmdline_get(cl, "path"), "ab cd");
	assert_string_equal(cmdline_get(cl, "e"), "");
}

static void test_override_order(void **state)
{
	struct cmdline *cl = *state;

	assert_int_equal(cmdline_parse(cl, "a=1 b=2 a=3 a"), 0);
	/* The last word wins, even a bare flag. */
	assert_string_equal(cmdline_get(cl, "a"), "");
	assert_int_equal(cmdline_parse(cl, "a a=1 b=2 a=3"), 0);
	assert_string_equal(cmdline_get(cl, "a"), "3");
	assert_string_equal(cmdline_get(cl, "b"), "2");
}

static void test_empty_input(void **state)
{
	struct cmdline *cl = *state;

	assert_int_equal(cmdline_parse(cl, ""), 0);
	assert_int_equal(cl->count, 0);
	assert_null(cmdline_get(cl, "a"));
	assert_int_equal(cmdline_parse(cl, "  \t  "), 0);
	assert_int_equal(cl->count, 0);
}

static void test_too_many(void **state)
{
	struct cmdline *cl = *state;
	char text[CMDLINE_MAX_OPTS * 8 + 16];
	size_t len = 0;

	for (int i = 0; i < CMDLINE_MAX_OPTS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "o%d ", i);
	assert_int_equal(cmdline_parse(cl, text), 0);
	assert_int_equal(cl->count, CMDLINE_MAX_OPTS);
	assert_string_equal(cmdline_get(cl, "o63"), "");
	snprintf(text + len, sizeof(text) - len, "one_more");
	assert_int_equal(cmdline_parse(cl, text), -E2BIG);
	assert_int_equal(cl->count, 0);
	assert_null(cmdline_get(cl, "o1"));
}

static void test_too_long(void **state)
{
	struct cmdline *cl = *state;
	char *text = malloc(4 * CMDLINE_MAX_LEN);

	assert_non_null(text);
	/* One word near the limit fits ... */
	memset(text, 'k', CMDLINE_MAX_LEN - 100);
	text[CMDLINE_MAX_LEN - 100] = 0;
	assert_int_equal(cmdline_parse(cl, text), 0);
	assert_int_equal(cl->count, 1);
	assert_int_equal(strlen(cl->opts[0].key), CMDLINE_MAX_LEN - 100);
	/* ... one word over it does not ... */
	memset(text, 'k', CMDLINE_MAX_LEN);
	text[CMDLINE_MAX_LEN] = 0;
	assert_int_equal(cmdline_parse(cl, text), -E2BIG);
	assert_int_equal(cl->count, 0);
	/* ... nor do many short words that add up to more than the buffer
	 * (quoted spaces are stored, so the input really is that long). */
	memset(text, ' ', 3 * CMDLINE_MAX_LEN);
	memcpy(text, "v=\"", 3);
	text[3 * CMDLINE_MAX_LEN - 1] = '"';
	text[3 * CMDLINE_MAX_LEN] = 0;
	assert_int_equal(cmdline_parse(cl, text), -E2BIG);
	/* Separating spaces cost nothing: a long run of them is fine. */
	memset(text, ' ', 3 * CMDLINE_MAX_LEN);
	memcpy(text + 3 * CMDLINE_MAX_LEN - 5, "a=1 b", 5);
	assert_int_equal(cmdline_parse(cl, text), 0);
	assert_string_equal(cmdline_get(cl, "a"), "1");
	free(text);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"msg=\"unclosed",
		"a=1 b=\"x y",
		"=value",
		"a=1 =",
		"a=1 \"quoted\"=2",
		"a\"b=1",
		"ctl=\x01",
		"bell\a",
		"del=\x7f",
		"hi=\xc3\xa9",
		"a=1\nb=2",
	};
	struct cmdline *cl = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cmdline_parse(cl, "ok=1"), 0);
		if (cmdline_parse(cl, bad[i]) != -EINVAL)
			fail_msg("\"%s\" was not rejected with -EINVAL", bad[i]);
		assert_int_equal(cl->count, 0);
		assert_null(cmdline_get(cl, "ok"));
	}
}

static void test_get_u64(void **state)
{
	struct cmdline *cl = *state;
	unsigned long long v;

	assert_int_equal(cmdline_parse(cl,
		"dec=12345 zero=0 hex=0x1F HEX=0XaBc max=18446744073709551615 "
		"over=18446744073709551616 hexmax=0xffffffffffffffff hexover=0x10000000000000000 "
		"junk=12a neg=-1 space=\" 1\" emptyhex=0x flag empty= hexjunk=0x1g"), 0);
	assert_int_equal(cmdline_get_u64(cl, "dec", &v), 0);
	assert_int_equal(v, 12345);
	assert_int_equal(cmdline_get_u64(cl, "zero", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cmdline_get_u64(cl, "hex", &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(cmdline_get_u64(cl, "HEX", &v), 0);
	assert_int_equal(v, 0xabc);
	assert_int_equal(cmdline_get_u64(cl, "max", &v), 0);
	assert_true(v == 18446744073709551615ULL);
	assert_int_equal(cmdline_get_u64(cl, "hexmax", &v), 0);
	assert_true(v == ~0ULL);

	v = 77;
	assert_int_equal(cmdline_get_u64(cl, "over", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "hexover", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "junk", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "neg", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "space", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "emptyhex", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "hexjunk", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "flag", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "empty", &v), -EINVAL);
	assert_int_equal(cmdline_get_u64(cl, "absent", &v), -EINVAL);
	assert_int_equal(v, 77); /* untouched on error */
}

static void test_list_has(void **state)
{
	(void)state;
	assert_true(cmdline_list_has("a,b,c", "a"));
	assert_true(cmdline_list_has("a,b,c", "b"));
	assert_true(cmdline_list_has("a,b,c", "c"));
	assert_true(cmdline_list_has("pmm_basic", "pmm_basic"));
	assert_false(cmdline_list_has("a,b,c", "d"));
	assert_false(cmdline_list_has("ab,c", "a"));
	assert_false(cmdline_list_has("a,bc", "b"));
	assert_false(cmdline_list_has("abc", "abcd"));
	assert_false(cmdline_list_has("a,b", "a,b"));
	assert_false(cmdline_list_has("", "a"));
	assert_false(cmdline_list_has(NULL, "a"));
	assert_true(cmdline_list_has("x,,y", "y"));
}

struct seen {
	char names[8][32];
	int n;
};

static void note_unused(const struct cmdline_opt *o, void *ctx)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", o->key);
}

static void test_unused(void **state)
{
	struct cmdline *cl = *state;
	struct seen s = { .n = 0 };

	assert_int_equal(cmdline_parse(cl, "known1 typo=1 known2=x known1 other"), 0);
	(void)cmdline_get(cl, "known1");
	assert_true(cmdline_has(cl, "known2"));
	(void)cmdline_get(cl, "never_given");
	cmdline_for_unused(cl, note_unused, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "typo");
	assert_string_equal(s.names[1], "other");

	/* After a fresh parse every option is unused again. */
	s.n = 0;
	assert_int_equal(cmdline_parse(cl, "known1"), 0);
	cmdline_for_unused(cl, note_unused, &s);
	assert_int_equal(s.n, 1);
}

/* init="..." words: blanks separate, single quotes group, nothing else is
 * special; every word lies inside the buffer it was split in. */
static void test_split_words(void **state)
{
	char buf[128], *w[4];

	(void)state;
	strcpy(buf, "/bin/sh -c 'a=$((6*7)); echo $a'");
	assert_int_equal(cmdline_split_words(buf, w, 4), 3);
	assert_string_equal(w[0], "/bin/sh");
	assert_string_equal(w[1], "-c");
	assert_string_equal(w[2], "a=$((6*7)); echo $a");
	strcpy(buf, "  lead\ttab  x'y z'w  ");
	assert_int_equal(cmdline_split_words(buf, w, 4), 3);
	assert_string_equal(w[0], "lead");
	assert_string_equal(w[1], "tab");
	assert_string_equal(w[2], "xy zw");
	strcpy(buf, "''");
	assert_int_equal(cmdline_split_words(buf, w, 4), 1);
	assert_string_equal(w[0], "");
	strcpy(buf, "   ");
	assert_int_equal(cmdline_split_words(buf, w, 4), 0);
	strcpy(buf, "a 'open");
	assert_int_equal(cmdline_split_words(buf, w, 4), -EINVAL);
	strcpy(buf, "a b c d e");
	assert_int_equal(cmdline_split_words(buf, w, 4), -E2BIG);
	strcpy(buf, "a b c d");
	assert_int_equal(cmdline_split_words(buf, w, 4), 4);
	assert_string_equal(w[3], "d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flags_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_values_and_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_u64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_has, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unused, setup, teardown),
		cmocka_unit_test(test_split_words),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
