/* Spinlocks (see spinlock.h). The owner is a CPU, not a thread: the
 * scheduler's lock is handed from one thread to the next across a switch. */
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <kernel/panic.h>
#include <kernel/sync/lockdep.h>

/* Set by tests only, with nothing else running that could misuse a lock. */
static sync_violation_fn violation_hook;

/* Locks are taken from the first log line on, before per-CPU data exists:
 * until then there is one CPU and no owner bookkeeping. */
static struct percpu *cpu_or_null(void)
{
	return percpu_cpu_count() ? percpu_self() : 0;
}

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner_cpu = -1;
	l->name = name;
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t f = cpu_irq_save();
	struct percpu *pc = cpu_or_null();
	int me = pc ? (int)pc->cpu_id : 0;

	if (l->locked && l->owner_cpu == me) {
		/* spinning would never end */
		sync_violation("recursive spinlock", l);
		cpu_irq_restore(f);
		return f;
	}
	lockdep_spin_acquire(l, (uint64_t)__builtin_return_address(0));
	/* The holder may be waiting, interrupts off, for this CPU to answer
	 * a call (a TLB shootdown): answer it while spinning. */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked) {
			ipi_poll();
			cpu_pause();
		}
	l->owner_cpu = me;
	if (pc)
		pc->locks_held++;
	return f;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	struct percpu *pc = cpu_or_null();
	int me = pc ? (int)pc->cpu_id : 0;

	if (!l->locked || l->owner_cpu != me) {
		sync_violation("spinlock released by a CPU that does not hold it", l);
		return;
	}
	l->owner_cpu = -1;
	if (pc)
		pc->locks_held--;
	lockdep_spin_release(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	cpu_irq_restore(flags);
}

bool spin_held(const struct spinlock *l)
{
	struct percpu *pc = cpu_or_null();

	return l->locked && l->owner_cpu == (pc ? (int)pc->cpu_id : 0);
}

sync_violation_fn sync_set_violation_hook(sync_violation_fn fn)
{
	sync_violation_fn old = violation_hook;

	violation_hook = fn;
	return old;
}

void sync_violation(const char *what, const void *lock)
{
	lockdep_print_held();
	if (violation_hook) {
		violation_hook(what, lock);
		return;
	}
	panic("lock misuse: %s (lock %p)", what, lock);
}
