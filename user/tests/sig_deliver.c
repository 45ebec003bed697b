/* Delivery: SA_RESTART against EINTR, sigaltstack and SA_ONSTACK,
 * siglongjmp out of a handler, process- and thread-directed signals in a
 * threaded process, default actions (terminate, ignore, stop, continue),
 * and signal state across fork and exec. */
#include "tests.h"

#include <pthread.h>
#include <setjmp.h>

static volatile int hits;
static void count(int sig)
{
	(void)sig;
	hits++;
}

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(sig, &sa, NULL));
}

/* Interrupts a blocked read with SIGALRM from a 10 ms interval timer; a
 * child writes to the pipe once the handler has run twice (it watches a
 * shared counter). Returns what read returned, errno in *err. */
static volatile int *shared_hits;
static void count_shared(int sig)
{
	(void)sig;
	__atomic_fetch_add(shared_hits, 1, __ATOMIC_SEQ_CST);
}

static ssize_t read_interrupted(int flags, int *err)
{
	shared_hits = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	install(SIGALRM, count_shared, flags);
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		while (__atomic_load_n(shared_hits, __ATOMIC_SEQ_CST) < 2)
			sched_yield();
		CHECK_EQ(write(p[1], "data", 4), 4);
		_exit(0);
	}
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	char buf[8];
	ssize_t n = read(p[0], buf, sizeof buf);
	*err = errno;
	it = (struct itimerval){ 0 };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	/* An interrupted read may leave the child waiting: let it go. */
	__atomic_fetch_add(shared_hits, 1000, __ATOMIC_SEQ_CST);
	wait_exit(pid, 0);
	return n;
}

TEST(sig_restart)
{
	int err;
	CHECK_EQ(read_interrupted(SA_RESTART, &err), 4);
}

TEST(sig_eintr_without_restart)
{
	int err;
	CHECK_EQ(read_interrupted(0, &err), -1);
	CHECK_EQ(err, EINTR);
}

/* nanosleep is never restarted with the full time: without SA_RESTART it
 * fails with EINTR and says how much was left. */
TEST(sig_eintr_nanosleep)
{
	install(SIGALRM, count, 0);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK_EQ(hits, 1);
	CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 5);
}

static char *alt_base;
static size_t alt_size;
static volatile uintptr_t handler_sp;
static volatile int handler_ss_flags;

static void on_alt(int sig)
{
	(void)sig;
	char local;
	handler_sp = (uintptr_t)&local;
	stack_t cur;
	sigaltstack(NULL, &cur);
	handler_ss_flags = cur.ss_flags;
	/* Changing the stack while on it is refused. */
	stack_t other = { .ss_sp = alt_base, .ss_size = alt_size };
	if (sigaltstack(&other, NULL) == 0 || errno != EPERM)
		handler_ss_flags = -1;
	hits++;
}

TEST(sig_altstack)
{
	alt_size = 64 << 10;
	alt_base = CHECK_OK(mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	stack_t ss = { .ss_sp = alt_base, .ss_size = alt_size }, old;
	CHECK_OK(sigaltstack(&ss, &old));
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt_base);
	CHECK_EQ(old.ss_size, alt_size);
	CHECK_EQ(old.ss_flags, 0);
	install(SIGUSR1, on_alt, SA_ONSTACK);
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 1);
	CHECK(handler_sp >= (uintptr_t)alt_base && handler_sp < (uintptr_t)alt_base + alt_size);
	CHECK_EQ(handler_ss_flags, SS_ONSTACK);
	/* Without SA_ONSTACK the handler runs on the normal stack. */
	install(SIGUSR1, on_alt, 0);
	CHECK_OK(raise(SIGUSR1));
	CHECK(handler_sp < (uintptr_t)alt_base || handler_sp >= (uintptr_t)alt_base + alt_size);
	/* Disabled, SA_ONSTACK is ignored. */
	ss.ss_flags = SS_DISABLE;
	CHECK_OK(sigaltstack(&ss, NULL));
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK_EQ(old.ss_flags, SS_DISABLE);
}

TEST(sig_altstack_errors)
{
	static char small[1024];
	stack_t ss = { .ss_sp = small, .ss_size = sizeof small };
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	static char big[64 << 10];
	ss = (stack_t){ .ss_sp = big, .ss_size = sizeof big, .ss_flags = 0x7 };
	CHECK_ERR(syscall(SYS_sigaltstack, &ss, NULL), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		if (!p)
			continue;
		CHECK_ERR(syscall(SYS_sigaltstack, p, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_sigaltstack, NULL, p), EFAULT);
	}
}

static sigjmp_buf jump_env;
static void jump_out(int sig)
{
	siglongjmp(jump_env, sig);
}

/* siglongjmp out of a handler restores the mask saved by sigsetjmp, so the
 * signal is not left blocked. */
TEST(sig_siglongjmp_out_of_handler)
{
	install(SIGUSR1, jump_out, 0);
	volatile int rounds = 0;
	int got = sigsetjmp(jump_env, 1);
	if (got != 0) {
		CHECK_EQ(got, SIGUSR1);
		sigset_t now;
		CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
		CHECK(!sigismember(&now, SIGUSR1));
	}
	if (rounds++ < 3)
		raise(SIGUSR1);
	CHECK_EQ(rounds, 4);
}

static volatile long handler_tid;
static void note_tid(int sig)
{
	(void)sig;
	handler_tid = syscall(SYS_gettid);
}

static volatile int thread_stop;
static volatile long worker_tid;
static void *unblocked_worker(void *arg)
{
	(void)arg;
	worker_tid = syscall(SYS_gettid);
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	while (!thread_stop)
		sched_yield();
	return NULL;
}

