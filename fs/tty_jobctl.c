/* fs/tty_jobctl.h over kernel/proc: the caller's ids come from its
 * process (a kernel thread's process runs no program: ids 0), groups and
 * sessions from the process table. kernel/proc does not yet send a signal
 * to a process group or say whether one is orphaned, so no group is
 * signalled and every group counts as orphaned: a background reader or
 * writer gets EIO instead of a stop signal. */
#include <cosmos/errno.h>
#include <fs/tty_jobctl.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/thread.h>

void jobctl_caller(struct jobctl_ids *ids)
{
	struct process *p = process_current();

	*ids = (struct jobctl_ids){ 0, 0, 0 };
	if (!p || !p->user)
		return;
	process_table_lock();
	*ids = (struct jobctl_ids){ p->pid, p->pgid, p->sid };
	process_table_unlock();
}

int jobctl_signal_pgrp(int pgid, int sig)
{
	(void)pgid;
	(void)sig;
	return -ESRCH;
}

bool jobctl_signal_refused(int sig)
{
	struct process *p = process_current();
	struct thread *me = thread_current();
	bool ignored;
	uint64_t f;

	if (me->sig_blocked & sig_bit(sig))
		return true;
	if (!p || !p->sighand)
		return false;
	f = spin_lock_irqsave(&p->sighand->lock);
	ignored = p->sighand->action[sig - 1].handler == SIGHAND_IGN;
	spin_unlock_irqrestore(&p->sighand->lock, f);
	return ignored;
}

bool jobctl_pgrp_orphaned(int pgid)
{
	(void)pgid;
	return true;
}

bool jobctl_pgrp_in_session(int pgid, int sid)
{
	bool found;

	process_table_lock();
	found = process_group_exists_locked(pgid, sid);
	process_table_unlock();
	return found;
}

bool jobctl_may_steal(void)
{
	return cred_current()->euid == 0;
}
