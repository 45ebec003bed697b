/* Processes: an address space, threads, a handle table, a pid, a parent
 * and an exit status. A process whose last thread has ended is a zombie
 * (everything it owned already freed) until its parent reaps it with
 * process_wait; children of a process that goes away pass to the kernel. */
#ifndef KERNEL_PROC_PROCESS_H
#define KERNEL_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/handle.h>
#include <kernel/sched/sched.h>
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
	struct process *parent;       /* NULL for children of the kernel */
	struct list_node sibling;     /* parent's children (process table lock) */
	struct list_node children;
	struct list_node all_node;    /* process table (process table lock) */
	enum process_state state;     /* process table lock */
	int exit_status;              /* set by the first process_exit */
	bool exiting;
	int prio;                     /* for new threads */
	uint64_t root;                /* address space (hal/paging root) */
	struct proc_region *regions;  /* lock: below */
	struct mutex lock;            /* threads, regions, handles */
	struct list_node threads;
	unsigned nthreads;
	uint64_t cpu_ns;              /* of threads that have ended */
	struct handle_table handles;
	struct cred cred;             /* set at creation, changed by its own threads */
	struct fs_ctx *fs;            /* fs/fs_ctx.h: root, cwd, umask; NULL: the kernel's */
	struct waitq child_wq;        /* waits for children becoming zombies */
	char name[PROC_NAME_MAX];
};

void process_init(void);
/* A new process with an empty address space and handle table, child of
 * the calling thread's process (or of the kernel). NULL on no memory. */
struct process *process_create(const char *name, int prio);
/* Starts a thread in p; it ends with thread_exit like any thread (it is
 * detached: the process owns it). -ENOMEM or -ESRCH (p is exiting). */
int process_spawn_thread(struct process *p, const char *name, void (*fn)(void *), void *arg);
/* Ends the calling thread's process with status (the first status wins);
 * the caller's thread ends; the other threads are told to end (they are
 * kernel threads until user mode exists, and end at their next check). */
void process_exit(int status) __attribute__((noreturn));
/* Has the caller's process been asked to end? */
bool process_should_exit(void);
struct process *process_current(void);
/* Backs [va, va + pages * 4 KiB) in p's user half with zeroed frames,
 * user RW. 0, -EINVAL, -ENOMEM. */
int process_map_anon(struct process *p, uint64_t va, uint64_t pages);
/* Waits for a child (pid > 0: that one, -1: any) to become a zombie,
 * reaps it, returns its pid and stores its status. -ECHILD if there is
 * no such child; -ETIMEDOUT at the deadline (0: none). */
int process_wait(int pid, int *status, uint64_t deadline);
/* Logs pid, parent, state, priority, threads and CPU time of each. */
void process_list(void);
unsigned process_count(void);

/* For the scheduler: t (of a process) is about to end. */
void process_thread_exiting(struct thread *t, int code);

#endif
