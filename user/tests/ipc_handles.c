/* Handles in messages: a file opened by one process read by another, an
 * endpoint passed on across three processes, rights that can only shrink,
 * and endpoints closed with queued messages carrying handles giving back
 * the kernel heap and every frame. */
#include "ipc.h"

TEST(ipc_pass_file_to_other_process)
{
	need_channels();
	write_text("secret", "read by the other process\n");
	int ch[2];
	make_channel(ch);
	pid_t pid = xfork();
	if (pid == 0) {
		close(ch[0]);
		unsigned rights;
		int fd = recv_fd(ch[1], &rights);
		CHECK_EQ(rights, CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER);
		char buf[64] = { 0 };
		CHECK_EQ(read(fd, buf, sizeof buf), 26);
		CHECK_STR(buf, "read by the other process\n");
		send_bytes(ch[1], "done", 4);
		_exit(0);
	}
	close(ch[1]);
	int fd = CHECK_OK(open("secret", O_RDONLY));
	send_fd(ch[0], fd, CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER);
	/* the receiver has its own reference: closing ours changes nothing,
	 * and the file was removed before it reads */
	CHECK_OK(close(fd));
	CHECK_OK(unlink("secret"));
	char buf[8];
	CHECK_EQ(recv_bytes(ch[0], buf, sizeof buf), 4);
	wait_exit(pid, 0);
}

/* A makes channel x and passes x[1] to B, which passes it on to C; C
 * talks to A through it. Every copy held by A and B is gone in the end,
 * so when C leaves, A sees the end of x. */
TEST(ipc_endpoint_across_three_processes)
{
	need_channels();
	int ab[2], bc[2], x[2];
	make_channel(ab);
	make_channel(bc);
	make_channel(x);
	pid_t b = xfork();
	if (b == 0) {
		close(ab[0]);
		close(bc[1]);
		close(x[0]);
		close(x[1]);
		int got = recv_fd(ab[1], NULL);
		send_fd(bc[0], got, CHAN_RIGHTS_SAME);
		CHECK_OK(close(got));
		_exit(0);
	}
	pid_t c = xfork();
	if (c == 0) {
		close(ab[0]);
		close(ab[1]);
		close(bc[0]);
		close(x[0]);
		close(x[1]);
		int got = recv_fd(bc[1], NULL);
		CHECK_EQ(handle_rights(got), CHAN_RIGHTS_ALL);
		char buf[16];
		uint32_t n = sizeof buf;
		CHECK_EQ(CHECK_OK(chan_call(got, "from C", 6, buf, &n, -1)), 1);
		CHECK_EQ(n, 6);
		CHECK_MEM(buf, "from A", 6);
		_exit(0);
	}
	close(ab[1]);
	close(bc[0]);
	close(bc[1]);
	send_fd(ab[0], x[1], CHAN_RIGHTS_SAME);
	CHECK_OK(close(x[1]));
	char buf[16];
	CHECK_EQ(recv_bytes(x[0], buf, sizeof buf), 6);
	CHECK_MEM(buf, "from C", 6);
	send_bytes(x[0], "from A", 6);
	wait_exit(b, 0);
	wait_exit(c, 0);
	uint32_t n = sizeof buf, nh = 0;
	CHECK_EQ(CHECK_OK(chan_recv(x[0], buf, &n, NULL, &nh, 0)), 0);
}

TEST(ipc_rights_cannot_grow)
{
	need_channels();
	int ch[2], t[2];
	make_channel(ch);
	make_channel(t);
	/* restricting: down only */
	CHECK_OK(handle_restrict(t[1], CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER));
	CHECK_EQ(handle_rights(t[1]), CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER);
	CHECK_ERR(handle_restrict(t[1], CHAN_RIGHTS_ALL), EPERM);
	CHECK_ERR(handle_restrict(t[1], 16), EINVAL);
	CHECK_EQ(handle_rights(t[1]), CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER);
	/* every use is checked: no write right, no send; no dup right, no dup */
	CHECK_ERR(chan_send(t[1], "x", 1, NULL, 0, 0), EPERM);
	CHECK_ERR(dup(t[1]), EPERM);
	/* sending cannot add rights either */
	struct chan_handle h = { t[1], CHAN_RIGHT_READ | CHAN_RIGHT_WRITE | CHAN_RIGHT_TRANSFER };
	CHECK_ERR(chan_send(ch[0], "x", 1, &h, 1, 0), EPERM);
	h.rights = 32;
	CHECK_ERR(chan_send(ch[0], "x", 1, &h, 1, 0), EINVAL);
	/* ... but can take some away: the receiver has read only */
	send_fd(ch[0], t[1], CHAN_RIGHT_READ);
	unsigned r;
	int got = recv_fd(ch[1], &r);
	CHECK_EQ(r, CHAN_RIGHT_READ);
	CHECK_EQ(handle_rights(got), CHAN_RIGHT_READ);
	/* and what has no transfer right does not travel again */
	struct chan_handle h2 = { got, CHAN_RIGHTS_SAME };
	CHECK_ERR(chan_send(ch[0], "x", 1, &h2, 1, 0), EPERM);
	CHECK_ERR(chan_send(got, "x", 1, NULL, 0, 0), EPERM);
	CHECK_ERR(dup(got), EPERM);
	/* the read right it kept still works */
	send_bytes(t[0], "ok", 2);
	char buf[4];
	CHECK_EQ(recv_bytes(got, buf, sizeof buf), 2);
	/* an endpoint never travels on its own channel */
	struct chan_handle self = { ch[1], CHAN_RIGHTS_SAME };
	CHECK_ERR(chan_send(ch[0], "x", 1, &self, 1, 0), EINVAL);
}

