/* Descriptors: dup, dup2, dup3, fcntl (descriptor and status flags, record
 * locks) and flock. */
#include "tests.h"

#include <pthread.h>
#include <sys/file.h>

TEST(fs_dup)
{
	int fd = CHECK_OK(open(".", O_RDONLY | O_CLOEXEC));
	int d = CHECK_OK(dup(fd));
	CHECK(d != fd);
	/* The copy does not inherit close-on-exec. */
	CHECK_EQ(CHECK_OK(fcntl(d, F_GETFD)), 0);
	CHECK_OK(close(fd));
	CHECK_OK(fcntl(d, F_GETFL));
	CHECK_ERR(dup(fd), EBADF);
	CHECK_ERR(dup(-1), EBADF);
}

TEST(fs_dup_lowest)
{
	int a = CHECK_OK(open(".", O_RDONLY));
	int b = CHECK_OK(open(".", O_RDONLY));
	CHECK_OK(close(a));
	CHECK_EQ(CHECK_OK(dup(b)), a);
	CHECK_OK(close(0));
	CHECK_EQ(CHECK_OK(dup(b)), 0);
}

TEST(fs_dup2)
{
	write_text("f", "abc");
	int fd = CHECK_OK(open("f", O_RDONLY));
	int other = CHECK_OK(open(".", O_RDONLY | O_CLOEXEC));
	/* Replaces whatever was at the target, and clears close-on-exec. */
	CHECK_EQ(CHECK_OK(dup2(fd, other)), other);
	CHECK_EQ(CHECK_OK(fcntl(other, F_GETFD)), 0);
	char c;
	CHECK_EQ(read(other, &c, 1), 1);
	CHECK_EQ(c, 'a');
	/* A free high target. */
	CHECK_EQ(CHECK_OK(dup2(fd, 200)), 200);
	/* Same descriptor: nothing happens, but it must be valid. */
	CHECK_EQ(CHECK_OK(dup2(fd, fd)), fd);
	CHECK_OK(close(other));
	CHECK_ERR(dup2(other, other), EBADF);
	CHECK_ERR(dup2(other, fd), EBADF);
	CHECK_OK(fcntl(fd, F_GETFD));
	CHECK_ERR(dup2(fd, -1), EBADF);
	CHECK_ERR(dup2(fd, 1 << 30), EBADF);
}

TEST(fs_dup3)
{
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_EQ(CHECK_OK(dup3(fd, 50, O_CLOEXEC)), 50);
	CHECK_EQ(CHECK_OK(fcntl(50, F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(dup3(fd, 51, 0)), 51);
	CHECK_EQ(CHECK_OK(fcntl(51, F_GETFD)), 0);
	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	/* Raw: musl's dup3 drops flags other than O_CLOEXEC itself. */
	CHECK_ERR(syscall(SYS_dup3, fd, 52, O_NONBLOCK), EINVAL);
	CHECK_ERR(fcntl(52, F_GETFD), EBADF);
	CHECK_ERR(dup3(-1, 52, 0), EBADF);
}

TEST(fs_fcntl_dupfd)
{
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_DUPFD, 100)), 100);
	CHECK_EQ(CHECK_OK(fcntl(fd, F_DUPFD, 100)), 101);
	CHECK_EQ(CHECK_OK(fcntl(100, F_GETFD)), 0);
	CHECK_EQ(CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 100)), 102);
	CHECK_EQ(CHECK_OK(fcntl(102, F_GETFD)), FD_CLOEXEC);
	/* The lowest free at or above the argument. */
	int low = CHECK_OK(fcntl(fd, F_DUPFD, 0));
	CHECK(low < 100);
	CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
	CHECK_ERR(fcntl(fd, F_DUPFD, 1 << 30), EINVAL);
}

TEST(fs_fcntl_fd_flags)
{
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFD)), 0);
	CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFD)), FD_CLOEXEC);
	/* Close-on-exec is per descriptor: a dup does not see it. */
	int d = CHECK_OK(dup(fd));
	CHECK_EQ(CHECK_OK(fcntl(d, F_GETFD)), 0);
	CHECK_OK(fcntl(fd, F_SETFD, 0));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFD)), 0);
}

TEST(fs_fcntl_status_flags)
{
	write_text("f", "abc");
	int fd = CHECK_OK(open("f", O_WRONLY));
	int d = CHECK_OK(dup(fd));
	CHECK_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	/* Status flags belong to the open file description, shared by dups. */
	CHECK_EQ(CHECK_OK(fcntl(d, F_GETFL)) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
	CHECK_EQ(write(d, "d", 1), 1);
	CHECK_EQ(file_size("f"), 4);
	/* The access mode cannot change. */
	CHECK_OK(fcntl(fd, F_SETFL, O_RDWR));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFL)) & (O_ACCMODE | O_APPEND), O_WRONLY);
	char c;
	CHECK_ERR(read(fd, &c, 1), EBADF);
}

