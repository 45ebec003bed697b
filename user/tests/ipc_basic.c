/* Channels: creation and descriptor behaviour (dup, close-on-exec, fstat,
 * fork), message order and boundaries, 100,000 messages ping-ponged
 * between two processes, a stream of messages of every size, channel_call
 * with its timeout, and truncation reported instead of done. */
#include "ipc.h"

TEST(ipc_create_and_descriptors)
{
	need_channels();
	int ch[2];
	CHECK_OK(chan_create(ch, 0));
	CHECK(ch[0] >= 0 && ch[1] >= 0 && ch[0] != ch[1]);
	CHECK_EQ(handle_rights(ch[0]), CHAN_RIGHTS_ALL);
	CHECK_EQ(CHECK_OK(fcntl(ch[0], F_GETFD)), 0);
	struct stat st;
	CHECK_OK(fstat(ch[0], &st));
	CHECK(S_ISSOCK(st.st_mode));
	/* messages move through the channel calls, not read and write */
	char c;
	CHECK_ERR(read(ch[0], &c, 1), EINVAL);
	CHECK_ERR(write(ch[0], "x", 1), EINVAL);
	/* a duplicate names the same endpoint; the original may go */
	int d = CHECK_OK(dup(ch[1]));
	CHECK_OK(close(ch[1]));
	send_bytes(ch[0], "abc", 3);
	char buf[8];
	CHECK_EQ(recv_bytes(d, buf, sizeof buf), 3);
	CHECK_MEM(buf, "abc", 3);

	int c2[2];
	CHECK_OK(chan_create(c2, CHAN_CLOEXEC | CHAN_NONBLOCK));
	CHECK_EQ(CHECK_OK(fcntl(c2[0], F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(c2[1], F_GETFL)) & O_NONBLOCK, O_NONBLOCK);
	uint32_t n = sizeof buf, nh = 0;
	CHECK_ERR(chan_recv(c2[0], buf, &n, NULL, &nh, 0), EAGAIN);
	CHECK_ERR(chan_create(c2, 1), EINVAL);
	CHECK_ERR(chan_create((int *)bad_ptr(0), 0), EFAULT);
	/* not an endpoint */
	CHECK_ERR(chan_send(0, "x", 1, NULL, 0, 0), ENOTSOCK);
	CHECK_ERR(chan_send(999, "x", 1, NULL, 0, 0), EBADF);
}

TEST(ipc_boundaries_and_order)
{
	need_channels();
	int ch[2];
	make_channel(ch);
	/* an empty message, then sizes up to the limit: each arrives whole */
	static char big[CHAN_MSG_MAX], got[CHAN_MSG_MAX];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + 1);
	uint32_t sizes[] = { 0, 1, 100, 4096, 4097, CHAN_MSG_MAX };
	for (unsigned i = 0; i < 6; i++)
		send_bytes(ch[0], big, sizes[i]);
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(recv_bytes(ch[1], got, sizeof got), sizes[i]);
		CHECK_MEM(got, big, sizes[i]);
	}
	/* both directions are independent */
	send_bytes(ch[1], "back", 4);
	CHECK_EQ(recv_bytes(ch[0], got, sizeof got), 4);
}

/* n calls ping-ponged between two processes: the echo side answers v
 * with v + 1 and checks the order, the caller checks every reply. */
static void pingpong(uint32_t n_calls)
{
	int ch[2];
	make_channel(ch);
	pid_t pid = xfork();
	if (pid == 0) {
		close(ch[0]);
		for (uint32_t want = 0;; want += 2) {
			uint32_t v;
			uint32_t n = sizeof v, nh = 0;
			int r = CHECK_OK(chan_recv(ch[1], &v, &n, NULL, &nh, 0));
			if (r == 0)
				_exit(want == 2 * n_calls ? 0 : 3);
			CHECK_EQ(n, sizeof v);
			CHECK_EQ(v, want);
			v++;
			send_bytes(ch[1], &v, sizeof v);
		}
	}
	close(ch[1]);
	for (uint32_t i = 0; i < n_calls; i++) {
		uint32_t v = 2 * i, r, n = sizeof r;
		CHECK_EQ(CHECK_OK(chan_call(ch[0], &v, sizeof v, &r, &n, -1)), 1);
		CHECK_EQ(n, sizeof r);
		if (r != v + 1)
			UT_FAIL("message %u: reply %u, expected %u", i, r, v + 1);
	}
	CHECK_OK(close(ch[0]));
	wait_exit(pid, 0);
}

