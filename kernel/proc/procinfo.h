/* A look at another process for /proc: its numbers copied, and counted
 * references to its address space, descriptor table and file-system
 * context, taken under the process table lock and the process's own lock.
 * The process may end at any moment after that: the copy stays valid, the
 * resources stay alive until process_info_put, and the next look finds
 * it gone (-ESRCH). */
#ifndef KERNEL_PROC_PROCINFO_H
#define KERNEL_PROC_PROCINFO_H

#include <stdint.h>
#include <kernel/proc/process.h>

struct process_info {
	int pid, ppid, pgid, sid;
	char state;                   /* Linux's letters: R, S, T, Z */
	char name[PROC_NAME_MAX];
	struct cred cred;
	unsigned nthreads;
	int prio;
	uint64_t cpu_ns;              /* its threads, the ended and the live ones */
	uint64_t child_cpu_ns;        /* of its reaped children */
	uint64_t switches;            /* of its live threads */
	uint64_t start_ns;
	uint64_t sig_pending;         /* the process's shared set */
	bool user;                    /* runs a program */
	bool dumpable;                /* prctl PR_GET_DUMPABLE */
	/* NULL for a zombie and a process whose last thread is leaving; vm
	 * also for a kernel thread's; fs is the kernel's for a process
	 * without one of its own: */
	char *exe;                    /* a copy (heap) */
	struct vm_space *vm;
	struct handle_table *files;
	struct fs_ctx *fs;
};

/* Fills *pi for the process with this pid (not the kernel's own): 0;
 * -ESRCH when there is none (reaped or never was); -ENOMEM. */
int process_info_get(int pid, struct process_info *pi) __must_check;
/* Drops the references and the copy. */
void process_info_put(struct process_info *pi);

/* One thread of a process, for /proc/[pid]/task/[tid]
 * (kernel/proc/procinfo_task.c). */
struct thread_info_k {
	char state;                   /* R, S (T and Z are the process's) */
	char name[PROC_NAME_MAX];     /* its comm */
	uint64_t cpu_ns;
	uint64_t switches;
};
/* The lowest tid above `after` among process pid's threads; 0 if none. */
int process_thread_next(int pid, int after);
/* Thread tid of process pid: 0, or -ESRCH when it is not one of them. */
int process_thread_info(int pid, int tid, struct thread_info_k *ti);
/* The pid of the live process one of whose threads has this tid (its own
 * pid for the first thread), or -ESRCH. */
int process_of_thread(int tid);

#endif
