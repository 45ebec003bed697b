/* POSIX _exit's orphaned process group rule: when an exit leaves a process
 * group with no member whose parent is in another group of the same
 * session, and a member is stopped, every member gets SIGHUP then SIGCONT.
 * Each case builds the scene in a session of its own, so the runner's
 * processes are no part of it. */
#include "tests.h"

/* What the group's process C saw, as bits. */
#define SAW_HUP 1
#define SAW_CONT 2
static volatile sig_atomic_t saw;

static void on_sig(int sig)
{
	saw |= sig == SIGHUP ? SAW_HUP : SAW_CONT;
}

enum scene {
	STOPPED_ALONE,    /* C stopped, its parent P the group's only link */
	STOPPED_LINKED,   /* C stopped; E, child of S, is in C's group too */
	RUNNING_ALONE,    /* C waits on a pipe: nobody in the group is stopped */
};

static void catch_hup_cont(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGHUP, &sa, NULL));
	CHECK_OK(sigaction(SIGCONT, &sa, NULL));
}

/* C: a group of its own, then stopped (or waiting for `go` to close:
 * go_w is its write end);
 * reports what it saw on `rep` once it runs on. */
static _Noreturn void run_c(enum scene s, int rep, int go, int go_w, int ready)
{
	CHECK_OK(setpgid(0, 0));
	catch_hup_cont();
	if (s == RUNNING_ALONE) {
		char b;
		CHECK_OK(close(go_w));
		sync_signal(ready);
		while (read(go, &b, 1) != 0)
			;
	} else {
		CHECK_OK(raise(SIGSTOP));
	}
	char r = (char)saw;
	CHECK_EQ(write(rep, &r, 1), 1);
	_exit(0);
}

/* Waits up to 10 s for C's report; -1 when none came. */
static int read_report(int rep)
{
	struct pollfd pfd = { .fd = rep, .events = POLLIN };
	char r;
	if (CHECK_OK(poll(&pfd, 1, 10000)) == 0)
		return -1;
	CHECK_EQ(read(rep, &r, 1), 1);
	return r;
}

/* S, a session leader, forks P in its own group; P forks C, which takes a
 * group of its own (linked to the session through P alone, or also
 * through E for STOPPED_LINKED); once C is stopped or waiting, P exits.
 * Returns what C saw: on its own if the kernel continued it (-1 if it
 * did not within 10 s), else after S pokes it (SIGCONT, or `go` closed). */
static int scene(enum scene s)
{
	int rep[2], go[2], ready[2], info[2], pexit[2];
	CHECK_OK(pipe(rep));
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(info));
	CHECK_OK(pipe(pexit));
	CHECK_EQ(setsid(), getpid());

	pid_t p = xfork();
	if (p == 0) {
		pid_t c = xfork();
		if (c == 0)
			run_c(s, rep[1], go[0], go[1], ready[1]);
		setpgid(c, c);   /* either of us may win; both ask the same */
		if (s == RUNNING_ALONE) {
			sync_wait(ready[0]);
		} else {
			int st;
			CHECK_EQ(CHECK_OK(waitpid(c, &st, WUNTRACED)), c);
			CHECK(WIFSTOPPED(st));
		}
		CHECK_EQ(write(info[1], &c, sizeof c), (ssize_t)sizeof c);
		sync_wait(pexit[0]);
		_exit(0);
	}
	pid_t c;
	CHECK_EQ(read(info[0], &c, sizeof c), (ssize_t)sizeof c);
	CHECK_EQ(getpgid(c), c);
	pid_t e = -1;
	if (s == STOPPED_LINKED) {
		e = xfork();
		if (e == 0) {
			char b;
			CHECK_OK(close(go[1]));
			CHECK_OK(setpgid(0, c));
			sync_signal(ready[1]);
			while (read(go[0], &b, 1) != 0)
				;
			_exit(0);
		}
		sync_wait(ready[0]);
	}
	/* P ends; any signals its exit sends are queued before wait sees it */
	sync_signal(pexit[1]);
	wait_exit(p, 0);
	CHECK_OK(close(rep[1]));
	int got;
	if (s == STOPPED_ALONE) {
		got = read_report(rep[0]);
	} else {
		if (s == STOPPED_LINKED)
			CHECK_OK(kill(c, SIGCONT));
		CHECK_OK(close(go[1]));
		got = read_report(rep[0]);
	}
	if (got < 0)
		kill(c, SIGKILL);   /* still stopped: not left behind for ever */
	if (e > 0)
		wait_exit(e, 0);
	return got;
}

TEST(proc_orphaned_stopped_group_gets_hup_and_cont)
{
	IN_CHILD {
		CHECK_EQ(scene(STOPPED_ALONE), SAW_HUP | SAW_CONT);
	}
}

TEST(proc_stopped_group_still_linked_gets_nothing)
{
	IN_CHILD {
		/* only the SIGCONT sent by hand */
		CHECK_EQ(scene(STOPPED_LINKED), SAW_CONT);
	}
}

TEST(proc_orphaned_group_none_stopped_gets_nothing)
{
	IN_CHILD {
		CHECK_EQ(scene(RUNNING_ALONE), 0);
	}
}
