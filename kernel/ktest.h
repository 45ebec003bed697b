/* In-kernel tests, KUnit style: KTEST(name) { ... } registers a test in the
 * .ktest section; `ktest=all` or `ktest=a,b` on the command line runs them
 * and prints KTAP. Checks record failures and let the test go on. */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest_ctx {
	const char *name;
	int failures;
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
};

#define KTEST(tname)                                                        \
	static void ktest_fn_##tname(struct ktest_ctx *t);                  \
	static const struct ktest ktest_desc_##tname                        \
		__attribute__((used, section(".ktest"), aligned(8))) =      \
		{ #tname, ktest_fn_##tname };                               \
	static void ktest_fn_##tname(struct ktest_ctx *t)

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define KT_EXPECT(t, cond)                                                  \
	do { if (!(cond)) ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond); } while (0)

#define KT_EXPECT_EQ(t, a, b)                                               \
	do {                                                                \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
		if (_a != _b)                                               \
			ktest_fail(t, __FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, _a, _b); \
	} while (0)

/* Returns early from the test on failure (for checks later steps rely on). */
#define KT_ASSERT(t, cond)                                                  \
	do { if (!(cond)) { ktest_fail(t, __FILE__, __LINE__, "required %s", #cond); return; } } while (0)

/* Pins the test's thread to the boot CPU (0) for the rest of the test;
 * ktest_run gives it back the CPUs it had after each test. For tests of
 * what happens on one CPU (who runs next, this CPU's identity): with
 * several CPUs a thread they start would otherwise run elsewhere at once.
 * The threads a test starts are pinned with thread_set_cpu(th, 0). */
void ktest_pin_boot_cpu(struct ktest_ctx *t);

struct waitq;

/* Waits, up to timeout_ns, until a thread sleeps on wq: how a test knows
 * the thread it started has reached its wait (with several CPUs, or on a
 * slow host, "a few milliseconds later" is no such guarantee). */
bool ktest_await_sleeper(struct waitq *wq, uint64_t timeout_ns);

/* Runs the tests the selection names ("all" or a comma list); returns the
 * number that failed. Unknown names are reported as failures. */
int ktest_run(const char *selection);

#endif