TEST_TIMEOUT(ipc_pingpong_100000, 300)
{
	need_channels();
	pingpong(100000);
}

/* The scale case (its own boot, test/system/user_cases.py
 * ipc_scale: too long for the usertests run): a million calls, none lost
 * or reordered, and the kernel heap and free frames where they were. */
TEST_TIMEOUT(ipc_pingpong_1000000, 1500)
{
	need_channels();
	long slab0, free0, slab1, free1;
	pingpong(100);                    /* warm the caches up */
	kernel_memory(&slab0, &free0);
	pingpong(1000000);
	kernel_memory(&slab1, &free1);
	ut_note("Slab %ld -> %ld kB, free memory %ld -> %ld kB", slab0, slab1, free0, free1);
	/* a leak of even one byte a message would be ~1 MB */
	CHECK(slab1 - slab0 <= 16);
	CHECK(free0 - free1 <= 64);
}

/* 100 client processes, each with its own channel to one server (this
 * process), which waits on all 100 endpoints with poll and answers in
 * whatever order requests come. Every client checks every reply; the
 * server counts every request and sees every client's end. */
TEST_TIMEOUT(ipc_100_clients_one_server, 600)
{
	need_channels();
	enum { CLIENTS = 100, CALLS = 40 };
	struct pollfd pfd[CLIENTS];
	pid_t pids[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		int ch[2];
		make_channel(ch);
		pids[i] = xfork();
		if (pids[i] == 0) {
			for (int j = 0; j < i; j++)
				close(pfd[j].fd);
			close(ch[1]);
			for (uint32_t k = 0; k < CALLS; k++) {
				uint32_t v = (uint32_t)i << 16 | k, r, n = sizeof r;
				CHECK_EQ(CHECK_OK(chan_call(ch[0], &v, sizeof v, &r, &n, -1)), 1);
				CHECK_EQ(n, sizeof r);
				CHECK_EQ(r, ~v);
			}
			_exit(0);
		}
		close(ch[0]);
		pfd[i] = (struct pollfd){ .fd = ch[1], .events = POLLIN };
	}
	uint32_t served[CLIENTS] = { 0 };
	int open_ends = CLIENTS;
	while (open_ends > 0) {
		CHECK(CHECK_OK(poll(pfd, CLIENTS, 60000)) > 0);
		for (int i = 0; i < CLIENTS; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			uint32_t v, n = sizeof v, nh = 0;
			if (CHECK_OK(chan_recv(pfd[i].fd, &v, &n, NULL, &nh, CHAN_DONTWAIT)) == 0) {
				CHECK_OK(close(pfd[i].fd));
				pfd[i].fd = -1;
				open_ends--;
				continue;
			}
			CHECK_EQ(n, sizeof v);
			CHECK_EQ(v, (uint32_t)i << 16 | served[i]);   /* each client's own order */
			served[i]++;
			v = ~v;
			send_bytes(pfd[i].fd, &v, sizeof v);
		}
	}
	for (int i = 0; i < CLIENTS; i++) {
		CHECK_EQ(served[i], CALLS);
		wait_exit(pids[i], 0);
	}
}

/* One way, sizes cycling through 1 byte to 64 KiB: every message arrives
 * whole and in order, though the sender runs far ahead of the receiver
 * (the queue's bound makes it wait). */
