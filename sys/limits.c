/* Resource-limit calls: getrlimit, setrlimit and prlimit64 (the rules are
 * kernel/proc/limits.c's). */
#include <cosmos/abi/resource.h>
#include <cosmos/errno.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/process.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

/* May the caller read and change p's limits? (itself, root, or a process
 * of the same user as Linux's check without capabilities) */
static bool may_touch(const struct process *p)
{
	const struct cred *me = cred_current();
	struct cred c;

	cred_read(p, &c);
	return me->euid == 0 ||
	       (me->uid == c.uid && me->uid == c.euid && me->uid == c.suid &&
		me->gid == c.gid && me->gid == c.egid && me->gid == c.sgid);
}

static long limit_op(struct process *p, int res, uptr_t new_lim, uptr_t old_lim)
{
	struct rlimit64 nl, ol;
	long err = 0;

	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (!uptr_is_null(new_lim) && copy_from_user(&nl, new_lim, sizeof(nl)))
		return -EFAULT;
	process_lock(p);
	ol = p->rlim[res];
	mutex_unlock(&p->lock);
	if (!uptr_is_null(new_lim))
		err = limits_set(p, res, &nl);
	if (!err && !uptr_is_null(old_lim) && copy_to_user(old_lim, &ol, sizeof(ol)))
		err = -EFAULT;
	return err;
}

long sys_getrlimit(int res, uptr_t rlim)
{
	if (uptr_is_null(rlim))
		return -EFAULT;
	return limit_op(process_current(), res, uptr(0), rlim);
}

long sys_setrlimit(int res, uptr_t rlim)
{
	if (uptr_is_null(rlim))
		return -EFAULT;
	return limit_op(process_current(), res, rlim, uptr(0));
}

long sys_prlimit64(int pid, int res, uptr_t new_lim, uptr_t old_lim)
{
	struct process *p;
	long err;

	if (pid < 0)
		return -EINVAL;
	if (pid == 0 || pid == process_current()->pid)
		return limit_op(process_current(), res, new_lim, old_lim);
	/* another process: the table lock keeps it from going away */
	process_table_lock();
	p = process_find_locked(pid);
	if (!p || p->state != PROC_ALIVE)
		err = -ESRCH;
	else if (!may_touch(p))
		err = -EPERM;
	else
		err = limit_op(p, res, new_lim, old_lim);
	process_table_unlock();
	return err;
}
