/* rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's siginfo reaching an
 * SA_SIGINFO handler, thread-directed queueing, and the rule that a
 * program may choose any si_code only for itself. */
#include "tests.h"

#include <pthread.h>

/* What the last SIGRTMIN handler saw. */
static volatile int q_signo, q_code, q_pid, q_uid, q_tid, q_count;
static volatile long q_value;

static void on_queued(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	q_signo = si->si_signo;
	q_code = si->si_code;
	q_pid = si->si_pid;
	q_uid = (int)si->si_uid;
	q_value = (long)si->si_value.sival_ptr;
	q_tid = (int)syscall(SYS_gettid);
	q_count++;
}

static void catch_queued(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_queued;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGRTMIN, &sa, NULL));
}

static siginfo_t make_info(int code, long value)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN;
	si.si_code = code;
	si.si_pid = 4242;
	si.si_uid = 77;
	si.si_value.sival_ptr = (void *)value;
	return si;
}

TEST(sig_queueinfo_reaches_handler)
{
	catch_queued();
	siginfo_t si = make_info(SI_QUEUE, 0x1234);
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
	CHECK_EQ(q_count, 1);
	CHECK_EQ(q_signo, SIGRTMIN);
	CHECK_EQ(q_code, SI_QUEUE);
	CHECK_EQ(q_pid, 4242);
	CHECK_EQ(q_uid, 77);
	CHECK_EQ(q_value, 0x1234);
	/* sigqueue (musl's, over rt_sigqueueinfo) gives the real sender. */
	CHECK_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 99 }));
	CHECK_EQ(q_count, 2);
	CHECK_EQ(q_pid, getpid());
	CHECK_EQ(q_value & 0xffffffff, 99);
	/* Real-time signals queue every instance, each with its value. */
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &rt, NULL));
	for (long v = 1; v <= 3; v++) {
		si = make_info(SI_QUEUE, v);
		CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
	}
	siginfo_t got;
	struct timespec ts = { 0, 0 };
	for (long v = 1; v <= 3; v++) {
		CHECK_EQ(sigtimedwait(&rt, &got, &ts), SIGRTMIN);
		CHECK_EQ((long)got.si_value.sival_ptr, v);
		CHECK_EQ(got.si_code, SI_QUEUE);
	}
}

static volatile int thread_tid;
static void *queued_thread(void *arg)
{
	(void)arg;
	thread_tid = (int)syscall(SYS_gettid);
	while (!q_count)
		sched_yield();
	return NULL;
}

TEST(sig_tgsigqueueinfo_to_thread)
{
	catch_queued();
	/* The main thread blocks it (after the thread, which would inherit
	 * the mask, started): only the other thread can take it. */
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, queued_thread, NULL), 0);
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &rt, NULL));
	while (!thread_tid)
		sched_yield();
	siginfo_t si = make_info(SI_QUEUE, 0x5678);
	CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, SIGRTMIN, &si));
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(q_count, 1);
	CHECK_EQ(q_tid, thread_tid);
	CHECK_EQ(q_value, 0x5678);
	CHECK_EQ(q_code, SI_QUEUE);
	/* To the caller's own blocked thread: pending on it, then waited for. */
	si = make_info(SI_QUEUE, 9);
	CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), (int)syscall(SYS_gettid), SIGRTMIN, &si));
	siginfo_t got;
	struct timespec ts = { 0, 0 };
	CHECK_EQ(sigtimedwait(&rt, &got, &ts), SIGRTMIN);
	CHECK_EQ((long)got.si_value.sival_ptr, 9);
}

/* Codes a program may not claim towards another process: SI_USER (kill's),
 * SI_KERNEL and other positive (kernel) codes, SI_TKILL. */
TEST(sig_queueinfo_forged_code_eperm)
{
	static const int forged[] = { SI_USER, SI_KERNEL, 1, SI_TKILL };
	int p[2];
	CHECK_OK(pipe(p));
	signal(SIGRTMIN, SIG_IGN);   /* the child inherits it */
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		char c;
		(void)read(p[0], &c, 1);   /* until the parent is done */
		_exit(0);
	}
	for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		siginfo_t si = make_info(forged[i], 0);
		ut_note("si_code %d", forged[i]);
		CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGRTMIN, &si), EPERM);
		CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGRTMIN, &si), EPERM);
	}
	ut_note(NULL);
	/* SI_QUEUE (negative, a user code) is fine (the child ignores it). */
	siginfo_t si = make_info(SI_QUEUE, 0);
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, pid, SIGRTMIN, &si));
	CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGRTMIN, &si));
	CHECK_EQ(write(p[1], "x", 1), 1);
	wait_exit(pid, 0);
	/* To itself a program may use any code. */
	catch_queued();
	si = make_info(SI_KERNEL, 7);
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
	CHECK_EQ(q_code, SI_KERNEL);
	CHECK_EQ(q_value, 7);
}

TEST(sig_queueinfo_errors)
{
	siginfo_t si = make_info(SI_QUEUE, 0);
	signal(SIGRTMIN, SIG_IGN);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), -1, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), 65, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, 0, getpid(), SIGRTMIN, &si), EINVAL);
	void *bp;
	FOR_EACH_BAD_PTR(bp) {
		CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, bp), EFAULT);
		CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGRTMIN, bp), EFAULT);
	}
	ut_note(NULL);
	/* No such process or thread; a thread of another process. */
	pid_t gone = CHECK_OK(fork());
	if (gone == 0)
		_exit(0);
	wait_exit(gone, 0);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, gone, SIGRTMIN, &si), ESRCH);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, gone, gone, SIGRTMIN, &si), ESRCH);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), getppid(), SIGRTMIN, &si), ESRCH);
	/* An unprivileged sender may not signal root's process. */
	AS_USER {
		CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN, &si), EPERM);
	}
}

/* Linux 6.1's order of checks: the siginfo is copied first (EFAULT beats
 * a bad signal, a bad id and a missing target), then tgsigqueueinfo's ids
 * (EINVAL), then the code (EPERM beats ESRCH), then the target (ESRCH
 * beats a bad signal number). */
TEST(sig_queueinfo_check_order)
{
	pid_t gone = CHECK_OK(fork());
	if (gone == 0)
		_exit(0);
	wait_exit(gone, 0);
	void *bp;
	FOR_EACH_BAD_PTR(bp) {
		CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), 65, bp), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigqueueinfo, gone, SIGRTMIN, bp), EFAULT);
		CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), 65, bp), EFAULT);
		CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN, bp), EFAULT);
		CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, gone, gone, SIGRTMIN, bp), EFAULT);
	}
	ut_note(NULL);
	siginfo_t user = make_info(SI_USER, 0), queue = make_info(SI_QUEUE, 0);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN, &user), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, gone, SIGRTMIN, &user), EPERM);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, gone, gone, SIGRTMIN, &user), EPERM);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, gone, 65, &queue), ESRCH);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, gone, gone, 65, &queue), ESRCH);
}
