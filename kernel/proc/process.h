/* Processes: an address space, threads, a handle table, a pid, a parent
 * and an exit status. A process whose last thread has ended is a zombie
 * (everything it owned already freed) until its parent reaps it with
 * process_wait; children of a process that goes away pass to the kernel,
 * which frees them as soon as they end. */
#ifndef KERNEL_PROC_PROCESS_H
#define KERNEL_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/handle.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/condvar.h>
#include <kernel/sync/mutex.h>

#define PROC_NAME_MAX 24

enum process_state { PROC_ALIVE, PROC_ZOMBIE };

/* A user region the process owns frames for (freed with it). */
struct proc_region {
	uint64_t va, pages;
	struct proc_region *next;
};

struct process {
	int pid;
	/* Under the process table lock (process.c): */
	struct process *parent;       /* the kernel's own process for children of
				       * kernel threads and for orphans */
	struct list_node sibling;     /* in parent->children */
	struct list_node children;
	struct list_node all_node;    /* process table */
	enum process_state state;
	int exit_status;              /* set by the first process_exit */
	bool exiting;                 /* process_exit ran, or its last thread ended */
	bool orphan;                  /* its parent went away: freed when it ends */
	struct list_node threads;     /* struct thread proc_node */
	unsigned nthreads;
	uint64_t cpu_ns;              /* of threads that have ended */
	struct condvar child_cv;      /* a child became a zombie */
	/* Under lock: */
	struct mutex lock;
	struct proc_region *regions;
	/* Set at creation (root and files cleared by the last thread): */
	int prio;                     /* for new threads */
	uint64_t root;                /* address space (hal/paging root) */
	struct handle_table *files;   /* descriptors; NULL for the kernel and after the end */
	struct cred cred;             /* changed only by its own threads */
	char name[PROC_NAME_MAX];
};

void process_init(void);
/* A new process with an empty address space and descriptor table (limit
 * HANDLE_LIMIT_DEFAULT), child of
 * the calling thread's process (the kernel's for a kernel thread). NULL on
 * no memory. It has no thread: start one with process_spawn_thread. */
struct process *process_create(const char *name, int prio) __must_check;
/* Starts a thread in p; it ends with thread_exit like any thread (it is
 * detached: the process owns it). 0, -ENOMEM, -ESRCH (p is exiting or a
 * zombie) or -EDEADLK (may not block here). */
int process_spawn_thread(struct process *p, const char *name, void (*fn)(void *),
			 void *arg) __must_check;
/* Frees a process that never got a thread (its setup failed half way):
 * everything it owns and the process itself. 0; -EBUSY when it has or had
 * a thread (it ends by itself then); -EDEADLK. */
int process_discard(struct process *p);
/* Ends the calling thread's process with status (the first status wins):
 * the caller's thread ends, and the other threads are interrupted
 * (thread_interrupt), so their interruptible waits return -EINTR; they end
 * when their code sees that and returns. */
void process_exit(int status) __attribute__((noreturn));
struct process *process_current(void);
/* Backs [va, va + pages * 4 KiB) in p's user half with zeroed frames,
 * user RW. 0, -EINVAL, -ENOMEM, -EDEADLK, or -EEXIST when the range meets
 * one of p's regions (nothing is mapped then). */
int process_map_anon(struct process *p, uint64_t va, uint64_t pages) __must_check;
/* Waits for a child of the caller's process (pid > 0: that one, -1: any)
 * to become a zombie, reaps it, returns its pid and stores its status.
 * -ECHILD if there is no such child (orphans the kernel took over do not
 * count); -ETIMEDOUT at the deadline (0: none);
 * -EINTR once thread_interrupt was called on the caller; -EDEADLK. */
int process_wait(int pid, int *status, uint64_t deadline) __must_check;
/* Logs pid, parent, state, priority, threads and CPU time of each. */
void process_list(void);
unsigned process_count(void);

#endif
