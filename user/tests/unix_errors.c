/* AF_UNIX sockets under pressure and misuse: a full socket blocks its
 * writer until the reader makes room, a peer's death (EPIPE, SIGPIPE,
 * POLLHUP, ECONNRESET), 100 clients on one server, bad buffers (EFAULT with nothing
 * half-sent) and epoll over 1,000 socket descriptors. */
#include "unix.h"

#include <sys/epoll.h>

TEST(unix_full_socket_blocks_then_resumes)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	static char chunk[1024];
	size_t queued = 0;
	for (;;) {
		ssize_t r = send(sv[0], chunk, sizeof chunk, MSG_DONTWAIT);
		if (r < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		queued += (size_t)r;
		CHECK(queued < (64u << 20));
	}
	struct pollfd p = { sv[0], POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	int go[2];
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		/* blocks until the parent reads */
		sync_signal(go[1]);
		_exit(write(sv[0], "tail", 4) == 4 ? 0 : 2);
	}
	sync_wait(go[0]);
	static char buf[4096];
	size_t got = 0;
	while (got < queued + 4) {
		ssize_t r = read(sv[1], buf, sizeof buf);
		CHECK(r > 0);
		got += (size_t)r;
	}
	CHECK_EQ(got, queued + 4);
	wait_exit(pid, 0);
	p = (struct pollfd){ sv[0], POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);

	/* a datagram socket's queue too */
	int dg[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
	int n = 0;
	while (send(dg[0], chunk, sizeof chunk, MSG_DONTWAIT) == sizeof chunk)
		n++;
	CHECK_EQ(errno, EAGAIN);
	CHECK(n > 0);
	CHECK_EQ(recv(dg[1], buf, sizeof buf, 0), sizeof chunk);
	CHECK_EQ(send(dg[0], chunk, sizeof chunk, MSG_DONTWAIT), sizeof chunk);
}

static volatile sig_atomic_t pipes;
static void on_pipe(int sig) { (void)sig; pipes++; }

TEST(unix_peer_death)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		char b;
		/* waits in read; the parent's data then the child's death */
		_exit(read(sv[1], &b, 1) == 1 ? 0 : 2);
	}
	close(sv[1]);
	CHECK_EQ(write(sv[0], "!", 1), 1);
	wait_exit(pid, 0);
	struct pollfd p = { sv[0], POLLIN | POLLOUT | POLLRDHUP, 0 };
	CHECK_EQ(poll(&p, 1, 1000), 1);
	CHECK_EQ(p.revents & (POLLHUP | POLLIN | POLLRDHUP), POLLHUP | POLLIN | POLLRDHUP);
	char b;
	CHECK_EQ(read(sv[0], &b, 1), 0);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	struct sigaction sa = { .sa_handler = on_pipe }, old;
	CHECK_OK(sigaction(SIGPIPE, &sa, &old));
	pipes = 0;
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
	CHECK_EQ(pipes, 1);
	CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
	CHECK_EQ(pipes, 2);
	CHECK_OK(sigaction(SIGPIPE, &old, NULL));

	/* a writer blocked on a full socket wakes with EPIPE when the reader dies */
	int w[2], go[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, w));
	CHECK_OK(pipe(go));
	pid = xfork();
	if (pid == 0) {
		close(w[0]);
		sync_wait(go[0]);
		_exit(0);
	}
	close(w[1]);
	static char chunk[4096];
	while (send(w[0], chunk, sizeof chunk, MSG_DONTWAIT) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	sync_signal(go[1]);
	/* it died with our messages unread: the connection was reset */
	CHECK_ERR(send(w[0], chunk, sizeof chunk, MSG_NOSIGNAL), ECONNRESET);
	CHECK_ERR(send(w[0], chunk, sizeof chunk, MSG_NOSIGNAL), EPIPE);
	wait_exit(pid, 0);
}

TEST_TIMEOUT(unix_100_clients_one_server, 300)
{
	enum { N = 100 };
	int srv = unix_server(SOCK_STREAM, "many.sock");
	static pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			close(srv);
			int c = unix_client(SOCK_STREAM, "many.sock");
			int32_t v = i, r;
			if (write(c, &v, 4) != 4 || read(c, &r, 4) != 4)
				_exit(2);
			_exit(r == 1000 + i ? 0 : 3);
		}
	}
	static int conns[N];
	for (int i = 0; i < N; i++)
		conns[i] = CHECK_OK(accept(srv, NULL, NULL));
	/* answer them as their requests come, through poll */
	static struct pollfd p[N];
	for (int i = 0; i < N; i++)
		p[i] = (struct pollfd){ conns[i], POLLIN, 0 };
	int answered = 0;
	while (answered < N) {
		CHECK(poll(p, N, 10000) > 0);
		for (int i = 0; i < N; i++) {
			if (!(p[i].revents & POLLIN) || p[i].fd < 0)
				continue;
			int32_t v;
			CHECK_EQ(read(p[i].fd, &v, 4), 4);
			v += 1000;
			CHECK_EQ(write(p[i].fd, &v, 4), 4);
			CHECK_OK(close(p[i].fd));
			p[i].fd = -1;
			answered++;
		}
	}
	for (int i = 0; i < N; i++)
		wait_exit(pids[i], 0);
}

