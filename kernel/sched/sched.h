/* Kernel threads and the preemptive scheduler: fixed priorities with round
 * robin inside a level, time slices from a one-shot timer deadline, sleep
 * with nanosecond deadlines, wait queues and completions that interrupt
 * handlers can signal, exit/join and reaping. Policy: docs/scheduler.md.
 *
 * Locking: one scheduler lock (a spinlock, interrupts off) protects every
 * run queue, every wait queue, thread states and the thread table. It is
 * held across a context switch and released by the thread switched to. */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/sched/list.h>
#include <kernel/timer.h>

#define SCHED_PRIO_LEVELS  8     /* 0 lowest .. 7 highest */
#define SCHED_PRIO_DEFAULT 3
#define SCHED_SLICE_NS     10000000ull   /* 10 ms */
#define THREAD_STACK_SIZE  (16 * 1024)
#define THREAD_NAME_MAX    24

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct process;

/* A wait queue: threads blocked until someone wakes them. The list is
 * protected by the scheduler lock; waking is safe from interrupt handlers. */
struct waitq {
	struct list_node waiters;
};

struct thread {
	void *sp;                    /* saved stack pointer while switched out */
	struct list_node queue_node; /* run queue or wait queue (sched lock) */
	struct list_node all_node;   /* thread table (sched lock) */
	struct list_node proc_node;  /* its process's list (process lock) */
	struct list_node reap_node;  /* dead detached threads (sched lock) */
	struct waitq *waiting_on;    /* the wait queue it sits on, if any */
	enum thread_state state;
	int prio;
	int tid;
	bool detached;               /* freed at exit instead of by a join */
	bool joining;                /* someone is in thread_join on it */
	bool timed_out;
	volatile bool on_cpu;        /* its stack is still in use */
	bool boot;                   /* runs on the boot stack: never freed */
	int exit_code;
	void *stack;                 /* vmm_stack_alloc base */
	void *fpu_raw, *fpu;         /* save area (fpu is the aligned start) */
	uint64_t cpu_ns;             /* CPU time used, ns */
	uint64_t switches;           /* times switched in */
	struct timer_event timeout;  /* sleep or wait deadline */
	struct waitq join_wq;        /* joiners wait here for its death */
	struct process *proc;
	void (*fn)(void *);
	void *arg;
	char name[THREAD_NAME_MAX];
};

/* Makes the caller (kmain) the first thread, starts the idle thread and
 * the time slices. Call once interrupts and timers work. */
void sched_init(void);
/* Has sched_init run (blocking calls work)? */
bool sched_active(void);

/* A new ready thread running fn(arg) on a guarded stack of
 * THREAD_STACK_SIZE; NULL when out of memory. Joinable unless detached:
 * someone must thread_join it, or its memory is never freed. */
#define THREAD_DETACHED 1u
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int prio, unsigned flags);
/* The same, as a thread of process p (kernel/proc uses this). */
struct thread *thread_create_in(struct process *p, const char *name, void (*fn)(void *),
				void *arg, int prio, unsigned flags);
struct thread *thread_current(void);
void thread_exit(int code) __attribute__((noreturn));
/* Waits for t to end, frees it, stores its exit code; 0 or -EINVAL. */
int thread_join(struct thread *t, int *code);
void thread_yield(void);
void thread_set_priority(struct thread *t, int prio);
/* Blocks until time_ns() >= deadline (returns at once if it has passed);
 * -EDEADLK if called where blocking is not allowed. */
int thread_sleep_until(uint64_t deadline);
int thread_sleep_ns(uint64_t ns);
/* Frees dead detached threads (the idle thread does too) and waits for a
 * reaper preempted halfway, so all of them are gone when it returns. */
void sched_reap(void);
/* Logs every thread: tid, state, priority, CPU time. */
void sched_list_threads(void);
unsigned sched_thread_count(void);

/* Wait queues. The lost-wake-up rule: check the condition and go to sleep
 * under the scheduler lock; the waker makes the condition true before it
 * calls a wake function (which takes the lock). waitq_wait_event does this:
 *
 *     int err = waitq_wait_event(&dev->wq, dev->done, deadline);
 *
 * and an interrupt handler does dev->done = true; waitq_wake_all(&dev->wq).
 * deadline is time_ns() based, 0 for none; the result is 0 or -ETIMEDOUT. */
void waitq_init(struct waitq *wq);
int waitq_wake_one(struct waitq *wq);    /* returns threads woken (0 or 1) */
int waitq_wake_all(struct waitq *wq);
#define waitq_wait_event(wq, cond, deadline)                                 \
	({                                                                   \
		int _err = 0;                                                \
		uint64_t _f = sched_lock_irqsave();                          \
		while (!(cond) && _err == 0)                                 \
			_err = waitq_sleep_locked((wq), (deadline));         \
		if ((cond))                                                  \
			_err = 0;                                            \
		sched_unlock_irqrestore(_f);                                 \
		_err;                                                        \
	})

/* A completion: one side waits until the other says "done" (an interrupt
 * handler may). Counts: n complete() calls let n waits through. */
struct completion {
	struct waitq wq;
	unsigned done;
};
void completion_init(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
/* 0, or -ETIMEDOUT when time_ns() passed deadline first (0: no deadline),
 * or -EDEADLK where blocking is not allowed. */
int completion_wait(struct completion *c, uint64_t deadline);

/* For anything that may block: false (and a reported violation) in an
 * interrupt handler or under a spinlock, even when it would not block
 * this time, so that the bug shows on the first run. */
bool sched_might_sleep(void);

/* For the lock implementations (kernel/sync) and waitq_wait_event. */
uint64_t sched_lock_irqsave(void);
void sched_unlock_irqrestore(uint64_t flags);
/* Sleeps on wq with the scheduler lock held (it is held again on return);
 * 0 when woken, -ETIMEDOUT, -EDEADLK if blocking is not allowed here. */
int waitq_sleep_locked(struct waitq *wq, uint64_t deadline);
bool waitq_wake_one_locked(struct waitq *wq);
int waitq_wake_all_locked(struct waitq *wq);
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
};
void sched_get_stats(struct sched_stats *s);

#endif
