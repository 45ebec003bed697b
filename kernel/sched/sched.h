/* The scheduler: per-CPU run queues with fixed priorities and round robin
 * inside a level, time slices from a one-shot timer deadline, the context
 * switch and the idle thread. Policy: docs/scheduler.md. Threads are in
 * thread.h; wait queues, completions and interruptible waits in wait.h.
 *
 * Locking: one scheduler lock (a spinlock, interrupts off) protects every
 * run queue, every wait queue, thread states and the thread table. It is
 * held across a context switch and released by the thread switched to. */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/percpu.h>
#include <kernel/sync/spinlock.h>

#define SCHED_PRIO_LEVELS  8     /* 0 lowest .. 7 highest */
#define SCHED_PRIO_DEFAULT 3
#define SCHED_SLICE_NS     10000000ull   /* 10 ms */

struct thread;

/* Makes the caller (kmain) the first thread, starts the idle thread and
 * the time slices. Call once interrupts and timers work. */
void sched_init(void);
/* Starts the MADT's other CPUs (nosmp: none; maxcpus=N: N CPUs in all),
 * each on an idle thread of its own, and reports them. */
void sched_start_cpus(void);
/* How many CPUs run: their ids are 0..n-1 (hal/percpu.h). */
unsigned sched_cpus_online(void);
/* How long starting one other CPU took at boot, on average (INIT to its
 * first C code); 0 with one CPU. */
uint64_t sched_ap_start_ns(void);
/* Has sched_init run (blocking calls work)? */
bool sched_active(void);

/* The running thread; NULL before sched_init. Inline: every system call
 * asks it several times, and it is one %gs-relative load. */
extern bool sched_started;
static inline struct thread *thread_current(void)
{
	return __builtin_expect(sched_started, 1) ? (struct thread *)percpu_current() : 0;
}
/* Goes to the back of its priority's run queue. */
void thread_yield(void);
/* A directed switch (IPC's fast path, as L4's): t, which the caller has
 * just woken, is the thread this CPU switches to next, when the caller
 * blocks or yields, ahead of the run queues' order, unless by then t is no
 * longer ready or a thread of a higher priority is. The hint lasts until
 * that next switch only. Does nothing to a thread that is not ready. */
void sched_hand_off(struct thread *t);
/* sched_hand_off with the scheduler lock held (sched_lock_irqsave). */
void sched_hand_off_locked(struct thread *t);
/* Moves t to another level (clamped to 0..SCHED_PRIO_LEVELS-1); switches
 * at once if that makes a better thread ready. */
void thread_set_priority(struct thread *t, int prio);
/* Every CPU, as an affinity mask (bit n: CPU n). */
#define SCHED_ALL_CPUS (~0ull)
/* Pins t to CPU cpu: thread_set_affinity(t, 1 << cpu). */
int thread_set_cpu(struct thread *t, unsigned cpu);
/* The CPUs t may run on from now on (bit n: CPU n; bits of CPUs that are
 * not online are kept, as Linux keeps them, but never used). A ready
 * thread on a CPU now outside the mask moves at once, a running one is
 * made to switch (thread_yield moves the caller now). 0, or -EINVAL when
 * no CPU of the mask is online. */
int thread_set_affinity(struct thread *t, uint64_t mask);
/* t's mask as set (thread_set_affinity), and which of them are online. */
uint64_t thread_get_affinity(struct thread *t);
/* Bit n set for each CPU that is online. */
uint64_t sched_online_mask(void);
/* The CPU the calling thread runs on (it may move right after). */
unsigned thread_cpu_now(void);

/* Blocks until time_ns() >= deadline (returns at once if it has passed);
 * never early. 0, or -EDEADLK if called where blocking is not allowed.
 * (Implemented with the waits, in wait.c; wait.h has the interruptible
 * form.) */
int thread_sleep_until(uint64_t deadline);
int thread_sleep_ns(uint64_t ns);

/* For anything that may block: false (and a reported violation) in an
 * interrupt handler or under a spinlock, even when it would not block
 * this time, so that the bug shows on the first run. */
bool sched_might_sleep(void);

/* The scheduler lock, for kernel/sync and the wait macros of wait.h;
 * inline, as a channel call takes it several times a message. */
extern struct spinlock sched_lock;
static inline uint64_t sched_lock_irqsave(void) { return spin_lock_irqsave(&sched_lock); }
static inline void sched_unlock_irqrestore(uint64_t f) { spin_unlock_irqrestore(&sched_lock, f); }
/* The CPU time t has used, its current slice included. */
struct thread;
uint64_t sched_thread_cpu_ns(struct thread *t);
/* Switches if a wake-up made a better thread ready and the caller (whose
 * lock flags are given) may be preempted. */
void sched_resched_if_needed(uint64_t flags);

/* Called around every interrupt handler (kernel/interrupts.c). The exit, after
 * the EOI, is the safe point where a slice end or a wake-up switches. */
void sched_interrupt_enter(void);
void sched_interrupt_exit(void);

struct sched_stats {
	uint64_t switches, preemptions, ticks, tick_overhead_ns;
	uint64_t idle_ns;
	uint64_t steals;     /* threads this CPU took from another's queue when idle */
	uint64_t pushes;     /* threads balancing moved from this CPU to another */
	uint64_t direct;     /* switches straight to a woken IPC receiver (sched_switch_direct) */
};
void sched_get_stats(struct sched_stats *s);

#endif
