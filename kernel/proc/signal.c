/* Signal state of processes (see signal.h). */
#include <kernel/proc/signal.h>
#include <cosmos/abi/sched.h>
#include <hal/usermode.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/process.h>
#include <lib/fmt.h>
#include <lib/string.h>

static const char *const names[32] = {
	0, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

const char *signal_name(int sig, char buf[16])
{
	if (sig > 0 && sig < 32)
		return names[sig];
	fmt_snprintf(buf, 16, "signal %d", sig);
	return buf;
}

struct sighand *sighand_create(void)
{
	struct sighand *h = kzalloc(sizeof(*h));

	if (h) {
		h->refs = 1;
		spin_init(&h->lock, "sighand");
	}
	return h;
}

struct sighand *sighand_clone(struct sighand *h)
{
	struct sighand *c = sighand_create();
	uint64_t f;

	if (!c)
		return 0;
	f = spin_lock_irqsave(&h->lock);
	memcpy(c->action, h->action, sizeof(c->action));
	spin_unlock_irqrestore(&h->lock, f);
	return c;
}

void sighand_get(struct sighand *h) { __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED); }

void sighand_put(struct sighand *h)
{
	uint32_t left = __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL);

	if (left == ~0u)
		panic("sighand %p: reference count below zero", h);
	if (left == 0)
		kfree(h);
}

void sighand_reset_caught(struct sighand *h)
{
	uint64_t f = spin_lock_irqsave(&h->lock);

	for (int i = 0; i < NSIG; i++)
		if (h->action[i].handler != SIGHAND_DFL && h->action[i].handler != SIGHAND_IGN)
			h->action[i] = (struct sigaction_k){ 0 };
	spin_unlock_irqrestore(&h->lock, f);
}

void signal_send_process_locked(struct process *p, int sig)
{
	if (sig < 1 || sig > NSIG || p->state != PROC_ALIVE)
		return;
	if (sig == SIGKILL) {
		/* the table lock is held: mark and interrupt like process_kill */
		if (!p->exiting) {
			p->exiting = true;
			p->exit_status = W_EXITCODE(0, SIGKILL);
		}
		list_for_each(n, &p->threads)
			thread_interrupt(list_entry(n, struct thread, proc_node));
		return;
	}
	__atomic_or_fetch(&p->sig_pending, sig_bit(sig), __ATOMIC_RELAXED);
}

static const char *code_name(int sig, int code)
{
	switch (sig) {
	case SIGSEGV: return code == SEGV_ACCERR ? "SEGV_ACCERR" : code == SEGV_MAPERR ? "SEGV_MAPERR" : "SI_KERNEL";
	case SIGBUS: return code == BUS_ADRALN ? "BUS_ADRALN" : "BUS_ADRERR";
	case SIGFPE: return code == FPE_INTDIV ? "FPE_INTDIV" : "FPE_FLTINV";
	case SIGILL: return code == ILL_PRVOPC ? "ILL_PRVOPC" : "ILL_ILLOPC";
	case SIGTRAP: return "TRAP_BRKPT";
	}
	return "?";
}

void signal_force_fault(int sig, int code, uint64_t addr)
{
	struct thread *t = thread_current();
	struct process *p = process_current();
	uint64_t rip = t->user ? usermode_ip(usermode_frame(t->kstack_top)) : 0;
	char buf[16];

	log_warn("proc: pid %d (%s) killed by %s (%s) at rip %#llx, address %#llx", p->pid,
		 p->name, signal_name(sig, buf), code_name(sig, code), (unsigned long long)rip,
		 (unsigned long long)addr);
	process_exit(W_EXITCODE(0, sig));
}
