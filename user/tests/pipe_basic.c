/* Pipes and FIFOs: pipe and pipe2, data order, end of file, EPIPE and
 * SIGPIPE, non-blocking I/O, capacity and F_GETPIPE_SZ/F_SETPIPE_SZ,
 * PIPE_BUF atomicity with 100 writers, and FIFOs made with mkfifo. */
#include "tests.h"

#include <sys/ioctl.h>

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#endif

TEST(pipe_basic)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(write(p[1], " world", 6), 6);
	char buf[32] = { 0 };
	CHECK_EQ(read(p[0], buf, 3), 3);
	CHECK_STR(buf, "hel");
	CHECK_EQ(read(p[0], buf, sizeof buf), 8);
	CHECK_MEM(buf, "lo world", 8);
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_GETFL)) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(CHECK_OK(fcntl(p[1], F_GETFL)) & O_ACCMODE, O_WRONLY);
	CHECK_ERR(write(p[0], "x", 1), EBADF);
	CHECK_ERR(read(p[1], buf, 1), EBADF);
}

TEST(pipe_pipe2_flags)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(p[1], F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_GETFL)) & O_NONBLOCK, O_NONBLOCK);
	char c;
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	CHECK_ERR(pipe2(p, O_APPEND), EINVAL);
	CHECK_ERR(pipe2(p, 0x1000000), EINVAL);
}

TEST(pipe_efault)
{
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_pipe, p), EFAULT);
		CHECK_ERR(syscall(SYS_pipe2, p, 0), EFAULT);
	}
	ut_note(NULL);
	/* Room for one descriptor only. */
	CHECK_ERR(syscall(SYS_pipe, edge_ptr(4)), EFAULT);
	/* Nothing was left open by the failures. */
	int fd = CHECK_OK(open("/dev/null", O_RDONLY));
	CHECK_ERR(fcntl(fd + 1, F_GETFD), EBADF);
}

TEST(pipe_emfile)
{
	/* Descriptors 0-2 open, nothing above, a limit of 10: three pipes
	 * fit (3-8), and the one descriptor left is not enough for a fourth. */
	CHECK_OK(syscall(SYS_close_range, 3, ~0U, 0));
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			CHECK_EQ(CHECK_OK(open("/dev/null", O_RDWR)), fd);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 10, 10 }));
	int p[2], pipes = 0;
	while (pipe(p) == 0)
		pipes++;
	CHECK_EQ(errno, EMFILE);
	CHECK_EQ(pipes, 3);
	CHECK_OK(fcntl(8, F_GETFD));
	CHECK_ERR(fcntl(9, F_GETFD), EBADF);
	CHECK_OK(close(8));
	CHECK_OK(pipe(p));
	CHECK_EQ(p[0], 8);
	CHECK_EQ(p[1], 9);
}

TEST(pipe_eof)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_OK(close(p[1]));
	char buf[4];
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
}

/* EOF comes only when every copy of the write end is closed. */
TEST(pipe_eof_all_writers)
{
	int p[2], go[2];
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(close(p[0]));
		sync_wait(go[0]);
		CHECK_EQ(write(p[1], "late", 4), 4);
		_exit(0);
	}
	CHECK_OK(close(p[1]));
	sync_signal(go[1]);
	char buf[8];
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	wait_exit(pid, 0);
}

TEST(pipe_epipe_sigpipe)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	pid_t pid = xfork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	wait_signal(pid, SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	/* Blocked, SIGPIPE stays pending and the write still fails. */
	signal(SIGPIPE, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGPIPE));
}

TEST(pipe_nonblock_full)
{
	int p[2];
	CHECK_OK(pipe2(p, O_NONBLOCK));
	static char buf[4096];
	long total = 0;
	for (;;) {
		ssize_t n = write(p[1], buf, sizeof buf);
		if (n < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += n;
		CHECK(total <= 1 << 20);
	}
	/* The default capacity is 64 KiB. */
	CHECK_EQ(total, 65536);
	CHECK_EQ(CHECK_OK(fcntl(p[1], F_GETPIPE_SZ)), 65536);
	/* A write of up to PIPE_BUF never goes in part. */
	CHECK_ERR(write(p[1], buf, 1), EAGAIN);
	CHECK_EQ(read(p[0], buf, 100), 100);
	CHECK_ERR(write(p[1], buf, PIPE_BUF), EAGAIN);
	int n = 0;
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 65536 - 100);
}

TEST(pipe_nonblock_partial_large_write)
{
	int p[2];
	CHECK_OK(pipe2(p, O_NONBLOCK));
	static char buf[100000];
	/* More than PIPE_BUF may be written in part. */
	CHECK_EQ(write(p[1], buf, sizeof buf), 65536);
	CHECK_ERR(write(p[1], buf, sizeof buf), EAGAIN);
}

