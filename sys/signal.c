/* The signal calls: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigtimedwait, rt_sigqueueinfo, rt_tgsigqueueinfo,
 * rt_sigreturn, sigaltstack, kill, tkill, tgkill, pause, signalfd and
 * signalfd4. They check and copy the arguments; kernel/proc/signal.h
 * (and signalfd.h) do the rest. */
#include <cosmos/abi/signal.h>
#include <cosmos/abi/misc.h>
#include <cosmos/errno.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/signalfd.h>
#include <kernel/proc/handle.h>
#include <cosmos/abi/fcntl.h>
#include <fs/file.h>
#include <sys/file.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/sys.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

static bool valid_sig(int sig) { return sig >= 1 && sig <= NSIG; }

long sys_rt_sigaction(int sig, uptr_t act, uptr_t oact, size_t sigsetsize)
{
	struct sigaction_k new, old;
	int err;

	if (sigsetsize != sizeof(uint64_t) || !valid_sig(sig))
		return -EINVAL;
	if (!uptr_is_null(act) && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	err = signal_action(process_current(), sig, uptr_is_null(act) ? 0 : &new, &old);
	if (err)
		return err;
	if (!uptr_is_null(oact) && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, uptr_t set, uptr_t oset, size_t sigsetsize)
{
	struct thread *t = thread_current();
	uint64_t old = t->sig_blocked, mask;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (!uptr_is_null(set)) {
		if (how < SIG_BLOCK || how > SIG_SETMASK)
			return -EINVAL;
		if (copy_from_user(&mask, set, sizeof(mask)))
			return -EFAULT;
		signal_set_mask(how == SIG_BLOCK ? old | mask : how == SIG_UNBLOCK ? old & ~mask : mask);
	}
	if (!uptr_is_null(oset) && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uptr_t set, size_t sigsetsize)
{
	uint64_t pend = signal_pending_set() & thread_current()->sig_blocked;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	return copy_to_user(set, &pend, sizeof(pend)) ? -EFAULT : 0;
}

long sys_rt_sigsuspend(uptr_t set, size_t sigsetsize)
{
	struct thread *t = thread_current();
	uint64_t mask;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, set, sizeof(mask)))
		return -EFAULT;
	/* the delivery puts the old mask back after the handler's frame */
	t->sig->saved_mask = t->sig_blocked;
	t->sig->restore_mask = true;
	thread_ret_work_set(t);   /* the return puts the mask back */
	signal_set_mask(mask);
	while (signal_sleep(0) != -EINTR)
		;
	return -EINTR;
}

long sys_pause(void)
{
	while (signal_sleep(0) != -EINTR)
		;
	return -EINTR;
}

/* The fields rt_sigtimedwait and rt_sigqueueinfo exchange with siginfo_t. */
static void info_to_user(struct linux_siginfo *si, const struct ksiginfo *k)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = k->signo;
	si->si_errno = k->err;
	si->si_code = k->code;
	if (k->signo == SIGCHLD && k->code > 0) {
		si->u.chld.pid = k->pid;
		si->u.chld.uid = k->uid;
		si->u.chld.status = k->status;
		si->u.chld.utime = k->utime;
		si->u.chld.stime = k->stime;
	} else if (k->poll) {
		si->u.poll.band = (int64_t)k->addr;
		si->u.poll.fd = k->fd;
	} else {
		si->u.kill.pid = k->pid;
		si->u.kill.uid = k->uid;
		si->u.kill.value = k->addr;
	}
}

