/* prctl: the options CosmOS implements, with Linux 6.1's argument checks:
 * the calling thread's name (comm), its process's dumpable flag,
 * parent-death signal, no_new_privs and child-subreaper flags, and the
 * thread's clear-child-tid address. What each flag does elsewhere:
 * kernel/proc/process.h. Any other option is -EINVAL. */
#include <sys/sys.h>
#include <cosmos/abi/prctl.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <kernel/proc/process.h>
#include <lib/string.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

/* PR_SET_NAME: Linux reads at most 15 bytes, so a longer name is cut
 * and the bytes after the 15th are never touched. */
static long set_name(struct process *p, struct thread *t, uptr_t src)
{
	char comm[PROC_NAME_MAX] = { 0 };
	size_t n = copy_from_user_part(comm, src, PROC_NAME_MAX - 1);

	if (n < PROC_NAME_MAX - 1 && !memchr(comm, 0, n))
		return -EFAULT;
	process_lock(p);
	strlcpy(t->name, comm, PROC_NAME_MAX);
	if (t->tid == p->pid)           /* the first thread's is the process's */
		strlcpy(p->name, comm, sizeof(p->name));
	mutex_unlock(&p->lock);
	return 0;
}

static long get_name(struct process *p, struct thread *t, uptr_t dst)
{
	char comm[PROC_NAME_MAX] = { 0 };

	process_lock(p);
	strlcpy(comm, t->name, sizeof(comm));
	mutex_unlock(&p->lock);
	return copy_to_user(dst, comm, sizeof(comm));
}

/* The flags under the process's own lock. */
static bool *locked_flag(struct process *p, int option)
{
	return option == PR_GET_DUMPABLE || option == PR_SET_DUMPABLE ? &p->dumpable
								     : &p->no_new_privs;
}

static long set_locked_flag(struct process *p, int option, bool v)
{
	process_lock(p);
	*locked_flag(p, option) = v;
	mutex_unlock(&p->lock);
	return 0;
}

static long get_locked_flag(struct process *p, int option)
{
	bool v;

	process_lock(p);
	v = *locked_flag(p, option);
	mutex_unlock(&p->lock);
	return v;
}

/* The numbers under the process table lock: PR_SET_* stores v, PR_GET_*
 * copies the value out to dst as an int. */
static long table_number(struct process *p, int option, int v, uptr_t dst)
{
	int out;

	process_table_lock();
	switch (option) {
	case PR_SET_PDEATHSIG: p->pdeath_sig = v; break;
	case PR_SET_CHILD_SUBREAPER: p->subreaper = v != 0; break;
	case PR_GET_PDEATHSIG: out = p->pdeath_sig; break;
	default: out = p->subreaper; break;
	}
	process_table_unlock();
	if (option == PR_SET_PDEATHSIG || option == PR_SET_CHILD_SUBREAPER)
		return 0;
	return copy_to_user(dst, &out, sizeof(out));
}

long sys_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
	       unsigned long arg5)
{
	struct process *p = process_current();
	struct thread *t = thread_current();
	uint64_t tidptr;

	switch (option) {
	case PR_SET_NAME:
		return set_name(p, t, uptr(arg2));
	case PR_GET_NAME:
		return get_name(p, t, uptr(arg2));
	case PR_SET_DUMPABLE:
		if (arg2 > 1)       /* 2 (root-only cores) is the sysctl's, not prctl's */
			return -EINVAL;
		return set_locked_flag(p, option, arg2 == 1);
	case PR_GET_DUMPABLE:
		return get_locked_flag(p, option);
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL;
		return set_locked_flag(p, option, true);
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return get_locked_flag(p, option);
	case PR_SET_PDEATHSIG:
		if (arg2 > NSIG)
			return -EINVAL;
		return table_number(p, option, (int)arg2, uptr(0));
	case PR_SET_CHILD_SUBREAPER:
		return table_number(p, option, arg2 != 0, uptr(0));
	case PR_GET_PDEATHSIG:
	case PR_GET_CHILD_SUBREAPER:
		return table_number(p, option, 0, uptr(arg2));
	case PR_GET_TID_ADDRESS:
		tidptr = t->clear_child_tid;    /* only the thread itself sets it */
		return copy_to_user(uptr(arg2), &tidptr, sizeof(tidptr));
	default:
		return -EINVAL;
	}
}
