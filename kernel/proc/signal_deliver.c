/* Signal delivery on the way back to ring 3 (see signal.h): group stops,
 * default actions, handler frames on the user stack (hal/sigframe.h),
 * system-call restart, rt_sigreturn and faults in ring 3. */
#include <kernel/proc/signal.h>
#include <cosmos/abi/sched.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <hal/sigframe.h>
#include <hal/usermode.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/coredump.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/uthread.h>
#include <lib/string.h>

/* Default action: end the process; the core-dumping signals write a core
 * file first when RLIMIT_CORE allows (kernel/proc/coredump.c). */
static bool default_stops(int sig) { return (SIG_STOPS & sig_bit(sig)) != 0; }

static const char *code_name(int sig, int code)
{
	switch (sig) {
	case SIGSEGV: return code == SEGV_ACCERR ? "SEGV_ACCERR" : code == SEGV_MAPERR ? "SEGV_MAPERR" : "SI_KERNEL";
	case SIGBUS: return code == BUS_ADRALN ? "BUS_ADRALN" : "BUS_ADRERR";
	case SIGFPE: return code == FPE_INTDIV ? "FPE_INTDIV" : "FPE_FLTINV";
	case SIGILL: return code == ILL_PRVOPC ? "ILL_PRVOPC" : code == ILL_ILLOPN ? "ILL_ILLOPN" : "ILL_ILLOPC";
	case SIGTRAP: return code == SI_KERNEL ? "SI_KERNEL" : "TRAP_BRKPT";
	}
	return "?";
}

/* Ends the calling thread's process as killed by sig, saying why. */
static void __attribute__((noreturn)) die(int sig, int code, uint64_t addr, const char *why)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	uint64_t rip = usermode_ip(uthread_frame(t));
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	char buf[16];

	log_warn("proc: pid %d (%s) killed by %s (%s) at rip %#llx, address %#llx", p->pid,
		 p->name, signal_name(sig, buf), why ? why : code_name(sig, code),
		 (unsigned long long)rip, (unsigned long long)addr);
	coredump_exit(sig, &info);
}

void signal_fault(int sig, int code, uint64_t addr)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	struct sigaction_k a;
	uint64_t f = signal_lock();
	bool caught;

	a = p->sighand->action[sig - 1];
	caught = a.handler != SIGHAND_DFL && a.handler != SIGHAND_IGN &&
		 !(t->sig_blocked & sig_bit(sig));
	if (caught) {
		/* the fault's own instance replaces one sent earlier */
		t->sig->pending.std[sig] = info;
		t->sig->pending.set |= sig_bit(sig);
		thread_ret_work_set(t);   /* delivered on the way out of the fault */
	}
	signal_unlock(f);
	if (!caught)
		die(sig, code, addr, 0);
}

/* Stops the calling thread's process (the first thread to take the stop
 * signal); its other threads stop on their next return to ring 3. */
static void group_stop(struct process *p, int sig)
{
	uint64_t f;

	process_table_lock();
	f = signal_lock();
	if (!p->exiting && !p->stopped && !(p->sig_shared.set & sig_bit(SIGCONT))) {
		p->stopped = true;
		signal_unlock(f);
		signal_report_locked(p, SIG_REPORT_STOPPED, sig);
		list_for_each(n, &p->threads)
			thread_interrupt(list_entry(n, struct thread, proc_node));
	} else {
		signal_unlock(f);
	}
	process_table_unlock();
}

/* Builds sig's handler frame on the user stack and points f at the
 * handler. False when the frame cannot be written. */
