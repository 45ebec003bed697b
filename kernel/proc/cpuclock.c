/* CPU-time clocks: decoding Linux's clock ids and reading them (see
 * cpuclock.h). */
#include <kernel/proc/cpuclock.h>
#include <cosmos/errno.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>

#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CPUCLOCK_PERTHREAD       4
#define CPUCLOCK_WHICH_MASK      3
#define CPUCLOCK_MAX_WHICH       3   /* SCHED is 2; 3 names no clock */

bool cpuclock_decode(int clock, struct cpuclock *c)
{
	if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
		*c = (struct cpuclock){ .thread = clock == CLOCK_THREAD_CPUTIME_ID, .id = 0 };
		return true;
	}
	if (clock >= 0 || (clock & CPUCLOCK_WHICH_MASK) == CPUCLOCK_MAX_WHICH)
		return false;
	*c = (struct cpuclock){ .thread = (clock & CPUCLOCK_PERTHREAD) != 0, .id = ~(clock >> 3) };
	return true;
}

/* Process table lock held. */
static uint64_t process_sum(struct process *p)
{
	uint64_t ns = p->cpu_ns;

	list_for_each(m, &p->threads)
		ns += sched_thread_cpu_ns(list_entry(m, struct thread, proc_node));
	return ns;
}

int cpuclock_read(const struct cpuclock *c, uint64_t *ns)
{
	struct process *me = process_current(), *p = 0;
	struct thread *t;
	int err = 0;

	if (c->thread && c->id == 0) {
		*ns = sched_thread_cpu_ns(thread_current());
		return 0;
	}
	process_table_lock();
	if (c->thread) {
		t = process_find_thread_locked(c->id, &p);
		if (t && p->user)
			*ns = sched_thread_cpu_ns(t);
		else
			err = -EINVAL;
	} else {
		p = c->id == 0 ? me : process_find_locked(c->id);
		if (p && p->user)
			*ns = process_sum(p);
		else
			err = -EINVAL;
	}
	process_table_unlock();
	return err;
}

bool cpuclock_is_own(struct process *p, const struct cpuclock *c)
{
	uint64_t f;
	bool own = false;

	if (!c->thread)
		return c->id == 0 || c->id == p->pid;
	if (c->id == 0)
		return true;
	f = signal_lock();
	list_for_each(n, &p->threads)
		if (list_entry(n, struct thread, proc_node)->tid == c->id)
			own = true;
	signal_unlock(f);
	return own;
}

uint64_t cpuclock_read_sig_locked(struct process *p, const struct cpuclock *c)
{
	uint64_t ns = c->thread ? 0 : p->cpu_ns;

	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);

		if (!c->thread || t->tid == c->id)
			ns += sched_thread_cpu_ns(t);
	}
	return ns;
}
