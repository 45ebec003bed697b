/* The in-kernel test runner: prints KTAP version 1 on the kernel log. */
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <lib/cmdline.h>
#include <lib/fmt.h>
#include <lib/string.h>

extern const struct ktest __ktest_start[], __ktest_end[];

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("    # %s: %s:%d: %s\n", t->name, file, line, msg);
	t->failures++;
}

void ktest_pin_boot_cpu(struct ktest_ctx *t)
{
	if (thread_set_cpu(thread_current(), 0) != 0 || thread_cpu_now() != 0)
		ktest_fail(t, __FILE__, __LINE__, "cannot move to CPU 0");
}

bool ktest_await_sleeper(struct waitq *wq, uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;

	for (;;) {
		uint64_t f = sched_lock_irqsave();
		bool in = !list_empty(&wq->entries);

		sched_unlock_irqrestore(f);
		if (in)
			return true;
		if (time_ns() >= deadline)
			return false;
		thread_sleep_ns(100000);
	}
}

static bool selected(const char *selection, const char *name)
{
	return strcmp(selection, "all") == 0 || cmdline_list_has(selection, name);
}

static bool known(const char *name)
{
	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++)
		if (strcmp(k->name, name) == 0)
			return true;
	return false;
}

/* Names in the selection that match no test count as failed tests, so a typo
 * shows up; with report set they are printed as KTAP results numbered from *n. */
static int unknown_names(const char *selection, int *n, bool report)
{
	int count = 0;
	char word[64];

	if (strcmp(selection, "all") == 0)
		return 0;
	for (const char *p = selection; *p;) {
		size_t len = 0;

		while (p[len] && p[len] != ',')
			len++;
		if (len && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = 0;
			if (!known(word)) {
				count++;
				if (report) {
					kprintf("    # no test named \"%s\"\n", word);
					kprintf("not ok %d %s\n", ++*n, word);
				}
			}
		}
		p += len + (p[len] == ',');
	}
	return count;
}

int ktest_run(const char *selection)
{
	int total = 0, n = 0, failed = 0;

	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++)
		total += selected(selection, k->name);
	total += unknown_names(selection, &n, false);

	kprintf("KTAP version 1\n1..%d\n", total);
	for (const struct ktest *k = __ktest_start; k < __ktest_end; k++) {
		struct ktest_ctx t = { k->name, 0 };
		uint64_t cpus = thread_get_affinity(thread_current());

		if (!selected(selection, k->name))
			continue;
		k->fn(&t);
		thread_set_affinity(thread_current(), cpus);  /* ktest_pin_boot_cpu */
		n++;
		kprintf("%sok %d %s\n", t.failures ? "not " : "", n, k->name);
		failed += t.failures != 0;
	}
	failed += unknown_names(selection, &n, true);
	kprintf("# ktest: %d passed, %d failed\n", n - failed, failed);
	return failed;
}
