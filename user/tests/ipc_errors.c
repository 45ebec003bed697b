/* Channels under pressure and misuse: a full queue blocks, then resumes
 * (and -EAGAIN without blocking); the peer's death ends waits with the end
 * of channel, EPIPE and POLLHUP; bad handles and buffers running into
 * unmapped memory fail with EBADF and EFAULT with nothing half-sent or
 * half-received. */
#include "ipc.h"

#include <cosmos/syscall_native.h>

/* poll on one descriptor: its revents, 0 at the timeout. */
static int wait_one(int fd, short events, int timeout_ms)
{
	struct pollfd p = { fd, events, 0 };
	int r = CHECK_OK(poll(&p, 1, timeout_ms));
	return r ? p.revents : 0;
}

static void fill_nonblocking(int fd, uint32_t size, int want)
{
	static char blob[CHAN_MSG_MAX];
	int sent = 0;
	while (chan_send(fd, blob, size, NULL, 0, CHAN_DONTWAIT) == 0) {
		sent++;
		CHECK(sent <= 1000);
	}
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(sent, want);
}

TEST(ipc_full_queue_blocks_then_resumes)
{
	need_channels();
	int ch[2], done[2];
	make_channel(ch);
	/* the bound: 64 small messages, or 256 KiB of large ones */
	fill_nonblocking(ch[0], 8, 64);
	CHECK_EQ(wait_one(ch[0], POLLOUT, 0), 0);
	CHECK_EQ(wait_one(ch[1], POLLIN, 0), POLLIN);
	uint32_t n;
	char buf[16];
	for (int i = 0; i < 64; i++)
		CHECK_EQ(recv_bytes(ch[1], buf, sizeof buf), 8);
	fill_nonblocking(ch[0], CHAN_MSG_MAX, 4);
	static char big[CHAN_MSG_MAX];
	for (int i = 0; i < 4; i++)
		CHECK_EQ(recv_bytes(ch[1], big, sizeof big), CHAN_MSG_MAX);

	/* blocking: a child's 65th message waits until one is read */
	fill_nonblocking(ch[0], 4, 64);
	CHECK_OK(pipe(done));
	pid_t pid = xfork();
	if (pid == 0) {
		uint32_t last = 0xabcdef;
		send_bytes(ch[0], &last, sizeof last);
		sync_signal(done[1]);
		_exit(0);
	}
	/* it has not got through in 300 ms (it is blocked, not slow) ... */
	CHECK_EQ(wait_one(done[0], POLLIN, 300), 0);
	/* ... and gets through once there is room */
	n = sizeof buf;
	CHECK_EQ(recv_bytes(ch[1], buf, sizeof buf), 4);
	CHECK_EQ(wait_one(done[0], POLLIN, 10000), POLLIN);
	sync_wait(done[0]);
	wait_exit(pid, 0);
	for (int i = 0; i < 63; i++)
		CHECK_EQ(recv_bytes(ch[1], buf, sizeof buf), 4);
	uint32_t last = 0;
	CHECK_EQ(recv_bytes(ch[1], &last, sizeof last), 4);
	CHECK_EQ(last, 0xabcdef);
	(void)n;
}

TEST(ipc_peer_death)
{
	need_channels();
	int ch[2], go[2];
	make_channel(ch);
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		close(ch[0]);
		send_bytes(ch[1], "last words", 10);
		sync_wait(go[0]);
		_exit(0);          /* the endpoint goes with the process */
	}
	close(ch[1]);
	/* a receiver asleep when the peer dies wakes up: first the message
	 * sent before, then the end of the channel */
	char buf[16];
	CHECK_EQ(recv_bytes(ch[0], buf, sizeof buf), 10);
	sync_signal(go[1]);
	uint32_t n = sizeof buf, nh = 0;
	CHECK_EQ(CHECK_OK(chan_recv(ch[0], buf, &n, NULL, &nh, 0)), 0);
	wait_exit(pid, 0);
	CHECK_EQ(wait_one(ch[0], POLLIN | POLLOUT, 0), POLLHUP);
	CHECK_ERR(chan_send(ch[0], "x", 1, NULL, 0, 0), EPIPE);

	/* a sender blocked on a full queue gets EPIPE when the reader dies */
	int c2[2];
	make_channel(c2);
	fill_nonblocking(c2[0], 1, 64);
	pid = xfork();
	if (pid == 0) {
		close(c2[0]);
		sync_wait(go[0]);
		_exit(0);
	}
	CHECK_OK(close(c2[1]));
	sync_signal(go[1]);
	CHECK_ERR(chan_send(c2[0], "x", 1, NULL, 0, 0), EPIPE);
	wait_exit(pid, 0);
}