TEST(pipe_capacity)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_SETPIPE_SZ, 8192)), 8192);
	CHECK_EQ(CHECK_OK(fcntl(p[1], F_GETPIPE_SZ)), 8192);
	CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	static char buf[16384];
	CHECK_EQ(write(p[1], buf, sizeof buf), 8192);
	/* Sizes round up to a power-of-two number of pages. */
	CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_EQ(read(p[0], buf, sizeof buf), 8192);
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_SETPIPE_SZ, 5000)), 8192);
	CHECK_EQ(CHECK_OK(fcntl(p[0], F_SETPIPE_SZ, 1)), 4096);
	/* Too big for an unprivileged user. */
	AS_USER
		CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 1 << 30), EPERM);
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF);
}

/* A blocking write larger than the pipe completes as the reader drains. */
TEST(pipe_large_transfer)
{
	enum { SIZE = 1 << 20 };
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(close(p[0]));
		unsigned char *buf = malloc(SIZE);
		CHECK(buf != NULL);
		for (int i = 0; i < SIZE; i++)
			buf[i] = (unsigned char)(i ^ (i >> 8));
		CHECK_EQ(write(p[1], buf, SIZE), SIZE);
		_exit(0);
	}
	CHECK_OK(close(p[1]));
	long got = 0;
	for (;;) {
		unsigned char buf[10007];
		ssize_t n = CHECK_OK(read(p[0], buf, sizeof buf));
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++, got++)
			if (buf[i] != (unsigned char)(got ^ (got >> 8)))
				UT_FAIL("byte %ld is wrong", got);
	}
	CHECK_EQ(got, SIZE);
	wait_exit(pid, 0);
}

/* 100 processes each write 20 records of PIPE_BUF bytes into one pipe;
 * the reader gets all 2,000, none torn or lost. */
TEST_TIMEOUT(pipe_atomic_100_writers, 60)
{
	enum { WRITERS = 100, RECORDS = 20 };
	int p[2];
	CHECK_OK(pipe(p));
	for (int w = 0; w < WRITERS; w++) {
		if (xfork() == 0) {
			CHECK_OK(close(p[0]));
			static char rec[PIPE_BUF];
			for (int r = 0; r < RECORDS; r++) {
				memset(rec, w, sizeof rec);
				memcpy(rec, &r, sizeof r);
				CHECK_EQ(write(p[1], rec, sizeof rec), sizeof rec);
			}
			_exit(0);
		}
	}
	CHECK_OK(close(p[1]));
	int next[WRITERS] = { 0 };
	static char rec[PIPE_BUF];
	int total = 0;
	for (;;) {
		/* Records come whole, so read exactly one at a time. */
		size_t got = 0;
		while (got < sizeof rec) {
			ssize_t n = CHECK_OK(read(p[0], rec + got, sizeof rec - got));
			if (n == 0)
				break;
			got += (size_t)n;
		}
		if (got == 0)
			break;
		CHECK_EQ(got, sizeof rec);
		int r, w = (unsigned char)rec[sizeof rec - 1];
		memcpy(&r, rec, sizeof r);
		CHECK(w < WRITERS);
		for (size_t i = sizeof r; i < sizeof rec; i++)
			if ((unsigned char)rec[i] != w)
				UT_FAIL("record %d of writer %d is torn at byte %zu", r, w, i);
		CHECK_EQ(r, next[w]);
		next[w]++;
		total++;
	}
	CHECK_EQ(total, WRITERS * RECORDS);
	for (int w = 0; w < WRITERS; w++) {
		int status;
		CHECK_OK(wait(&status));
		CHECK_EQ(status, 0);
	}
}

TEST(pipe_blocked_reader_wakes)
{
	int p[2], ready[2];
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_signal(ready[1]);
		char buf[8];
		CHECK_EQ(read(p[0], buf, sizeof buf), 3);
		CHECK_MEM(buf, "abc", 3);
		_exit(0);
	}
	sync_wait(ready[0]);
	CHECK_EQ(write(p[1], "abc", 3), 3);
	wait_exit(pid, 0);
}

TEST(pipe_fifo)
{
	CHECK_OK(mkfifo("fifo", 0600));
	pid_t pid = xfork();
	if (pid == 0) {
		/* Opening for writing waits for a reader, and the other way. */
		int w = CHECK_OK(open("fifo", O_WRONLY));
		CHECK_EQ(write(w, "through", 7), 7);
		_exit(0);
	}
	int r = CHECK_OK(open("fifo", O_RDONLY));
	char buf[16];
	size_t got = 0;
	for (ssize_t n; (n = CHECK_OK(read(r, buf + got, sizeof buf - got))) > 0;)
		got += (size_t)n;
	CHECK_EQ(got, 7);
	CHECK_MEM(buf, "through", 7);
	wait_exit(pid, 0);
}

TEST(pipe_fifo_nonblock_open)
{
	CHECK_OK(mkfifo("fifo", 0600));
	/* Without a reader a non-blocking writer cannot open. */
	CHECK_ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
	int r = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK));
	char c;
	/* No writer has ever opened it: EOF, not EAGAIN. */
	CHECK_EQ(read(r, &c, 1), 0);
	int w = CHECK_OK(open("fifo", O_WRONLY | O_NONBLOCK));
	CHECK_ERR(read(r, &c, 1), EAGAIN);
	CHECK_EQ(write(w, "z", 1), 1);
	CHECK_EQ(read(r, &c, 1), 1);
	CHECK_EQ(c, 'z');
	CHECK_ERR(lseek(r, 0, SEEK_SET), ESPIPE);
	/* O_RDWR never waits. */
	CHECK_OK(close(CHECK_OK(open("fifo", O_RDWR))));
}

