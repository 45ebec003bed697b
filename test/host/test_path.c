/* Host tests of path-string handling: component splitting, ".", "..",
 * repeated and trailing slashes, and the NAME_MAX and PATH_MAX limits at
 * and over their edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/abi/limits.h>
#include <cosmos/errno.h>
#include <fs/pathname.h>

/* Splits s; writes "name|name|..." with markers: "." and ".." as given,
 * a trailing "/" on the last component if it had one. */
static int split(const char *s, char *out, size_t size)
{
	struct path_comp c;
	const char *p = s;
	int r, n = 0;

	out[0] = 0;
	while ((r = pathname_next(&p, &c)) == 1) {
		size_t used = strlen(out);

		snprintf(out + used, size - used, "%s%.*s%s", n ? "|" : "", (int)c.len, c.name,
			 c.trailing_slash ? "/" : "");
		if (c.last)
			assert_true(*p == 0);
		else
			assert_true(*p != 0 && *p != '/');
		if (c.kind == COMP_DOT)
			assert_true(c.len == 1 && c.name[0] == '.');
		if (c.kind == COMP_DOTDOT)
			assert_true(c.len == 2 && memcmp(c.name, "..", 2) == 0);
		n++;
	}
	return r < 0 ? r : n;
}

static void test_components(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(split("a/b/c", out, sizeof(out)), 3);
	assert_string_equal(out, "a|b|c");
	assert_int_equal(split("/usr//lib///x", out, sizeof(out)), 3);
	assert_string_equal(out, "usr|lib|x");
	assert_int_equal(split("a/./../b", out, sizeof(out)), 4);
	assert_string_equal(out, "a|.|..|b");
	assert_int_equal(split("...", out, sizeof(out)), 1);      /* an ordinary name */
	assert_int_equal(split(".hidden/..x", out, sizeof(out)), 2);
}

static void test_slashes(void **state)
{
	char out[256];
	struct path_comp c;
	const char *p;

	(void)state;
	assert_int_equal(split("/", out, sizeof(out)), 0);
	assert_int_equal(split("////", out, sizeof(out)), 0);
	assert_int_equal(split("", out, sizeof(out)), 0);
	assert_int_equal(split("dir/", out, sizeof(out)), 1);
	assert_string_equal(out, "dir/");
	assert_int_equal(split("a/dir//", out, sizeof(out)), 2);
	assert_string_equal(out, "a|dir/");
	/* last and trailing_slash only on the final component */
	p = "x/y";
	assert_int_equal(pathname_next(&p, &c), 1);
	assert_false(c.last);
	assert_false(c.trailing_slash);
	assert_int_equal(pathname_next(&p, &c), 1);
	assert_true(c.last);
	assert_false(c.trailing_slash);
	assert_int_equal(pathname_next(&p, &c), 0);
	p = "./";
	assert_int_equal(pathname_next(&p, &c), 1);
	assert_int_equal(c.kind, COMP_DOT);
	assert_true(c.last && c.trailing_slash);
}

static void test_name_max(void **state)
{
	char path[2 * NAME_MAX + 8];
	struct path_comp c;
	const char *p;

	(void)state;
	memset(path, 'n', NAME_MAX);
	path[NAME_MAX] = 0;
	p = path;
	assert_int_equal(pathname_next(&p, &c), 1);      /* NAME_MAX: fine */
	assert_int_equal(c.len, NAME_MAX);
	path[NAME_MAX] = 'n';
	path[NAME_MAX + 1] = 0;
	p = path;
	assert_int_equal(pathname_next(&p, &c), -ENAMETOOLONG);
	/* over the limit in the middle of a path, after a good component */
	strcpy(path, "ok/");
	memset(path + 3, 'm', NAME_MAX + 1);
	strcpy(path + 3 + NAME_MAX + 1, "/end");
	p = path;
	assert_int_equal(pathname_next(&p, &c), 1);
	assert_int_equal(pathname_next(&p, &c), -ENAMETOOLONG);
}

static void test_path_max(void **state)
{
	char *path = malloc(PATH_MAX + 2);

	(void)state;
	assert_non_null(path);
	assert_int_equal(pathname_check("", false), -ENOENT);
	assert_int_equal(pathname_check("", true), 0);
	assert_int_equal(pathname_check("/a", false), 0);
	/* PATH_MAX counts the NUL: 4095 bytes fit, 4096 do not */
	memset(path, 'a', PATH_MAX + 1);
	for (int i = 100; i < PATH_MAX; i += 101)
		path[i] = '/';
	path[PATH_MAX - 1] = 0;
	assert_int_equal(pathname_check(path, false), 0);
	path[PATH_MAX - 1] = 'a';
	path[PATH_MAX] = 0;
	assert_int_equal(pathname_check(path, false), -ENAMETOOLONG);
	/* the check reads no further than PATH_MAX bytes (ASan watches) */
	{
		char *exact = malloc(PATH_MAX);

		assert_non_null(exact);
		memset(exact, 'b', PATH_MAX);
		assert_int_equal(pathname_check(exact, false), -ENAMETOOLONG);
		free(exact);
	}
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_components),
		cmocka_unit_test(test_slashes),
		cmocka_unit_test(test_name_max),
		cmocka_unit_test(test_path_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
