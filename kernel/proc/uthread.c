/* Threads that run programs (see uthread.h). */
#include <kernel/proc/uthread.h>
#include <cosmos/abi/sched.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <kernel/exception.h>
#include <kernel/log.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/fault.h>
#include <kernel/panic.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/itimer.h>
#include <kernel/proc/process.h>
#include <kernel/proc/robust.h>
#include <kernel/proc/signal.h>
#include <lib/string.h>

static void uthread_main(void *arg)
{
	(void)arg;
	uthread_enter(thread_current());
}

struct thread *uthread_create(const char *name, int prio, unsigned flags)
{
	struct thread *t = thread_create(name, uthread_main, 0, prio,
					 flags | THREAD_USER | THREAD_DETACHED | THREAD_SUSPENDED);

	if (t && !(t->sig = thread_sig_create())) {
		thread_discard(t);
		return 0;
	}
	/* its first return to ring 3 looks at everything (what was made due
	 * before it joined its process's thread list set no flag of its) */
	if (t)
		thread_ret_work_set(t);
	return t;
}

void uthread_discard(struct thread *t)
{
	thread_sig_destroy(t->sig);
	t->sig = 0;
	thread_discard(t);
}

void uthread_enter(struct thread *t)
{
	struct trap_frame *f = uthread_frame(t);

	if (!usermode_frame_valid(f))
		panic("proc: thread %d would enter ring 3 with a bad frame (rip %#llx)", t->tid,
		      (unsigned long long)usermode_ip(f));
	uthread_return(f);
	usermode_enter(f);
}

/* Must the calling thread leave instead of returning to its program? */
static bool must_leave(const struct thread *t)
{
	const struct process *p = t->proc;

	return __atomic_load_n(&p->exiting, __ATOMIC_RELAXED) ||
	       (p->execer && p->execer != t);
}

/* The work uthread_return found due, done in a loop until none is left.
 * Interrupts as the caller had them on entry, off on return. */
static __attribute__((noinline)) void return_work(struct trap_frame *f, struct thread *t)
{
	/* a CPU-time timer of the process (rare) is checked on every way out */
	if (t->proc->itimer_cpu_deadline[0] | t->proc->itimer_cpu_deadline[1])
		itimer_cpu_check(t->proc);
	if (__atomic_load_n(&t->proc->ptimers_cpu_armed, __ATOMIC_RELAXED))
		ptimer_cpu_check(t->proc);
	/* Checked with interrupts off, which stay off until the program
	 * runs: whatever arrives later finds the thread in ring 3 and is
	 * seen on its next entry. Delivery turns them on while it works. */
	for (;;) {
		cpu_cli();
		if (must_leave(t)) {
			cpu_irq_restore(CPU_FLAGS_IRQ_ON);
			thread_exit(0);
		}
		signal_deliver(f);
		if (!must_leave(t))
			return;
	}
}

/* Is anything due for t on its way to ring 3, the frame aside? One pass of
 * loads with interrupts off: a CPU-time timer armed, the process ending
 * or in exec, or signal work (signal_due). */
static inline bool work_due(const struct thread *t)
{
	const struct process *p = t->proc;
	/* one word, or-ed together without a branch each */
	uint64_t due = p->itimer_cpu_deadline[0] | p->itimer_cpu_deadline[1] |
		       __atomic_load_n(&p->ptimers_cpu_armed, __ATOMIC_RELAXED) |
		       __atomic_load_n(&p->exiting, __ATOMIC_RELAXED) |
		       (uintptr_t)__atomic_load_n(&p->execer, __ATOMIC_RELAXED);

	return due || signal_due(t);
}

/* uthread_return's way when t->ret_work is set or the frame says -EINTR
 * (a system call's to restart or not; an interrupt's frame whose rax
 * happens to be -EINTR takes this way too, harmlessly). Interrupts off
 * (irq: as the caller had them), off on return. The flag is cleared
 * before the look, so whatever is made due after the look sets it again;
 * what is still due after the work (a CPU-time timer armed, a second
 * signal) sets it again here, so the next return looks too, as every
 * return did before the flag. */
static __attribute__((noinline)) void return_slow(struct trap_frame *f, struct thread *t,
						  uint64_t irq)
{
	__atomic_exchange_n(&t->ret_work, 0u, __ATOMIC_SEQ_CST);
	if (!work_due(t) && (int64_t)f->rax != -EINTR)
		return;
	cpu_irq_restore(irq);
	return_work(f, t);
	if (work_due(t))
		thread_ret_work_set(t);
}