/* A file passed with fewer rights than its open mode: every call that
 * uses the descriptor is held to the handle's rights, not the file's. */
TEST(ipc_rights_checked_on_every_file_use)
{
	need_channels();
	write_text("rights", "0123456789");
	int ch[2];
	make_channel(ch);
	int rw = CHECK_OK(open("rights", O_RDWR));
	send_fd(ch[0], rw, CHAN_RIGHT_READ);
	send_fd(ch[0], rw, CHAN_RIGHT_WRITE);
	CHECK_OK(close(rw));
	int ro = recv_fd(ch[1], NULL), wo = recv_fd(ch[1], NULL);
	char buf[16] = { 0 };
	struct iovec iov = { buf, 4 };
	/* read only: every way of writing fails as on a file not open for writing */
	CHECK_ERR(write(ro, "XXXX", 4), EBADF);
	CHECK_ERR(pwrite(ro, "XXXX", 4, 0), EBADF);
	CHECK_ERR(writev(ro, &iov, 1), EBADF);
	CHECK_ERR(ftruncate(ro, 0), EBADF);
	/* the call itself: musl's fchmod retries an EBADF through the
	 * /proc/self/fd name, which the file's permissions decide */
	CHECK_ERR(syscall(SYS_fchmod, ro, 0777), EBADF);
	CHECK_ERR(syscall(SYS_fchown, ro, -1, -1), EBADF);
	CHECK_ERR(futimens(ro, NULL), EBADF);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(m != MAP_FAILED);
	CHECK_ERR(mprotect(m, 4096, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK(munmap(m, 4096));
	CHECK_EQ(pread(ro, buf, 10, 0), 10);
	CHECK_MEM(buf, "0123456789", 10);
	/* write only: no reading, no mapping */
	CHECK_ERR(read(wo, buf, 4), EBADF);
	CHECK_ERR(pread(wo, buf, 4, 0), EBADF);
	CHECK_ERR(readv(wo, &iov, 1), EBADF);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	CHECK_EQ(pwrite(wo, "ab", 2, 0), 2);
	/* the file holds only what the write-only handle wrote */
	CHECK_EQ(pread(ro, buf, 10, 0), 10);
	CHECK_MEM(buf, "ab23456789", 10);
	/* a descriptor restricted in place is held to it the same way */
	int own = CHECK_OK(open("rights", O_RDWR));
	CHECK_OK(handle_restrict(own, CHAN_RIGHT_READ | CHAN_RIGHT_DUP));
	CHECK_ERR(write(own, "X", 1), EBADF);
	int d = CHECK_OK(dup(own));
	CHECK_ERR(write(d, "X", 1), EBADF);
	CHECK_EQ(read(d, buf, 2), 2);
	CHECK_OK(unlink("rights"));
}

/* One round: channels whose queues hold messages carrying files, pipes
 * and endpoints (one of them with a queue of its own carrying handles),
 * all closed unread. */
static void queued_handles_round(void)
{
	int a[2], b[2], p[2];
	make_channel(a);
	make_channel(b);
	CHECK_OK(pipe(p));
	int f = CHECK_OK(open("file", O_RDWR | O_CREAT, 0600));
	static char blob[CHAN_MSG_MAX];
	struct chan_handle hs[3] = { { p[0], CHAN_RIGHTS_SAME }, { p[1], CHAN_RIGHTS_SAME },
				     { f, CHAN_RIGHTS_SAME } };
	CHECK_OK(chan_send(b[0], blob, sizeof blob, hs, 3, 0));
	struct chan_handle he[2] = { { b[0], CHAN_RIGHTS_SAME }, { b[1], CHAN_RIGHTS_SAME } };
	CHECK_OK(chan_send(a[0], blob, 100, he, 2, 0));
	CHECK_OK(chan_send(a[0], blob, sizeof blob, hs, 3, 0));
	int all[] = { a[0], a[1], b[0], b[1], p[0], p[1], f };
	for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++)
		CHECK_OK(close(all[i]));
}

TEST(ipc_close_with_queued_handles_frees_all)
{
	need_channels();
	long slab0, free0, slab1, free1;
	queued_handles_round();           /* warm the caches up */
	kernel_memory(&slab0, &free0);
	for (int i = 0; i < 500; i++)
		queued_handles_round();
	kernel_memory(&slab1, &free1);
	ut_note("Slab %ld -> %ld kB, free memory %ld -> %ld kB", slab0, slab1, free0, free1);
	/* a leak of one small object a round would show as 500 of them */
	CHECK(slab1 - slab0 <= 8);
	CHECK(free0 - free1 <= 32);
}
