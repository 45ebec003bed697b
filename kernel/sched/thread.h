/* Kernel threads: creation on a guarded stack, exit with an owner's hook,
 * join, reaping of detached threads, and the thread table. Running them
 * is sched.h's business, waiting wait.h's. */
#ifndef KERNEL_SCHED_THREAD_H
#define KERNEL_SCHED_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <hal/usermode.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait.h>
#include <kernel/timer.h>
#include <lib/list.h>

#define THREAD_STACK_SIZE  (16 * 1024)
#define THREAD_NAME_MAX    24

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct process;
struct thread_sig;
struct mutex;

struct thread {
	void *sp;                    /* saved stack pointer while switched out */
	struct list_node run_node;   /* its run queue while ready (sched lock) */
	struct list_node all_node;   /* thread table (sched lock) */
	struct list_node reap_node;  /* dead detached threads (sched lock) */
	/* Under the scheduler lock: */
	enum thread_state state;
	int prio;
	unsigned cpu;                /* whose run queue it is in or joins when
					ready (placement in sched.c picks it) */
	unsigned ran_on;             /* the CPU it runs or last ran on */
	uint64_t affinity;           /* CPUs it may run on, bit n for CPU n */
	int tid;                     /* 0 for kmain, -1 for idle threads */
	bool detached;               /* freed at exit instead of by a join */
	bool joining;                /* someone is in thread_join on it */
	bool suspended;              /* created THREAD_SUSPENDED, not resumed */
	bool boot;                   /* runs on the boot stack: never freed */
	volatile bool on_cpu;        /* its stack is still in use */
	/* The wait in progress (wait.c; scheduler lock): */
	bool waiting;                /* asleep in a wait, not woken yet */
	bool wait_intr;              /* that wait is interruptible */
	bool interrupted;            /* thread_interrupt: see wait.h */
	struct timer_event timeout;  /* the wait's deadline */
	int exit_code;
	void *stack;                 /* vmm_stack_alloc base */
	void *kstack_top;            /* its end (below it: the user frame of a user thread) */
	void *fpu_raw, *fpu;         /* save area (fpu is the aligned start) */
	uint64_t cpu_ns;             /* CPU time used, ns */
	uint64_t switches;           /* times switched in */
	uint64_t queued;             /* times put on a run queue (sched lock) */
	/* getrusage's ru_nvcsw and ru_nivcsw: times switched out to wait or
	 * end, and while still runnable (preempted or yielding); written
	 * under the scheduler lock, read without it */
	uint64_t nvcsw, nivcsw;
	struct waitq join_wq;        /* joiners wait here for its death */
	/* The owner's: set on a THREAD_SUSPENDED thread before thread_resume,
	 * never looked into by kernel/sched. exit_hook runs in the thread,
	 * first thing in thread_exit, and may block. */
	struct process *proc;        /* kernel/proc: the process it belongs to */
	struct list_node proc_node;  /* kernel/proc: that process's thread list */
	void (*exit_hook)(struct thread *t, int code);
	/* A thread created THREAD_USER runs a program: its user register
	 * frame sits at kstack_top (hal/usermode.h) and the switch to it loads
	 * its kernel stack and TLS bases. The fields below are kernel/proc's
	 * (kernel/proc/uthread.h); tls changes only in the thread itself. */
	bool user;
	uint64_t aspace;             /* page-table root it runs on; 0: whatever is loaded */
	struct usermode_tls tls;
	uint64_t clear_child_tid;    /* set_tid_address: zeroed and woken at exit */
	uint64_t robust_list;        /* set_robust_list: the head (kernel/proc/robust.c) */
	uint64_t sig_blocked;        /* signals: the thread's mask (bit n-1 for signal n) */
	struct thread_sig *sig;      /* pending signals, altstack (kernel/proc/signal.h) */
	/* Nonzero: the next return to ring 3 must look at everything that
	 * may be due (kernel/proc/uthread.c, uthread_return); only the thread
	 * clears it. Set (thread_ret_work_set) by whatever may make work due
	 * for it: thread_interrupt, signals queued, mask changes, CPU-time
	 * timers armed. */
	uint32_t ret_work;
	void (*fn)(void *);
	void *arg;
	/* For a user thread its comm (at most 15 characters): changed by
	 * exec and prctl(PR_SET_NAME) in the thread itself, under its
	 * process's lock, which other readers take. */
	char name[THREAD_NAME_MAX];
#ifdef CONFIG_LOCKDEP
	struct mutex *ld_held;       /* kernel/sync/lockdep.c: the mutexes it holds, newest first */
#endif
};

/* Tells t its next return to ring 3 must look at everything that may be
 * due. Call after the change that makes the work due is visible (the
 * release orders it before the flag: the return path clears the flag
 * first, then looks). From any CPU, any context; sends no IPI. */
static inline void thread_ret_work_set(struct thread *t)
{
	__atomic_store_n(&t->ret_work, 1u, __ATOMIC_SEQ_CST);
}

/* A new thread running fn(arg) on a guarded stack of THREAD_STACK_SIZE;
 * NULL when out of memory. Joinable unless THREAD_DETACHED: someone must
 * thread_join it, or its memory is never freed. THREAD_SUSPENDED: it does
 * not run before thread_resume (so its owner can fill in the fields above
 * first). Tids count up from 2 and are never reused; THREAD_TID_ONE asks
 * for 1 (NULL when it was taken). */
#define THREAD_DETACHED  1u
#define THREAD_SUSPENDED 2u
#define THREAD_USER      4u   /* keeps room for a user frame at the stack top */
#define THREAD_TID_ONE   8u   /* takes tid 1, kept for the first program (init) */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int prio, unsigned flags) __must_check;
/* A thread id no thread will have (a process made before its first thread
 * takes its pid from here). */
int thread_tid_alloc(void);
/* Frees a THREAD_SUSPENDED thread that was never resumed (its owner could
 * not take it after all). */
void thread_discard(struct thread *t);
/* Lets a THREAD_SUSPENDED thread run; does nothing to any other thread. */
void thread_resume(struct thread *t);
/* Ends the calling thread (returning from its function does the same).
 * The exit hook runs first, then joiners are woken. kmain and the idle
 * thread never end. */
void thread_exit(int code) __attribute__((noreturn));
/* Waits for t to end, frees it, stores its exit code. 0; -EINVAL when t
 * is NULL, the caller, detached or already being joined; -EDEADLK where
 * blocking is not allowed. */
int thread_join(struct thread *t, int *code) __must_check;
/* Frees dead detached threads (the idle thread does too), waits (up to
 * 1 s) for a reaper preempted halfway, for threads still in their exit
 * hook and for threads still leaving another CPU, and gives back their stacks at once (vmm_stacks_flush), so
 * all of them are gone when it returns. */
void thread_reap(void);
/* Logs every thread: tid, state, priority, CPU time. */
void thread_list(void);
unsigned thread_count(void);

#endif
