/* What sched.c, thread.c and wait.c give each other; nothing outside
 * kernel/sched includes this. Every function here runs with the scheduler
 * lock held unless it says otherwise. */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <stdbool.h>
#include <kernel/sched/thread.h>

/* sched.c: the run queues and the switch. */
/* Makes a blocked thread runnable; asks for a switch if it should run
 * before the current one. Does nothing to a thread that is not blocked. */
void sched_make_ready(struct thread *t);
/* The same for a wake-up from a thread about to sleep (waitq_wake_all_sync):
 * t goes on this CPU, to run once the waker sleeps, when it may and
 * nothing else waits here; otherwise as sched_make_ready. */
void sched_make_ready_sync(struct thread *t);
/* t was interrupted (a signal): if it runs on another CPU, that CPU is
 * sent a reschedule IPI, so t passes the checks on the way back to ring 3
 * now rather than at its slice end. */
void sched_kick_running(struct thread *t);
/* The current thread's state is already set (READY and queued, BLOCKED or
 * DEAD): picks the next thread and switches to it. Returns (lock held)
 * once this thread runs again. */
void sched_switch_locked(void);
/* IPC's directed switch (wait.c's waitq_sleep_switch_locked): may the
 * current thread, which is about to block, switch straight to t, a
 * blocked thread whose wait it is ending? (sched.c says when.) */
bool sched_can_switch_to(struct thread *t);
/* The current thread's state is BLOCKED and t passed sched_can_switch_to
 * under this same holding of the lock, its wait ended: switches to t
 * without putting it on a run queue or consulting them (the accounting is
 * sched_switch_locked's). Returns (lock held) once this thread runs again. */
void sched_switch_direct(struct thread *t);
/* First thing a new thread does, on its own stack: finishes the switch
 * that started it and releases the lock with interrupts on. */
void sched_thread_begin(void);
/* May the caller, holding locks_allowed spinlocks, block? Reports a
 * violation when not. Called with or without the lock. */
bool sched_may_block(int locks_allowed);
/* A priority forced into 0..SCHED_PRIO_LEVELS-1. */
static inline int sched_clamp_prio(int prio)
{
	return prio < 0 ? 0 : prio >= SCHED_PRIO_LEVELS ? SCHED_PRIO_LEVELS - 1 : prio;
}

/* sched.c, for cpus.c (lock not held). */
struct sched_cpu;
/* Run queues and an idle thread for another CPU; NULL on no memory. */
struct sched_cpu *sched_cpu_alloc(void);
/* Where that CPU's first stack starts: its idle thread's own. */
void *sched_cpu_stack_top(struct sched_cpu *c);
/* The started CPU's entry (arg: its struct sched_cpu): it becomes that
 * CPU's idle thread and counts as online. Never returns. */
void sched_cpu_start(void *arg);
/* A reschedule IPI arrived (interrupt context): the exit path switches. */
void sched_ipi_resched(void);

/* thread.c: threads the scheduler makes for itself (lock not held). */
/* kmain, running on the boot stack, as thread 0; NULL on no memory. */
struct thread *thread_init_boot(void);
/* An idle thread running fn(arg): in the table, never queued; NULL on
 * no memory. */
struct thread *thread_create_idle(void (*fn)(void *), void *arg);
/* Frees the dead detached threads that are off their CPU (lock not held). */
void thread_reap_some(void);

#endif
