/* eventfd and eventfd2 (Linux's eventfd(2)): the counter, the semaphore
 * mode, blocking and non-blocking reads and writes, poll, and every error
 * the man page lists. Each case passes on Linux too. */
#include "tests.h"

#include <sys/eventfd.h>

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;
	CHECK_EQ(read(fd, &v, sizeof v), 8);
	return v;
}

static void efd_write(int fd, uint64_t v)
{
	CHECK_EQ(write(fd, &v, sizeof v), 8);
}

TEST(eventfd_counter_and_flags)
{
	int fd = CHECK_OK(eventfd(5, 0));
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	/* a read takes the whole count; writes add up */
	CHECK_EQ(efd_read(fd), 5);
	efd_write(fd, 3);
	efd_write(fd, 4);
	efd_write(fd, 0);
	CHECK_EQ(efd_read(fd), 7);
	/* a bigger buffer reads 8 bytes; a write is exactly 8 (Linux since
	 * 6.5 refuses more) */
	uint64_t big[2] = { 9, 0 };
	CHECK_ERR(write(fd, big, sizeof big), EINVAL);
	CHECK_EQ(write(fd, big, 8), 8);
	CHECK_EQ(read(fd, big, sizeof big), 8);
	CHECK_EQ(big[0], 9);
	CHECK_OK(close(fd));
	int nb = CHECK_OK(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	CHECK_EQ(fcntl(nb, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(nb, F_GETFL) & O_NONBLOCK);
	CHECK_OK(close(nb));
}

TEST(eventfd_semaphore)
{
	int fd = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
	efd_write(fd, 1);
	/* each read takes one */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(efd_read(fd), 1);
	uint64_t v;
	CHECK_ERR(read(fd, &v, sizeof v), EAGAIN);
	CHECK_OK(close(fd));
}

TEST(eventfd_errors)
{
	uint64_t v = 1;
	CHECK_ERR(eventfd(0, 0x40), EINVAL);             /* an unknown flag */
	CHECK_ERR(syscall(SYS_eventfd2, 0, O_APPEND), EINVAL);
	int fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
	/* fewer than 8 bytes */
	CHECK_ERR(read(fd, &v, 7), EINVAL);
	CHECK_ERR(write(fd, &v, 7), EINVAL);
	/* nothing to read, without waiting */
	CHECK_ERR(read(fd, &v, 8), EAGAIN);
	/* the largest value cannot be written */
	v = UINT64_MAX;
	CHECK_ERR(write(fd, &v, 8), EINVAL);
	/* the count stops at UINT64_MAX - 1: one more would wait */
	efd_write(fd, UINT64_MAX - 1);
	v = 1;
	CHECK_ERR(write(fd, &v, 8), EAGAIN);
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);
	/* bad buffers */
	CHECK_ERR(write(fd, (void *)8, 8), EFAULT);
	CHECK_EQ(efd_read(fd), UINT64_MAX - 1);
	CHECK_ERR(read(fd, (void *)8, 8), EAGAIN);       /* nothing there: no copy tried */
	efd_write(fd, 1);
	CHECK_ERR(read(fd, (void *)8, 8), EFAULT);
	/* not open, not an eventfd */
	CHECK_ERR(read(-1, &v, 8), EBADF);
	CHECK_OK(close(fd));
}

TEST(eventfd_poll)
{
	int fd = CHECK_OK(eventfd(0, 0));
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	efd_write(fd, 1);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLOUT);
	CHECK_EQ(efd_read(fd), 1);
	/* a poll asleep on it wakes on another process's write */
	pid_t pid = xfork();
	if (pid == 0) {
		struct pollfd q = { fd, POLLIN, 0 };
		_exit(poll(&q, 1, 10000) == 1 && q.revents == POLLIN && efd_read(fd) == 42 ? 0 : 1);
	}
	efd_write(fd, 42);
	wait_exit(pid, 0);
	CHECK_OK(close(fd));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A read waits for a write from another process, a write waits for room
 * made by a read, and a signal ends either wait with EINTR. */
TEST(eventfd_blocking)
{
	int fd = CHECK_OK(eventfd(0, 0));
	pid_t pid = xfork();
	if (pid == 0)
		_exit(efd_read(fd) == 17 ? 0 : 1);
	efd_write(fd, 17);
	wait_exit(pid, 0);
	efd_write(fd, UINT64_MAX - 1);
	pid = xfork();
	if (pid == 0) {
		efd_write(fd, 3);         /* waits until the parent's read */
		_exit(0);
	}
	CHECK_EQ(efd_read(fd), UINT64_MAX - 1);
	wait_exit(pid, 0);
	CHECK_EQ(efd_read(fd), 3);
	/* a signal interrupts a waiting read (no SA_RESTART) */
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	uint64_t v;
	CHECK_ERR(read(fd, &v, 8), EINTR);
	sa.sa_handler = SIG_DFL;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	CHECK_OK(close(fd));
}
