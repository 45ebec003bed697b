/* Terminal devices (fs/tty.h). Input arrives in interrupt context into a
 * small ring; each terminal's input thread moves it through the line
 * discipline, which echoes at once, so typing shows even while no program
 * reads. Reads and writes take the terminal's lock around the line
 * discipline; a read sleeps with it dropped.
 *
 * Locking: session_lock (a mutex) orders every change of which session a
 * terminal belongs to, then each terminal's lock (a mutex: the input
 * thread, readers, writers, ioctls), then the process side's locks behind
 * fs/tty_jobctl.h. The raw ring is under a spinlock, for interrupt
 * handlers. ttys[] is filled at boot, before any program runs. */
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/tty.h>
#include <fs/fasync.h>
#include <fs/file.h>
#include <fs/tty_jobctl.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>
#include <kernel/panic.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <lib/cmdline.h>
#include <lib/string.h>

#define TTY_MAX 4
#define WRITE_CHUNK 256

/* Set at boot, before any program runs; read freely. */
static bool bench_prompt;       /* tty.bench: note_first_prompt reports */
static struct tty *ttys[TTY_MAX];
static unsigned nttys;
/* Which session each terminal belongs to (tty->sid, tty->pgrp change under
 * it and the terminal's lock); set up with the first terminal. */
static struct mutex session_lock;

static void lock_or_panic(struct mutex *m)
{
	int err = mutex_lock(m);

	if (err)
		panic("tty: cannot take %s (%d)", m->name, err);
}

static void lock(struct tty *t)
{
	lock_or_panic(&t->lock);
}

static void unlock(struct tty *t)
{
	mutex_unlock(&t->lock);
}

/* Readers and pollers look again (lock held). */
static void wake_readers(struct tty *t)
{
	t->events++;
	waitq_wake_all(&t->read_wq);
}

static bool hung_up(const struct tty_handle *h)
{
	return !h->console && h->gen != h->tty->gen;
}

/* ---------------------------------------------------------------- input */

void tty_input_wake(struct tty *t)
{
	t->input_ready = true;
	waitq_wake_all(&t->input_wq);
}

void tty_input(struct tty *t, const char *s, size_t n)
{
	uint64_t f = spin_lock_irqsave(&t->raw_lock);

	for (size_t i = 0; i < n; i++) {
		if (t->raw_head - t->raw_tail == TTY_RAW_SIZE) {
			t->raw_dropped += n - i;
			break;
		}
		t->raw[t->raw_head++ % TTY_RAW_SIZE] = s[i];
	}
	spin_unlock_irqrestore(&t->raw_lock, f);
	tty_input_wake(t);
}

/* Refills pend: from the raw ring first, then from the driver's source. */
static bool refill(struct tty *t)
{
	uint64_t f = spin_lock_irqsave(&t->raw_lock);
	size_t n = 0;

	while (n < sizeof(t->pend) && t->raw_tail != t->raw_head)
		t->pend[n++] = t->raw[t->raw_tail++ % TTY_RAW_SIZE];
	spin_unlock_irqrestore(&t->raw_lock, f);
	if (n == 0 && t->drv->pull)
		n = t->drv->pull(t, t->pend, sizeof(t->pend));
	t->pend_len = n;
	t->pend_pos = 0;
	return n > 0;
}

/* Input came: SIGIO to the owners of the O_ASYNC files once it can be read
 * (a whole line in canonical mode), as Linux's n_tty. Lock held; the
 * process table's lock is taken inside (the order job_check uses too). */
static void input_async(struct tty *t)
{
	if (!list_empty(&t->async) && ldisc_readable(&t->ld))
		fasync_notify(&t->async, FMODE_READ);
}

int tty_fasync(struct tty_handle *h, struct file *f, bool on)
{
	struct tty *t = h->tty;
	int err;

	lock(t);       /* as every handle call: never where one may not sleep */
	err = fasync_update(&t->async, f, on);
	unlock(t);
	return err;
}

/* Moves input into the line discipline until there is none, or the queue
 * is full (a read then wakes this thread again). */
