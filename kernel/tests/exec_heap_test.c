/* Does exec keep kernel heap? A census of the heap's objects by allocating
 * call site (heap_census, debug checks on) before and after a program
 * forks 200 children that each exec /bin/exit0, the caches (dentries of
 * the programs, slabs) warmed by two such runs first: every site must end
 * with the objects it had, and the sites that did not are printed (so are
 * those the warm-up runs kept, for the record). */
#include <cosmos/errno.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/heap_sites.h>
#include <kernel/proc/process.h>
#include <kernel/proc/spawn.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>

#define SEC 1000000000ull

/* The censuses being compared (one ktest runs at a time). */
static struct heap_sites census_a, census_b, census_cold;

static bool take_census(struct heap_sites *c)
{
	thread_reap();    /* ended threads waiting for the reaper are not kept */
	return heap_sites_take(c) == 0;
}

static void print_site(uintptr_t caller, long objects, long bytes)
{
	char name[96];

	heap_site_name(caller, name, sizeof(name));
	kprintf("    # exec_heap: %+ld objects, %+ld bytes from %s\n", objects, bytes, name);
}

/* Sites whose counts differ from a to b (either way), printed; the total
 * change in objects and bytes. */
static long compare(const struct heap_sites *a, const struct heap_sites *b, long *bytes)
{
	long total = 0, ab, bb;

	*bytes = 0;
	for (unsigned i = 0; i < b->n; i++) {
		long d = b->site[i].objects - heap_sites_at(a, b->site[i].caller, &ab);

		if (d || b->site[i].bytes != ab)
			print_site(b->site[i].caller, d, b->site[i].bytes - ab);
		total += d;
		*bytes += b->site[i].bytes - ab;
	}
	for (unsigned i = 0; i < a->n; i++)
		if (heap_sites_at(b, a->site[i].caller, &bb) == 0) {
			print_site(a->site[i].caller, -a->site[i].objects, -a->site[i].bytes);
			total -= a->site[i].objects;
			*bytes -= a->site[i].bytes;
		}
	return total;
}

static int run_execs(const char *n)
{
	char *argv[] = { "/bin/spawn", "exec", (char *)n, "/bin/exit0" };
	int pid = spawn_program(argv, 4, 0), status = -1;

	if (pid < 0)
		return pid;
	if (process_wait(pid, &status, time_ns() + 120 * SEC) != pid)
		return -ETIMEDOUT;
	return status;
}

KTEST(exec_heap_census_steady)
{
	long objects, bytes;

	KT_ASSERT(t, heap_debug_enabled());
	KT_ASSERT(t, take_census(&census_cold));
	KT_ASSERT(t, run_execs("20") == 0);
	KT_ASSERT(t, run_execs("20") == 0);
	KT_ASSERT(t, take_census(&census_a));
	/* what the first runs keep: caches (said, not judged) */
	objects = compare(&census_cold, &census_a, &bytes);
	kprintf("    # exec_heap: warm-up, 2 x 20 execs: %+ld heap objects, %+ld bytes\n", objects,
		bytes);
	KT_ASSERT(t, run_execs("200") == 0);
	KT_ASSERT(t, take_census(&census_b));
	objects = compare(&census_a, &census_b, &bytes);
	kprintf("    # exec_heap: 200 execs: %+ld heap objects, %+ld bytes, %u call sites\n", objects,
		bytes, census_b.n);
	KT_EXPECT_EQ(t, objects, 0);
	KT_EXPECT_EQ(t, bytes, 0);
}
