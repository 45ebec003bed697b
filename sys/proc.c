/* Process and thread calls: fork, vfork, clone, execve, execveat, exit,
 * exit_group, wait4, waitid, the ids, process groups and sessions,
 * set_tid_address, set_robust_list, sched_yield, sched_{set,get}affinity, getcpu and
 * arch_prctl. */
#include <sys/sys.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/futex.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/misc.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/sched.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/exec/exec.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/fork.h>
#include <kernel/proc/process.h>
#include <kernel/proc/uthread.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/syscall_protos.h>
#include <sys/file.h>
#include <sys/usercopy.h>

/* ---- fork, vfork, clone ---- */

long sys_fork(void)
{
	struct clone_req r = { .flags = SIGCHLD };

	return process_clone(&r, sys_frame());
}

long sys_vfork(void)
{
	struct clone_req r = { .flags = CLONE_VM | CLONE_VFORK | SIGCHLD };

	return process_clone(&r, sys_frame());
}

long sys_clone(unsigned long flags, uptr_t stack, uptr_t ptid, uptr_t ctid, unsigned long tls)
{
	struct clone_req r = { flags, stack.addr, ptid.addr, ctid.addr, tls };

	return process_clone(&r, sys_frame());
}

/* ---- execve ---- */

/* Copies a NULL-terminated vector of user strings into args. */
static int copy_strings(struct exec_args *a, uptr_t vec, int env)
{
	if (uptr_is_null(vec))
		return 0;       /* Linux takes a NULL argv or envp as empty */
	for (uint64_t i = 0;; i++) {
		uint64_t p;

		if (copy_from_user(&p, uptr_add(vec, i * 8), sizeof(p)))
			return -EFAULT;
		if (!p)
			return 0;
		for (;;) {
			size_t room;
			char *dst = exec_args_room(a, &room);
			long n = room ? strncpy_from_user(dst, uptr(p), room) : -ENAMETOOLONG;
			int err;

			if (n >= 0) {
				err = exec_args_commit(a, (size_t)n, env);
				if (err)
					return err;
				break;
			}
			if (n != -ENAMETOOLONG)
				return (int)n;
			err = exec_args_grow(a);
			if (err)
				return err;
		}
	}
}

static long do_execve(int dirfd, uptr_t upath, uptr_t argv, uptr_t envp, unsigned flags)
{
	struct process *p = process_current();
	struct exec_args args;
	struct file *dir = 0;
	char *path = kmalloc(PATH_MAX), *execfn = 0;
	long err;

	if (!path)
		return -ENOMEM;
	err = strncpy_from_user(path, upath, PATH_MAX);
	if (err >= 0 && (flags & ~(unsigned)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)))
		err = -EINVAL;
	if (err < 0) {
		kfree(path);
		return err;
	}
	exec_args_init(&args, p->rlim[RLIMIT_STACK].rlim_cur);
	err = copy_strings(&args, argv, 0);
	if (!err)
		err = copy_strings(&args, envp, 1);
	if (!err && dirfd != AT_FDCWD && (path[0] != '/' || !path[0]))
		err = sys_file_get(dirfd, 0, &dir);
	/* AT_EXECFN: the path, or /dev/fd/N/path when it is relative to a
	 * descriptor (as Linux) */
	if (!err && dir) {
		execfn = kmalloc(PATH_MAX + 32);
		if (!execfn)
			err = -ENOMEM;
		else if (path[0])
			fmt_snprintf(execfn, PATH_MAX + 32, "/dev/fd/%d/%s", dirfd, path);
		else
			fmt_snprintf(execfn, PATH_MAX + 32, "/dev/fd/%d", dirfd);
	}
	if (!err)
		err = exec_path(dir ? &dir->path : 0, path, flags, execfn ? execfn : path, &args,
				sys_frame());
	exec_args_free(&args);
	if (dir)
		file_put(dir);
	kfree(execfn);
	kfree(path);
	return err;
}

long sys_execve(uptr_t path, uptr_t argv, uptr_t envp)
{
	return do_execve(AT_FDCWD, path, argv, envp, 0);
}

long sys_execveat(int dirfd, uptr_t path, uptr_t argv, uptr_t envp, unsigned int flags)
{
	return do_execve(dirfd, path, argv, envp, flags);
}

/* ---- exit and wait ---- */

long sys_exit(int code)
{
	thread_exit(code & 0xff);
}

long sys_exit_group(int code)
{
	process_exit_code(code & 0xff);
}

int sys_put_rusage(uptr_t dst, const struct proc_usage *u)
{
	struct rusage ru;

	if (uptr_is_null(dst))
		return 0;
	memset(&ru, 0, sizeof(ru));
	/* the kernel does not split user from system time */
	ru.ru_utime.tv_sec = (int64_t)(u->cpu_ns / 1000000000u);
	ru.ru_utime.tv_usec = (int64_t)(u->cpu_ns % 1000000000u / 1000);
	ru.ru_nvcsw = (int64_t)u->nvcsw;
	ru.ru_nivcsw = (int64_t)u->nivcsw;
	return copy_to_user(dst, &ru, sizeof(ru));
}

