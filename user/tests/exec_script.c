/* #! scripts: the interpreter runs with its optional argument, the script's
 * path and the caller's arguments; nesting up to a limit; the errors.
 * Scripts here name this binary as the interpreter ("#!PROG -H"), and the
 * script's file name picks the helper that runs (ut_run_helper). */
#include "tests.h"

static void write_script(const char *name, const char *interp_line)
{
	char text[PATH_MAX + 64];
	snprintf(text, sizeof text, "%s\n# not read by the interpreter\n", interp_line);
	write_file(name, text, strlen(text), 0755);
}

static int run_script(const char *path, char *const argv[], char *out, size_t cap)
{
	return run_capture(path, argv, NULL, false, out, cap);
}

/* The interpreter gets: its own path, the optional argument ("-H"), the
 * script's path as given to execve, then argv[1..] of the call. */
TEST(exec_script_runs_interpreter)
{
	char line[PATH_MAX + 8];
	snprintf(line, sizeof line, "#!%s -H", self_exe());
	CHECK_OK(mkdir("s", 0755));
	write_script("s/echo_args", line);
	char *argv[] = { "ignored-name", "first", "second arg", NULL };
	char out[512];
	CHECK_EQ(run_script("s/echo_args", argv, out, sizeof out), 0);
	CHECK_STR(out, "argc=3\narg:s/echo_args\narg:first\narg:second arg\n");
}

TEST(exec_script_whitespace)
{
	/* Spaces after "#!" and trailing blanks do not matter. */
	char line[PATH_MAX + 16];
	snprintf(line, sizeof line, "#!  %s  -H  \t", self_exe());
	write_script("echo_args", line);
	char *argv[] = { "x", NULL };
	char out[256];
	CHECK_EQ(run_script("./echo_args", argv, out, sizeof out), 0);
	CHECK_STR(out, "argc=1\narg:./echo_args\n");
}

/* A script whose interpreter is itself a script. */
TEST(exec_script_nested)
{
	char line[PATH_MAX + 8];
	snprintf(line, sizeof line, "#!%s -H", self_exe());
	write_script("echo_args", line);
	char abs[PATH_MAX + 16], here[PATH_MAX];
	CHECK(getcwd(here, sizeof here) != NULL);
	snprintf(abs, sizeof abs, "#!%.4000s/echo_args", here);
	write_script("outer", abs);
	char *argv[] = { "x", "a", NULL };
	char out[PATH_MAX + 256], want[PATH_MAX + 256];
	CHECK_EQ(run_script("outer", argv, out, sizeof out), 0);
	snprintf(want, sizeof want, "argc=3\narg:%.4000s/echo_args\narg:outer\narg:a\n", here);
	CHECK_STR(out, want);
}

/* Scripts chained ten deep exceed the limit: ELOOP. */
TEST(exec_script_depth_limit)
{
	char line[PATH_MAX + 8], name[16], here[PATH_MAX];
	CHECK(getcwd(here, sizeof here) != NULL);
	snprintf(line, sizeof line, "#!%s -H", self_exe());
	write_script("s0", line);
	for (int i = 1; i <= 10; i++) {
		snprintf(name, sizeof name, "s%d", i);
		snprintf(line, sizeof line, "#!%.4000s/s%d", here, i - 1);
		write_script(name, line);
	}
	char *argv[] = { "x", NULL };
	CHECK_ERR(execve("s10", argv, NULL), ELOOP);
}

TEST(exec_script_errors)
{
	char *argv[] = { "x", NULL };
	write_script("missing_interp", "#!/nonexistent/interpreter");
	CHECK_ERR(execve("missing_interp", argv, NULL), ENOENT);
	/* The script needs its own execute bit. */
	char line[PATH_MAX + 8];
	snprintf(line, sizeof line, "#!%s -H", self_exe());
	write_script("noexec", line);
	CHECK_OK(chmod("noexec", 0644));
	CHECK_ERR(execve("noexec", argv, NULL), EACCES);
	/* An interpreter that is not executable. */
	write_file("plain", "data", 4, 0644);
	char plain[PATH_MAX + 16], here[PATH_MAX];
	CHECK(getcwd(here, sizeof here) != NULL);
	snprintf(plain, sizeof plain, "#!%.4000s/plain", here);
	write_script("bad_interp", plain);
	CHECK_ERR(execve("bad_interp", argv, NULL), EACCES);
	/* "#!" with nothing after it. */
	write_script("empty_interp", "#!");
	CHECK_ERR(execve("empty_interp", argv, NULL), ENOEXEC);
}