TEST(fs_fcntl_errors)
{
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_ERR(fcntl(fd, 9999), EINVAL);
	CHECK_ERR(fcntl(-1, F_GETFL), EBADF);
	CHECK_ERR(fcntl(1000, F_GETFD), EBADF);
	CHECK_ERR(fcntl(1000, F_SETFD, 0), EBADF);
	void *p;
	write_text("f", "x");
	int f = CHECK_OK(open("f", O_RDWR));
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_fcntl, f, F_GETLK, p), EFAULT);
}

static struct flock lock(short type, off_t start, off_t len)
{
	return (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
}

/* Record locks between processes: a conflicting F_SETLK fails with
 * EAGAIN, F_GETLK names the holder, and unlocking lets the other in. */
TEST(fs_fcntl_locks)
{
	write_text("f", "0123456789");
	int fd = CHECK_OK(open("f", O_RDWR));
	struct flock fl = lock(F_WRLCK, 0, 5);
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	int go[2], done[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(done));
	pid_t pid = xfork();
	if (pid == 0) {
		int cfd = CHECK_OK(open("f", O_RDWR));
		struct flock c = lock(F_WRLCK, 2, 1);
		CHECK_ERR(fcntl(cfd, F_SETLK, &c), EAGAIN);
		c = lock(F_RDLCK, 4, 1);
		CHECK_ERR(fcntl(cfd, F_SETLK, &c), EAGAIN);
		c = lock(F_WRLCK, 0, 10);
		CHECK_OK(fcntl(cfd, F_GETLK, &c));
		CHECK_EQ(c.l_type, F_WRLCK);
		CHECK_EQ(c.l_pid, getppid());
		CHECK_EQ(c.l_start, 0);
		CHECK_EQ(c.l_len, 5);
		/* Outside the locked range is free. */
		c = lock(F_WRLCK, 5, 5);
		CHECK_OK(fcntl(cfd, F_SETLK, &c));
		c = lock(F_WRLCK, 6, 1);
		CHECK_OK(fcntl(cfd, F_GETLK, &c));
		CHECK_EQ(c.l_type, F_UNLCK);
		sync_signal(done[1]);
		sync_wait(go[0]);
		c = lock(F_WRLCK, 0, 5);
		CHECK_OK(fcntl(cfd, F_SETLK, &c));
		_exit(0);
	}
	sync_wait(done[0]);
	/* Our own locks never conflict with us. */
	fl = lock(F_WRLCK, 0, 10);
	CHECK_OK(fcntl(fd, F_GETLK, &fl));
	CHECK_EQ(fl.l_type, F_WRLCK);     /* the child holds 5..9 */
	fl = lock(F_UNLCK, 0, 5);
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	sync_signal(go[1]);
	wait_exit(pid, 0);
}

/* F_SETLKW waits for the holder; closing any descriptor of the file
 * releases the process's locks. */
TEST(fs_fcntl_setlkw)
{
	write_text("f", "0123456789");
	int fd = CHECK_OK(open("f", O_RDWR));
	struct flock fl = lock(F_WRLCK, 0, 0);
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	int ready[2];
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		int cfd = CHECK_OK(open("f", O_RDWR));
		struct flock c = lock(F_WRLCK, 3, 1);
		sync_signal(ready[1]);
		CHECK_OK(fcntl(cfd, F_SETLKW, &c));
		_exit(0);
	}
	sync_wait(ready[0]);
	int other = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(close(other));
	wait_exit(pid, 0);
}

TEST(fs_fcntl_lock_errors)
{
	write_text("f", "x");
	int ro = CHECK_OK(open("f", O_RDONLY));
	struct flock fl = lock(F_WRLCK, 0, 1);
	/* A write lock needs a descriptor open for writing. */
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EBADF);
	fl = lock(F_RDLCK, 0, 1);
	CHECK_OK(fcntl(ro, F_SETLK, &fl));
	fl = lock(42, 0, 1);
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EINVAL);
	fl = lock(F_RDLCK, -5, 1);
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EINVAL);
	fl = lock(F_RDLCK, 0, 1);
	fl.l_whence = 9;
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EINVAL);
}

