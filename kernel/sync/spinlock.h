/* Spinlocks that disable interrupts while held (so an interrupt handler on
 * the same CPU can never spin on a lock its CPU holds), with debug checks:
 * taking a lock this CPU already holds, releasing one it does not hold.
 * Also the violation hook the sleeping locks report through. */
#ifndef KERNEL_SYNC_SPINLOCK_H
#define KERNEL_SYNC_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	int32_t owner_cpu;        /* -1 when free; for the debug checks */
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, -1, (n) }

/* For a lock inside memory set up at run time (SPINLOCK_INIT is for
 * static ones): free, no owner. */
void spin_init(struct spinlock *l, const char *name);
/* Disables interrupts, takes the lock; returns the interrupt state to give
 * back to spin_unlock_irqrestore. */
uint64_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);
/* Does this CPU hold l? */
bool spin_held(const struct spinlock *l);

/* Lock misuse (recursive lock, unlock by a non-owner, sleeping while
 * holding a spinlock or in an interrupt handler) is reported here: it
 * panics, unless a test has installed a hook, in which case the hook is
 * told and the offending operation is refused. */
typedef void (*sync_violation_fn)(const char *what, const void *lock);
sync_violation_fn sync_set_violation_hook(sync_violation_fn fn);
void sync_violation(const char *what, const void *lock);

#endif