static void input_thread(void *arg)
{
	struct tty *t = arg;

	for (;;) {
		bool moved = false;

		t->input_ready = false;
		lock(t);
		for (;;) {
			if (t->pend_pos == t->pend_len && !refill(t))
				break;
			if (!ldisc_receive(&t->ld, (uint8_t)t->pend[t->pend_pos])) {
				t->input_blocked = true;
				break;
			}
			t->pend_pos++;
			moved = true;
		}
		if (moved) {
			t->echo_done_ns = time_ns();
			wake_readers(t);
			input_async(t);
		}
		unlock(t);
		waitq_wait_event(&t->input_wq, t->input_ready, 0);
	}
}

/* ---------------------------------------------------------------- line discipline hooks */

static void ld_output(void *ctx, const char *s, size_t n)
{
	struct tty *t = ctx;

	t->drv->write(t, s, n);
}

static void ld_signal(void *ctx, enum ldisc_signal sig)
{
	static const int signo[] = { [LDISC_SIGINT] = SIGINT, [LDISC_SIGQUIT] = SIGQUIT,
				     [LDISC_SIGTSTP] = SIGTSTP };
	struct tty *t = ctx;

	if (t->pgrp)
		(void)jobctl_signal_pgrp(t->pgrp, signo[sig]);
	wake_readers(t);        /* a flushed queue changes what poll says */
}

static const struct ldisc_ops ld_ops = { ld_output, ld_signal };

/* ---------------------------------------------------------------- job control */

static bool is_ctty(const struct tty *t, const struct jobctl_ids *me)
{
	return t->sid != 0 && t->sid == me->sid;
}

/* A read (SIGTTIN), or a write under TOSTOP or a settings change (SIGTTOU),
 * from a background process group of the terminal's session: 0 to go
 * ahead; -EIO when the signal is refused (for reads) or the group is
 * orphaned; else the group gets the signal and the call ends with -EINTR.
 * The terminal's lock is held. */
