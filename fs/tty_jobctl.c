/* fs/tty_jobctl.h over kernel/proc: the caller's ids come from its
 * process (a kernel thread's process runs no program: ids 0), groups and
 * sessions from the process table, signals and the orphan rule from
 * kernel/proc/signal.h. */
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
	return signal_send_pgrp(pgid, sig);
}

bool jobctl_signal_refused(int sig)
{
	return signal_is_ignored_or_blocked(thread_current(), sig);
}

bool jobctl_pgrp_orphaned(int pgid)
{
	return pgrp_is_orphaned(pgid);
}

bool jobctl_pgrp_in_session(int pgid, int sid)
{
	bool found;

	process_table_lock();
	found = process_group_exists_locked(pgid, sid);
	process_table_unlock();
	return found;
}

bool jobctl_sys_admin(void)
{
	return cred_current()->euid == 0;
}
