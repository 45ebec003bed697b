/* Kernel threads: creation on a guarded stack, exit with an owner's hook,
 * join, reaping of detached threads, and the thread table. Running them
 * is sched.h's business, waiting wait.h's. */
#ifndef KERNEL_SCHED_THREAD_H
#define KERNEL_SCHED_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait.h>
#include <kernel/timer.h>
#include <lib/list.h>

#define THREAD_STACK_SIZE  (16 * 1024)
#define THREAD_NAME_MAX    24

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct process;

struct thread {
	void *sp;                    /* saved stack pointer while switched out */
	struct list_node run_node;   /* its run queue while ready (sched lock) */
	struct list_node all_node;   /* thread table (sched lock) */
	struct list_node reap_node;  /* dead detached threads (sched lock) */
	/* Under the scheduler lock: */
	enum thread_state state;
	int prio;
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
	void *fpu_raw, *fpu;         /* save area (fpu is the aligned start) */
	uint64_t cpu_ns;             /* CPU time used, ns */
	uint64_t switches;           /* times switched in */
	struct waitq join_wq;        /* joiners wait here for its death */
	/* The owner's: set on a THREAD_SUSPENDED thread before thread_resume,
	 * never looked into by kernel/sched. exit_hook runs in the thread,
	 * first thing in thread_exit, and may block. */
	struct process *proc;        /* kernel/proc: the process it belongs to */
	struct list_node proc_node;  /* kernel/proc: that process's thread list */
	void (*exit_hook)(struct thread *t, int code);
	void (*fn)(void *);
	void *arg;
	char name[THREAD_NAME_MAX];
};

/* A new thread running fn(arg) on a guarded stack of THREAD_STACK_SIZE;
 * NULL when out of memory. Joinable unless THREAD_DETACHED: someone must
 * thread_join it, or its memory is never freed. THREAD_SUSPENDED: it does
 * not run before thread_resume (so its owner can fill in the fields above
 * first). */
#define THREAD_DETACHED  1u
#define THREAD_SUSPENDED 2u
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int prio, unsigned flags) __must_check;
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
/* Frees dead detached threads (the idle thread does too) and waits for a
 * reaper preempted halfway, so all of them are gone when it returns. */
void thread_reap(void);
/* Logs every thread: tid, state, priority, CPU time. */
void thread_list(void);
unsigned thread_count(void);

#endif
