/* Register messages (channel_call_regs, channel_reply_recv_regs;
 * docs/ipc.md): up to six words in registers. 2,000 calls of every size
 * from 0 to 48 bytes come back intact, zero past their end; a register
 * client talks to a server on the memory calls and a memory client to a
 * register server; the errors: sizes and flags (EINVAL), descriptors
 * (EBADF, ENOTSOCK), rights (EPERM, nothing sent), a message too long or
 * carrying a handle (EMSGSIZE, it stays queued), the peer's end (EPIPE,
 * 0), CHAN_DONTWAIT (the reply still goes). CosmOS only. */
#include "ipc.h"

#include <cosmos/syscall_native.h>
#include <string.h>

#define CALLS 2000

/* A register server: each reply is the request with every byte plus
 * one; exits 2 if a request's bytes past its size were not zero. */
static void serve_regs(int fd)
{
	uint64_t w[CHAN_REG_WORDS];
	uint32_t size = CHAN_REG_NOREPLY;
	for (;;) {
		int r = chan_reply_recv_regs(fd, w, &size, 0);
		if (r == 0)
			_exit(0);
		if (r < 0)
			_exit(1);
		unsigned char *b = (unsigned char *)w;
		for (uint32_t k = size; k < CHAN_REG_BYTES; k++)
			if (b[k])
				_exit(2);
		for (uint32_t k = 0; k < size; k++)
			b[k]++;
	}
}

static long plus_one(void *ctx, const void *req, uint32_t len, void *rep, uint32_t cap)
{
	(void)ctx;
	(void)cap;
	for (uint32_t k = 0; k < len; k++)
		((unsigned char *)rep)[k] = (unsigned char)(((const unsigned char *)req)[k] + 1);
	return len;
}

/* A memory server (chan_serve) of plus_one. */
static void serve_plus_one(int fd)
{
	_exit(chan_serve(fd, plus_one, NULL) ? 1 : 0);
}

/* One register call of len bytes made from seed, its reply checked. */
static void call_regs_checked(int fd, uint32_t len, unsigned seed)
{
	uint64_t w[CHAN_REG_WORDS];
	unsigned char *b = (unsigned char *)w, want[CHAN_REG_BYTES] = { 0 };
	uint32_t size = len;
	for (uint32_t k = 0; k < CHAN_REG_BYTES; k++)
		b[k] = (unsigned char)(seed * 13 + k * 7 + 1);   /* garbage past len too */
	for (uint32_t k = 0; k < len; k++)
		want[k] = (unsigned char)(b[k] + 1);
	CHECK_EQ(CHECK_OK(chan_call_regs(fd, w, &size)), 1);
	CHECK_EQ(size, len);
	CHECK_MEM(b, want, CHAN_REG_BYTES);
}

TEST(ipc_regs_call_round_trips)
{
	need_channels();
	int ch[2];
	pid_t pid = fork_server(ch, serve_regs);
	for (unsigned i = 0; i < CALLS; i++)
		call_regs_checked(ch[0], i % (CHAN_REG_BYTES + 1), i);
	/* a memory client of the register server */
	char req[20] = "abcdefghijklmnopqrs", rep[64];
	uint32_t got = sizeof rep;
	CHECK_EQ(CHECK_OK(chan_call(ch[0], req, sizeof req, rep, &got, -1)), 1);
	CHECK_EQ(got, sizeof req);
	CHECK_MEM(rep, "bcdefghijklmnopqrst\1", sizeof req);
	close(ch[0]);
	child_done(pid);

	/* a register client of a memory server (chan_serve) */
	pid = fork_server(ch, serve_plus_one);
	for (unsigned i = 0; i < 200; i++)
		call_regs_checked(ch[0], i % (CHAN_REG_BYTES + 1), i);
	close(ch[0]);
	child_done(pid);
}

TEST(ipc_regs_errors)
{
	need_channels();
	int ch[2], p[2];
	uint64_t w[CHAN_REG_WORDS] = { 0x1122334455667788ull };
	uint32_t size;
	char buf[64];
	make_channel(ch);

	size = CHAN_REG_BYTES + 1;
	CHECK_ERR(chan_call_regs(ch[0], w, &size), EINVAL);
	CHECK_ERR(syscall(COSMOS_SYS_channel_call_regs, ch[0], 8ul | 1ul << 32), EINVAL);
	size = CHAN_REG_BYTES + 1;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, 0), EINVAL);
	size = 8;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, 0x80), EINVAL);
	size = 8;
	CHECK_ERR(chan_call_regs(-1, w, &size), EBADF);
	CHECK_OK(pipe(p));
	size = 8;
	CHECK_ERR(chan_call_regs(p[0], w, &size), ENOTSOCK);
	close(p[0]);
	close(p[1]);
	/* nothing queued by any of those */
	size = CHAN_REG_NOREPLY;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, CHAN_DONTWAIT), EAGAIN);

	/* a call needs both rights: without the read right nothing is sent */
	int ro = dup(ch[0]);
	CHECK(ro >= 0);
	CHECK_OK(handle_restrict(ro, CHAN_RIGHT_WRITE));
	size = 8;
	CHECK_ERR(chan_call_regs(ro, w, &size), EPERM);
	size = CHAN_REG_NOREPLY;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, CHAN_DONTWAIT), EAGAIN);
	/* a receive alone needs only the read right, a reply the write right */
	CHECK_OK(handle_restrict(ro, 0));
	size = CHAN_REG_NOREPLY;
	CHECK_ERR(chan_reply_recv_regs(ro, w, &size, CHAN_DONTWAIT), EPERM);
	close(ro);

	/* too long for the words, or with a handle: EMSGSIZE with the size,
	 * and the message stays for a receive that can take it */
	memset(buf, 'x', sizeof buf);
	send_bytes(ch[0], buf, CHAN_REG_BYTES + 1);
	size = CHAN_REG_NOREPLY;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, 0), EMSGSIZE);
	CHECK_EQ(size, CHAN_REG_BYTES + 1);
	CHECK_EQ(recv_bytes(ch[1], buf, sizeof buf), CHAN_REG_BYTES + 1);
	send_fd(ch[0], 0, CHAN_RIGHT_READ);
	size = CHAN_REG_NOREPLY;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, 0), EMSGSIZE);
	CHECK_EQ(size, 1);
	unsigned rights;
	close(recv_fd(ch[1], &rights));

	/* CHAN_DONTWAIT with nothing to take: the reply still went, as a
	 * message any receive takes */
	w[0] = 0x0102030405060708ull;
	size = 5;
	CHECK_ERR(chan_reply_recv_regs(ch[1], w, &size, CHAN_DONTWAIT), EAGAIN);
	CHECK_EQ(recv_bytes(ch[0], buf, sizeof buf), 5);
	CHECK_MEM(buf, "\x08\x07\x06\x05\x04", 5);

	/* a server that takes the request and leaves: the call answers 0 */
	pid_t pid = xfork();
	if (pid == 0) {
		uint64_t v[CHAN_REG_WORDS];
		uint32_t n = CHAN_REG_NOREPLY;
		close(ch[0]);
		_exit(chan_reply_recv_regs(ch[1], v, &n, 0) == 1 && n == 8 ? 0 : 1);
	}
	close(ch[1]);
	size = 8;
	CHECK_EQ(CHECK_OK(chan_call_regs(ch[0], w, &size)), 0);
	child_done(pid);
	/* and with the peer gone the request cannot leave */
	size = 8;
	CHECK_ERR(chan_call_regs(ch[0], w, &size), EPIPE);
	close(ch[0]);
}
