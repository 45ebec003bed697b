/* fs/tty_jobctl.h over kernel/proc: the caller's ids come from its
 * process (a kernel thread's process runs no program: ids 0), groups and
 * sessions from the process table. kernel/proc delivers no signal but
 * SIGKILL yet (rt_sigaction, kill and delivery are not there), so a
 * job-control stop cannot happen: every caller is treated as one that
 * ignores SIGTTIN and SIGTTOU (a background read gets EIO; background
 * writes and settings go ahead), no group is signalled, and every group
 * counts as orphaned. */
#include <cosmos/errno.h>
#include <fs/tty_jobctl.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>

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
	(void)sig;
	return true;
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
