/* The sampling profiler (see prof.h). A timer event re-arms itself every
 * period and counts the interrupted instruction address in a fixed open-
 * addressing table; the report folds addresses into functions through
 * the kernel's symbol table. Only the CPU that runs the timer callback is
 * sampled (with one CPU, the whole machine).
 * Locking: prof_lock (a spinlock) covers the table and the counters. */
#include <kernel/prof.h>
#include <cosmos/errno.h>
#include <fs/seqbuf.h>
#include <kernel/boot.h>
#include <kernel/interrupts.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/cmdline.h>
#include <lib/string.h>

#define SLOTS 8192            /* distinct kernel addresses kept */
#define TOP 40                /* functions in the report */
#define PERIOD_MIN_US 20      /* below this the profiler is the workload */

struct slot {
	uint64_t rip;
	uint64_t hits;
};

static struct spinlock prof_lock = SPINLOCK_INIT("prof");
static struct slot *table;
static uint64_t period_ns, samples, user, dropped;
static struct timer_event tick;

static void count(uint64_t rip)
{
	uint64_t h = (rip * 0x9e3779b97f4a7c15ull) >> 51;   /* 13 bits: SLOTS */

	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *s = &table[(h + i) & (SLOTS - 1)];

		if (s->rip == rip || s->rip == 0) {
			s->rip = rip;
			s->hits++;
			return;
		}
	}
	dropped++;
}

static void sample(struct timer_event *ev, void *ctx)
{
	const struct trap_frame *f = interrupts_current_frame();
	uint64_t fl = spin_lock_irqsave(&prof_lock);

	(void)ctx;
	if (f) {
		samples++;
		if (f->cs & 3)
			user++;
		else
			count(f->rip);
	}
	spin_unlock_irqrestore(&prof_lock, fl);
	timer_event_add(ev, time_ns() + period_ns, sample, 0);
}

void prof_start_from_cmdline(void)
{
	unsigned long long us;

	if (!cmdline_has(boot_cmdline(), "profile"))
		return;
	if (cmdline_get_u64(boot_cmdline(), "profile", &us) || us < PERIOD_MIN_US || us > 1000000) {
		log_warn("prof: profile= wants a period from %u to 1000000 us; not sampling", PERIOD_MIN_US);
		return;
	}
	table = kzalloc(SLOTS * sizeof(*table));
	if (!table) {
		log_warn("prof: no memory for the sample table; not sampling");
		return;
	}
	period_ns = us * 1000;
	log_info("prof: sampling every %llu us; the report is /proc/profile", us);
	timer_event_add(&tick, time_ns() + period_ns, sample, 0);
}

struct fn_total {
	const char *name;
	uint64_t hits;
};

/* Folds the addresses into functions (ksym names are unique pointers). */
static unsigned fold(struct fn_total *fns, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t off;
		const char *name;
		unsigned j;

		if (!table[i].hits)
			continue;
		name = ksym_lookup(table[i].rip, &off);
		if (!name)
			name = "[unknown]";
		for (j = 0; j < n && fns[j].name != name; j++)
			;
		if (j == n) {
			if (n == max)
				continue;
			fns[n++] = (struct fn_total){ name, 0 };
		}
		fns[j].hits += table[i].hits;
	}
	return n;
}

int prof_show(struct seqbuf *s, uint64_t arg)
{
	struct fn_total *fns;
	uint64_t fl, total, in_user, lost;
	unsigned n;

	(void)arg;
	if (!table) {
		seq_puts(s, "profiling is off: boot with profile=US (a sample every US microseconds)\n");
		return 0;
	}
	fns = kmalloc(SLOTS * sizeof(*fns));
	if (!fns)
		return -ENOMEM;
	fl = spin_lock_irqsave(&prof_lock);
	total = samples;
	in_user = user;
	lost = dropped;
	n = fold(fns, SLOTS);
	/* the next report starts afresh: read once before a workload to
	 * leave the boot out */
	memset(table, 0, SLOTS * sizeof(*table));
	samples = user = dropped = 0;
	spin_unlock_irqrestore(&prof_lock, fl);
	seq_printf(s, "samples %llu every %llu us since the last read; user mode %llu; kernel addresses not kept %llu\n",
		   (unsigned long long)total, (unsigned long long)(period_ns / 1000),
		   (unsigned long long)in_user, (unsigned long long)lost);
	for (unsigned k = 0; k < TOP && k < n; k++) {
		unsigned best = k;

		for (unsigned j = k + 1; j < n; j++)
			if (fns[j].hits > fns[best].hits)
				best = j;
		struct fn_total tmp = fns[k];
		fns[k] = fns[best];
		fns[best] = tmp;
		seq_printf(s, "%8llu %5llu.%01llu%% %s\n", (unsigned long long)fns[k].hits,
			   (unsigned long long)(fns[k].hits * 100 / (total ? total : 1)),
			   (unsigned long long)(fns[k].hits * 1000 / (total ? total : 1) % 10), fns[k].name);
	}
	kfree(fns);
	return 0;
}