TEST(fs_flock)
{
	write_text("f", "x");
	int a = CHECK_OK(open("f", O_RDONLY));
	int b = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(flock(a, LOCK_SH));
	CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(flock(a, LOCK_UN));
	/* b may convert its shared lock now that a let go. */
	CHECK_OK(flock(b, LOCK_EX | LOCK_NB));
	CHECK_ERR(flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* The lock belongs to the open file description: a dup shares it,
	 * and a forked child too. */
	int d = CHECK_OK(dup(b));
	CHECK_OK(flock(d, LOCK_EX | LOCK_NB));
	CHECK_OK(close(b));
	CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(close(d));
	CHECK_OK(flock(a, LOCK_EX | LOCK_NB));
	CHECK_ERR(flock(a, 0), EINVAL);
	CHECK_ERR(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(flock(-1, LOCK_SH), EBADF);
}

TEST(fs_flock_blocks_until_released)
{
	write_text("f", "x");
	int a = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(flock(a, LOCK_EX));
	int ready[2];
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		/* The inherited copy of a would keep the lock alive. */
		CHECK_OK(close(a));
		int b = CHECK_OK(open("f", O_RDONLY));
		sync_signal(ready[1]);
		CHECK_OK(flock(b, LOCK_EX));
		_exit(0);
	}
	sync_wait(ready[0]);
	CHECK_OK(close(a));
	wait_exit(pid, 0);
}

/* Descriptors are copied by fork: closing one in the child leaves the
 * parent's open, and the two share the file description. */
TEST(fs_fd_fork_copies_table)
{
	write_text("f", "abcdef");
	int fd = CHECK_OK(open("f", O_RDONLY));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(close(fd));
		CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
		CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), fd);
		_exit(0);
	}
	wait_exit(pid, 0);
	char c;
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, 'a');
}

/* A lookup by one thread while another replaces, closes and spreads
 * descriptors (growing the table): the kernel skips the table's lock only
 * for a process's sole thread, so each write here sees /dev/null (1),
 * /dev/full (ENOSPC) or nothing (EBADF), never a freed file; and once the
 * other thread has gone, its last change is what the lone thread sees. */
struct fd_churn {
	int target, null_fd, full_fd, rounds;
	volatile int stop, done;
};

static void *churn_fds(void *arg)
{
	struct fd_churn *c = arg;

	for (int i = 0; i < c->rounds && !c->stop; i++) {
		/* a file of its own, so the close below frees it (the open
		 * may take target's number itself, target being closed) */
		int fd = open(i & 1 ? "/dev/full" : "/dev/null", O_WRONLY);
		if (fd < 0 || (fd != c->target && (dup2(fd, c->target) != c->target || close(fd) != 0)))
			return (void *)1;
		/* a high descriptor makes the table grow (and move) now and then */
		int high = 64 + (i * 37) % 900;
		if (dup2(c->null_fd, high) != high || close(high) != 0)
			return (void *)2;
		if (close(c->target) != 0)
			return (void *)3;
	}
	c->done = 1;
	return NULL;
}

TEST(fs_fd_lookup_races_close_in_other_thread)
{
	struct fd_churn c = { .rounds = 5000 };
	c.null_fd = CHECK_OK(open("/dev/null", O_WRONLY));
	c.full_fd = CHECK_OK(open("/dev/full", O_WRONLY));
	c.target = CHECK_OK(open("/dev/null", O_WRONLY));
	int ok = 0, full = 0, badf = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, churn_fds, &c), 0);
	for (int i = 0; !c.done && i < 200000; i++) {
		char b = 0;
		ssize_t r = write(c.target, &b, 1);
		if (r == 1)
			ok++;
		else if (r < 0 && errno == ENOSPC)
			full++;
		else if (r < 0 && errno == EBADF)
			badf++;
		else
			CHECK(!"write gave something but 1, ENOSPC or EBADF");
	}
	c.stop = 1;
	void *ret;
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == NULL);
	CHECK(ok + full + badf > 0);

	/* alone again: the departed thread's dup2 and close are seen */
	c.rounds = 1;
	c.stop = c.done = 0;
	CHECK_EQ(pthread_create(&t, NULL, churn_fds, &c), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == NULL);
	CHECK_ERR(write(c.target, "x", 1), EBADF);
	CHECK_EQ(dup2(c.full_fd, c.target), c.target);
	CHECK_ERR(write(c.target, "x", 1), ENOSPC);
	CHECK_EQ(dup2(c.null_fd, c.target), c.target);
	CHECK_EQ(write(c.target, "x", 1), 1);
	CHECK_OK(close(c.target));
	CHECK_OK(close(c.full_fd));
	CHECK_OK(close(c.null_fd));
}