static long job_check(struct tty *t, int sig)
{
	struct jobctl_ids me;

	jobctl_caller(&me);
	if (!is_ctty(t, &me) || me.pgid == t->pgrp)
		return 0;
	if (jobctl_signal_refused(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (jobctl_pgrp_orphaned(me.pgid))
		return -EIO;
	(void)jobctl_signal_pgrp(me.pgid, sig);
	return -EINTR;
}

/* The session whose leader is me has a controlling terminal already
 * (session_lock held). */
static bool session_has_tty(int sid)
{
	for (unsigned i = 0; i < nttys; i++)
		if (ttys[i]->sid == sid)
			return true;
	return false;
}

/* The terminal stops being a session's: session_lock and its lock held.
 * Returns the foreground group, for the caller to send SIGHUP to once the
 * lock is dropped. */
static int disassociate(struct tty *t)
{
	int pgrp = t->pgrp;

	t->sid = 0;
	t->pgrp = 0;
	return pgrp;
}

static void hangup_signals(int pgrp)
{
	if (pgrp > 0) {
		(void)jobctl_signal_pgrp(pgrp, SIGHUP);
		(void)jobctl_signal_pgrp(pgrp, SIGCONT);
	}
}

void tty_session_leader_exit(int sid)
{
	if (sid <= 0 || nttys == 0)
		return;
	lock_or_panic(&session_lock);
	for (unsigned i = 0; i < nttys; i++) {
		struct tty *t = ttys[i];
		int pgrp = -1;

		lock(t);
		if (t->sid == sid) {
			pgrp = disassociate(t);
			t->gen++;               /* the handles opened so far are dead */
			ldisc_flush_input(&t->ld);
			wake_readers(t);
		}
		unlock(t);
		hangup_signals(pgrp);
	}
	mutex_unlock(&session_lock);
}

struct tty *tty_of_session(int sid, int *pgrp)
{
	struct tty *found = NULL;

	if (sid <= 0 || nttys == 0)
		return NULL;
	lock_or_panic(&session_lock);
	for (unsigned i = 0; i < nttys && !found; i++)
		if (ttys[i]->sid == sid)
			found = ttys[i];
	if (found && pgrp) {
		lock(found);            /* tcsetpgrp changes it under the tty's lock */
		*pgrp = found->pgrp;
		unlock(found);
	}
	mutex_unlock(&session_lock);
	return found;
}

struct tty *tty_current(void)
{
	struct jobctl_ids me;

	jobctl_caller(&me);
	return tty_of_session(me.sid, NULL);
}

/* TIOCSCTTY, TIOCNOTTY: they change which session the terminal belongs to. */
static long session_ioctl(struct tty_handle *h, unsigned cmd, uint64_t arg)
{
	struct tty *t = h->tty;
	struct jobctl_ids me;
	long ret = 0;
	int pgrp = -1;

	jobctl_caller(&me);
	lock_or_panic(&session_lock);
	lock(t);
	if (hung_up(h)) {
		ret = -EIO;
	} else if (cmd == TIOCSCTTY) {
		if (me.pid <= 0 || me.pid != me.sid)
			ret = -EPERM;           /* only a session leader */
		else if (t->sid == me.sid)
			ret = 0;
		else if (session_has_tty(me.sid))
			ret = -EPERM;
		else if (t->sid != 0 && !(arg == 1 && jobctl_sys_admin()))
			ret = -EPERM;
		else {
			/* a steal moves the terminal without signals, as Linux */
			if (t->sid != 0)
				(void)disassociate(t);
			t->sid = me.sid;
			t->pgrp = me.pgid;
		}
	} else {                        /* TIOCNOTTY */
		if (!is_ctty(t, &me))
			ret = -ENOTTY;
		else if (me.pid == me.sid)
			pgrp = disassociate(t);
		/* another member of the session: it keeps the terminal, since
		 * a controlling terminal belongs to the whole session here */
	}
	unlock(t);
	mutex_unlock(&session_lock);
	hangup_signals(pgrp);
	return ret;
}

/* ---------------------------------------------------------------- open, read, write */

int tty_open(struct tty *t, bool noctty, bool console, struct tty_handle *h)
{
	struct jobctl_ids me;

	jobctl_caller(&me);
	lock_or_panic(&session_lock);
	lock(t);
	*h = (struct tty_handle){ .tty = t, .gen = t->gen, .console = console };
	t->opens++;
	/* a session leader without a terminal takes a free one */
	if (!noctty && me.pid > 0 && me.pid == me.sid && t->sid == 0 && !session_has_tty(me.sid)) {
		t->sid = me.sid;
		t->pgrp = me.pgid;
	}
	unlock(t);
	mutex_unlock(&session_lock);
	return 0;
}

void tty_close(struct tty_handle *h)
{
	lock(h->tty);
	h->tty->opens--;
	unlock(h->tty);
}

/* With `tty.bench` on the command line (make bench), the first time a
 * program waits for input on t (a shell after its first prompt: a read
 * that blocks or a poll that sleeps) gives BENCH lines: the time since
 * kernel entry and the memory in use then. Each starts a line of its own,
 * since the prompt before it does not end one. The terminal's lock is
 * held. */
static void note_first_prompt(struct tty *t)
{
	struct jobctl_ids me;
	struct pmm_stats m;
	uint64_t us;

	if (t->prompt_seen || !bench_prompt)
		return;
	jobctl_caller(&me);
	if (me.pid <= 0)
		return;
	t->prompt_seen = true;
	us = time_ns() / 1000;
	pmm_get_stats(&m);
	/* one print, so the other terminal's lines cannot come between */
	kprintf("\nBENCH prompt_%s_since_kernel_entry %llu.%03llu ms\n"
		"BENCH prompt_%s_memory_in_use %llu KiB\n",
		t->drv->name, (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
		t->drv->name, (unsigned long long)(m.used_pages * (PMM_PAGE / 1024)));
}

struct read_ctx {
	struct tty_handle *h;
	const struct tty_copy *c;
};

static long rd_copy_out(void *ctx, const char *src, size_t n)
{
	struct read_ctx *r = ctx;

	return r->c->out(r->c->ctx, src, n);
}

/* Sleeps with the terminal's lock dropped until input or a hang-up. */
static int rd_wait(void *ctx, uint64_t deadline)
{
	struct read_ctx *r = ctx;
	struct tty *t = r->h->tty;
	uint64_t seen = t->events;
	int err;

	if (hung_up(r->h))
		return LDISC_HUNGUP;
	note_first_prompt(t);
	unlock(t);
	err = waitq_wait_event_intr(&t->read_wq, t->events != seen || hung_up(r->h), deadline);
	lock(t);
	return hung_up(r->h) ? LDISC_HUNGUP : err;
}

static uint64_t rd_now(void *ctx)
{
	(void)ctx;
	return time_ns();
}

long tty_read(struct tty_handle *h, const struct tty_copy *c, size_t n, bool nonblock)
{
	struct tty *t = h->tty;
	struct read_ctx rc = { h, c };
	struct ldisc_reader r = { rd_copy_out, rd_wait, rd_now, &rc };
	long ret;

	lock(t);
	if (hung_up(h)) {
		ret = 0;                /* end of file */
	} else if ((ret = job_check(t, SIGTTIN)) == 0) {
		ret = ldisc_read(&t->ld, n, nonblock, &r);
		if (ret > 0 && t->input_blocked) {
			t->input_blocked = false;
			t->input_ready = true;
			waitq_wake_all(&t->input_wq);
		}
	}
	unlock(t);
	return ret;
}

long tty_write(struct tty_handle *h, const struct tty_copy *c, size_t n, bool nonblock)
{
	struct tty *t = h->tty;
	char buf[WRITE_CHUNK];
	size_t done = 0;
	long ret = 0;

	(void)nonblock;         /* output never waits: the drivers show it at once */
	lock(t);
	if (hung_up(h))
		ret = -EIO;
	else if (t->ld.termios.c_lflag & TOSTOP)
		ret = job_check(t, SIGTTOU);
	unlock(t);
	if (ret)
		return ret;
	while (done < n) {
		size_t want = n - done < sizeof(buf) ? n - done : sizeof(buf);
		long got = c->in(c->ctx, buf, want);

		if (got <= 0)
			return done ? (long)done : got;
		lock(t);
		if (hung_up(h)) {
			unlock(t);
			return done ? (long)done : -EIO;
		}
		ldisc_write(&t->ld, buf, (size_t)got);
		unlock(t);
		done += (size_t)got;
	}
	return (long)done;
}

/* ---------------------------------------------------------------- ioctl */

static long settings_ioctl(struct tty *t, unsigned cmd, const void *kbuf)
{
	long ret = job_check(t, SIGTTOU);

	if (ret)
		return ret;
	if (cmd == TCSETSF)
		ldisc_flush_input(&t->ld);
	/* TCSETSW waits for output to drain: it never waits here */
	ldisc_set_termios(&t->ld, kbuf);
	wake_readers(t);                /* a new mode may make input readable */
	if (t->input_blocked) {
		t->input_ready = true;
		waitq_wake_all(&t->input_wq);
	}
	return 0;
}

static long pgrp_ioctl(struct tty *t, unsigned cmd, int32_t *kbuf)
{
	struct jobctl_ids me;
	long ret;

	jobctl_caller(&me);
	if (!is_ctty(t, &me))
		return -ENOTTY;
	if (cmd == TIOCGPGRP) {
		*kbuf = t->pgrp;
		return 0;
	}
	if (cmd == TIOCGSID) {
		*kbuf = t->sid;
		return 0;
	}
	if ((ret = job_check(t, SIGTTOU)) != 0)
		return ret;
	if (*kbuf < 0)
		return -EINVAL;
	if (!jobctl_pgrp_in_session(*kbuf, -1))
		return -ESRCH;
	if (!jobctl_pgrp_in_session(*kbuf, t->sid))
		return -EPERM;
	t->pgrp = *kbuf;
	return 0;
}

/* TIOCSTI: one byte as if typed, through the line discipline at once
 * (echo, signals, editing), ahead of input still in the raw ring. As
 * Linux 6.1: only on the caller's controlling terminal, or with
 * CAP_SYS_ADMIN; a byte that finds the raw-mode queue full is dropped, as
 * n_tty drops it. The terminal's lock is held. */
static long sti_ioctl(struct tty *t, uint8_t c)
{
	struct jobctl_ids me;

	jobctl_caller(&me);
	if (!is_ctty(t, &me) && !jobctl_sys_admin())
		return -EPERM;
	(void)ldisc_receive(&t->ld, c);
	wake_readers(t);
	input_async(t);
	return 0;
}

long tty_ioctl(struct tty_handle *h, unsigned cmd, uint64_t arg, void *kbuf)
{
	struct tty *t = h->tty;
	long ret = 0;
	int winch = 0;

	if (cmd == TIOCSCTTY || cmd == TIOCNOTTY)
		return session_ioctl(h, cmd, arg);
	switch (cmd) {
	case TCGETS: case TCSETS: case TCSETSW: case TCSETSF: case TIOCGWINSZ: case TIOCSWINSZ:
	case TIOCGPGRP: case TIOCSPGRP: case TIOCGSID: case TIOCOUTQ: case TIOCINQ: case TIOCSTI:
		if (!kbuf)
			return -EFAULT;         /* sys/ioctl.c's table lacks the command */
		break;
	default:
		break;
	}
	lock(t);
	if (hung_up(h)) {
		unlock(t);
		return -EIO;
	}
	switch (cmd) {
	case TCGETS:
		memcpy(kbuf, &t->ld.termios, sizeof(struct termios));
		break;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		ret = settings_ioctl(t, cmd, kbuf);
		break;
	case TIOCGWINSZ:
		memcpy(kbuf, &t->ws, sizeof(struct winsize));
		break;
	case TIOCSWINSZ:
		if (memcmp(&t->ws, kbuf, sizeof(struct winsize)) != 0) {
			memcpy(&t->ws, kbuf, sizeof(struct winsize));
			winch = t->pgrp;
		}
		break;
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
		ret = pgrp_ioctl(t, cmd, kbuf);
		break;
	case TIOCINQ:           /* FIONREAD */
		*(int32_t *)kbuf = (int32_t)ldisc_queued(&t->ld);
		break;
	case TIOCOUTQ:
		*(int32_t *)kbuf = 0;   /* nothing is ever queued for output */
		break;
	case TIOCSTI:
		ret = sti_ioctl(t, *(const uint8_t *)kbuf);
		break;
	case TCFLSH:
		if (arg > TCIOFLUSH)
			ret = -EINVAL;
		else if ((ret = job_check(t, SIGTTOU)) == 0 && arg != TCOFLUSH) {
			ldisc_flush_input(&t->ld);
			wake_readers(t);
		}
		break;
	case TCXONC:
		/* flow control is not done: output never stops */
		ret = arg > TCION ? -EINVAL : job_check(t, SIGTTOU);
		break;
	case TCSBRK:
		break;                  /* drain: output is shown at once */
	default:
		ret = -ENOTTY;
		break;
	}
	unlock(t);
	if (winch > 0)
		(void)jobctl_signal_pgrp(winch, SIGWINCH);
	return ret;
}

struct waitq *tty_poll_queue(struct tty_handle *h)
{
	return &h->tty->read_wq;        /* fixed for the terminal's life: no lock */
}

void tty_poll(struct tty_handle *h, bool will_wait, bool *readable, bool *hungup)
{
	struct tty *t = h->tty;

	lock(t);
	*hungup = hung_up(h);
	*readable = *hungup || ldisc_readable(&t->ld);
	if (will_wait && !*readable)
		note_first_prompt(t);
	unlock(t);
}

/* ---------------------------------------------------------------- creation */

int tty_create(struct tty *t, const struct tty_driver *drv, void *drv_data, uint16_t rows, uint16_t cols)
{
	struct thread *th;

	if (nttys == 0) {
		mutex_init(&session_lock, "tty_sessions");
		bench_prompt = cmdline_get(boot_cmdline(), "tty.bench") != NULL;
	}
	if (nttys == TTY_MAX)
		return -ENOSPC;
	memset(t, 0, sizeof(*t));
	t->drv = drv;
	t->drv_data = drv_data;
	mutex_init(&t->lock, drv->name);
	spin_init(&t->raw_lock, drv->name);
	waitq_init(&t->read_wq);
	list_init(&t->async);
	waitq_init(&t->input_wq);
	ldisc_init(&t->ld, &ld_ops, t);
	t->ws = (struct winsize){ .ws_row = rows, .ws_col = cols };
	/* input is interactive: its thread runs before ordinary work */
	th = thread_create(drv->name, input_thread, t, SCHED_PRIO_DEFAULT + 1, THREAD_DETACHED);
	if (!th)
		return -ENOMEM;
	ttys[nttys++] = t;
	return 0;
}