long sys_rt_sigtimedwait(uptr_t set, uptr_t info, uptr_t ts, size_t sigsetsize)
{
	struct thread *t = thread_current();
	struct linux_siginfo si;
	struct ksiginfo k;
	struct abi_timespec tv;
	uint64_t want, saved, deadline = 0;
	int sig, err = 0;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&want, set, sizeof(want)))
		return -EFAULT;
	want &= ~SIG_UNBLOCKABLE;
	if (!uptr_is_null(ts)) {
		if (copy_from_user(&tv, ts, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_nsec < 0 || tv.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = time_ns() + sys_timespec_ns(&tv);
	}
	sig = signal_dequeue(want, &k);
	if (!sig) {
		/* the signals waited for are unblocked meanwhile, so they
		 * interrupt the sleep instead of waiting for delivery */
		saved = t->sig_blocked;
		signal_set_wait_mask(saved & ~want, saved);
		while (!(sig = signal_dequeue(want, &k)) && err == 0)
			err = signal_sleep(deadline);
		signal_set_wait_mask(saved, 0);
		if (!sig)
			return err == -ETIMEDOUT ? -EAGAIN : err;
	}
	info_to_user(&si, &k);
	if (!uptr_is_null(info) && copy_to_user(info, &si, sizeof(si)))
		return -EFAULT;
	return sig;
}

long sys_rt_sigreturn(void)
{
	struct trap_frame *f = sys_frame();

	(void)signal_return(f);
	/* the dispatcher stores this in rax: the interrupted code's own */
	return (long)f->rax;
}

long sys_sigaltstack(uptr_t ss, uptr_t oss)
{
	struct thread *t = thread_current();
	struct thread_sig *s = t->sig;
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } in, out;
	uint64_t usp = usermode_sp(sys_frame());
	bool on = s->ss_size && usp - s->ss_sp < s->ss_size;

	memset(&out, 0, sizeof(out));
	out.sp = s->ss_sp;
	out.size = s->ss_size;
	out.flags = on ? SS_ONSTACK : !s->ss_size ? SS_DISABLE : 0;
	out.flags |= s->ss_flags;
	if (!uptr_is_null(ss)) {
		int mode;

		if (copy_from_user(&in, ss, sizeof(in)))
			return -EFAULT;
		if (on)
			return -EPERM;
		mode = in.flags & ~(int)SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			s->ss_sp = s->ss_size = 0;
			s->ss_flags = 0;
		} else {
			if (in.size < MINSIGSTKSZ)
				return -ENOMEM;
			if (in.sp >= USERMODE_TOP || in.size > USERMODE_TOP - in.sp)
				return -EINVAL;
			s->ss_sp = in.sp;
			s->ss_size = in.size;
			s->ss_flags = in.flags & (int)SS_AUTODISARM;
		}
	}
	if (!uptr_is_null(oss) && copy_to_user(oss, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

/* kill's permission rule (Linux's): root, or the sender's real or
 * effective uid is the target's real or saved uid; SIGCONT within the
 * session. */
static int may_signal(struct process *me, struct process *p, int sig)
{
	struct cred a, b;

	cred_read(me, &a);
	cred_read(p, &b);
	if (a.euid == 0 || a.uid == b.uid || a.uid == b.suid || a.euid == b.uid ||
	    a.euid == b.suid || (sig == SIGCONT && me->sid == p->sid))
		return 0;
	return -EPERM;
}

/* One process, by pid, with info filled in. */
static long send_pid(int pid, const struct ksiginfo *info)
{
	struct process *me = process_current(), *p;
	long err;

	process_table_lock();
	p = process_find_locked(pid);
	if (!p || !p->user)
		err = -ESRCH;   /* a zombie still exists: signals to it do nothing */
	else if (info->signo < 0 || info->signo > NSIG)
		err = -EINVAL;  /* Linux looks the target up first */
	else
		err = may_signal(me, p, info->signo);
	if (!err)
		err = signal_send_locked(p, 0, info);
	process_table_unlock();
	return err;
}

long sys_kill(int pid, int sig)
{
	struct process *me = process_current();
	struct ksiginfo info = { .signo = sig, .code = SI_USER, .pid = me->pid, .uid = me->cred.uid };
	int err;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0)
		return send_pid(pid, &info);
	if (pid == INT32_MIN)
		return -ESRCH;
	err = process_for_each_group(pid == 0 ? me->pgid : pid == -1 ? -1 : -pid, &info,
				     may_signal, 0);
	return err;
}

/* One thread, by tid (and its process's pid unless tgid is -1), with
 * info filled in. */
static long send_thread(int tgid, int tid, const struct ksiginfo *info)
{
	struct process *me = process_current(), *p = 0;
	struct thread *t;
	long err;

	if (tid <= 0 || (tgid != -1 && tgid <= 0))
		return -EINVAL;
	process_table_lock();
	t = process_find_thread_locked(tid, &p);
	if (!t || !p->user || (tgid != -1 && p->pid != tgid))
		err = -ESRCH;
	else if (info->signo < 0 || info->signo > NSIG)
		err = -EINVAL;
	else
		err = may_signal(me, p, info->signo);
	if (!err)
		err = signal_send_locked(p, t, info);
	process_table_unlock();
	return err;
}

static long tkill_to(int tgid, int tid, int sig)
{
	struct process *me = process_current();
	struct ksiginfo info = { .signo = sig, .code = SI_TKILL, .pid = me->pid, .uid = me->cred.uid };

	return send_thread(tgid, tid, &info);
}

long sys_tkill(int tid, int sig) { return tkill_to(-1, tid, sig); }
long sys_tgkill(int tgid, int tid, int sig) { return tkill_to(tgid, tid, sig); }

/* The siginfo of rt_sigqueueinfo and rt_tgsigqueueinfo, in Linux 6.1's
 * order: the copy first (EFAULT whatever else is wrong), then the code: a
 * program may choose its own si_code only towards its own thread (target
 * is the caller's tid, as Linux compares it); to others, codes >= 0
 * (SI_USER and the kernel's: SI_KERNEL, fault codes) and SI_TKILL would
 * forge kill(2)'s or the kernel's sender, so EPERM. The target is looked
 * up before the signal number is checked (ESRCH before EINVAL). */
static long queued_info(int sig, uptr_t uinfo, struct ksiginfo *info)
{
	struct linux_siginfo si;

	if (copy_from_user(&si, uinfo, sizeof(si)))
		return -EFAULT;
	*info = (struct ksiginfo){ .signo = sig, .code = si.si_code, .err = si.si_errno,
				   .pid = si.u.kill.pid, .uid = si.u.kill.uid,
				   .addr = si.u.kill.value };
	return 0;
}

static bool forged(const struct ksiginfo *info, int target)
{
	return (info->code >= 0 || info->code == SI_TKILL) && target != thread_current()->tid;
}

long sys_rt_sigqueueinfo(int pid, int sig, uptr_t uinfo)
{
	struct ksiginfo info;
	long err = queued_info(sig, uinfo, &info);

	if (err)
		return err;
	if (forged(&info, pid))
		return -EPERM;
	if (pid <= 0)
		return -ESRCH;
	return send_pid(pid, &info);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, uptr_t uinfo)
{
	struct ksiginfo info;
	long err = queued_info(sig, uinfo, &info);

	if (err)
		return err;
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	if (forged(&info, tid))
		return -EPERM;
	return send_thread(tgid, tid, &info);
}

/* signalfd4: a new signalfd (fd -1) or a new mask for an existing one. */
long sys_signalfd4(int fd, uptr_t umask, size_t sizemask, unsigned int flags)
{
	struct handle_table *tab = process_current()->files;
	struct file *f;
	uint64_t mask;
	long r;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (sizemask != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (fd != -1) {
		r = sys_file_get(fd, 0, &f);
		if (r)
			return r;
		r = signalfd_set_mask(f, mask);
		file_put(f);
		return r ? r : fd;
	}
	f = signalfd_create(mask, flags & O_NONBLOCK);
	if (!f)
		return -ENOMEM;
	r = handle_install(tab, &f->obj, RIGHTS_ALL, (flags & O_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);
	file_put(f);
	return r;
}

long sys_signalfd(int fd, uptr_t umask, size_t sizemask)
{
	return sys_signalfd4(fd, umask, sizemask, 0);
}