/* The one test of the usual return: t->ret_work, which everything that
 * may make work due for t sets (see thread_ret_work_set's callers), and a
 * frame's -EINTR. With interrupts off, which stay off until the program
 * runs: whatever is made due later finds the thread in ring 3, and its
 * IPI (thread_interrupt) or the thread's next entry brings it back. */
void uthread_return(struct trap_frame *f)
{
	struct thread *t = (struct thread *)percpu_current();   /* a user thread: the scheduler runs */
	uint64_t irq = cpu_irq_save();

	if (__builtin_expect(!(__atomic_load_n(&t->ret_work, __ATOMIC_RELAXED) |
			       ((int64_t)f->rax == -EINTR)), 1))
		return;
	return_slow(f, t, irq);
}

void uthread_fpu_reset(void)
{
	struct thread *t = thread_current();
	uint64_t f = cpu_irq_save();   /* a switch would save the old registers over it */

	fpu_state_init(t->fpu);
	fpu_restore(t->fpu);
	cpu_irq_restore(f);
}

void uthread_fpu_copy_to(struct thread *child)
{
	struct thread *t = thread_current();
	uint64_t f = cpu_irq_save();

	fpu_save(t->fpu);
	memcpy(child->fpu, t->fpu, fpu_state_size());
	cpu_irq_restore(f);
}

void uthread_exiting(struct thread *t)
{
	struct process *p = t->proc;
	uint32_t zero = 0;

	/* the robust locks it still holds go to their next lockers first,
	 * as on Linux */
	robust_list_exit(t);
	/* pthread_join waits for this: the kernel clears the tid and wakes
	 * it (as Linux, with a shared wake, which also finds private
	 * waiters). A failure means the program unmapped the word. */
	if (t->clear_child_tid && p->vm &&
	    vm_copy_to(p->vm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
		(void)futex_wake(p->vm, t->clear_child_tid, false, 1, ~0u);
	t->clear_child_tid = 0;
}

static enum vm_access vm_access_of(enum trap_access a)
{
	return a == TRAP_ACCESS_WRITE ? VM_ACCESS_WRITE : a == TRAP_ACCESS_EXEC ? VM_ACCESS_EXEC
										 : VM_ACCESS_READ;
}

/* A page fault in ring 3: resolved by the address space, or a signal. */
static void page_fault(const struct trap_frame *f)
{
	struct trap_page_fault pf = trap_page_fault_info(f);
	struct process *p = process_current();
	int err = p->vm ? vm_fault(p->vm, pf.addr, vm_access_of(pf.access), true) : -EFAULT;

	(void)f;
	switch (err) {
	case 0:
		return;
	case -ENOMEM:
		log_warn("proc: pid %d (%s) is out of memory (page fault at %#llx)", p->pid, p->name,
			 (unsigned long long)pf.addr);
		process_exit(W_EXITCODE(0, SIGKILL));
	case -EIO:
		signal_fault(SIGBUS, BUS_ADRERR, pf.addr);
		return;
	case -EACCES:
		signal_fault(SIGSEGV, SEGV_ACCERR, pf.addr);
		return;
	default:
		signal_fault(SIGSEGV, SEGV_MAPERR, pf.addr);
		return;
	}
}

/* A CPU exception from ring 3: a page fault, or a signal (fault.c). The
 * FPU and debug status are read with interrupts still off, before another
 * thread can run on this CPU; then they go on, as ring 3 had them. */
static void user_fault(struct trap_frame *f)
{
	struct user_fault u = { .vector = f->vector, .ip = usermode_ip(f) };
	struct fault_signal s;

	switch (f->vector) {
	case TRAP_PF:
		cpu_irq_restore(CPU_FLAGS_IRQ_ON);
		page_fault(f);
		return;
	case TRAP_MF:
	case TRAP_XM:
		u.fpu = fpu_exception_pending(f->vector == TRAP_XM, thread_current()->fpu);
		break;
	case TRAP_DB:
		u.debug = trap_debug_decode(trap_debug_status_take());
		break;
	}
	cpu_irq_restore(CPU_FLAGS_IRQ_ON);
	s = fault_signal_of(&u);
	if (s.sig)
		signal_fault(s.sig, s.code, s.addr);
}

static int resolve(const struct trap_page_fault *pf)
{
	struct process *p = process_current();

	return p->vm ? vm_fault(p->vm, pf->addr, vm_access_of(pf->access), false) : -EFAULT;
}

static const struct exception_user_ops user_ops = {
	.fault = user_fault,
	.ret = uthread_return,
	.resolve = resolve,
};

void uthread_init(void)
{
	exception_set_user_ops(&user_ops);
}
