/* What the files of kernel/proc give each other; nothing outside
 * kernel/proc includes this. */
#ifndef KERNEL_PROC_INTERNAL_H
#define KERNEL_PROC_INTERNAL_H

#include <kernel/proc/process.h>

/* A process struct with its lists, lock, name and pid, in no table and
 * holding nothing. NULL on no memory. */
struct process *process_alloc(const char *name, int prio, int pid);
/* Puts p in the table as parent's child, in parent's group and session.
 * Table lock held. */
void process_link_locked(struct process *p, struct process *parent);
/* Drops p's address space (after loading the kernel's tables if it was
 * the loaded one), descriptors, file-system context, handlers and
 * program path. */
void process_release_resources(struct process *p);

/* The signal lock (signal.c), also taken around changes to a process's
 * thread list so senders may walk it. */
uint64_t signal_lock(void);
void signal_unlock(uint64_t flags);
/* process_kill with the table lock held. */
void process_kill_locked(struct process *p, int status);
/* Tells p's parent that p stopped or continued (wait's report, SIGCHLD).
 * Table lock held. */
void signal_report_locked(struct process *p, enum sig_report what, int sig);
/* POSIX's orphaned process group test (table lock taken inside). */
bool process_group_orphaned(int pgid);

#endif
