/* A tiny test framework for user programs. Each case is a function that
 * ut_main() runs in a child process of its own, in a fresh directory, with a
 * time limit: a crash, a hang or a failed check costs that one case. Results
 * are printed as KTAP.
 *
 *     TEST(fs_open_enoent)
 *     {
 *         CHECK_ERR(open("missing", O_RDONLY), ENOENT);
 *     }
 *
 * A check that fails prints "# file:line: what" and ends the case. A case
 * passes when its function returns (or the child exits with status 0).
 */
#ifndef USER_UT_H
#define USER_UT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct ut_case {
	const char *name;
	void (*fn)(void);
	int timeout_s;          /* 0: the runner's default */
};

/* Cases and helper programs live in linker sections, so a new file of cases
 * needs no list to be edited. */
#define UT_SECTION(s) __attribute__((used, section(s), aligned(sizeof(void *))))

#define TEST_TIMEOUT(name, seconds)                                          \
	static void name(void);                                              \
	static const struct ut_case ut_case_##name UT_SECTION("ut_cases") =  \
		{ #name, name, seconds };                                    \
	static void name(void)
#define TEST(name) TEST_TIMEOUT(name, 0)

/* A helper program inside the test binary: `PROG -H name args...` runs it
 * (exec tests use the binary itself as the program they start). The name
 * may be a path; its last component picks the helper. */
struct ut_helper {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the helper's name */
};
#define HELPER(name)                                                         \
	static int helper_##name(int argc, char **argv);                     \
	static const struct ut_helper ut_helper_##name UT_SECTION("ut_helpers") = \
		{ #name, helper_##name };                                    \
	static int helper_##name(int argc, char **argv)

/* Runs the cases whose names start with one of the arguments (all when
 * there are none). Options: -t SECONDS (time limit per case, default 20),
 * -l (list the names). Each case runs in ./<name>/, removed afterwards.
 * Returns 0 when every case passed. */
int ut_main(int argc, char **argv);
/* Runs a helper if argv asks for one ("-H name ..."); returns -1 if not. */
int ut_run_helper(int argc, char **argv);

/* Ends the case as failed, printing "# file:line: message" (and the note,
 * if one is set). Usable in any child process a case forks: it exits 1. */
_Noreturn void ut_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the case as skipped: it does not apply on this system (a CosmOS
 * extension on Linux). Reported as "ok N name # SKIP reason"; usable in
 * the case's own process only. */
_Noreturn void ut_skip(const char *reason);
/* Context printed with the next failure, e.g. which bad pointer was tried;
 * NULL clears it. */
void ut_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A printed diagnostic ("# ...") that does not fail the case. */
void ut_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *ut_errname(int err);     /* "ENOENT", or "errno 300" */
const char *ut_signame(int sig);     /* "SIGSEGV", or "signal 40" */

#define UT_FAIL(...) ut_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond))                                                 \
			UT_FAIL("CHECK(%s) failed", #cond);                  \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a != _b)                                                \
			UT_FAIL("%s == %s: %lld != %lld (%#llx != %#llx)",   \
				#a, #b, _a, _b, _a, _b);                     \
	} while (0)

#define CHECK_NE(a, b)                                                       \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a == _b)                                                \
			UT_FAIL("%s != %s: both %lld", #a, #b, _a);          \
	} while (0)

/* A call that must succeed (not return -1 / MAP_FAILED); gives its value. */
#define CHECK_OK(expr)                                                       \
	({                                                                   \
		__typeof__(expr) _r = (expr);                                \
		if ((long)_r == -1)                                          \
			UT_FAIL("%s failed: %s", #expr, ut_errname(errno));  \
		_r;                                                          \
	})

/* A call that must fail with -1 and errno err. */
#define CHECK_ERR(expr, err)                                                 \
	do {                                                                 \
		errno = 0;                                                   \
		long _r = (long)(expr);                                      \
		int _e = errno;                                              \
		if (_r != -1 || _e != (err))                                 \
			UT_FAIL("%s: expected %s, got %ld%s%s", #expr,       \
				ut_errname(err), _r, _r == -1 ? " " : "",    \
				_r == -1 ? ut_errname(_e) : "");             \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *_a = (a), *_b = (b);                             \
		if (!_a || !_b || strcmp(_a, _b) != 0)                       \
			UT_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,        \
				_a ? _a : "(null)", _b ? _b : "(null)");     \
	} while (0)

#define CHECK_MEM(a, b, n)                                                   \
	do {                                                                 \
		if (memcmp((a), (b), (n)) != 0)                              \
			UT_FAIL("%s and %s differ in their %zu bytes", #a,   \
				#b, (size_t)(n));                            \
	} while (0)

#endif