/* A signal to the process goes to a thread that does not block it. */
TEST(sig_process_directed_to_unblocked_thread)
{
	install(SIGUSR1, note_tid, 0);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, unblocked_worker, NULL), 0);
	while (!worker_tid)
		sched_yield();
	CHECK_OK(kill(getpid(), SIGUSR1));
	while (!handler_tid)
		sched_yield();
	CHECK_EQ(handler_tid, worker_tid);
	/* A thread-directed one waits for its thread, even if blocked. */
	handler_tid = 0;
	CHECK_OK(syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1));
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR1));
	CHECK_EQ(handler_tid, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK_EQ(handler_tid, getpid());
	thread_stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
}

/* Each thread has its own mask. */
static void *report_mask(void *arg)
{
	sigset_t now;
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	*(int *)arg = sigismember(&now, SIGUSR2);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	return NULL;
}

TEST(sig_thread_masks)
{
	sigset_t block, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	int inherited = -1;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, report_mask, &inherited), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	/* A new thread starts with its creator's mask; its own changes stay
	 * its own. */
	CHECK_EQ(inherited, 1);
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(!sigismember(&now, SIGTERM));
}

/* Default actions: terminate, ignore, stop and continue. */
TEST(sig_default_terminate)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE,
				    SIGQUIT, SIGABRT, SIGSYS, SIGXCPU, SIGVTALRM };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		ut_note("%s", ut_signame(sigs[i]));
		pid_t pid = xfork();
		if (pid == 0) {
			raise(sigs[i]);
			_exit(0);
		}
		wait_signal(pid, sigs[i]);
	}
}

TEST(sig_default_ignore)
{
	static const int sigs[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		ut_note("%s", ut_signame(sigs[i]));
		pid_t pid = xfork();
		if (pid == 0) {
			raise(sigs[i]);
			_exit(7);
		}
		wait_exit(pid, 7);
	}
}

TEST(sig_default_stop_continue)
{
	static const int stops[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		ut_note("%s", ut_signame(stops[i]));
		int go[2];
		CHECK_OK(pipe(go));
		pid_t pid = xfork();
		if (pid == 0) {
			raise(stops[i]);
			/* Runs only after SIGCONT. */
			_exit(5);
		}
		int status;
		CHECK_EQ(CHECK_OK(waitpid(pid, &status, WUNTRACED)), pid);
		CHECK(WIFSTOPPED(status));
		CHECK_EQ(WSTOPSIG(status), stops[i]);
		CHECK_OK(kill(pid, SIGCONT));
		wait_exit(pid, 5);
	}
}

/* SIGKILL cannot be caught, blocked or ignored. */
TEST(sig_kill_unstoppable)
{
	pid_t pid = xfork();
	if (pid == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (int s = 1; s < 32; s++)
			signal(s, SIG_IGN);
		for (;;)
			pause();
	}
	CHECK_OK(kill(pid, SIGKILL));
	wait_signal(pid, SIGKILL);
}

/* A SIGCONT handler runs when the process is continued; a stop signal
 * discards a pending SIGCONT and the other way round. */
TEST(sig_cont_handler)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		install(SIGCONT, count, 0);
		raise(SIGSTOP);
		_exit(hits == 1 ? 0 : 1);
	}
	int status;
	CHECK_EQ(CHECK_OK(waitpid(pid, &status, WUNTRACED)), pid);
	CHECK(WIFSTOPPED(status));
	CHECK_OK(kill(pid, SIGCONT));
	wait_exit(pid, 0);
}

/* fork keeps handlers and mask but not pending signals. */
TEST(sig_fork_inheritance)
{
	install(SIGUSR1, count, 0);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(raise(SIGUSR2));
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa;
		CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
		CHECK(sa.sa_handler == count);
		sigset_t now, pending;
		CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
		CHECK(sigismember(&now, SIGUSR2));
		CHECK_OK(sigpending(&pending));
		CHECK(!sigismember(&pending, SIGUSR2));
		_exit(0);
	}
	wait_exit(pid, 0);
}

/* sigstate: prints one word per signal USR1 USR2 TERM HUP: its disposition
 * (dfl, ign, or other), then "blocked" or "open", then "pending" or
 * "none"; e.g. "dfl,open,none ign,blocked,pending ...". */
HELPER(sigstate)
{
	(void)argc;
	(void)argv;
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGHUP };
	sigset_t mask, pending;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigpending(&pending);
	for (size_t i = 0; i < 4; i++) {
		struct sigaction sa;
		sigaction(sigs[i], NULL, &sa);
		printf("%s,%s,%s%s", sa.sa_handler == SIG_DFL ? "dfl" : sa.sa_handler == SIG_IGN ? "ign" : "other",
		       sigismember(&mask, sigs[i]) ? "blocked" : "open",
		       sigismember(&pending, sigs[i]) ? "pending" : "none", i < 3 ? " " : "\n");
	}
	return 0;
}

/* exec resets caught signals to the default, keeps ignored ones ignored,
 * and keeps the mask and pending signals. */
TEST(sig_exec_resets_handlers)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		install(SIGUSR1, count, 0);
		signal(SIGUSR2, SIG_IGN);
		sigset_t block;
		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
		CHECK_OK(raise(SIGHUP));
		CHECK_OK(dup2(p[1], 1));
		char *argv[] = { "usertests", "-H", "sigstate", NULL };
		execve(self_exe(), argv, NULL);
		_exit(127);
	}
	CHECK_OK(close(p[1]));
	wait_exit(pid, 0);
	char out[256] = { 0 };
	CHECK(read(p[0], out, sizeof out - 1) > 0);
	CHECK_STR(out, "dfl,open,none ign,open,none dfl,blocked,none dfl,blocked,pending\n");
}
