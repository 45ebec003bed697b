/* Signal state and sending (see signal.h): handler tables, pending sets
 * and queues, the choice of the thread that takes a process's signal,
 * and what SIGKILL, SIGSTOP and SIGCONT do the moment they are sent.
 * Delivery is signal_deliver.c's. */
#include <kernel/proc/signal.h>
#include <kernel/proc/ptimer.h>
#include <cosmos/abi/sched.h>
#include <cosmos/errno.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/sync/spinlock.h>
#include <lib/fmt.h>
#include <lib/string.h>

/* See signal.h for all it protects. */
static struct spinlock sig_lock = SPINLOCK_INIT("signal");

/* Real-time signals queued per target at most (Linux's RLIMIT_SIGPENDING
 * is per user and larger; one target cannot take the heap). */
#define SIG_RT_QUEUE_MAX 256

uint64_t signal_lock(void) { return spin_lock_irqsave(&sig_lock); }
void signal_unlock(uint64_t f) { spin_unlock_irqrestore(&sig_lock, f); }

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

	if (h)
		h->refs = 1;
	return h;
}

struct sighand *sighand_clone(struct sighand *h)
{
	struct sighand *c = sighand_create();
	uint64_t f;

	if (!c)
		return 0;
	f = signal_lock();
	memcpy(c->action, h->action, sizeof(c->action));
	signal_unlock(f);
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
	uint64_t f = signal_lock();

	for (int i = 0; i < NSIG; i++)
		if (h->action[i].handler != SIGHAND_DFL && h->action[i].handler != SIGHAND_IGN)
			h->action[i] = (struct sigaction_k){ 0 };
	signal_unlock(f);
}

/* Removes every instance of the signals in set from sp; a timer's own
 * entry goes back to its timer. sig_lock held. */
static void discard_locked(struct sigpending *sp, uint64_t set)
{
	struct list_node *n = sp->rt.next;

	for (int sig = 1; sig < SIGRTMIN; sig++)
		if ((sp->set & set & sig_bit(sig)) && sp->std[sig].timer)
			ptimer_signal_dropped_locked(&sp->std[sig]);
	sp->set &= ~set;
	while (n != &sp->rt) {
		struct sigqueued *q = list_entry(n, struct sigqueued, node);

		n = n->next;
		if (set & sig_bit(q->info.signo)) {
			list_del(&q->node);
			sp->nrt--;
			if (q->info.timer)
				ptimer_signal_dropped_locked(&q->info);
			else
				kfree(q);
		}
	}
}

void sigpending_init(struct sigpending *sp)
{
	sp->set = 0;
	sp->nrt = 0;
	list_init(&sp->rt);
}

void sigpending_flush(struct sigpending *sp)
{
	uint64_t f = signal_lock();

	discard_locked(sp, ~0ull);
	sp->set = 0;
	sp->nrt = 0;
	signal_unlock(f);
}

struct thread_sig *thread_sig_create(void)
{
	struct thread_sig *s = kzalloc(sizeof(*s));

	if (s)
		sigpending_init(&s->pending);
	return s;
}

void thread_sig_destroy(struct thread_sig *s)
{
	if (!s)
		return;
	sigpending_flush(&s->pending);
	kfree(s);
}


/* Removes the signals in set from p and all its threads. sig_lock held. */
static void discard_all_locked(struct process *p, uint64_t set)
{
	discard_locked(&p->sig_shared, set);
	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);

		if (t->sig)
			discard_locked(&t->sig->pending, set);
	}
}

/* The default action of sig is to ignore it (SIGCONT's continuing is done
 * when it is sent). */
bool signal_default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* sig_lock held. */
static bool ignored_locked(const struct process *p, int sig)
{
	uint64_t h;

	if (!p->sighand)
		return true;
	h = p->sighand->action[sig - 1].handler;
	return h == SIGHAND_IGN || (h == SIGHAND_DFL && signal_default_ignores(sig));
}

