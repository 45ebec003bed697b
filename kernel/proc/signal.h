/* Signals: the handler table CLONE_SIGHAND shares (struct sighand), the
 * pending sets of threads and processes with the information each signal
 * carries, sending (kill, tgkill, the terminal's job control, timers,
 * faults), stop and continue, and delivery on the way back to ring 3
 * (signal_deliver, called from uthread_return). docs/signals.md tells the
 * whole path.
 *
 * Locking: one spinlock (sig_lock in signal.c, taken with interrupts off)
 * protects every pending set and queue, every thread's mask, the handler
 * tables, the stop state of processes and the thread lists' membership as
 * signal senders see it (process.c adds and removes threads under it too).
 * Functions that look processes up by pid or group also take the process
 * table lock (a mutex): they may not be called from interrupt handlers. */
#ifndef KERNEL_PROC_SIGNAL_H
#define KERNEL_PROC_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/signal.h>
#include <lib/list.h>

struct process;
struct thread;
struct trap_frame;

/* One signal's disposition as rt_sigaction gives it (Linux's struct
 * kernel_sigaction): handler SIG_DFL 0, SIG_IGN 1, or an address. */
struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};
#define SIGHAND_DFL 0
#define SIGHAND_IGN 1

struct sighand {
	uint32_t refs;                     /* atomic */
	struct sigaction_k action[NSIG];   /* action[n - 1] is signal n's; sig_lock */
};

/* What a signal carries to its handler's siginfo (Linux's fields). */
struct ksiginfo {
	int signo, code, err;
	int pid;                           /* sender, or the child for SIGCHLD */
	uint32_t uid;
	int status;                        /* SIGCHLD: exit code or signal */
	uint64_t addr;                     /* faults: si_addr; queued: si_value */
	int64_t utime, stime;              /* SIGCHLD, in clock ticks */
	struct ptimer *timer;              /* sent by this POSIX timer (kernel/proc/ptimer.c) */
	bool poll;                         /* F_SETSIG's signal: addr is si_band, fd si_fd */
	int fd;
};

/* A queued real-time signal: on the heap, or (info.timer set) the one a
 * POSIX timer owns, which is handed back to the timer instead of freed. */
struct sigqueued {
	struct list_node node;
	struct ksiginfo info;
};

/* Signals waiting for delivery to a thread or to a process: a set, the
 * information of each standard signal (one instance at most), and a queue
 * of real-time ones (every instance, oldest first). Under sig_lock. */
struct sigpending {
	uint64_t set;                      /* bit n-1: signal n */
	struct ksiginfo std[SIGRTMIN];     /* std[n] for signal n < SIGRTMIN */
	struct list_node rt;               /* struct sigqueued */
	unsigned nrt;
};

/* A thread's signal state beyond its mask (struct thread.sig_blocked):
 * kernel/proc allocates it with the thread (process_add_thread). */
struct thread_sig {
	struct sigpending pending;         /* sig_lock */
	/* The thread's own (read and written only by itself): */
	uint64_t saved_mask;               /* sigsuspend's: put back after delivery */
	uint64_t real_blocked;             /* sigtimedwait's own mask while it waits
					    * (still "blocked" for the ignore rule); sig_lock */
	bool restore_mask;
	bool syscall_restartable;          /* the call in progress is STD,R */
	bool restart_pending;              /* its -EINTR still needs the restart decision */
	uint64_t ss_sp, ss_size;           /* sigaltstack; ss_size 0: none */
	int ss_flags;                      /* SS_AUTODISARM */
};

/* How a stopped or continued child is reported to wait (struct process,
 * under the process table lock). */
enum sig_report { SIG_REPORT_NONE, SIG_REPORT_STOPPED, SIG_REPORT_CONTINUED };

static inline uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }
#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
#define SIG_STOPS (sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | sig_bit(SIGTTOU))

/* All default; NULL on no memory. */
struct sighand *sighand_create(void);
/* fork: a copy with one reference. */
struct sighand *sighand_clone(struct sighand *h);
void sighand_get(struct sighand *h);
void sighand_put(struct sighand *h);
/* exec: caught signals go back to their default (ignored ones stay). */
void sighand_reset_caught(struct sighand *h);
/* rt_sigaction's kernel side: 0, or -EINVAL for SIGKILL/SIGSTOP or a bad
 * number. Setting a signal ignored discards it where it is pending. */
int signal_action(struct process *p, int sig, const struct sigaction_k *act,
		  struct sigaction_k *old);

/* The per-thread state (NULL on no memory) and its end (drops what is
 * still queued). */
struct thread_sig *thread_sig_create(void);
void thread_sig_destroy(struct thread_sig *s);
/* A process's shared pending set, empty. */
void sigpending_init(struct sigpending *sp);
/* Drops every queued signal (a process's end). */
void sigpending_flush(struct sigpending *sp);

