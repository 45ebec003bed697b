/* signalfd and signalfd4: reading struct signalfd_siginfo, readiness for
 * poll and select, a blocking read woken by a signal, a mask changed by a
 * second call, and the error paths. */
#include "tests.h"

#include <sys/select.h>
#include <sys/signalfd.h>

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n = CHECK_OK(poll(&p, 1, 0));
	return n ? p.revents : 0;
}

TEST(sig_signalfd_read)
{
	sigset_t s = set_of(SIGUSR1, SIGRTMIN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	int fd = CHECK_OK(signalfd(-1, &s, SFD_NONBLOCK));
	struct signalfd_siginfo si[4];
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 5 }));
	CHECK_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 6 }));
	/* Too small for one. */
	CHECK_ERR(read(fd, si, sizeof(si[0]) - 1), EINVAL);
	CHECK_EQ(read(fd, si, sizeof(si)), 3 * (ssize_t)sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(si[0].ssi_code, SI_USER);
	CHECK_EQ(si[0].ssi_pid, (uint32_t)getpid());
	CHECK_EQ(si[0].ssi_uid, getuid());
	CHECK_EQ(si[1].ssi_signo, SIGRTMIN);
	CHECK_EQ(si[1].ssi_code, SI_QUEUE);
	CHECK_EQ(si[1].ssi_int, 5);
	CHECK_EQ(si[2].ssi_int, 6);
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);
	/* Read, not delivered: nothing is pending any more. */
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK(!sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGRTMIN));
	/* One at a time when the buffer holds one. */
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(kill(getpid(), SIGRTMIN));
	CHECK_EQ(read(fd, si, sizeof(si[0]) + 10), (ssize_t)sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(read(fd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGRTMIN);
	CHECK_OK(close(fd));
}

TEST(sig_signalfd_poll_select_and_blocking_read)
{
	sigset_t s = set_of(SIGUSR1, 0);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	int fd = CHECK_OK(signalfd(-1, &s, 0));
	CHECK_EQ(readable(fd), 0);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(select(fd + 1, &r, NULL, NULL, &tv), 0);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK(readable(fd) & POLLIN);
	FD_SET(fd, &r);
	CHECK_EQ(select(fd + 1, &r, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(fd, &r));
	struct signalfd_siginfo si;
	CHECK_EQ(read(fd, &si, sizeof(si)), (ssize_t)sizeof(si));
	CHECK_EQ(readable(fd), 0);
	/* A blocking read sleeps until a child's signal comes; poll too. The
	 * child waits a little so that the read is asleep when the signal
	 * comes (the checks hold either way; the pause only makes the
	 * wake-up path the one taken). */
	struct timespec later = { 0, 100000000 };
	pid_t pid = xfork();
	if (pid == 0) {
		nanosleep(&later, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_EQ(read(fd, &si, sizeof(si)), (ssize_t)sizeof(si));
	CHECK_EQ(si.ssi_signo, SIGUSR1);
	CHECK_EQ(si.ssi_pid, (uint32_t)pid);
	wait_exit(pid, 0);
	pid = xfork();
	if (pid == 0) {
		nanosleep(&later, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 10000), 1);
	CHECK(p.revents & POLLIN);
	wait_exit(pid, 0);
}

TEST(sig_signalfd_mask_change)
{
	sigset_t both = set_of(SIGUSR1, SIGUSR2), usr1 = set_of(SIGUSR1, 0), usr2 = set_of(SIGUSR2, 0);
	CHECK_OK(sigprocmask(SIG_BLOCK, &both, NULL));
	int fd = CHECK_OK(signalfd(-1, &usr1, SFD_NONBLOCK));
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK_EQ(readable(fd), 0);
	struct signalfd_siginfo si;
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN);
	/* The second call changes the mask of the same descriptor. */
	CHECK_EQ(signalfd(fd, &usr2, 0), fd);
	CHECK(readable(fd) & POLLIN);
	CHECK_EQ(read(fd, &si, sizeof(si)), (ssize_t)sizeof(si));
	CHECK_EQ(si.ssi_signo, SIGUSR2);
	/* SIGKILL and SIGSTOP are never in it (not an error). */
	sigset_t ks = set_of(SIGKILL, SIGSTOP);
	CHECK_EQ(signalfd(fd, &ks, 0), fd);
}

TEST(sig_signalfd_errors)
{
	sigset_t s = set_of(SIGUSR1, 0);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 8, 1), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 16, 0), EINVAL);
	void *bp;
	FOR_EACH_BAD_PTR(bp)
		CHECK_ERR(syscall(SYS_signalfd4, -1, bp, 8, 0), EFAULT);
	ut_note(NULL);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(syscall(SYS_signalfd4, p[0], &s, 8, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, 999, &s, 8, 0), EBADF);
	int fd = CHECK_OK(syscall(SYS_signalfd4, -1, &s, 8, SFD_CLOEXEC | SFD_NONBLOCK));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	/* (the signal is taken before the copy fails: one per try) */
	FOR_EACH_BAD_PTR(bp) {
		CHECK_OK(kill(getpid(), SIGUSR1));
		CHECK_ERR(read(fd, bp, 128), EFAULT);
	}
	ut_note(NULL);
	CHECK_ERR(write(fd, "x", 1), EINVAL);
	/* The old call (no flags) works too. */
	int fd2 = CHECK_OK(syscall(SYS_signalfd, -1, &s, 8));
	CHECK_EQ(fcntl(fd2, F_GETFD), 0);
}
