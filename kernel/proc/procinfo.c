/* Another process's state for /proc (procinfo.h). Lock order as in
 * process.c: the table lock, then the process's lock; the scheduler and
 * signal locks (spinlocks) only around single reads inside. The table lock
 * keeps the struct from being freed (reaping frees it under that lock) and
 * the resources from being released: the last thread leaves the thread
 * list and marks the process exiting under the table lock before it drops
 * them, so a process with threads, or one not yet started and not being
 * discarded, still holds its resources while the lock is held. exec swaps
 * the pointers under the process's lock, which is held while they are
 * counted. */
#include <kernel/proc/procinfo.h>
#include <cosmos/errno.h>
#include <fs/fs_ctx.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/internal.h>
#include <kernel/sched/sched.h>
#include <lib/string.h>

/* Its threads' states and times; table lock held. */
static void threads_locked(struct process *p, struct process_info *pi)
{
	bool runs = false;

	pi->cpu_ns = p->cpu_ns;
	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);
		uint64_t f;

		pi->cpu_ns += sched_thread_cpu_ns(t);
		f = sched_lock_irqsave();
		if (t->state == THREAD_READY || t->state == THREAD_RUNNING)
			runs = true;
		pi->switches += t->switches;
		sched_unlock_irqrestore(f);
	}
	pi->state = runs ? 'R' : 'S';
}

/* Counted resources, a copy of the program's path; both locks held. */
static int resources_locked(struct process *p, struct process_info *pi)
{
	if (p->exe) {
		size_t n = strlen(p->exe) + 1;

		pi->exe = kmalloc(n);
		if (!pi->exe)
			return -ENOMEM;
		memcpy(pi->exe, p->exe, n);
	}
	if (p->vm) {
		vm_get(p->vm);
		pi->vm = p->vm;
	}
	if (p->files) {
		handle_table_get(p->files);
		pi->files = p->files;
	}
	/* a process without a context of its own works in the kernel's */
	pi->fs = fs_ctx_get(p->fs ? p->fs : fs_ctx_kernel());
	return 0;
}

int process_info_get(int pid, struct process_info *pi)
{
	struct process *p;
	int err = 0;

	memset(pi, 0, sizeof(*pi));
	process_table_lock();
	p = pid > 0 ? process_find_locked(pid) : 0;
	if (!p) {
		process_table_unlock();
		return -ESRCH;
	}
	pi->pid = p->pid;
	pi->ppid = p->parent ? p->parent->pid : 0;
	pi->pgid = p->pgid;
	pi->sid = p->sid;
	pi->nthreads = p->nthreads;
	pi->child_cpu_ns = p->child_cpu_ns;
	pi->start_ns = p->start_ns;
	pi->user = p->user;
	threads_locked(p, pi);
	uint64_t f = signal_lock();
	if (p->stopped)
		pi->state = 'T';
	pi->sig_pending = p->sig_shared.set;
	signal_unlock(f);
	if (p->state == PROC_ZOMBIE)
		pi->state = 'Z';
	process_lock(p);
	pi->cred = p->cred;
	pi->prio = p->prio;
	pi->dumpable = p->dumpable;
	strlcpy(pi->name, p->name, sizeof(pi->name));
	if (p->state == PROC_ALIVE && (p->nthreads || !p->exiting))
		err = resources_locked(p, pi);
	mutex_unlock(&p->lock);
	process_table_unlock();
	if (err)
		process_info_put(pi);
	return err;
}

void process_info_put(struct process_info *pi)
{
	if (pi->vm)
		vm_put(pi->vm);
	if (pi->files)
		handle_table_put(pi->files);
	if (pi->fs)
		fs_ctx_put(pi->fs);
	kfree(pi->exe);
	pi->vm = 0;
	pi->files = 0;
	pi->fs = 0;
	pi->exe = 0;
}