bool signal_is_ignored_or_blocked(struct thread *t, int sig)
{
	uint64_t f;
	bool r;

	if (sig < 1 || sig > NSIG || !t->proc)
		return true;
	f = signal_lock();
	r = (t->sig_blocked & sig_bit(sig)) || ignored_locked(t->proc, sig);
	signal_unlock(f);
	return r;
}

int signal_action(struct process *p, int sig, const struct sigaction_k *act,
		  struct sigaction_k *old)
{
	uint64_t f;

	if (sig < 1 || sig > NSIG || (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	f = signal_lock();
	if (old)
		*old = p->sighand->action[sig - 1];
	if (act) {
		p->sighand->action[sig - 1] = *act;
		p->sighand->action[sig - 1].mask &= ~SIG_UNBLOCKABLE;
		/* POSIX: setting a pending signal to be ignored discards it */
		if (ignored_locked(p, sig))
			discard_all_locked(p, sig_bit(sig));
	}
	signal_unlock(f);
	return 0;
}

/* Adds info to sp. A standard signal already pending is merged; a
 * real-time one is queued (memory: only from process context). */
static int enqueue_locked(struct sigpending *sp, const struct ksiginfo *info, bool may_alloc)
{
	int sig = info->signo;
	struct sigqueued *q;

	if (sig < SIGRTMIN) {
		if (!(sp->set & sig_bit(sig)))
			sp->std[sig] = *info;
		sp->set |= sig_bit(sig);
		return 0;
	}
	if (!may_alloc || sp->nrt >= SIG_RT_QUEUE_MAX)
		return -EAGAIN;
	/* kmalloc takes no lock that sleeps (the heap's is a spinlock) */
	q = kmalloc(sizeof(*q));
	if (!q)
		return -EAGAIN;
	q->info = *info;
	list_add_tail(&sp->rt, &q->node);
	sp->nrt++;
	sp->set |= sig_bit(sig);
	return 0;
}

/* What t blocks for the ignore rule: its mask, and during sigtimedwait
 * the mask it had before. sig_lock held. */
static uint64_t blocked_locked(const struct thread *t)
{
	return t->sig_blocked | (t->sig ? t->sig->real_blocked : 0);
}

void signal_ret_work_all_locked(struct process *p)
{
	list_for_each(n, &p->threads)
		thread_ret_work_set(list_entry(n, struct thread, proc_node));
}

/* The thread of p that should take a signal it does not block: the
 * caller when it belongs to p (it is about to return to ring 3), else the
 * first one. NULL when all block it. sig_lock held. */
static struct thread *pick_thread_locked(struct process *p, int sig)
{
	struct thread *me = thread_current();

	if (me->proc == p && !(me->sig_blocked & sig_bit(sig)))
		return me;
	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);

		if (t->sig && !(t->sig_blocked & sig_bit(sig)))
			return t;
	}
	return 0;
}

/* The parent learns that child p stopped or continued: wait's report and
 * SIGCHLD unless the parent asked SA_NOCLDSTOP. Table lock held. */
void signal_report_locked(struct process *p, enum sig_report what, int sig)
{
	struct process *parent = p->parent;
	struct ksiginfo info = {
		.signo = SIGCHLD, .code = what == SIG_REPORT_STOPPED ? CLD_STOPPED : CLD_CONTINUED,
		.pid = p->pid, .uid = p->cred.uid, .status = what == SIG_REPORT_STOPPED ? sig : SIGCONT,
	};
	uint64_t f;
	bool nocldstop;

	p->report = what;
	p->report_sig = sig;
	if (!parent || !parent->user || !parent->sighand)
		return;
	cond_broadcast(&parent->child_cv);
	f = signal_lock();
	nocldstop = parent->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP;
	signal_unlock(f);
	if (!nocldstop)
		(void)signal_send_locked(parent, 0, &info);
}

