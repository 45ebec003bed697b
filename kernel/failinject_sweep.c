/* The allocation-failure sweep (failinject_sweep.h). Between runs the
 * kernel is brought to rest (dead threads reaped, empty slabs returned),
 * so that a run's frames and heap objects can be counted exactly. Tables
 * the kernel's own tree gains (grown on first use and kept for good) are
 * not leaks; those of a program's address space are, since the space
 * frees them all. */
#include <kernel/failinject_sweep.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/thread.h>
#include <cosmos/errno.h>
#include <lib/fmt.h>

struct snapshot {
	uint64_t free_pages, table_pages, objects, heap_errors;
};

static int count_table(const struct paging_entry *e, void *ctx)
{
	if (!e->leaf)
		(*(uint64_t *)ctx)++;
	return 0;
}

/* The frames of the kernel's own page-table tree, its root included. */
static uint64_t kernel_table_pages(void)
{
	uint64_t n = 1;

	(void)vmm_walk_kernel(count_table, &n);
	return n;
}

static void settle(struct snapshot *s)
{
	struct heap_stats h;

	thread_reap();
	heap_shrink();
	heap_get_stats(&h);
	s->objects = h.large_objects;
	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		s->objects += h.cls[i].objects;
	s->free_pages = pmm_free_pages();
	s->table_pages = kernel_table_pages();
	s->heap_errors = heap_debug_errors();
}

static void log_trace(const struct failinject_stats *st)
{
	for (int i = 0; i < st->trace_len; i++) {
		uint64_t off;
		const char *name = ksym_lookup(st->trace[i] - 1, &off);

		kprintf("    # failinject:   %s+%#llx\n", name ? name : "?",
			(unsigned long long)(name ? off + 1 : st->trace[i]));
	}
}

void failinject_sweep_arm_session(struct failinject_sweep *s, int sid)
{
	struct failinject_config c = s->pending;

	c.sid = sid;
	failinject_arm(&c);
}

/* Checks one run: what it returned (r), whether anything failed (st) and
 * what it kept (before, after); the problems go into s's counts and the
 * log. label names the run ("allocation 7", "seed 3"). Returns true when
 * an allocation failed in it. */
static bool check_run(struct failinject_sweep *s, const char *label, int r,
		      const struct failinject_stats *st, const struct snapshot *before,
		      const struct snapshot *after)
{
	int64_t frames = (int64_t)(before->free_pages - after->free_pages) -
			 (int64_t)(after->table_pages - before->table_pages);
	int64_t objects = (int64_t)(after->objects - before->objects);

	if (after->heap_errors != before->heap_errors) {
		/* the heap's debug checks (on under ktest=) saw a double
		 * free, an overflow or a write after free: logged above */
		s->heap_errors++;
		log_err("failinject: %s: the heap reported errors in the run with %s failed", s->name,
			label);
		log_trace(st);
	}
	if (st->failed == 0) {
		/* nothing failed: the workload ran as it does normally */
		s->allocations = st->counted;
		if (r != 0) {
			s->untouched_failed++;
			log_err("failinject: %s: the run without a failure (%s) returned %d", s->name,
				label, r);
		}
		if (frames || objects) {
			s->leaks++;
			log_err("failinject: %s: the run without a failure (%s) kept %lld frames and "
				"%lld heap objects", s->name, label, (long long)frames, (long long)objects);
		}
		return false;
	}
	s->points++;
	if (r != -ENOMEM) {
		s->wrong_errors++;
		log_err("failinject: %s: with %s failed it returned %d, not -ENOMEM", s->name, label, r);
		log_trace(st);
	}
	if (frames || objects) {
		s->leaks++;
		log_err("failinject: %s: with %s failed, %lld frames and %lld heap objects were not "
			"given back", s->name, label, (long long)frames, (long long)objects);
		log_trace(st);
	}
	return true;
}

/* One run under c: settles, arms, runs, checks. -EIO when prepare fails. */
static int one_run(struct failinject_sweep *s, struct failinject_config *c, const char *label,
		   bool *failed)
{
	struct snapshot before, after;
	struct failinject_stats st;
	int r;

	settle(&before);
	if (s->prepare && (c->pid = s->prepare(s->ctx)) < 0) {
		log_err("failinject: %s: cannot prepare the run with %s (%d)", s->name, label, c->pid);
		return -EIO;
	}
	s->pending = *c;
	if (!s->by_session)
		failinject_arm(c);
	r = s->workload(s->ctx);
	failinject_disarm();
	failinject_get_stats(&st);
	settle(&after);
	*failed = check_run(s, label, r, &st, &before, &after);
	return 0;
}

int failinject_sweep_run(struct failinject_sweep *s)
{
	struct failinject_config c = { .kinds = s->kinds, .pid = -1 };
	char label[40];
	bool failed;

	s->points = s->allocations = 0;
	s->wrong_errors = s->leaks = s->untouched_failed = s->heap_errors = 0;
	if (!s->prepare && !s->by_session)
		c.thread = thread_current();
	if (s->one_in) {
		c.one_in = s->one_in;
		for (unsigned seed = 1; seed <= s->seeds; seed++) {
			c.seed = seed;
			fmt_snprintf(label, sizeof(label), "1 in %u, seed %u", s->one_in, seed);
			if (one_run(s, &c, label, &failed))
				return -EIO;
		}
	}
	for (uint64_t n = 1; !s->one_in && n <= s->max_points + 1; n++) {
		c.nth = n;
		fmt_snprintf(label, sizeof(label), "allocation %llu", (unsigned long long)n);
		if (one_run(s, &c, label, &failed))
			return -EIO;
		if (!failed)
			break;
		if (n > s->max_points) {
			log_err("failinject: %s: still failing after %llu points; giving up", s->name,
				(unsigned long long)s->max_points);
			return -EIO;
		}
	}
	if (s->one_in)
		log_info("failinject: %s: %llu of %u runs had failures: %u wrong errors, %u leaks, "
			 "%u heap errors", s->name, (unsigned long long)s->points, s->seeds,
			 s->wrong_errors, s->leaks, s->heap_errors);
	else
		log_info("failinject: %s: %llu runs with a failure (an untouched run makes %llu "
			 "allocations): %u wrong errors, %u leaks, %u heap errors", s->name,
			 (unsigned long long)s->points, (unsigned long long)s->allocations,
			 s->wrong_errors, s->leaks, s->heap_errors);
	return s->wrong_errors || s->leaks || s->untouched_failed || s->heap_errors ? -EIO : 0;
}
