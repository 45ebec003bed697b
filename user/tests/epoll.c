/* epoll (Linux's epoll(7)): level-triggered, edge-triggered and one-shot
 * items over pipes, eventfds and channels, a wait that sleeps until
 * another process writes, 1,000 descriptors, epoll_pwait's mask, and
 * every error the man pages list. Each case passes on Linux too (the
 * channel part is CosmOS's only). */
#include "tests.h"
#include "channel.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

static void add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

/* One wait of at most timeout ms expecting exactly one event. */
static struct epoll_event wait_one(int ep, int timeout)
{
	struct epoll_event ev[4];
	CHECK_EQ(epoll_wait(ep, ev, 4, timeout), 1);
	return ev[0];
}

TEST(epoll_create_and_ctl_errors)
{
	/* the call itself: musl's epoll_create goes to epoll_create1 */
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	CHECK_ERR(epoll_create1(1), EINVAL);
	int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
	CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	int old = CHECK_OK(syscall(SYS_epoll_create, 1));
	CHECK_EQ(fcntl(old, F_GETFD), 0);
	int p[2];
	CHECK_OK(pipe(p));
	write_text("regular", "x");
	int reg = CHECK_OK(open("regular", O_RDONLY));
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK_ERR(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);   /* not an epoll */
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);       /* itself */
	CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);      /* regular files */
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	/* the wait's own errors */
	struct epoll_event out[1];
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, out, -1, 0), EINVAL);
	CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(-1, out, 1, 0), EBADF);
	CHECK_EQ(epoll_wait(ep, out, 1, 0), 0);
	add(ep, p[1], EPOLLOUT, 1);
	CHECK_ERR(epoll_wait(ep, (void *)8, 1, 0), EFAULT);
	int fds[] = { ep, old, p[0], p[1], reg };
	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
		CHECK_OK(close(fds[i]));
	CHECK_OK(unlink("regular"));
}

TEST(epoll_level_triggered_pipe)
{
	int ep = CHECK_OK(epoll_create1(0)), p[2];
	CHECK_OK(pipe(p));
	add(ep, p[0], EPOLLIN, 7);
	struct epoll_event out[2];
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	/* level: reported while readable */
	for (int i = 0; i < 2; i++) {
		struct epoll_event e = wait_one(ep, 0);
		CHECK_EQ(e.events, EPOLLIN);
		CHECK_EQ(e.data.u64, 7);
	}
	char buf[2];
	CHECK_EQ(read(p[0], buf, 2), 2);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	/* MOD changes what is asked and the data */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 9 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);          /* a read end is never writable */
	/* the writer's close: EPOLLHUP, even though not asked */
	CHECK_OK(close(p[1]));
	struct epoll_event e = wait_one(ep, 0);
	CHECK_EQ(e.events, EPOLLHUP);
	CHECK_EQ(e.data.u64, 9);
	/* closing the descriptor takes the item away */
	CHECK_OK(close(p[0]));
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	CHECK_OK(close(ep));
}

TEST(epoll_oneshot_and_edge)
{
	int ep = CHECK_OK(epoll_create1(0));
	int efd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
	add(ep, efd, EPOLLIN | EPOLLONESHOT, 1);
	uint64_t v = 1;
	CHECK_EQ(write(efd, &v, 8), 8);
	CHECK_EQ(wait_one(ep, 0).data.u64, 1);
	/* reported once; quiet, though still readable, until re-armed */
	struct epoll_event out[2];
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 2 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	CHECK_EQ(wait_one(ep, 0).data.u64, 2);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	/* edge-triggered, used as programs use it: drain to EAGAIN, then
	 * wait; each new write is reported */
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = 3 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	for (int round = 0; round < 3; round++) {
		struct epoll_event e = wait_one(ep, 0);
		CHECK_EQ(e.events, EPOLLIN);
		CHECK_EQ(e.data.u64, 3);
		CHECK_EQ(read(efd, &v, 8), 8);
		CHECK_ERR(read(efd, &v, 8), EAGAIN);
		CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
		v = 5;
		CHECK_EQ(write(efd, &v, 8), 8);
	}
	CHECK_OK(close(efd));
	CHECK_OK(close(ep));
}

/* Edge-triggered as Linux: a ready pipe is reported once per new event
 * (data written, the writer gone, a re-arm by EPOLL_CTL_MOD), not again
 * while it stays ready. */