TEST_TIMEOUT(ipc_stream_in_order, 120)
{
	need_channels();
	enum { N = 3000 };
	int ch[2];
	make_channel(ch);
	pid_t pid = xfork();
	if (pid == 0) {
		close(ch[1]);
		static uint8_t buf[CHAN_MSG_MAX];
		for (uint32_t i = 0; i < N; i++) {
			uint32_t size = 1 + (i * 2654435761u) % CHAN_MSG_MAX;
			for (uint32_t j = 0; j < size; j += 997)
				buf[j] = (uint8_t)(i + j);
			memcpy(buf, &i, size < 4 ? size : 4);
			send_bytes(ch[0], buf, size);
		}
		_exit(0);
	}
	close(ch[0]);
	static uint8_t got[CHAN_MSG_MAX];
	for (uint32_t i = 0; i < N; i++) {
		uint32_t size = 1 + (i * 2654435761u) % CHAN_MSG_MAX;
		CHECK_EQ(recv_bytes(ch[1], got, sizeof got), size);
		uint32_t seq = 0;
		memcpy(&seq, got, size < 4 ? size : 4);
		uint32_t want = 0;
		memcpy(&want, &i, size < 4 ? size : 4);
		CHECK_EQ(seq, want);
		for (uint32_t j = 997; j < size; j += 997)
			if (got[j] != (uint8_t)(i + j))
				UT_FAIL("message %u byte %u", i, j);
	}
	/* the sender is gone and everything was read: the end */
	uint32_t n = sizeof got, nh = 0;
	CHECK_EQ(CHECK_OK(chan_recv(ch[1], got, &n, NULL, &nh, 0)), 0);
	wait_exit(pid, 0);
}

TEST(ipc_call_timeout)
{
	need_channels();
	int ch[2];
	make_channel(ch);
	struct timespec a, b;
	char rep[8];
	uint32_t n = sizeof rep;
	clock_gettime(CLOCK_MONOTONIC, &a);
	/* nobody answers: the call ends at its timeout, with the request sent */
	CHECK_ERR(chan_call(ch[0], "q", 1, rep, &n, 50000000), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	CHECK(ns >= 50000000);
	CHECK_EQ(recv_bytes(ch[1], rep, sizeof rep), 1);
	/* a call to a server that has closed its end fails with EPIPE */
	CHECK_OK(close(ch[1]));
	n = sizeof rep;
	CHECK_ERR(chan_call(ch[0], "q", 1, rep, &n, -1), EPIPE);
}

TEST(ipc_truncation_reported)
{
	need_channels();
	int ch[2], p[2];
	make_channel(ch);
	CHECK_OK(pipe(p));
	struct chan_handle h[2] = { { p[0], CHAN_RIGHTS_SAME }, { p[1], CHAN_RIGHTS_SAME } };
	CHECK_OK(chan_send(ch[0], "0123456789", 10, h, 2, 0));
	char buf[16] = { 0 };
	struct chan_handle got[2];
	/* too little room for the bytes, then for the handles: nothing is
	 * cut, the sizes needed come back, the message stays */
	uint32_t n = 4, nh = 2;
	CHECK_ERR(chan_recv(ch[1], buf, &n, got, &nh, 0), EMSGSIZE);
	CHECK_EQ(n, 10);
	CHECK_EQ(nh, 2);
	CHECK_EQ(buf[0], 0);
	n = sizeof buf;
	nh = 1;
	CHECK_ERR(chan_recv(ch[1], buf, &n, got, &nh, 0), EMSGSIZE);
	CHECK_EQ(nh, 2);
	n = sizeof buf;
	nh = 2;
	CHECK_EQ(CHECK_OK(chan_recv(ch[1], buf, &n, got, &nh, 0)), 1);
	CHECK_EQ(n, 10);
	CHECK_MEM(buf, "0123456789", 10);
	/* the received pipe ends work */
	CHECK_EQ(write(got[1].fd, "z", 1), 1);
	CHECK_EQ(read(got[0].fd, buf, 1), 1);
	CHECK_EQ(buf[0], 'z');
}
