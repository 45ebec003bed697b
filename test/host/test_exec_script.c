/* Host tests for kernel/exec/script.c: "#!" lines as Linux reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <kernel/exec/script.h>

/* Parses text (its length, no NUL counted) in an exactly sized copy with
 * one spare byte, as exec reads it. */
static int parse(const char *text, char *out_interp, char *out_arg)
{
	size_t n = strlen(text);
	char *buf = malloc(n + 1), *interp, *arg;
	int err;

	assert_non_null(buf);
	memcpy(buf, text, n);
	err = exec_script_parse(buf, n, &interp, &arg);
	if (!err) {
		strcpy(out_interp, interp);
		strcpy(out_arg, arg ? arg : "(none)");
	}
	free(buf);
	return err;
}

static void test_lines(void **state)
{
	char i[300], a[300];

	(void)state;
	assert_int_equal(parse("#!/bin/sh\necho hi\n", i, a), 0);
	assert_string_equal(i, "/bin/sh");
	assert_string_equal(a, "(none)");
	assert_int_equal(parse("#! /usr/bin/env  python3 -u  \r\nrest", i, a), 0);
	assert_string_equal(i, "/usr/bin/env");
	assert_string_equal(a, "python3 -u");     /* one argument: the rest of the line */
	assert_int_equal(parse("#!/bin/sh", i, a), 0);   /* a file that is only the line */
	assert_string_equal(i, "/bin/sh");
	assert_int_equal(parse("#!\t/bin/busybox\tsh\n", i, a), 0);
	assert_string_equal(i, "/bin/busybox");
	assert_string_equal(a, "sh");
}

static void test_refused(void **state)
{
	char i[300], a[300], long_line[400];

	(void)state;
	assert_int_equal(parse("", i, a), -ENOEXEC);
	assert_int_equal(parse("#", i, a), -ENOEXEC);
	assert_int_equal(parse("#!", i, a), -ENOEXEC);
	assert_int_equal(parse("#!   \n", i, a), -ENOEXEC);
	assert_int_equal(parse("\x7f" "ELF", i, a), -ENOEXEC);
	assert_int_equal(parse("!#/bin/sh\n", i, a), -ENOEXEC);
	/* a line that does not end within 256 bytes */
	memset(long_line, 'x', sizeof(long_line));
	memcpy(long_line, "#!/", 3);
	long_line[sizeof(long_line) - 1] = 0;
	assert_int_equal(parse(long_line, i, a), -ENOEXEC);
	/* 255 bytes and a newline fit */
	long_line[EXEC_SCRIPT_LINE - 1] = '\n';
	assert_int_equal(parse(long_line, i, a), 0);
	assert_int_equal(strlen(i), EXEC_SCRIPT_LINE - 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests_name("exec_script", tests, NULL, NULL);
}
