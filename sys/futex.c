/* futex(2): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE and CMP_REQUEUE,
 * private or shared, with timeouts (kernel/proc/futex.c does the work). */
#include <cosmos/abi/futex.h>
#include <cosmos/abi/misc.h>
#include <cosmos/errno.h>
#include <hal/platform.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define NS 1000000000ll

/* The timeout as a time_ns() deadline: relative, or absolute on the
 * monotonic or the real-time clock. 0 for none (no timespec); an expired
 * one becomes the present, which the wait sees as passed. */
static int deadline_of(uptr_t ts, bool absolute, bool realtime, uint64_t *deadline)
{
	struct abi_timespec t;
	int64_t now = (int64_t)time_ns(), want;

	*deadline = 0;
	if (uptr_is_null(ts))
		return 0;
	if (copy_from_user(&t, ts, sizeof(t)))
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= NS)
		return -EINVAL;
	if (t.tv_sec > INT64_MAX / NS - 1) {
		*deadline = UINT64_MAX;
		return 0;
	}
	want = t.tv_sec * NS + t.tv_nsec;
	if (!absolute)
		want += now;
	else if (realtime)
		want -= platform_boot_unix_time() * NS;
	*deadline = want > now ? (uint64_t)want : (uint64_t)now | 1;
	return 0;
}

long sys_futex(uptr_t uaddr, int op, unsigned int val, uptr_t timeout, uptr_t uaddr2,
	       unsigned int val3)
{
	struct process *p = process_current();
	bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
	int cmd = op & FUTEX_CMD_MASK;
	uint64_t deadline;
	int err;

	if (!p->vm)
		return -EFAULT;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (!user_range_ok(uaddr, 4))
		return -EFAULT;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = deadline_of(timeout, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (err)
			return err;
		return futex_wait(p->vm, uaddr.addr, private, val,
				  cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(p->vm, uaddr.addr, private, (int)(val > INT32_MAX ? INT32_MAX : val),
				  cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (!user_range_ok(uaddr2, 4))
			return -EFAULT;
		/* the count to move travels in the timeout argument, as an int */
		return futex_requeue(p->vm, uaddr.addr, uaddr2.addr, private, (int)val,
				     (int)timeout.addr, cmd == FUTEX_CMP_REQUEUE, val3);
	}
	return -ENOSYS;
}
