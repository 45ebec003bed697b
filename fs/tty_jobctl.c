/* fs/tty_jobctl.h as the kernel is today: kernel/proc has no process
 * groups or sessions yet and no program runs, so every caller is a kernel
 * thread, outside any session, and there is no group to signal. The
 * process side replaces this file when it brings sessions and signals. */
#include <cosmos/errno.h>
#include <fs/tty_jobctl.h>
#include <kernel/proc/cred.h>

void jobctl_caller(struct jobctl_ids *ids)
{
	*ids = (struct jobctl_ids){ 0, 0, 0 };
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
	return false;
}

bool jobctl_pgrp_orphaned(int pgid)
{
	(void)pgid;
	return true;
}

bool jobctl_pgrp_in_session(int pgid, int sid)
{
	(void)pgid;
	(void)sid;
	return false;
}

bool jobctl_may_steal(void)
{
	return cred_current()->euid == 0;
}
