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
/* The address space of the living, not exiting process with the lowest
 * pid above after, with a reference for the caller (vm_put), its pid in
 * *pid and its name in name; NULL when there is none. */
struct vm_space *process_next_vm(int after, int *pid, char name[PROC_NAME_MAX]);
/* Installs the page-table audit's way through every process's space
 * (audit_spaces.c); process_init calls it. */
void process_audit_init(void);

/* Has signal_deliver anything to do for user thread t: its process
 * stopped, a signal pending and not blocked, a wait interrupted, or
 * sigsuspend's mask to put back? Interrupts off; no lock: whatever is sent
 * after this look finds the thread in ring 3 and is seen on its next entry
 * (a sender interrupts it, and an IPI brings it in). */
static inline bool signal_due(const struct thread *t)
{
	const struct process *p = t->proc;
	const struct thread_sig *s = t->sig;

	/* or-ed as one word: a branch each would cost more than the loads */
	return ((uint64_t)__atomic_load_n(&p->stopped, __ATOMIC_RELAXED) |
		__atomic_load_n(&t->interrupted, __ATOMIC_RELAXED) | s->restore_mask |
		((__atomic_load_n(&p->sig_shared.set, __ATOMIC_RELAXED) |
		  __atomic_load_n(&s->pending.set, __ATOMIC_RELAXED)) & ~t->sig_blocked)) != 0;
}

/* The signal lock (signal.c), also taken around changes to a process's
 * thread list so senders may walk it. */
uint64_t signal_lock(void);
void signal_unlock(uint64_t flags);
/* thread_ret_work_set on every thread of p: for work due to whichever of
 * them returns to ring 3 next (a signal queued to the process, a CPU-time
 * timer armed). sig_lock held. */
void signal_ret_work_all_locked(struct process *p);
/* process_kill with the table lock held. */
void process_kill_locked(struct process *p, int status);
/* Tells p's parent that p stopped or continued (wait's report, SIGCHLD).
 * Table lock held. */
void signal_report_locked(struct process *p, enum sig_report what, int sig);
/* POSIX's orphaned process group test (table lock taken inside). */
bool process_group_orphaned(int pgid);

#endif
