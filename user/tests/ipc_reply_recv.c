/* channel_reply_recv (docs/ipc.md): a server answers the request it took
 * and takes the next in one call. Replies reach their callers in order
 * and intact over 1,000 calls; the reply goes before the receive and its
 * error comes back with nothing received (unmapped reply: EFAULT, closed
 * peer: EPIPE); no reply (NULL) only receives; CHAN_DONTWAIT still sends
 * the reply; unknown flags are EINVAL. CosmOS only. */
#include "ipc.h"

#include <sys/mman.h>

#define CALLS 1000

/* The server: each reply is the request with every byte plus one. */
static __attribute__((noreturn)) void serve(int fd)
{
	unsigned char req[256], rep[256];
	uint32_t n = 0;
	for (bool have = false;; have = true) {
		uint32_t len = sizeof req, nh = 0;
		int r = chan_reply_recv(fd, have ? rep : NULL, n, req, &len, NULL, &nh, 0);
		if (r == 0)
			_exit(0);
		if (r < 0 || nh != 0)
			_exit(1);
		for (n = 0; n < len; n++)
			rep[n] = (unsigned char)(req[n] + 1);
	}
}

TEST(ipc_reply_recv_serves_calls)
{
	need_channels();
	int ch[2];
	pid_t pid = fork_server(ch, serve);
	for (int i = 0; i < CALLS; i++) {
		unsigned char req[200], rep[256];
		uint32_t len = 1 + (uint32_t)(i % 200), got = sizeof rep;
		for (uint32_t k = 0; k < len; k++)
			req[k] = (unsigned char)(i * 7 + k);
		CHECK_EQ(CHECK_OK(chan_call(ch[0], req, len, rep, &got, -1)), 1);
		CHECK_EQ(got, len);
		for (uint32_t k = 0; k < len; k++)
			CHECK_EQ(rep[k], (unsigned char)(req[k] + 1));
	}
	close(ch[0]);
	child_done(pid);
}

TEST(ipc_reply_recv_errors)
{
	need_channels();
	int ch[2];
	char buf[16];
	uint32_t n, nh;
	make_channel(ch);
	void *bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad != MAP_FAILED);
	CHECK_OK(munmap(bad, 4096));

	n = sizeof buf, nh = 0;
	CHECK_ERR(chan_reply_recv(ch[1], NULL, 0, buf, &n, NULL, &nh, 0x80), EINVAL);

	/* an unmapped reply: EFAULT, the waiting request stays queued and
	 * the peer got nothing */
	send_bytes(ch[0], "req", 3);
	n = sizeof buf, nh = 0;
	CHECK_ERR(chan_reply_recv(ch[1], bad, 8, buf, &n, NULL, &nh, 0), EFAULT);
	n = sizeof buf, nh = 0;
	CHECK_ERR(chan_recv(ch[0], buf, &n, NULL, &nh, CHAN_DONTWAIT), EAGAIN);

	/* no reply: a plain receive of that request */
	n = sizeof buf, nh = 0;
	CHECK_EQ(CHECK_OK(chan_reply_recv(ch[1], NULL, 0, buf, &n, NULL, &nh, 0)), 1);
	CHECK_EQ(n, 3);
	CHECK_MEM(buf, "req", 3);

	/* CHAN_DONTWAIT with nothing to take: the reply still went */
	n = sizeof buf, nh = 0;
	CHECK_ERR(chan_reply_recv(ch[1], "ans", 3, buf, &n, NULL, &nh, CHAN_DONTWAIT), EAGAIN);
	CHECK_EQ(recv_bytes(ch[0], buf, sizeof buf), 3);
	CHECK_MEM(buf, "ans", 3);

	/* the peer gone: the reply fails with EPIPE before the receive (which
	 * would have answered 0, the end) */
	close(ch[0]);
	n = sizeof buf, nh = 0;
	CHECK_ERR(chan_reply_recv(ch[1], "ans", 3, buf, &n, NULL, &nh, 0), EPIPE);
	n = sizeof buf, nh = 0;
	CHECK_EQ(CHECK_OK(chan_reply_recv(ch[1], NULL, 0, buf, &n, NULL, &nh, 0)), 0);
	close(ch[1]);
}