int signal_send_locked(struct process *p, struct thread *t, const struct ksiginfo *info)
{
	int sig = info->signo, err = 0;
	struct thread *target;
	bool continued = false;
	uint64_t f;

	if (sig == 0 || p->state != PROC_ALIVE || !p->user || p->exiting)
		return 0;
	if (sig == SIGKILL) {
		process_kill_locked(p, W_EXITCODE(0, SIGKILL));
		return 0;
	}
	f = signal_lock();
	if (SIG_STOPS & sig_bit(sig))
		discard_all_locked(p, sig_bit(SIGCONT));
	if (sig == SIGCONT) {
		discard_all_locked(p, SIG_STOPS);
		if (p->stopped) {
			p->stopped = false;
			continued = true;
		}
	}
	target = t ? t : pick_thread_locked(p, sig);
	/* an ignored signal goes now, unless blocked (its handler may change) */
	if (ignored_locked(p, sig) && target && !(blocked_locked(target) & sig_bit(sig)))
		goto out;
	if (t && !t->sig)
		goto out;
	err = enqueue_locked(t ? &t->sig->pending : &p->sig_shared, info, true);
	if (!err && !t)
		signal_ret_work_all_locked(p);
	if (!err && target && !(target->sig_blocked & sig_bit(sig)))
		thread_interrupt(target);
	if (!err)
		waitq_wake_all(&p->signalfd_wq);
out:
	signal_unlock(f);
	if (continued) {
		waitq_wake_all(&p->stop_wq);
		signal_report_locked(p, SIG_REPORT_CONTINUED, SIGCONT);
	}
	return err;
}

void signal_send_process_locked(struct process *p, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };

	(void)signal_send_locked(p, 0, &info);
}

void signal_send_irq(struct process *p, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	uint64_t f = signal_lock();
	struct thread *target;

	if (p->state == PROC_ALIVE && !p->exiting) {
		target = pick_thread_locked(p, sig);
		if (!(ignored_locked(p, sig) && target && !(blocked_locked(target) & sig_bit(sig))) &&
		    enqueue_locked(&p->sig_shared, &info, false) == 0) {
			signal_ret_work_all_locked(p);
			if (target)
				thread_interrupt(target);
			waitq_wake_all(&p->signalfd_wq);
		}
	}
	signal_unlock(f);
}

/* Is sig's bit still owed to another instance queued on sp? */
static void rt_recalc_locked(struct sigpending *sp, int sig)
{
	sp->set &= ~sig_bit(sig);
	list_for_each(m, &sp->rt)
		if (list_entry(m, struct sigqueued, node)->info.signo == sig)
			sp->set |= sig_bit(sig);
}

struct sigpending *signal_queue_timer_locked(struct process *p, struct thread *t,
					     struct sigqueued *q)
{
	int sig = q->info.signo;
	struct sigpending *sp;
	struct thread *target;

	if (p->state != PROC_ALIVE || p->exiting || (t && !t->sig))
		return 0;
	target = t ? t : pick_thread_locked(p, sig);
	if (ignored_locked(p, sig) && target && !(blocked_locked(target) & sig_bit(sig)))
		return 0;
	sp = t ? &t->sig->pending : &p->sig_shared;
	if (sig < SIGRTMIN) {
		if (sp->set & sig_bit(sig))
			return 0;
		sp->std[sig] = q->info;
	} else {
		if (sp->nrt >= SIG_RT_QUEUE_MAX)
			return 0;
		list_add_tail(&sp->rt, &q->node);
		sp->nrt++;
	}
	sp->set |= sig_bit(sig);
	if (!t)
		signal_ret_work_all_locked(p);
	if (target && !(target->sig_blocked & sig_bit(sig)))
		thread_interrupt(target);
	waitq_wake_all(&p->signalfd_wq);
	return sp;
}

void signal_unqueue_timer_locked(struct sigpending *sp, struct sigqueued *q)
{
	int sig = q->info.signo;

	if (sig < SIGRTMIN) {
		if ((sp->set & sig_bit(sig)) && sp->std[sig].timer == q->info.timer)
			sp->set &= ~sig_bit(sig);
		return;
	}
	list_del(&q->node);
	sp->nrt--;
	rt_recalc_locked(sp, sig);
}

