/* fcntl F_SETSIG/F_GETSIG and F_SETOWN_EX with F_OWNER_TID on an O_ASYNC
 * pipe: the chosen signal arrives with si_code POLL_IN, si_fd and si_band,
 * and to the one thread named; read through a signalfd, ssi_fd and
 * ssi_band. */
#include "tests.h"

#include <pthread.h>
#include <sys/signalfd.h>

static int async_pipe(int p[2], int sig)
{
	CHECK_OK(pipe(p));
	CHECK_OK(fcntl(p[0], F_SETSIG, sig));
	CHECK_EQ(fcntl(p[0], F_GETSIG), sig);
	CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	return p[0];
}

static sigset_t only(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

TEST(fs_fcntl_setsig_siginfo)
{
	int sig = SIGRTMIN + 1, p[2];
	sigset_t s = only(sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	CHECK_EQ(fcntl(0, F_GETSIG), 0);   /* the default: plain SIGIO */
	CHECK_ERR(fcntl(0, F_SETSIG, 65), EINVAL);
	async_pipe(p, sig);
	CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
	CHECK_EQ(write(p[1], "x", 1), 1);
	siginfo_t si;
	struct timespec ts = { 2, 0 };
	CHECK_EQ(sigtimedwait(&s, &si, &ts), sig);
	CHECK_EQ(si.si_code, POLL_IN);
	CHECK_EQ(si.si_fd, p[0]);
	CHECK(si.si_band & POLLIN);
	CHECK(si.si_band & POLLRDNORM);
}

TEST(fs_fcntl_setsig_signalfd)
{
	int sig = SIGRTMIN + 3, p[2];
	sigset_t s = only(sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	int sfd = CHECK_OK(signalfd(-1, &s, 0));
	async_pipe(p, sig);
	CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
	CHECK_EQ(write(p[1], "x", 1), 1);
	struct signalfd_siginfo ssi;
	memset(&ssi, 0xee, sizeof ssi);
	CHECK_EQ(read(sfd, &ssi, sizeof ssi), (ssize_t)sizeof ssi);
	CHECK_EQ(ssi.ssi_signo, (uint32_t)sig);
	CHECK_EQ(ssi.ssi_code, POLL_IN);
	CHECK_EQ(ssi.ssi_fd, p[0]);
	CHECK(ssi.ssi_band & POLLIN);
	CHECK(ssi.ssi_band & POLLRDNORM);
	CHECK_EQ(ssi.ssi_addr, 0);
	close(sfd);
	close(p[0]);
	close(p[1]);
}

static int owner_pipe[2];
static volatile int helper_got = -1;

static void *helper(void *arg)
{
	(void)arg;
	siginfo_t si;
	struct timespec ts = { 0, 300000000 };
	sigset_t s = only(SIGRTMIN + 2);
	CHECK_EQ(write(owner_pipe[1], "x", 1), 1);
	/* the signal is the main thread's: this thread must not see it */
	helper_got = sigtimedwait(&s, &si, &ts);
	return NULL;
}

TEST(fs_fcntl_owner_tid)
{
	int sig = SIGRTMIN + 2;
	sigset_t s = only(sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	async_pipe(owner_pipe, sig);
	struct f_owner_ex ex = { F_OWNER_TID, 999999 };
	CHECK_ERR(fcntl(owner_pipe[0], F_SETOWN_EX, &ex), ESRCH);
	ex = (struct f_owner_ex){ F_OWNER_TID, gettid() };
	CHECK_OK(fcntl(owner_pipe[0], F_SETOWN_EX, &ex));
	struct f_owner_ex got = { -1, -1 };
	CHECK_OK(fcntl(owner_pipe[0], F_GETOWN_EX, &got));
	CHECK_EQ(got.type, F_OWNER_TID);
	CHECK_EQ(got.pid, gettid());
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, helper, NULL), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(helper_got, -1);
	siginfo_t si;
	struct timespec ts = { 2, 0 };
	CHECK_EQ(sigtimedwait(&s, &si, &ts), sig);
	CHECK_EQ(si.si_fd, owner_pipe[0]);
	/* F_OWNER_PGRP reads back as the group */
	ex = (struct f_owner_ex){ F_OWNER_PGRP, getpgrp() };
	CHECK_OK(fcntl(owner_pipe[0], F_SETOWN_EX, &ex));
	CHECK_OK(fcntl(owner_pipe[0], F_GETOWN_EX, &got));
	CHECK_EQ(got.type, F_OWNER_PGRP);
	CHECK_EQ(got.pid, getpgrp());
}