TEST(unix_bad_buffers)
{
	int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	char buf[16];
	for (int t = 0; t < 3; t++) {
		int sv[2];
		CHECK_OK(socketpair(AF_UNIX, types[t], 0, sv));
		void *p;
		FOR_EACH_BAD_PTR(p)
			CHECK_ERR(send(sv[0], p, 8, 0), EFAULT);
		/* a buffer running into unmapped memory: nothing goes */
		CHECK_ERR(send(sv[0], edge_ptr(4096), 8192, 0), EFAULT);
		struct iovec iov[2] = { { "good", 4 }, { bad_ptr(3), 4 } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		CHECK_ERR(sendmsg(sv[0], &m, 0), EFAULT);
		/* the call itself: musl copies the header before the call */
		CHECK_ERR(syscall(SYS_sendmsg, sv[0], bad_ptr(3), 0), EFAULT);
		m.msg_iovlen = 1;
		m.msg_control = bad_ptr(3);
		m.msg_controllen = 32;
		CHECK_ERR(syscall(SYS_sendmsg, sv[0], &m, 0), EFAULT);   /* musl reads the control */
		m.msg_iov = (struct iovec *)bad_ptr(3);
		m.msg_control = NULL;
		m.msg_controllen = 0;
		CHECK_ERR(sendmsg(sv[0], &m, 0), EFAULT);
		CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);  /* nothing half-sent */
		/* a bad receive buffer leaves a stream's data queued */
		CHECK_EQ(send(sv[0], "data", 4, 0), 4);
		if (types[t] == SOCK_STREAM) {
			CHECK_ERR(recv(sv[1], bad_ptr(3), sizeof buf, 0), EFAULT);
			CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 4);
			CHECK_MEM(buf, "data", 4);
		}
		CHECK_ERR(syscall(SYS_recvmsg, sv[1], bad_ptr(3), 0), EFAULT);
		struct sockaddr_un a;
		socklen_t alen = sizeof a;
		CHECK_ERR(getsockname(sv[0], (struct sockaddr *)&a, (socklen_t *)bad_ptr(3)), EFAULT);
		CHECK_ERR(getsockname(sv[0], (struct sockaddr *)bad_ptr(3), &alen), EFAULT);
		alen = (socklen_t)-1;
		CHECK_ERR(getsockname(sv[0], (struct sockaddr *)&a, &alen), EINVAL);
	}
}

TEST(unix_epoll_1000_descriptors)
{
	enum { PAIRS = 500, N = 2 * PAIRS };
	need_fds(N + 32);
	int ep = CHECK_OK(epoll_create1(0));
	static int fds[N];
	for (int i = 0; i < PAIRS; i++) {
		CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds + 2 * i));
		for (int k = 0; k < 2; k++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)(2 * i + k) };
			CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[2 * i + k], &ev));
		}
	}
	static struct epoll_event out[N];
	CHECK_EQ(epoll_wait(ep, out, N, 0), 0);
	int written = 0;
	for (int i = 0; i < PAIRS; i += 7, written++)
		CHECK_EQ(write(fds[2 * i], "x", 1), 1);         /* the odd end becomes readable */
	int n = CHECK_OK(epoll_wait(ep, out, N, 0));
	CHECK_EQ(n, written);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(out[i].events, EPOLLIN);
		CHECK_EQ(out[i].data.u32 % 2, 1);
		CHECK_EQ((out[i].data.u32 / 2) % 7, 0);
	}
	/* a closed peer: its partner reports hang-up */
	CHECK_OK(close(fds[2]));
	n = CHECK_OK(epoll_wait(ep, out, N, 0));
	bool hup = false;
	for (int i = 0; i < n; i++)
		if (out[i].data.u32 == 3)
			hup = (out[i].events & (EPOLLHUP | EPOLLIN)) == (EPOLLHUP | EPOLLIN);
	CHECK(hup);
	for (int i = 0; i < N; i++)
		if (i != 2)
			CHECK_OK(close(fds[i]));
	CHECK_OK(close(ep));
}