int signal_send_pid(int pid, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	struct process *p;
	int err = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	process_table_lock();
	p = pid > 0 ? process_find_locked(pid) : 0;
	if (!p || !p->user)
		err = -ESRCH;
	else
		err = signal_send_locked(p, 0, &info);
	process_table_unlock();
	return err;
}

int signal_send_pgrp(int pgid, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pgid <= 0)
		return -ESRCH;
	return process_for_each_group(pgid, &info, 0, 0);
}

bool pgrp_is_orphaned(int pgid)
{
	return process_group_orphaned(pgid);
}

void signal_recalc(void)
{
	struct thread *t = thread_current();
	uint64_t f = signal_lock();
	uint64_t pend = t->proc->sig_shared.set | (t->sig ? t->sig->pending.set : 0);

	if (pend & ~t->sig_blocked)
		thread_interrupt(t);
	signal_unlock(f);
}

uint64_t signal_pending_set(void)
{
	struct thread *t = thread_current();
	uint64_t f = signal_lock();
	uint64_t pend = t->proc->sig_shared.set | (t->sig ? t->sig->pending.set : 0);

	signal_unlock(f);
	return pend;
}

bool signal_pending_now(void)
{
	struct thread *t = thread_current();

	struct process *p = t->proc;

	return (signal_pending_set() & ~t->sig_blocked) || p->exiting ||
	       (p->execer && p->execer != t);
}

/* Takes the lowest signal of set from sp. sig_lock held. */
static int take_locked(struct sigpending *sp, uint64_t set, struct ksiginfo *info)
{
	uint64_t ready = sp->set & set;
	int sig;

	if (!ready)
		return 0;
	sig = __builtin_ctzll(ready) + 1;
	if (sig < SIGRTMIN) {
		*info = sp->std[sig];
		sp->set &= ~sig_bit(sig);
		if (info->timer)
			ptimer_signal_taken_locked(info);
		return sig;
	}
	list_for_each(n, &sp->rt) {
		struct sigqueued *q = list_entry(n, struct sigqueued, node);

		if (q->info.signo != sig)
			continue;
		*info = q->info;
		list_del(&q->node);
		if (info->timer)
			ptimer_signal_taken_locked(info);
		else
			kfree(q);
		sp->nrt--;
		/* still pending while another instance waits */
		rt_recalc_locked(sp, sig);
		return sig;
	}
	sp->set &= ~sig_bit(sig);   /* not reached: a set bit has an entry */
	return 0;
}

int signal_dequeue(uint64_t set, struct ksiginfo *info)
{
	struct thread *t = thread_current();
	uint64_t f = signal_lock();
	int sig = t->sig ? take_locked(&t->sig->pending, set, info) : 0;

	if (!sig)
		sig = take_locked(&t->proc->sig_shared, set, info);
	signal_unlock(f);
	return sig;
}

void signal_set_mask(uint64_t mask)
{
	struct thread *t = thread_current();
	uint64_t f = signal_lock();

	t->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	signal_unlock(f);
	signal_recalc();
}

int signal_sleep(uint64_t deadline)
{
	struct thread *t = thread_current();
	struct waitq wq;   /* nobody wakes it: only a signal or the deadline end the wait */
	int err;

	waitq_init(&wq);
	for (;;) {
		/* a stale interrupt (its signal taken meanwhile) must not end the sleep */
		thread_clear_interrupt(t);
		if (signal_pending_now())
			return -EINTR;
		err = waitq_wait_event_intr(&wq, false, deadline);
		if (err != -EINTR)
			return err;
	}
}

void signal_set_wait_mask(uint64_t mask, uint64_t real_blocked)
{
	struct thread *t = thread_current();
	uint64_t f = signal_lock();

	t->sig->real_blocked = real_blocked;
	signal_unlock(f);
	signal_set_mask(mask);
}
