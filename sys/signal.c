/* Signal masks: rt_sigprocmask over the calling thread's blocked set
 * (struct thread.sig_blocked). SIGKILL and SIGSTOP cannot be blocked. */
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

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
		mask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
		t->sig_blocked = how == SIG_BLOCK ? old | mask : how == SIG_UNBLOCK ? old & ~mask : mask;
	}
	if (!uptr_is_null(oset) && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
