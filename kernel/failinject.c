/* Fault injection (failinject.h): the configuration armed, the count of
 * matching allocations and the choice of which fail. The allocators call
 * failinject_should_fail through the hooks installed here, before taking
 * their own locks; fail_lock nests inside nothing and is held briefly. */
#include <kernel/failinject.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/percpu.h>
#include <hal/stacktrace.h>
#include <lib/fmt.h>
#include <lib/string.h>

/* Under fail_lock (armed is also read without it, as the fast way out): */
static struct spinlock fail_lock = SPINLOCK_INIT("failinject");
static bool armed;
static struct failinject_config cfg;
static struct failinject_stats stats;
static uint64_t rng;

/* xorshift64*: reproducible from the seed, good enough to pick failures */
static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static bool matches(unsigned kind)
{
	struct thread *t = thread_current();   /* NULL until the scheduler runs */

	if (!(cfg.kinds & kind) || (t && percpu_in_interrupt()))
		return false;
	if (cfg.thread && t != cfg.thread)
		return false;
	/* sid is read without the process table's lock: an int that only
	 * setsid changes, so a process leaving the session may count once */
	return (cfg.pid < 0 || process_current()->pid == cfg.pid) &&
	       (cfg.sid <= 0 || process_current()->sid == cfg.sid);
}

bool failinject_should_fail(unsigned kind, uintptr_t caller)
{
	uint64_t f;
	bool fail = false;

	if (!__atomic_load_n(&armed, __ATOMIC_ACQUIRE))
		return false;
	f = spin_lock_irqsave(&fail_lock);
	if (armed && matches(kind)) {
		stats.counted++;
		fail = cfg.nth ? stats.counted == cfg.nth : next_random() % cfg.one_in == 0;
		if (fail) {
			stats.failed++;
			stats.last_caller = caller;
			stats.last_kind = kind;
			stats.trace_len = stacktrace_walk(stacktrace_current_fp(), stats.trace,
							  FAILINJECT_TRACE);
			/* the first frame is this function's own call site */
			if (stats.trace_len > 0)
				memmove(stats.trace, stats.trace + 1, --stats.trace_len * sizeof(stats.trace[0]));
		}
	}
	spin_unlock_irqrestore(&fail_lock, f);
	return fail;
}

static bool heap_hook(uintptr_t caller) { return failinject_should_fail(FAILINJECT_HEAP, caller); }
static bool frame_hook(uintptr_t caller) { return failinject_should_fail(FAILINJECT_FRAME, caller); }

void failinject_arm(const struct failinject_config *c)
{
	uint64_t f = spin_lock_irqsave(&fail_lock);

	cfg = *c;
	memset(&stats, 0, sizeof(stats));
	rng = c->seed ? c->seed : 1;   /* xorshift never leaves 0 */
	__atomic_store_n(&armed, (c->nth || c->one_in) && c->kinds, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&fail_lock, f);
}

void failinject_disarm(void)
{
	uint64_t f = spin_lock_irqsave(&fail_lock);

	__atomic_store_n(&armed, false, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&fail_lock, f);
}

void failinject_get_stats(struct failinject_stats *s)
{
	uint64_t f = spin_lock_irqsave(&fail_lock);

	*s = stats;
	spin_unlock_irqrestore(&fail_lock, f);
}

/* "N" (the Nth allocation) or "1in:K" (each with chance 1/K); 0 or -1. */
static int parse_spec(const char *v, struct failinject_config *c)
{
	unsigned long long n;

	if (v && strncmp(v, "1in:", 4) == 0) {
		if (cmdline_parse_u64(v + 4, &n) || n == 0 || n > UINT32_MAX)
			return -1;
		c->one_in = (uint32_t)n;
		return 0;
	}
	if (cmdline_parse_u64(v, &n) || n == 0)
		return -1;
	c->nth = n;
	return 0;
}

static void log_armed(const struct failinject_config *c, const char *what)
{
	char who[40] = "";

	if (c->pid >= 0)
		fmt_snprintf(who, sizeof(who), " of process %d", c->pid);
	if (c->nth)
		log_info("failinject: failing %s allocation %llu%s", what,
			 (unsigned long long)c->nth, who);
	else
		log_info("failinject: failing 1 in %u %s allocations%s (failinject.seed=%#llx)",
			 c->one_in, what, who, (unsigned long long)c->seed);
}

void failinject_init(void)
{
	struct cmdline *cl = boot_cmdline();
	const char *slab = cmdline_get(cl, "failslab"), *page = cmdline_get(cl, "failpage");
	struct failinject_config c = { .pid = -1 };
	unsigned long long v;

	heap_set_fail_hook(heap_hook);
	pmm_set_fail_hook(frame_hook);
	if (!slab && !page)
		return;
	if (slab && page)
		log_warn("failinject: failslab= and failpage= together; using failpage=");
	c.kinds = page ? FAILINJECT_FRAME : FAILINJECT_HEAP;
	if (parse_spec(page ? page : slab, &c)) {
		log_warn("failinject: %s=%s: expected N or 1in:K", page ? "failpage" : "failslab",
			 page ? page : slab);
		return;
	}
	if (cmdline_has(cl, "failinject.pid")) {
		if (cmdline_get_u64(cl, "failinject.pid", &v) || v > INT32_MAX) {
			log_warn("failinject: failinject.pid= takes a process id");
			return;
		}
		c.pid = (int)v;
	}
	if (cmdline_get_u64(cl, "failinject.seed", &v) == 0)
		c.seed = v;
	else
		c.seed = cpu_random_seed();
	log_armed(&c, page ? "frame" : "heap");
	failinject_arm(&c);
}