static bool setup_frame(struct trap_frame *f, int sig, const struct ksiginfo *info,
			const struct sigaction_k *a, uint64_t mask)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct thread_sig *s = t->sig;
	uint64_t sp = usermode_sp(f), fp, frame, irq;
	bool on_alt = s->ss_size && sp - s->ss_sp < s->ss_size;
	size_t fpsize = sigframe_fpstate_size();
	struct sigframe fr;
	void *area;
	bool ok;

	if (!(a->flags & SA_RESTORER))
		return false;   /* x86-64 has no kernel-made return trampoline */
	if ((a->flags & SA_ONSTACK) && s->ss_size && !on_alt)
		sp = s->ss_sp + s->ss_size;
	else
		sp -= 128;      /* the red zone of the interrupted function */
	frame = sigframe_place(sp, &fp);

	memset(&fr, 0, sizeof(fr));
	fr.pretcode = a->restorer;
	fr.uc.uc_flags = fpu_uses_xsave() ? 1 : 0;   /* UC_FP_XSTATE */
	fr.uc.ss_sp = s->ss_sp;
	fr.uc.ss_size = s->ss_size;
	fr.uc.ss_flags = !s->ss_size ? SS_DISABLE : on_alt ? SS_ONSTACK : 0;
	sigframe_save_regs(&fr.uc, f);
	fr.uc.mc.fpstate = fp;
	fr.uc.mc.oldmask = mask;
	fr.uc.sigmask = mask;
	fr.info.si_signo = sig;
	fr.info.si_errno = info->err;
	fr.info.si_code = info->code;
	if (sig == SIGCHLD && info->code > 0) {
		fr.info.u.chld.pid = info->pid;
		fr.info.u.chld.uid = info->uid;
		fr.info.u.chld.status = info->status;
		fr.info.u.chld.utime = info->utime;
		fr.info.u.chld.stime = info->stime;
	} else if (info->poll) {
		fr.info.u.poll.band = (int64_t)info->addr;
		fr.info.u.poll.fd = info->fd;
	} else if (info->code > 0 && info->code != SI_KERNEL) {
		fr.info.u.fault.addr = info->addr;   /* faults */
	} else {
		fr.info.u.kill.pid = info->pid;
		fr.info.u.kill.uid = info->uid;
		fr.info.u.kill.value = info->addr;
	}

	area = kmalloc(fpsize);
	if (!area)
		return false;
	irq = cpu_irq_save();   /* a switch would save over the thread's area */
	fpu_save(t->fpu);
	memcpy(area, t->fpu, fpu_state_size());
	cpu_irq_restore(irq);
	sigframe_fpstate_mark(area);
	ok = vm_copy_to(p->vm, fp, area, fpsize) == 0 &&
	     vm_copy_to(p->vm, frame, &fr, sizeof(fr)) == 0;
	kfree(area);
	if (!ok)
		return false;
	sigframe_enter(f, a->handler, sig, frame);
	uthread_fpu_reset();    /* the handler starts with a clean FPU */
	if ((a->flags & SA_ONSTACK) && (s->ss_flags & SS_AUTODISARM) && !on_alt) {
		s->ss_sp = 0;
		s->ss_size = 0;
	}
	return true;
}

/* Rewinds the interrupted call so it runs again (Linux's -ERESTARTSYS). */
static void restart_call(struct trap_frame *f)
{
	usermode_set_retval(f, usermode_syscall_nr(f));
	usermode_set_ip(f, usermode_ip(f) - 2);   /* the syscall instruction */
}

/* The call f returns from was interrupted: restart it or let it fail
 * with EINTR (handler == true: a handler runs; it restarts only under
 * SA_RESTART). Once per call. */
static void decide_restart(struct trap_frame *f, bool handler, uint64_t flags)
{
	struct thread_sig *s = thread_current()->sig;

	if (!usermode_is_syscall(f) || !s->restart_pending)
		return;
	s->restart_pending = false;
	if ((int64_t)f->rax == -EINTR && s->syscall_restartable && (!handler || (flags & SA_RESTART)))
		restart_call(f);
}

static void deliver_one(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct thread_sig *s = t->sig;
	struct ksiginfo info;
	struct sigaction_k a;
	uint64_t flags, mask;
	int sig;

	if (p->stopped) {
		(void)waitq_wait_event(&p->stop_wq, !p->stopped || p->exiting || p->execer, 0);
		return;
	}
	sig = signal_dequeue(~t->sig_blocked, &info);
	if (!sig)
		return;
	flags = signal_lock();
	a = p->sighand->action[sig - 1];
	if (a.handler > SIGHAND_IGN && (a.flags & SA_RESETHAND))
		p->sighand->action[sig - 1] = (struct sigaction_k){ 0 };
	signal_unlock(flags);

	if (a.handler == SIGHAND_IGN)
		return;
	if (a.handler == SIGHAND_DFL) {
		if (signal_default_ignores(sig))
			return;
		if (default_stops(sig)) {
			/* POSIX: an orphaned group does not stop for the terminal's signals */
			if (sig == SIGSTOP || !pgrp_is_orphaned(p->pgid))
				group_stop(p, sig);
			return;
		}
		if (info.code > 0 && info.code != SI_KERNEL && sig != SIGCHLD)
			die(sig, info.code, info.addr, 0);   /* a fault met a blocked or reset handler */
		coredump_exit(sig, &info);
	}

	decide_restart(f, true, a.flags);
	mask = s->restore_mask ? s->saved_mask : t->sig_blocked;
	if (!setup_frame(f, sig, &info, &a, mask))
		die(SIGSEGV, SI_KERNEL, usermode_sp(f), "no room for the signal frame");
	flags = signal_lock();
	s->restore_mask = false;
	t->sig_blocked = mask | a.mask | ((a.flags & SA_NODEFER) ? 0 : sig_bit(sig));
	t->sig_blocked &= ~SIG_UNBLOCKABLE;
	signal_unlock(flags);
}

