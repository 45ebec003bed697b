/* The threads of another process for /proc/[pid]/task (procinfo.h): under
 * the process table lock, which keeps the thread list still (a thread
 * leaves it under that lock); the scheduler's lock only around the reads
 * of a thread's state, the process's own lock around its name. */
#include <kernel/proc/procinfo.h>
#include <cosmos/errno.h>
#include <kernel/proc/internal.h>
#include <kernel/sched/sched.h>
#include <lib/string.h>

int process_thread_next(int pid, int after)
{
	struct process *p;
	int best = 0;

	process_table_lock();
	p = pid > 0 ? process_find_locked(pid) : 0;
	if (p)
		list_for_each(n, &p->threads) {
			int tid = list_entry(n, struct thread, proc_node)->tid;

			if (tid > after && (!best || tid < best))
				best = tid;
		}
	process_table_unlock();
	return best;
}

int process_thread_info(int pid, int tid, struct thread_info_k *ti)
{
	struct process *p;
	int err = -ESRCH;

	process_table_lock();
	p = pid > 0 ? process_find_locked(pid) : 0;
	if (p)
		list_for_each(n, &p->threads) {
			struct thread *t = list_entry(n, struct thread, proc_node);
			uint64_t f;

			if (t->tid != tid)
				continue;
			ti->cpu_ns = sched_thread_cpu_ns(t);
			f = sched_lock_irqsave();
			ti->state = t->state == THREAD_READY || t->state == THREAD_RUNNING ? 'R' : 'S';
			ti->switches = t->switches;
			sched_unlock_irqrestore(f);
			process_lock(p);        /* the thread renames itself under it */
			strlcpy(ti->name, t->name, sizeof(ti->name));
			mutex_unlock(&p->lock);
			err = 0;
			break;
		}
	process_table_unlock();
	return err;
}

int process_of_thread(int tid)
{
	struct process *p = 0;
	int pid;

	process_table_lock();
	pid = tid > 0 && process_find_thread_locked(tid, &p) && p != process_kernel() ? p->pid
										     : -ESRCH;
	process_table_unlock();
	return pid;
}
