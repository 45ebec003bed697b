/* POSIX per-process timers (timer_create and the calls after it): a
 * signal (SIGEV_SIGNAL, to the process; SIGEV_THREAD_ID, to one of its
 * threads) or nothing (SIGEV_NONE) when the timer expires on
 * CLOCK_REALTIME or CLOCK_MONOTONIC, once or every interval, with
 * expirations that come while its signal is still pending counted as
 * overruns; or on a CPU-time clock of the process or one of its threads.
 * Each timer owns its signal's queue entry, so expiry (in
 * interrupt context) never allocates. */
#ifndef KERNEL_PROC_PTIMER_H
#define KERNEL_PROC_PTIMER_H

#include <stdbool.h>
#include <stdint.h>

struct process;
struct ksiginfo;

#define PTIMER_MAX 32             /* timers per process */

/* Linux's sigev_notify values. */
#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD_ID 4

struct ptimer_event {
	int notify;                   /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo;                    /* 1..NSIG (not for SIGEV_NONE) */
	int tid;                      /* SIGEV_THREAD_ID: a thread of the caller's process */
	uint64_t value;               /* si_value */
};

/* Creates a timer of p (the caller's process) on clock (0 REALTIME, 1
 * MONOTONIC, or a CPU-time clock of p or one of its threads): its id, -EINVAL (clock, event, thread), -EAGAIN (PTIMER_MAX
 * reached) or -ENOMEM. A NULL ev is SIGEV_SIGNAL of SIGALRM with the id as
 * its value. */
int ptimer_create(struct process *p, int clock, const struct ptimer_event *ev);
/* Arms (value > 0: relative ns, or with abs an absolute time on the
 * timer's clock in ns) or disarms (0); *old_* get what was left before.
 * 0 or -EINVAL for an unknown id. */
int ptimer_settime(struct process *p, int id, bool abs, uint64_t value, uint64_t interval,
		   uint64_t *old_value, uint64_t *old_interval);
int ptimer_gettime(struct process *p, int id, uint64_t *value, uint64_t *interval);
/* The overruns of the last expiry delivered (or taken by sigtimedwait),
 * or -EINVAL. */
int ptimer_getoverrun(struct process *p, int id);
int ptimer_delete(struct process *p, int id);
/* On the way back to ring 3 while p->ptimers_cpu_armed: the timers on
 * CPU-time clocks whose time has come expire. */
void ptimer_cpu_check(struct process *p);
/* exec and the process's end: every timer deleted. */
void ptimer_delete_all(struct process *p);

/* For kernel/proc/signal.c, sig_lock held: a timer's signal was taken for
 * delivery (fills in info's overrun count and lets the timer queue its
 * signal again), or discarded without delivery. */
void ptimer_signal_taken_locked(struct ksiginfo *info);
void ptimer_signal_dropped_locked(const struct ksiginfo *info);

#endif