/* Has the calling thread something to do before ring 3? Interrupts off. */
static bool work_pending(struct thread *t)
{
	struct process *p = t->proc;

	if (!t->sig)
		return false;
	return p->stopped || ((p->sig_shared.set | t->sig->pending.set) & ~t->sig_blocked);
}

/* Delivers what is pending and tidies up after a wait (the slow part of
 * signal_deliver). Interrupts are off on entry and on return. */
static __attribute__((noinline)) void deliver_pending(struct trap_frame *f, struct thread *t)
{
	while (work_pending(t)) {
		cpu_irq_restore(CPU_FLAGS_IRQ_ON);
		deliver_one(f);
		(void)cpu_irq_save();
		if (t->proc->exiting || t->proc->execer)
			return;   /* uthread_return sends it away */
	}
	/* nothing deliverable: waits need not end early any more */
	thread_clear_interrupt(t);
	decide_restart(f, false, 0);
	if (t->sig->restore_mask) {
		/* sigsuspend ended without a handler: its mask goes */
		t->sig->restore_mask = false;
		t->sig_blocked = t->sig->saved_mask;
	}
}

/* Runs on every return to ring 3 (every system call's end), so the usual
 * case, nothing pending, nothing interrupted and no mask to put back, is
 * decided here without a lock and without deliver_pending's frame. The
 * interrupt flag is read without the scheduler's lock: a thread_interrupt
 * racing with this look is no different from one just after a locked
 * clear, since its signal is pending and found on the next entry. */
void signal_deliver(struct trap_frame *f)
{
	struct thread *t = thread_current();

	if (!t->sig)
		return;
	if (signal_due(t)) {
		deliver_pending(f, t);
		return;
	}
	decide_restart(f, false, 0);
}

int signal_return(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	uint64_t frame = usermode_sp(f) - 8, irq;   /* the handler's ret took pretcode */
	struct sigframe fr;
	size_t n = fpu_state_size();
	uint32_t mxcsr_mask;
	void *area;

	t->sig->restart_pending = false;   /* rax is the interrupted code's, not a result */
	if (vm_copy_from(p->vm, frame, &fr, sizeof(fr)))
		die(SIGSEGV, SI_KERNEL, frame, "unreadable signal frame");
	if (!sigframe_restore_regs(f, &fr.uc))
		die(SIGSEGV, SI_KERNEL, frame, "forged signal frame");
	irq = signal_lock();
	t->sig_blocked = fr.uc.sigmask & ~SIG_UNBLOCKABLE;
	signal_unlock(irq);
	signal_recalc();
	if (!fr.uc.mc.fpstate) {
		uthread_fpu_reset();
		return 0;
	}
	area = kmalloc(n);
	if (!area)
		die(SIGKILL, SI_KERNEL, 0, "out of memory in sigreturn");
	if (vm_copy_from(p->vm, fr.uc.mc.fpstate, area, n)) {
		kfree(area);
		die(SIGSEGV, SI_KERNEL, fr.uc.mc.fpstate, "unreadable FPU state");
	}
	irq = cpu_irq_save();
	mxcsr_mask = sigframe_mxcsr_mask(t->fpu);
	sigframe_fpstate_sanitize(area, mxcsr_mask);
	memcpy(t->fpu, area, n);
	fpu_restore(t->fpu);
	cpu_irq_restore(irq);
	kfree(area);
	return 0;
}