/* Nothing in the queue: a non-blocking receive finds it empty. */
static void check_empty(int fd)
{
	char buf[8];
	uint32_t n = sizeof buf, nh = 0;
	CHECK_ERR(chan_recv(fd, buf, &n, NULL, &nh, CHAN_DONTWAIT), EAGAIN);
}

TEST(ipc_bad_handles_and_buffers)
{
	need_channels();
	int ch[2], p[2];
	make_channel(ch);
	CHECK_OK(pipe(p));
	/* bytes running into an unmapped page */
	CHECK_ERR(chan_send(ch[0], edge_ptr(100), 200, NULL, 0, 0), EFAULT);
	check_empty(ch[1]);
	/* a bad descriptor after a good one: the good one's reference is
	 * given back, nothing is sent */
	struct chan_handle hs[2] = { { p[0], CHAN_RIGHTS_SAME }, { 999, CHAN_RIGHTS_SAME } };
	CHECK_ERR(chan_send(ch[0], "x", 1, hs, 2, 0), EBADF);
	hs[1].fd = -1;
	CHECK_ERR(chan_send(ch[0], "x", 1, hs, 2, 0), EBADF);
	check_empty(ch[1]);
	/* the handle array itself unreadable */
	CHECK_ERR(chan_send(ch[0], "x", 1, (struct chan_handle *)edge_ptr(8), 2, 0), EFAULT);
	void *bad;
	FOR_EACH_BAD_PTR(bad) {
		CHECK_ERR(chan_send(ch[0], bad, 1, NULL, 0, 0), EFAULT);
		CHECK_ERR(syscall(COSMOS_SYS_channel_send, ch[0], bad, 0), EFAULT);
	}
	ut_note(NULL);
	check_empty(ch[1]);
	/* over the limits */
	static char big[CHAN_MSG_MAX + 1];
	CHECK_ERR(chan_send(ch[0], big, CHAN_MSG_MAX + 1, NULL, 0, 0), EMSGSIZE);
	struct chan_handle many[CHAN_HANDLES_MAX + 1];
	for (unsigned i = 0; i <= CHAN_HANDLES_MAX; i++)
		many[i] = (struct chan_handle){ p[0], CHAN_RIGHTS_SAME };
	CHECK_ERR(chan_send(ch[0], "x", 1, many, CHAN_HANDLES_MAX + 1, 0), EMSGSIZE);
	CHECK_OK(chan_send(ch[0], "x", 1, many, CHAN_HANDLES_MAX, 0));
	CHECK_ERR(chan_send(ch[0], "x", 1, NULL, 0, 4), EINVAL);

	/* receiving into a buffer that runs into unmapped memory: the
	 * message stays, and the 64 descriptors installed for it are closed
	 * again (the next descriptor is the lowest free one) */
	int next = CHECK_OK(dup(0));
	CHECK_OK(close(next));
	struct chan_handle got[CHAN_HANDLES_MAX];
	uint32_t n = 1, nh = CHAN_HANDLES_MAX;
	CHECK_ERR(chan_recv(ch[1], edge_ptr(0), &n, got, &nh, 0), EFAULT);
	n = 1;
	nh = CHAN_HANDLES_MAX;
	CHECK_ERR(chan_recv(ch[1], big, &n, (struct chan_handle *)edge_ptr(16), &nh, 0), EFAULT);
	CHECK_EQ(CHECK_OK(dup(0)), next);
	CHECK_OK(close(next));
	n = 1;
	nh = CHAN_HANDLES_MAX;
	CHECK_EQ(CHECK_OK(chan_recv(ch[1], big, &n, got, &nh, 0)), 1);
	CHECK_EQ(nh, CHAN_HANDLES_MAX);
	CHECK_EQ(got[0].fd, next);
	check_empty(ch[1]);
}
