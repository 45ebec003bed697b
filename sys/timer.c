/* POSIX timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun and timer_delete. Arguments are checked and copied
 * here; kernel/proc/ptimer.h keeps the timers. */
#include <cosmos/abi/misc.h>
#include <cosmos/errno.h>
#include <kernel/proc/process.h>
#include <kernel/proc/ptimer.h>
#include <sys/sys.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define TIMER_ABSTIME 1
#define NS 1000000000ull

/* Linux's struct sigevent (64 bytes) as far as the kernel reads it. */
struct abi_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;                  /* sigev_notify_thread_id */
	int32_t pad[11];
};

struct abi_itimerspec {
	struct abi_timespec interval, value;
};

long sys_timer_create(int clock, uptr_t uevent, uptr_t uid)
{
	struct process *p = process_current();
	struct abi_sigevent se;
	struct ptimer_event ev;
	int32_t id32;
	int id;

	if (!uptr_is_null(uevent)) {
		if (copy_from_user(&se, uevent, sizeof(se)))
			return -EFAULT;
		ev = (struct ptimer_event){ .notify = se.notify, .signo = se.signo, .tid = se.tid,
					    .value = se.value };
	}
	id = ptimer_create(p, clock, uptr_is_null(uevent) ? 0 : &ev);
	if (id < 0)
		return id;
	id32 = id;
	if (copy_to_user(uid, &id32, sizeof(id32))) {
		(void)ptimer_delete(p, id);
		return -EFAULT;
	}
	return 0;
}

static bool spec_ns(const struct abi_timespec *t, uint64_t *ns)
{
	if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= (int64_t)NS)
		return false;
	*ns = sys_timespec_ns(t);
	return true;
}

static struct abi_itimerspec spec_out(uint64_t value, uint64_t interval)
{
	return (struct abi_itimerspec){
		{ (int64_t)(interval / NS), (int64_t)(interval % NS) },
		{ (int64_t)(value / NS), (int64_t)(value % NS) },
	};
}

long sys_timer_settime(int id, unsigned int flags, uptr_t unew, uptr_t uold)
{
	struct abi_itimerspec in, out;
	uint64_t value, interval, ov, oi;
	long err;

	/* other flag bits are ignored, as Linux does */
	if (uptr_is_null(unew))
		return -EINVAL;
	if (copy_from_user(&in, unew, sizeof(in)))
		return -EFAULT;
	if (!spec_ns(&in.value, &value) || !spec_ns(&in.interval, &interval))
		return -EINVAL;
	err = ptimer_settime(process_current(), id, flags & TIMER_ABSTIME, value, interval, &ov, &oi);
	if (err)
		return err;
	out = spec_out(ov, oi);
	if (!uptr_is_null(uold) && copy_to_user(uold, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(int id, uptr_t ucur)
{
	struct abi_itimerspec out;
	uint64_t value, interval;
	long err = ptimer_gettime(process_current(), id, &value, &interval);

	if (err)
		return err;
	out = spec_out(value, interval);
	return copy_to_user(ucur, &out, sizeof(out)) ? -EFAULT : 0;
}

long sys_timer_getoverrun(int id)
{
	return ptimer_getoverrun(process_current(), id);
}

long sys_timer_delete(int id)
{
	return ptimer_delete(process_current(), id);
}