long sys_wait4(int pid, uptr_t status, unsigned int options, uptr_t rusage)
{
	struct process_wait_req req = { .options = options | WEXITED };
	struct process_wait_res res;
	int err;

	if (options & ~(unsigned)(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == -1) {
		req.idtype = P_ALL;
	} else if (pid <= 0) {
		if (pid == INT32_MIN)
			return -ESRCH;
		req.idtype = P_PGID;
		req.id = -pid;
	} else {
		req.idtype = P_PID;
		req.id = pid;
	}
	err = process_wait_for(&req, &res);
	if (err)
		return err;
	if (res.pid == 0)
		return 0;
	if (!uptr_is_null(status) && copy_to_user(status, &res.status, sizeof(res.status)))
		return -EFAULT;
	if (sys_put_rusage(rusage, &res.usage))
		return -EFAULT;
	return res.pid;
}

/* siginfo as waitid fills it (x86-64 layout, 128 bytes). */
struct waitid_info {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status, pad2;
	int64_t si_utime, si_stime;
	uint8_t rest[128 - 48];
};
_Static_assert(sizeof(struct waitid_info) == 128, "siginfo_t is 128 bytes");

long sys_waitid(int idtype, int id, uptr_t info, unsigned int options, uptr_t rusage)
{
	struct process_wait_req req = { .options = options };
	struct process_wait_res res;
	struct waitid_info si;
	int err;

	if (options & ~(unsigned)(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT |
				  __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
	case P_PGID:
		if (id < 0 || (idtype == P_PID && id == 0))
			return -EINVAL;
		req.id = id;
		break;
	default:
		return -EINVAL;
	}
	req.idtype = idtype;
	err = process_wait_for(&req, &res);
	if (err)
		return err;
	memset(&si, 0, sizeof(si));
	if (res.pid) {
		si.si_signo = SIGCHLD;
		si.si_pid = res.pid;
		si.si_uid = res.uid;
		if ((res.status & 0xff) == 0x7f) {
			si.si_code = CLD_STOPPED;
			si.si_status = (res.status >> 8) & 0xff;
		} else if (res.status == 0xffff) {
			si.si_code = CLD_CONTINUED;
			si.si_status = SIGCONT;
		} else if (res.status & 0x7f) {
			si.si_code = (res.status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			si.si_status = res.status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (res.status >> 8) & 0xff;
		}
		si.si_utime = (int64_t)(res.usage.cpu_ns / 10000000u);
	}
	if (!uptr_is_null(info) && copy_to_user(info, &si, sizeof(si)))
		return -EFAULT;
	if (sys_put_rusage(rusage, &res.usage))
		return -EFAULT;
	return 0;
}

/* ---- ids ---- */

long sys_getpid(void) { return process_caller()->pid; }
long sys_gettid(void) { return thread_current()->tid; }

long sys_getppid(void)
{
	struct process *p = process_current();
	int ppid;

	process_table_lock();
	ppid = p->parent ? p->parent->pid : 0;
	process_table_unlock();
	return ppid;
}

long sys_set_tid_address(uptr_t tidptr)
{
	thread_current()->clear_child_tid = tidptr.addr;
	return thread_current()->tid;
}

long sys_set_robust_list(uptr_t head, size_t len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	thread_current()->robust_list = head.addr;
	return 0;
}

long sys_get_robust_list(int pid, uptr_t headp, uptr_t lenp)
{
	uint64_t head, len = ROBUST_LIST_HEAD_SIZE;
	struct thread *t = thread_current();

	/* another thread's list is not shown (Linux needs ptrace rights) */
	if (pid != 0 && pid != t->tid)
		return pid < 0 ? -EINVAL : -EPERM;
	head = t->robust_list;
	if (copy_to_user(headp, &head, sizeof(head)) || copy_to_user(lenp, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long sys_rseq(uptr_t rseq, unsigned int len, unsigned int flags, unsigned int sig)
{
	(void)rseq;
	(void)len;
	(void)flags;
	(void)sig;
	return -ENOSYS;     /* restartable sequences are not offered; libcs go on without */
}

long sys_sched_yield(void)
{
	thread_yield();
	return 0;
}

/* The kernel's CPU mask is 64 bits: one long of a cpu_set_t. */
#define AFFINITY_BYTES sizeof(uint64_t)

/* The thread sched_{set,get}affinity mean: the caller for 0, else a thread
 * id; table lock held. NULL if there is none. */
static struct thread *affinity_target_locked(int pid, struct process **owner)
{
	if (pid == 0) {
		*owner = process_current();
		return thread_current();
	}
	return pid < 0 ? 0 : process_find_thread_locked(pid, owner);
}

/* Is euid p's real or effective uid? (Linux's rule without CAP_SYS_NICE) */
static bool same_user(uint32_t euid, const struct process *p)
{
	struct cred c;

	cred_read(p, &c);
	return euid == c.uid || euid == c.euid;
}

long sys_sched_setaffinity(int pid, unsigned int len, uptr_t mask)
{
	uint64_t m = 0;
	const struct cred *me = cred_current();
	struct process *p;
	struct thread *t;
	long err;

	/* a shorter mask means zeros above it, a longer one is cut to the
	 * kernel's size (bits above 63 name no CPU), as Linux reads it */
	if (copy_from_user(&m, mask, len < AFFINITY_BYTES ? len : AFFINITY_BYTES))
		return -EFAULT;
	if (pid < 0)
		return -ESRCH;
	process_table_lock();
	t = affinity_target_locked(pid, &p);
	if (!t)
		err = -ESRCH;
	else if (me->euid != 0 && !same_user(me->euid, p))
		err = -EPERM;     /* another user's thread (Linux: without CAP_SYS_NICE) */
	else
		err = thread_set_affinity(t, m);      /* -EINVAL: no online CPU in it */
	process_table_unlock();
	if (!err && pid == 0)
		thread_yield();   /* off a CPU it may no longer use, now */
	return err;
}

long sys_sched_getaffinity(int pid, unsigned int len, uptr_t mask)
{
	uint64_t m = 0;
	struct process *p;
	struct thread *t;

	/* Linux's rules: room for every CPU id, whole longs (so at least
	 * the 8 bytes copied below) */
	if ((uint64_t)len * 8 < sched_cpus_online() || (len & (sizeof(long) - 1)))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	process_table_lock();
	t = affinity_target_locked(pid, &p);
	if (t)
		m = thread_get_affinity(t) & sched_online_mask();
	process_table_unlock();
	if (!t)
		return -ESRCH;
	if (copy_to_user(mask, &m, AFFINITY_BYTES))
		return -EFAULT;
	return AFFINITY_BYTES;
}

long sys_getcpu(uptr_t cpu, uptr_t node, uptr_t cache)
{
	unsigned c = thread_cpu_now(), zero = 0;

	(void)cache;      /* unused since Linux 2.6.24 */
	if (!uptr_is_null(cpu) && copy_to_user(cpu, &c, sizeof(c)))
		return -EFAULT;
	if (!uptr_is_null(node) && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;     /* one NUMA node */
	return 0;
}

/* ---- process groups and sessions ---- */

/* The process pid names (0: the caller), table lock held. */
static struct process *find_or_self(int pid)
{
	return pid == 0 ? process_current() : pid > 0 ? process_find_locked(pid) : 0;
}

long sys_getpgid(int pid)
{
	struct process *p;
	long r;

	process_table_lock();
	p = find_or_self(pid);
	r = p ? p->pgid : -ESRCH;
	process_table_unlock();
	return r;
}

long sys_getpgrp(void)
{
	return sys_getpgid(0);
}

long sys_getsid(int pid)
{
	struct process *p;
	long r;

	process_table_lock();
	p = find_or_self(pid);
	r = p ? p->sid : -ESRCH;
	process_table_unlock();
	return r;
}

long sys_setpgid(int pid, int pgid)
{
	struct process *me = process_current(), *p;
	long err = 0;

	if (pgid < 0)
		return -EINVAL;
	process_table_lock();
	p = find_or_self(pid);
	if (!p || (p != me && p->parent != me))
		err = -ESRCH;
	else if (p != me && p->did_exec)
		err = -EACCES;
	else if (p->sid != me->sid || p->sid == p->pid)
		err = -EPERM;          /* another session, or a session leader */
	if (!err) {
		if (pgid == 0)
			pgid = p->pid;
		if (pgid != p->pid && !process_group_exists_locked(pgid, me->sid))
			err = -EPERM;
		else
			p->pgid = pgid;
	}
	process_table_unlock();
	return err;
}

long sys_setsid(void)
{
	struct process *me = process_current();
	long r;

	process_table_lock();
	if (process_group_exists_locked(me->pid, -1)) {
		r = -EPERM;            /* already a group leader, or its id is a group's */
	} else {
		me->sid = me->pgid = me->pid;
		r = me->sid;
	}
	process_table_unlock();
	return r;
}

/* ---- arch_prctl ---- */

long sys_arch_prctl(int code, unsigned long addr)
{
	struct thread *t = thread_current();
	uint64_t v;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USERMODE_TOP)
			return -EPERM;
		if (code == ARCH_SET_FS)
			t->tls.fs_base = addr;
		else
			t->tls.gs_base = addr;
		usermode_load_tls(&t->tls);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = code == ARCH_GET_FS ? t->tls.fs_base : t->tls.gs_base;
		return copy_to_user(uptr(addr), &v, sizeof(v));
	}
	return -EINVAL;
}
