/* The system-call dispatcher: hal's gate calls sys_entry with the
 * program's frame; the number picks an entry of the generated table
 * (sys/syscalls.tab), whose thunk passes the argument registers to the
 * handler with their C types. A number without a handler returns -ENOSYS
 * and is logged once per process. The fast path takes no lock and
 * allocates nothing. */
#include <sys/sys.h>
#include <cosmos/errno.h>
#include <hal/usercopy.h>
#include <kernel/boot.h>
#include <lib/cmdline.h>
#include <kernel/log.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>

_Static_assert(SYS_LINUX_COUNT + SYS_NATIVE_COUNT < 64 * 8,
	       "process.nosys_seen has a bit for every number");

const struct sys_entry *sys_lookup(uint64_t nr)
{
	const struct sys_entry *e = 0;

	if (nr < SYS_LINUX_COUNT)
		e = &sys_linux_table[nr];
	else if (nr >= SYS_NATIVE_BASE && nr - SYS_NATIVE_BASE < SYS_NATIVE_COUNT)
		e = &sys_native_table[nr - SYS_NATIVE_BASE];
	return e && e->name ? e : 0;
}

struct trap_frame *sys_frame(void)
{
	return uthread_frame(thread_current());
}

/* -ENOSYS, said once per process and number (numbers outside the table
 * share the last bit). */
static long nosys(const struct sys_entry *e, uint64_t nr)
{
	struct process *p = process_current();
	unsigned bit = nr < SYS_LINUX_COUNT ? (unsigned)nr
		       : e ? SYS_LINUX_COUNT + (unsigned)(nr - SYS_NATIVE_BASE) : 64 * 8 - 1;
	uint64_t mask = 1ull << (bit % 64);

	if (!(__atomic_fetch_or(&p->nosys_seen[bit / 64], mask, __ATOMIC_RELAXED) & mask))
		log_warn("sys: pid %d (%s) called unimplemented syscall %llu (%s)", p->pid, p->name,
			 (unsigned long long)nr, e ? e->name : "unknown");
	return -ENOSYS;
}

static inline __attribute__((always_inline)) long call(const struct sys_entry *e, uint64_t nr,
							 const uint64_t a[6])
{
	return e && e->call ? e->call(a[0], a[1], a[2], a[3], a[4], a[5]) : nosys(e, nr);
}

/* Everything but the usual case (a Linux number with a handler, systrace
 * off): native numbers, numbers without a handler, and traced calls.
 * Out of line, so that the usual path keeps its arguments in registers. */
static __attribute__((noinline)) long slow_call(const struct trap_frame *f, uint64_t nr,
						struct thread_sig *s)
{
	const struct sys_entry *e = sys_lookup(nr);
	uint64_t a[6];

	usermode_syscall_args(f, a);
	s->syscall_restartable = e && (e->flags & SYS_RESTART);
	s->restart_pending = true;
	if (systrace_active && systrace_wanted())
		return systrace_call(e, nr, a, call);
	return call(e, nr, a);
}

static void sys_entry(struct trap_frame *f)
{
	uint64_t nr = usermode_syscall_nr(f), a[6];
	/* a program's thread: the scheduler runs, and the thread has its signal state */
	struct thread_sig *s = ((struct thread *)percpu_current())->sig;
	const struct sys_entry *e = &sys_linux_table[nr < SYS_LINUX_COUNT ? nr : 0];
	long r;

	if (__builtin_expect(nr < SYS_LINUX_COUNT && e->call && !systrace_active, 1)) {
		/* for the signal code: may an -EINTR of this call be restarted? */
		s->syscall_restartable = e->flags & SYS_RESTART;
		s->restart_pending = true;
		usermode_syscall_args(f, a);
		r = e->call(a[0], a[1], a[2], a[3], a[4], a[5]);
	} else {
		r = slow_call(f, nr, s);
	}
	usermode_set_retval(f, (uint64_t)r);
	uthread_return(f);
}

void sys_init(void)
{
	usercopy_init();
	usermode_init(sys_entry);
	systrace_init(cmdline_get(boot_cmdline(), "systrace"));
}