static volatile int pipe_sigs, pipe_sig_code, pipe_sig_pid;
static void on_pipe(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	pipe_sigs++;
	pipe_sig_code = si->si_code;
	pipe_sig_pid = si->si_pid;
}

TEST(pipe_fifo_sigpipe_handler)
{
	/* A FIFO whose reader went: each write gets EPIPE and one SIGPIPE,
	 * sent by the kernel as Linux's send_sig (SI_USER, the writer's pid). */
	CHECK_OK(mkfifo("fifo", 0600));
	int r = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open("fifo", O_WRONLY));
	CHECK_OK(close(r));
	struct sigaction sa = { .sa_sigaction = on_pipe, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	CHECK_ERR(write(w, "x", 1), EPIPE);
	CHECK_EQ(pipe_sigs, 1);
	CHECK_EQ(pipe_sig_code, SI_USER);
	CHECK_EQ(pipe_sig_pid, getpid());
	struct iovec iov = { "yz", 2 };
	CHECK_ERR(writev(w, &iov, 1), EPIPE);
	CHECK_EQ(pipe_sigs, 2);
	/* a write of nothing finds nothing to complain about */
	CHECK_EQ(write(w, "", 0), 0);
	CHECK_EQ(pipe_sigs, 2);
	/* a pipe with a reader takes the data and sends nothing */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], "ok", 2), 2);
	CHECK_EQ(pipe_sigs, 2);
}

static volatile int sigio_count;
static void on_sigio(int sig) { (void)sig; sigio_count++; }

/* A child (root or TEST_UID) makes its own pipe with the parent as the
 * reading end's owner and writes into it. */
static void sigio_from_child(bool as_user)
{
	pid_t parent = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		if (as_user)
			become_user();
		int q[2];
		CHECK_OK(pipe(q));
		CHECK_OK(fcntl(q[0], F_SETOWN, parent));
		CHECK_OK(fcntl(q[0], F_SETFL, O_ASYNC));
		CHECK_EQ(write(q[1], "x", 1), 1);
		_exit(0);
	}
	wait_exit(pid, 0);
}

TEST(pipe_async_sigio)
{
	int p[2];
	CHECK_OK(pipe(p));
	signal(SIGIO, on_sigio);
	CHECK_OK(setpgid(0, 0));     /* the group it signals is this case alone */
	/* no owner yet: F_GETOWN says 0, O_ASYNC alone signals nobody */
	CHECK_EQ(fcntl(p[0], F_GETOWN), 0);
	CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ASYNC, O_ASYNC);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(sigio_count, 0);
	/* the reading end's owner hears of data */
	CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
	CHECK_EQ(fcntl(p[0], F_GETOWN), getpid());
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(sigio_count, 1);
	/* ...and the writing end's of room, once it has O_ASYNC (FIOASYNC) */
	CHECK_OK(fcntl(p[1], F_SETOWN, getpid()));
	int on = 1;
	CHECK_OK(ioctl(p[1], FIOASYNC, &on));
	char buf[4];
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK_EQ(sigio_count, 2);
	/* O_ASYNC cleared: nothing */
	CHECK_OK(fcntl(p[0], F_SETFL, 0));
	on = 0;
	CHECK_OK(ioctl(p[1], FIOASYNC, &on));
	CHECK_EQ(write(p[1], "c", 1), 1);
	CHECK_EQ(read(p[0], buf, sizeof buf), 1);
	CHECK_EQ(sigio_count, 2);
	/* a process group as owner (negative), also through F_SETOWN_EX */
	CHECK_OK(fcntl(p[0], F_SETOWN, -getpgrp()));
	CHECK_EQ(fcntl(p[0], F_GETOWN), -getpgrp());
	struct f_owner_ex ex = { F_OWNER_PGRP, getpgrp() }, got;
	CHECK_OK(fcntl(p[0], F_SETOWN_EX, &ex));
	CHECK_OK(fcntl(p[0], F_GETOWN_EX, &got));
	CHECK_EQ(got.type, F_OWNER_PGRP);
	CHECK_EQ(got.pid, getpgrp());
	CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
	CHECK_EQ(write(p[1], "d", 1), 1);
	CHECK_EQ(sigio_count, 3);
	/* closing the writer tells the reader's owner too */
	CHECK_OK(close(p[1]));
	CHECK_EQ(sigio_count, 4);
	/* Linux's permission rule: a root setter may signal anyone, another
	 * user's pipe may not signal root */
	sigio_from_child(false);
	CHECK_EQ(sigio_count, 5);
	sigio_from_child(true);
	CHECK_EQ(sigio_count, 5);
	CHECK_ERR(fcntl(100, F_SETOWN, getpid()), EBADF);
}
