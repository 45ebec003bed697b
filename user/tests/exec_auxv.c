/* The initial stack a new program finds: argc, argv, envp and the
 * auxiliary vector (AT_PAGESZ, AT_RANDOM, AT_EXECFN, AT_PHDR, AT_ENTRY, the
 * ids, AT_SECURE, ...), checked by a helper that runs after execve. */
#include "tests.h"

#include <elf.h>
#include <sys/auxv.h>

extern char **environ;
extern char _start[];

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* The auxiliary vector, found after the environment's NULL. */
static Elf64_auxv_t *auxv_start(void)
{
	char **e = environ;
	while (*e)
		e++;
	return (Elf64_auxv_t *)(e + 1);
}

/* auxv: prints "key=value" lines for what the tests compare; checks the
 * rest itself and exits 1 (after saying why) on a mismatch. */
HELPER(auxv)
{
	(void)argc;
	int bad = 0;
#define AUXV_EXPECT(cond)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("bad: %s\n", #cond);                          \
			bad = 1;                                             \
		}                                                            \
	} while (0)
	/* argc, argv and envp are where the stack layout puts them (the
	 * helper's argv is the program's, two entries on). */
	char **prog_argv = argv - 2;
	int prog_argc = argc + 2;
	AUXV_EXPECT(*((long *)prog_argv - 1) == prog_argc);
	AUXV_EXPECT(prog_argv[prog_argc] == NULL);
	AUXV_EXPECT(environ == prog_argv + prog_argc + 1);
	int seen_at_null = 0, seen_hwcap2 = 0, entries = 0;
	for (Elf64_auxv_t *a = auxv_start(); entries < 64; a++, entries++) {
		if (a->a_type == AT_HWCAP2)
			seen_hwcap2 = 1;     /* Linux x86-64 always gives one */
		if (a->a_type == AT_NULL) {
			seen_at_null = 1;
			break;
		}
	}
	AUXV_EXPECT(seen_at_null);
	AUXV_EXPECT(seen_hwcap2);
	AUXV_EXPECT(getauxval(AT_PAGESZ) == 4096);
	AUXV_EXPECT(getauxval(AT_CLKTCK) == 100);
	AUXV_EXPECT(getauxval(AT_UID) == getuid());
	AUXV_EXPECT(getauxval(AT_EUID) == geteuid());
	AUXV_EXPECT(getauxval(AT_GID) == getgid());
	AUXV_EXPECT(getauxval(AT_EGID) == getegid());
	AUXV_EXPECT(getauxval(AT_ENTRY) == (unsigned long)_start);
	AUXV_EXPECT(getauxval(AT_BASE) == 0);
	AUXV_EXPECT(getauxval(AT_HWCAP) != 0);
	AUXV_EXPECT(getauxval(AT_MINSIGSTKSZ) >= 1024);
	const char *platform = (const char *)getauxval(AT_PLATFORM);
	AUXV_EXPECT(platform && strcmp(platform, "x86_64") == 0);
	/* The program headers: AT_PHDR points at them in memory, and one
	 * PT_LOAD holds the entry point. */
	Elf64_Phdr *ph = (Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	AUXV_EXPECT(getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	AUXV_EXPECT(ph != NULL && phnum > 0 && phnum < 64);
	int holds_entry = 0;
	for (unsigned long i = 0; ph && i < phnum && i < 64; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr <= (unsigned long)_start &&
		    (unsigned long)_start < ph[i].p_vaddr + ph[i].p_memsz)
			holds_entry = 1;
	AUXV_EXPECT(holds_entry);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	AUXV_EXPECT(rnd != NULL);
	printf("secure=%lu\n", getauxval(AT_SECURE));
	printf("execfn=%s\n", (const char *)getauxval(AT_EXECFN));
	printf("random=");
	for (int i = 0; rnd && i < 16; i++)
		printf("%02x", rnd[i]);
	printf("\n");
	return bad;
#undef AUXV_EXPECT
}

static int run_auxv(const char *path, char *out, size_t cap, bool as_user)
{
	char *argv[] = { "x", "-H", "auxv", NULL };
	char *envp[] = { "E=1", NULL };
	int status = run_capture(path, argv, envp, as_user, out, cap);
	if (status != 0)
		ut_diag("helper said: %s", out);
	return status;
}

static const char *line_value(const char *out, const char *key, char *buf, size_t cap)
{
	const char *p = strstr(out, key);
	if (!p)
		UT_FAIL("no %s in the helper's output", key);
	p += strlen(key);
	size_t n = strcspn(p, "\n");
	snprintf(buf, cap, "%.*s", (int)n, p);
	return buf;
}

TEST(exec_auxv_values)
{
	char out[PATH_MAX + 512], v[PATH_MAX];
	CHECK_EQ(run_auxv(self_exe(), out, sizeof out, false), 0);
	CHECK_STR(line_value(out, "execfn=", v, sizeof v), self_exe());
	CHECK_STR(line_value(out, "secure=", v, sizeof v), "0");
	CHECK_EQ(strlen(line_value(out, "random=", v, sizeof v)), 32);
	CHECK_EQ(run_auxv(self_exe(), out, sizeof out, true), 0);
}

/* AT_EXECFN is the path as execve was given it. */
TEST(exec_auxv_execfn_relative)
{
	CHECK_OK(symlink(self_exe(), "prog"));
	char out[PATH_MAX + 512], v[PATH_MAX];
	CHECK_EQ(run_auxv("./prog", out, sizeof out, false), 0);
	CHECK_STR(line_value(out, "execfn=", v, sizeof v), "./prog");
}

/* AT_RANDOM differs from one exec to the next. */
TEST(exec_auxv_random_differs)
{
	char out[PATH_MAX + 512], a[64], b[64];
	CHECK_EQ(run_auxv(self_exe(), out, sizeof out, false), 0);
	line_value(out, "random=", a, sizeof a);
	CHECK_EQ(run_auxv(self_exe(), out, sizeof out, false), 0);
	line_value(out, "random=", b, sizeof b);
	CHECK(strcmp(a, b) != 0);
	CHECK(strcmp(a, "00000000000000000000000000000000") != 0);
}

/* A set-user-ID program gets AT_SECURE = 1. */
TEST(exec_auxv_secure)
{
	copy_file(self_exe(), "suid", 04755);
	char path[PATH_MAX], out[PATH_MAX + 512], v[16];
	CHECK(getcwd(path, sizeof path - 8) != NULL);
	strcat(path, "/suid");
	CHECK_EQ(run_auxv(path, out, sizeof out, true), 0);
	CHECK_STR(line_value(out, "secure=", v, sizeof v), "1");
}