/* --- Sending. Permission checks are the caller's (sys/ kill). --- */

/* Sends sig (0: only checks the target exists) to the process with this
 * pid, as the kernel (si_code SI_KERNEL). 0, -ESRCH, -EINVAL. */
int signal_send_pid(int pid, int sig);
/* To every process of group pgid: 0, -ESRCH if there is none, -EINVAL. */
int signal_send_pgrp(int pgid, int sig);
/* Does t ignore sig (SIG_IGN, or a default action of ignore) or block it?
 * For the terminal's SIGTTIN/SIGTTOU checks. */
bool signal_is_ignored_or_blocked(struct thread *t, int sig);
/* POSIX's orphaned process group: no member has a parent in another
 * group of the same session. Also true when the group has no members. */
bool pgrp_is_orphaned(int pgid);

/* With the process table lock held: sends info->signo to p (t == NULL,
 * any thread that does not block it takes it) or to its thread t. 0, or
 * -EAGAIN when the real-time queue is full. Signal 0 does nothing. */
int signal_send_locked(struct process *p, struct thread *t, const struct ksiginfo *info);
/* The old form, for the exit path: sig from the kernel to p. */
void signal_send_process_locked(struct process *p, int sig);
/* From a timer callback (interrupt context): a standard signal, not
 * SIGKILL, SIGSTOP or SIGCONT, to p, which must be alive (its timers are
 * cancelled before it ends). */
void signal_send_irq(struct process *p, int sig);
/* From a POSIX timer's expiry (sig_lock held, interrupt context too):
 * queues q (q->info.timer set) on thread t, or on p when t is NULL.
 * Returns where it went, or NULL when it was not queued (ignored, a
 * standard signal already pending, the real-time queue full, p ending). */
struct sigpending *signal_queue_timer_locked(struct process *p, struct thread *t,
					     struct sigqueued *q);
/* Takes a timer's q (queued on sp) back out, sig_lock held. */
void signal_unqueue_timer_locked(struct sigpending *sp, struct sigqueued *q);

/* kill(0), kill(-1) and kill(-pgid): info to every process of group
 * pgid, or with pgid -1 to every process but init and the caller; check
 * (the caller's permission rule) may refuse one with an error. 0 when one
 * got it, -ESRCH when there was none, else the first refusal. */
int process_for_each_group(int pgid, const struct ksiginfo *info,
			   int (*check)(struct process *me, struct process *p, int sig),
			   int *count);

/* --- The calling thread. --- */

/* Sets its mask (SIGKILL and SIGSTOP stay unblocked) and recalculates. */
void signal_set_mask(uint64_t mask);
/* sigtimedwait: the mask while it waits, and the one it had before
 * (0 afterwards), which still counts as blocked for the ignore rule. */
void signal_set_wait_mask(uint64_t mask, uint64_t real_blocked);
/* Sleeps until a signal is deliverable (-EINTR, at once if one is) or
 * until deadline (time_ns(); 0: none) passes (-ETIMEDOUT). */
int signal_sleep(uint64_t deadline);

/* Its mask changed (sigprocmask, sigsuspend): makes its waits end if a
 * pending signal is now deliverable. */
void signal_recalc(void);
/* The pending signals of the calling thread and its process. */
uint64_t signal_pending_set(void);
/* Takes the lowest pending signal in set (thread first, then process)
 * into *info; 0 when none is pending. */
int signal_dequeue(uint64_t set, struct ksiginfo *info);
/* Is a signal deliverable (pending and unblocked), or must the thread
 * leave? For waits that check between sleeps. */
bool signal_pending_now(void);

/* On every return to ring 3 (uthread_return): stops while the process is
 * stopped, runs default actions, and builds a handler frame on the user
 * stack for each caught signal (a frame it cannot write ends the process
 * by SIGSEGV). f is the thread's user frame. Returns with interrupts off
 * and nothing deliverable left. */
void signal_deliver(struct trap_frame *f);
/* rt_sigreturn: restores f and the mask from the frame at the user stack.
 * 0, or kills the process (SIGSEGV) for an unreadable or forged frame. */
int signal_return(struct trap_frame *f);

/* A fault in ring 3: sig goes to the faulting thread's handler when one is
 * installed and the signal is neither blocked nor ignored; otherwise the
 * process ends as killed by sig, with one log line (pid, name, signal,
 * code, rip, fault address) and this call does not return. */
void signal_fault(int sig, int code, uint64_t addr);

/* Is sig's default action to ignore it (SIGCHLD, SIGURG, SIGWINCH; SIGCONT,
 * whose continuing happens when it is sent)? */
bool signal_default_ignores(int sig);

/* "SIGSEGV" for 11; "signal 40" style for others (buf holds 16). */
const char *signal_name(int sig, char buf[16]);

#endif