TEST(epoll_edge_triggered_reports_new_events_only)
{
	int ep = CHECK_OK(epoll_create1(0)), p[2];
	struct epoll_event out[4];
	char buf[4];
	CHECK_OK(pipe(p));
	add(ep, p[0], EPOLLIN | EPOLLET, 7);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(wait_one(ep, 0).data.u64, 7);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);     /* still readable: no new edge */
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(wait_one(ep, 0).events, EPOLLIN);  /* new data: an edge */
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 8 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(wait_one(ep, 0).data.u64, 8);      /* re-armed while ready */
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	CHECK_OK(close(p[1]));
	CHECK_EQ(wait_one(ep, 0).events, EPOLLHUP);   /* empty, no writer */
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(ep));
}

/* A wait with no timeout sleeps until another process writes. */
TEST(epoll_wait_sleeps_until_ready)
{
	int ep = CHECK_OK(epoll_create1(0)), p[2];
	CHECK_OK(pipe(p));
	add(ep, p[0], EPOLLIN, 4);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(write(p[1], "x", 1), 1);
		_exit(0);
	}
	struct epoll_event e = wait_one(ep, -1);
	CHECK_EQ(e.data.u64, 4);
	wait_exit(pid, 0);
	/* a timeout with nothing ready ends with 0 */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	struct epoll_event out[1];
	CHECK_EQ(epoll_wait(ep, out, 1, 20), 0);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_OK(close(ep));
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* epoll_pwait's mask is in place for the wait only: a pending signal
 * blocked outside it interrupts the wait (EINTR) and its handler runs. */
TEST(epoll_pwait_mask)
{
	int ep = CHECK_OK(epoll_create1(0)), p[2];
	CHECK_OK(pipe(p));
	add(ep, p[0], EPOLLIN, 0);
	struct sigaction sa = { .sa_handler = on_usr1 };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	sigset_t block, empty, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
	CHECK_OK(raise(SIGUSR1));
	struct epoll_event out[1];
	CHECK_EQ(epoll_pwait(ep, out, 1, 0, &block), 0);   /* still blocked */
	CHECK_EQ(got_usr1, 0);
	CHECK_ERR(epoll_pwait(ep, out, 1, -1, &empty), EINTR);
	CHECK_EQ(got_usr1, 1);
	CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
	sa.sa_handler = SIG_DFL;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_OK(close(ep));
}

/* 1,000 eventfds in one epoll: exactly the ones written are reported,
 * and maxevents bounds each wait. */
TEST(epoll_1000_descriptors)
{
	enum { N = 1000 };
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < N + 16) {
		rl.rlim_cur = N + 16;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	}
	int ep = CHECK_OK(epoll_create1(0));
	static int fds[N];
	for (int i = 0; i < N; i++) {
		fds[i] = CHECK_OK(eventfd(0, EFD_NONBLOCK));
		add(ep, fds[i], EPOLLIN, (uint64_t)i);
	}
	uint64_t one = 1;
	int written = 0;
	for (int i = 0; i < N; i += 7, written++)
		CHECK_EQ(write(fds[i], &one, 8), 8);
	static struct epoll_event out[N];
	CHECK_EQ(epoll_wait(ep, out, 10, 0), 10);
	int n = CHECK_OK(epoll_wait(ep, out, N, 0));
	CHECK_EQ(n, written);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(out[i].events, EPOLLIN);
		CHECK_EQ(out[i].data.u64 % 7, 0);
	}
	for (int i = 0; i < N; i++)
		CHECK_OK(close(fds[i]));
	CHECK_EQ(epoll_wait(ep, out, N, 0), 0);
	CHECK_OK(close(ep));
}

/* Channels (CosmOS only): readable when a message is queued, HUP when
 * the peer is gone. */
TEST(epoll_channels)
{
	if (!on_cosmos())
		ut_skip("CosmOS's native channel calls");
	int ch[2], ep = CHECK_OK(epoll_create1(0));
	CHECK_OK(chan_create(ch, 0));
	add(ep, ch[1], EPOLLIN, 11);
	struct epoll_event out[1];
	CHECK_EQ(epoll_wait(ep, out, 1, 0), 0);
	CHECK_OK(chan_send(ch[0], "m", 1, NULL, 0, 0));
	struct epoll_event e = wait_one(ep, 0);
	CHECK_EQ(e.events, EPOLLIN);
	CHECK_EQ(e.data.u64, 11);
	CHECK_OK(close(ch[0]));
	CHECK_EQ(wait_one(ep, 0).events, EPOLLIN | EPOLLHUP);
	CHECK_OK(close(ch[1]));
	CHECK_OK(close(ep));
}
