/* Waiting: wait queues made of entries, so that one thread can wait on
 * several queues at once (poll); interruptible waits; completions. Every
 * queue and entry is under the scheduler lock, so waking is safe from
 * interrupt handlers. docs/scheduler.md has the rules. */
#ifndef KERNEL_SCHED_WAIT_H
#define KERNEL_SCHED_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/sched/sched.h>
#include <lib/list.h>

/* A wait queue: the entries of the threads waiting on it, and how many
 * wakes it has seen (with or without waiters: epoll's EPOLLET reports a
 * file again only after one of its queues was woken). Both: scheduler
 * lock; wakes may be read without it (waitq_wakes). */
struct waitq {
	struct list_node entries;
	uint64_t wakes;
};

/* One thread's place in one wait queue. A thread that waits on several
 * queues has one entry in each. All fields: scheduler lock. */
struct wait_entry {
	struct list_node node;    /* in wq->entries while added */
	struct waitq *wq;         /* the queue it is in, NULL if none */
	struct thread *thread;    /* made runnable when the entry is woken */
	bool woken;               /* a wake reached it since its last sleep */
	bool armed;               /* its thread sleeps on it right now */
	bool exclusive;           /* a single-queue sleeper: see waitq_wake_one */
};

/* Flags of the sleeps below. */
#define WAIT_INTERRUPTIBLE 1u     /* thread_interrupt ends it with -EINTR */

void waitq_init(struct waitq *wq);
/* Wakes every entry added with wait_entry_add (their threads re-check all
 * they wait for) and the first thread sleeping on wq alone; returns the
 * number of entries woken. */
int waitq_wake_one(struct waitq *wq);
/* Wakes every entry; returns how many. */
int waitq_wake_all(struct waitq *wq);
/* The same from a thread about to sleep (it sent a message and will wait
 * for the answer: pipes, sockets, channels): the woken threads run on the
 * waker's CPU when they may and it has nothing else queued, so a
 * ping-pong stays on one CPU (sched_make_ready_sync). Not from an
 * interrupt handler (it wakes as waitq_wake_all there). */
int waitq_wake_all_sync(struct waitq *wq);
/* waitq_wake_all_sync, then sched_hand_off(t) (t may be NULL), under
 * one taking of the scheduler lock: the channels' wake of a receiver. */
int waitq_wake_all_hand_off(struct waitq *wq, struct thread *t);
/* The number of wakes wq has seen so far (a snapshot). */
uint64_t waitq_wakes(const struct waitq *wq);

/* Waiting for a condition. The lost-wake-up rule: check the condition and
 * go to sleep under the scheduler lock; the waker makes the condition true
 * before it calls a wake function (which takes the lock):
 *
 *     int err = waitq_wait_event(&dev->wq, dev->done, deadline);
 *
 * and an interrupt handler does dev->done = true; waitq_wake_all(&dev->wq).
 * cond is evaluated under the scheduler lock. deadline is time_ns() based,
 * 0 for none. 0 when cond became true, -ETIMEDOUT at the deadline, -EDEADLK
 * where blocking is not allowed; the _intr form also returns -EINTR once
 * thread_interrupt was called on the thread. */
#define waitq_wait_event(wq, cond, deadline) \
	waitq_wait_event_flags(wq, cond, deadline, 0)
#define waitq_wait_event_intr(wq, cond, deadline) \
	waitq_wait_event_flags(wq, cond, deadline, WAIT_INTERRUPTIBLE)
#define waitq_wait_event_flags(wq, cond, deadline, flags)                    \
	({                                                                   \
		int _err = 0;                                                \
		uint64_t _f = sched_lock_irqsave();                          \
		while (!(cond) && _err == 0)                                 \
			_err = waitq_sleep_locked((wq), (deadline), (flags)); \
		if ((cond))                                                  \
			_err = 0;                                            \
		sched_unlock_irqrestore(_f);                                 \
		_err;                                                        \
	})

/* Waiting on several queues (what poll does):
 *
 *     struct wait_entry e[2];
 *     int err = 0;
 *
 *     wait_entry_add(&e[0], &a->wq);
 *     wait_entry_add(&e[1], &b->wq);
 *     while (!ready(a) && !ready(b) && err == 0)
 *             err = wait_entries_sleep(e, 2, deadline, WAIT_INTERRUPTIBLE);
 *     wait_entry_remove(&e[0]);
 *     wait_entry_remove(&e[1]);
 *
 * The conditions may be checked under any lock but the scheduler's: a wake
 * that comes between the checks and the sleep leaves its entry woken, and
 * the sleep returns at once. Entries stay in their queues until removed;
 * remove them all before the thread ends. */
/* Puts e (for the calling thread) into wq. */
void wait_entry_add(struct wait_entry *e, struct waitq *wq);
/* Takes e out of its queue, if it is in one. */
void wait_entry_remove(struct wait_entry *e);
/* Sleeps until one of the n entries was woken (0), the deadline passed
 * (-ETIMEDOUT; 0: none) or, with WAIT_INTERRUPTIBLE, the thread was
 * interrupted (-EINTR); -EDEADLK where blocking is not allowed. A wake wins
 * over the other two when they come together. Clears the entries' woken
 * marks before it returns. */
int wait_entries_sleep(struct wait_entry *e, unsigned n, uint64_t deadline,
		       unsigned flags) __must_check;

/* Interrupting waits (the signal code's tool): after thread_interrupt(t),
 * t's interruptible waits, the one in progress and every later one, end
 * with -EINTR until thread_clear_interrupt(t). Other waits are not
 * touched. A t running on another CPU (in ring 3, say) is sent a
 * reschedule IPI, so it sees the signal now, not at its slice end. Safe
 * from interrupt handlers. */
void thread_interrupt(struct thread *t);
void thread_clear_interrupt(struct thread *t);

/* A completion: one side waits until the other says "done" (an interrupt
 * handler may). Counts: n complete() calls let n waits through. */
struct completion {
	struct waitq wq;
	unsigned done;
};
void completion_init(struct completion *c);
void complete(struct completion *c);
/* 0, or -ETIMEDOUT when time_ns() passed deadline first (0: no deadline),
 * or -EDEADLK where blocking is not allowed. */
int completion_wait(struct completion *c, uint64_t deadline) __must_check;

/* For kernel/sync and the macros above, with the scheduler lock held (it
 * is held again on return): sleeps on wq alone as in wait_entries_sleep,
 * then leaves it. Wake-ups may be spurious: re-check in a loop. */
int waitq_sleep_locked(struct waitq *wq, uint64_t deadline, unsigned flags) __must_check;
/* IPC's directed switch (kernel/ipc/channel.c's call): waitq_sleep_locked,
 * and the caller's waitq_wake_all_hand_off(to_wq, to) in the same holding
 * of the lock. When this sleep blocks, to is asleep on to_wq and may take
 * this CPU (sched.c: sched_can_switch_to), to's wait alone ends and the
 * CPU switches straight to it, on no run queue and with no wake of
 * to_wq's other entries; otherwise to_wq is woken with a hand-off to to
 * first and the sleep goes on as waitq_sleep_locked's. */
int waitq_sleep_switch_locked(struct waitq *wq, uint64_t deadline, unsigned flags,
			      struct waitq *to_wq, struct thread *to) __must_check;
int waitq_wake_one_locked(struct waitq *wq);
int waitq_wake_all_locked(struct waitq *wq);
/* waitq_wake_all_sync with the lock held (the channels' direct path). */
int waitq_wake_all_sync_locked(struct waitq *wq);

#endif
