/* What terminals need from processes and signals for job control: who is
 * calling (pid, process group, session), sending a signal to a process
 * group, and the two questions POSIX's job-control rules ask. kernel/proc
 * implements these; a caller that runs no program (a kernel thread) has
 * pid, group and session 0, and no job control applies to it. */
#ifndef FS_TTY_JOBCTL_H
#define FS_TTY_JOBCTL_H

#include <stdbool.h>

struct jobctl_ids {
	int pid, pgid, sid;             /* 0, 0, 0 for a kernel thread */
};

/* The calling thread's process. */
void jobctl_caller(struct jobctl_ids *ids);
/* Sends sig to every process in group pgid, as the kernel (no permission
 * check): 0, or -ESRCH when the group is empty. */
int jobctl_signal_pgrp(int pgid, int sig);
/* The calling thread blocks sig or its process ignores it. */
bool jobctl_signal_refused(int sig);
/* POSIX's orphaned process group: no member has a parent in another group
 * of the same session (an empty group counts as orphaned). */
bool jobctl_pgrp_orphaned(int pgid);
/* Some process of session sid (-1: any) is in group pgid. */
bool jobctl_pgrp_in_session(int pgid, int sid);
/* The caller has Linux's CAP_SYS_ADMIN (euid 0 here): it may take a
 * terminal another session controls (TIOCSCTTY 1) and push input into a
 * terminal that is not its own (TIOCSTI). */
bool jobctl_sys_admin(void);

#endif
