/* The lock-order checker of debug builds (make LOCKDEP=1), after Linux's
 * lockdep and Zircon's lock validation: every lock class (the locks that
 * share a name and a kind) records which classes were held when it was
 * taken; taking B under A where A was once taken under B (directly or
 * through other classes) is a reversal that can deadlock, reported once
 * with the call sites of both orders. Sleeping with a spinlock held is
 * reported with the held locks and where they were taken. Without
 * CONFIG_LOCKDEP the hooks compile to nothing. */
#ifndef KERNEL_SYNC_LOCKDEP_H
#define KERNEL_SYNC_LOCKDEP_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock;
struct mutex;

#ifdef CONFIG_LOCKDEP
/* Called by the lock code: before a spinlock is spun on (interrupts off),
 * after it is released; before a mutex is waited for, once it is owned,
 * when it is released (scheduler lock held). ip is the caller's site. */
void lockdep_spin_acquire(const struct spinlock *l, uint64_t ip);
void lockdep_spin_release(const struct spinlock *l);
void lockdep_mutex_check(const struct mutex *m, uint64_t ip);
void lockdep_mutex_acquired(struct mutex *m, uint64_t ip);
void lockdep_mutex_released(struct mutex *m);
/* Prints the locks the running context holds, with their sites (the
 * lock-misuse report calls it before it panics). */
void lockdep_print_held(void);

/* The last order reversal reported, for the ktests: the classes (by name)
 * and the two sites of each order. "now" is the acquisition that closed
 * the cycle (new taken at new_ip while held was held since held_ip);
 * "before" is the first edge of the earlier path from new to held. */
struct lockdep_report {
	const char *held, *new_name;
	uint64_t held_ip, new_ip;            /* this time */
	const char *before_from, *before_to;
	uint64_t before_from_ip, before_to_ip;  /* the earlier order */
};
uint64_t lockdep_reports(void);
void lockdep_last_report(struct lockdep_report *r);
#else
static inline void lockdep_spin_acquire(const struct spinlock *l, uint64_t ip) { (void)l; (void)ip; }
static inline void lockdep_spin_release(const struct spinlock *l) { (void)l; }
static inline void lockdep_mutex_check(const struct mutex *m, uint64_t ip) { (void)m; (void)ip; }
static inline void lockdep_mutex_acquired(struct mutex *m, uint64_t ip) { (void)m; (void)ip; }
static inline void lockdep_mutex_released(struct mutex *m) { (void)m; }
static inline void lockdep_print_held(void) {}
#endif

#endif
