/* AF_UNIX sockets: creation and descriptor behaviour, stream, datagram
 * and seqpacket boundaries, 100,000 round trips between two processes,
 * names in the file system and the abstract namespace (EADDRINUSE,
 * ECONNREFUSED), shutdown and the socket options. */
#include "unix.h"

TEST(unix_socketpair_and_descriptors)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct stat st;
	CHECK_OK(fstat(sv[0], &st));
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(write(sv[0], "abc", 3), 3);
	char buf[8];
	CHECK_EQ(read(sv[1], buf, sizeof buf), 3);
	CHECK_MEM(buf, "abc", 3);
	CHECK_EQ(write(sv[1], "xy", 2), 2);
	CHECK_EQ(read(sv[0], buf, sizeof buf), 2);
	int type = 0;
	socklen_t len = sizeof type;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
	CHECK_EQ(type, SOCK_STREAM);
	CHECK_EQ(len, sizeof(int));

	int nb[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, nb));
	CHECK_EQ(fcntl(nb[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(nb[1], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_ERR(read(nb[0], buf, 1), EAGAIN);
	CHECK_ERR(recv(sv[0], buf, 1, MSG_DONTWAIT), EAGAIN);

	CHECK_ERR(socket(AF_UNIX, 9, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)bad_ptr(0)), EFAULT);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
	CHECK_ERR(listen(p[0], 1), ENOTSOCK);
	CHECK_ERR(send(999, "x", 1, 0), EBADF);
}

/* Streams merge writes and split reads; datagrams and seqpackets keep
 * each message whole (a short read cuts it, MSG_TRUNC says so). */
TEST(unix_stream_and_datagram_boundaries)
{
	int s[2], d[2], q[2];
	char buf[64];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	CHECK_EQ(write(s[0], "hello ", 6), 6);
	CHECK_EQ(write(s[0], "world", 5), 5);
	CHECK_EQ(recv(s[1], buf, 3, MSG_PEEK), 3);
	CHECK_MEM(buf, "hel", 3);
	CHECK_EQ(read(s[1], buf, 4), 4);
	CHECK_MEM(buf, "hell", 4);
	CHECK_EQ(read(s[1], buf, sizeof buf), 7);
	CHECK_MEM(buf, "o world", 7);

	int types[2] = { SOCK_DGRAM, SOCK_SEQPACKET };
	for (int t = 0; t < 2; t++) {
		int *x = t ? q : d;
		CHECK_OK(socketpair(AF_UNIX, types[t], 0, x));
		CHECK_EQ(send(x[0], "one", 3, 0), 3);
		CHECK_EQ(send(x[0], "two!", 4, 0), 4);
		CHECK_EQ(send(x[0], "", 0, 0), 0);
		CHECK_EQ(send(x[0], "three", 5, 0), 5);
		CHECK_EQ(recv(x[1], buf, sizeof buf, MSG_PEEK), 3);
		CHECK_EQ(recv(x[1], buf, sizeof buf, 0), 3);
		CHECK_MEM(buf, "one", 3);
		/* a short read loses the rest of the message */
		struct iovec iov = { buf, 2 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		CHECK_EQ(recvmsg(x[1], &m, 0), 2);
		CHECK_EQ(m.msg_flags & MSG_TRUNC, MSG_TRUNC);
		CHECK_MEM(buf, "tw", 2);
		CHECK_EQ(recv(x[1], buf, sizeof buf, 0), 0);        /* the empty one */
		CHECK_EQ(recv(x[1], buf, 1, MSG_TRUNC), 5);         /* its real length */
		CHECK_EQ(buf[0], 't');
		CHECK_ERR(recv(x[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	}
	/* a datagram bigger than the send buffer cannot go */
	static char big[300000];
	CHECK_ERR(send(d[0], big, sizeof big, 0), EMSGSIZE);
}

/* n round trips of 64 bytes over a stream between two processes; the
 * echo side adds one to the counter in each message, both check it. */
static void pingpong(uint32_t n)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		uint32_t msg[16], want = 0;
		for (;;) {
			ssize_t r = read(sv[1], msg, sizeof msg);
			if (r == 0)
				_exit(want == 2 * n ? 0 : 3);
			if (r != sizeof msg || msg[0] != want || msg[15] != want)
				_exit(4);
			msg[0] = msg[15] = want + 1;
			if (write(sv[1], msg, sizeof msg) != sizeof msg)
				_exit(5);
			want += 2;
		}
	}
	close(sv[1]);
	uint32_t msg[16] = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		msg[0] = msg[15] = 2 * i;
		CHECK_EQ(write(sv[0], msg, sizeof msg), sizeof msg);
		CHECK_EQ(read(sv[0], msg, sizeof msg), sizeof msg);
		CHECK_EQ(msg[0], 2 * i + 1);
		CHECK_EQ(msg[15], 2 * i + 1);
	}
	close(sv[0]);
	wait_exit(pid, 0);
}

TEST_TIMEOUT(unix_pingpong_100000, 300)
{
	pingpong(100000);
}

TEST(unix_names_in_use_and_refused)
{
	int srv = unix_server(SOCK_STREAM, "srv.sock");
	struct stat st;
	CHECK_OK(stat("srv.sock", &st));
	CHECK(S_ISSOCK(st.st_mode));
	/* the name is taken, by a socket or by any file */
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, "srv.sock");
	int s2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE);
	write_text("plain", "x");
	len = unix_addr(&a, "plain");
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE);
	/* connecting to what is not a listening socket is refused */
	CHECK_EQ(unix_connect_err(SOCK_STREAM, "plain"), ECONNREFUSED);
	CHECK_EQ(unix_connect_err(SOCK_STREAM, "missing"), ENOENT);
	CHECK_EQ(unix_connect_err(SOCK_DGRAM, "srv.sock"), EPROTOTYPE);
	int bound = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	len = unix_addr(&a, "bound.sock");
	CHECK_OK(bind(bound, (struct sockaddr *)&a, len));
	CHECK_EQ(unix_connect_err(SOCK_STREAM, "bound.sock"), ECONNREFUSED);
	len = unix_addr(&a, "other.sock");
	CHECK_ERR(bind(bound, (struct sockaddr *)&a, len), EINVAL);     /* bound already */
	CHECK(!exists("other.sock"));
	/* a connection; the names each side sees */
	int c = unix_client(SOCK_STREAM, "srv.sock");
	struct sockaddr_un peer;
	socklen_t plen = sizeof peer;
	int acc = CHECK_OK(accept(srv, (struct sockaddr *)&peer, &plen));
	CHECK_EQ(plen, offsetof(struct sockaddr_un, sun_path));      /* the client is unnamed */
	struct sockaddr_un got;
	socklen_t glen = sizeof got;
	CHECK_OK(getpeername(c, (struct sockaddr *)&got, &glen));
	CHECK_EQ(glen, offsetof(struct sockaddr_un, sun_path) + sizeof "srv.sock");
	CHECK_STR(got.sun_path, "srv.sock");
	glen = sizeof got;
	CHECK_OK(getsockname(acc, (struct sockaddr *)&got, &glen));
	CHECK_STR(got.sun_path, "srv.sock");
	glen = sizeof got;
	CHECK_ERR(getpeername(srv, (struct sockaddr *)&got, &glen), ENOTCONN);
	CHECK_EQ(write(c, "hi", 2), 2);
	char buf[4];
	CHECK_EQ(read(acc, buf, sizeof buf), 2);
	/* the listener gone, the node stays and refuses */
	CHECK_OK(close(srv));
	CHECK_EQ(unix_connect_err(SOCK_STREAM, "srv.sock"), ECONNREFUSED);
	CHECK_OK(unlink("srv.sock"));

	/* abstract names: no file, same rules */
	int ab = unix_server(SOCK_SEQPACKET, "@cosmos-usertests-abstract");
	len = unix_addr(&a, "@cosmos-usertests-abstract");
	int ab2 = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CHECK_ERR(bind(ab2, (struct sockaddr *)&a, len), EADDRINUSE);
	int ac = unix_client(SOCK_SEQPACKET, "@cosmos-usertests-abstract");
	int aa = CHECK_OK(accept4(ab, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
	CHECK_EQ(fcntl(aa, F_GETFD), FD_CLOEXEC);
	/* the call itself: musl retries an EINVAL with accept() */
	CHECK_ERR(syscall(SYS_accept4, ab, NULL, NULL, 0x1), EINVAL);
	CHECK_EQ(send(ac, "abc", 3, 0), 3);
	CHECK_EQ(recv(aa, buf, sizeof buf, 0), 3);
	glen = sizeof got;
	CHECK_OK(getsockname(ab, (struct sockaddr *)&got, &glen));
	CHECK_EQ(glen, len);
	CHECK_MEM(got.sun_path, a.sun_path, len - offsetof(struct sockaddr_un, sun_path));
	CHECK_OK(close(ab));
	CHECK_EQ(unix_connect_err(SOCK_SEQPACKET, "@cosmos-usertests-abstract"), ECONNREFUSED);
	/* and the name is free again */
	CHECK_OK(bind(ab2, (struct sockaddr *)&a, len));
	/* bad addresses */
	CHECK_ERR(bind(s2, (struct sockaddr *)bad_ptr(3), len), EFAULT);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, 1), EINVAL);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
	a.sun_family = AF_INET;
	CHECK_ERR(connect(s2, (struct sockaddr *)&a, len), EINVAL);
}

/* Datagrams to a named socket from unnamed and named senders; a
 * connected datagram socket whose peer went is refused. */
TEST(unix_datagram_names)
{
	int r = unix_server(SOCK_DGRAM, "dg.sock");
	struct sockaddr_un a, from;
	socklen_t len = unix_addr(&a, "dg.sock"), flen;
	int s = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
	CHECK_EQ(sendto(s, "one", 3, 0, (struct sockaddr *)&a, len), 3);
	char buf[16];
	flen = sizeof from;
	CHECK_EQ(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 3);
	CHECK_EQ(flen, 0);                                  /* an unnamed sender */
	struct sockaddr_un me;
	socklen_t mlen = unix_addr(&me, "me.sock");
	CHECK_OK(bind(s, (struct sockaddr *)&me, mlen));
	CHECK_OK(connect(s, (struct sockaddr *)&a, len));
	CHECK_EQ(send(s, "two", 3, 0), 3);
	flen = sizeof from;
	CHECK_EQ(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 3);
	CHECK_EQ(flen, mlen);
	CHECK_STR(from.sun_path, "me.sock");
	CHECK_OK(close(r));
	CHECK_ERR(send(s, "three", 5, 0), ECONNREFUSED);
	CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, len), ECONNREFUSED);
}

/* connect with AF_UNSPEC disconnects a datagram socket (Linux): its
 * unread datagrams go, a socket connected back to it gets ECONNRESET in
 * SO_ERROR, send without an address is ENOTCONN again, and anyone may
 * send to it; on an unconnected one it does nothing; a stream socket
 * refuses it (EINVAL). */
TEST(unix_datagram_unspec_disconnects)
{
	int a = unix_server(SOCK_DGRAM, "ua.sock"), b = unix_server(SOCK_DGRAM, "ub.sock");
	int x = unix_server(SOCK_DGRAM, "ux.sock");
	struct sockaddr_un xa, aa, ba, peer;
	socklen_t xl = unix_addr(&xa, "ux.sock"), al = unix_addr(&aa, "ua.sock");
	socklen_t bl = unix_addr(&ba, "ub.sock"), pl = sizeof peer;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	char buf[16];
	int v;
	socklen_t vl = sizeof v;

	CHECK_OK(connect(x, (struct sockaddr *)&aa, al));
	CHECK_OK(connect(a, (struct sockaddr *)&xa, xl));
	CHECK_EQ(send(a, "q", 1, 0), 1);                         /* unread at x */
	CHECK_ERR(sendto(b, "b", 1, 0, (struct sockaddr *)&xa, xl), EPERM);  /* x takes a's only */
	CHECK_OK(connect(x, &unspec, sizeof unspec));
	CHECK_ERR(send(x, "2", 1, 0), ENOTCONN);
	CHECK_ERR(getpeername(x, (struct sockaddr *)&peer, &pl), ENOTCONN);
	CHECK_ERR(recv(x, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	CHECK_OK(getsockopt(a, SOL_SOCKET, SO_ERROR, &v, &vl));
	CHECK_EQ(v, ECONNRESET);
	CHECK_EQ(sendto(b, "b", 1, 0, (struct sockaddr *)&xa, xl), 1);
	CHECK_EQ(recv(x, buf, sizeof buf, 0), 1);
	CHECK_EQ(buf[0], 'b');
	CHECK_EQ(sendto(x, "3", 1, 0, (struct sockaddr *)&ba, bl), 1);
	CHECK_EQ(recv(b, buf, sizeof buf, 0), 1);
	CHECK_OK(connect(x, &unspec, sizeof unspec));           /* not connected: nothing */
	CHECK_OK(connect(x, (struct sockaddr *)&ba, bl));        /* and connects again */
	CHECK_EQ(send(x, "4", 1, 0), 1);
	CHECK_EQ(recv(b, buf, sizeof buf, 0), 1);
	CHECK_EQ(buf[0], '4');
	int st = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(connect(st, &unspec, sizeof unspec), EINVAL);
	close(st);
	close(x);
	close(b);
	close(a);
}

TEST(unix_shutdown_directions)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(write(sv[0], "last", 4), 4);
	CHECK_OK(shutdown(sv[0], SHUT_WR));
	struct pollfd p = { sv[1], POLLIN | POLLRDHUP | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLRDHUP | POLLOUT);
	char buf[8];
	CHECK_EQ(read(sv[1], buf, sizeof buf), 4);
	CHECK_EQ(read(sv[1], buf, sizeof buf), 0);          /* the end, for good */
	CHECK_EQ(read(sv[1], buf, sizeof buf), 0);
	/* the other direction still works */
	CHECK_EQ(write(sv[1], "back", 4), 4);
	CHECK_EQ(read(sv[0], buf, sizeof buf), 4);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	/* SHUT_RD on one side: the other's writes fail */
	CHECK_OK(shutdown(sv[1], SHUT_RD));
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_OK(shutdown(sv[1], SHUT_RDWR));
	p = (struct pollfd){ sv[1], POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents & POLLHUP, POLLHUP);
	CHECK_ERR(shutdown(sv[0], 7), EINVAL);
	int lone = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(shutdown(lone, SHUT_RD));              /* as Linux: allowed */
}

TEST(unix_socket_options)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int v = 0;
	socklen_t len = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len));
	CHECK_EQ(v, 0);
	v = 65536;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	len = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len));
	CHECK_EQ(v, 131072);                                 /* doubled, as Linux */
	v = 1;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	len = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &len));
	CHECK(v > 1);                                        /* a floor */
	len = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, &len));
	CHECK_EQ(v, 0);
	struct ucred uc;
	len = sizeof uc;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
	CHECK_EQ(len, sizeof uc);
	CHECK_EQ(uc.pid, getpid());
	CHECK_EQ(uc.uid, geteuid());
	CHECK_EQ(uc.gid, getegid());
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, (socklen_t *)bad_ptr(3)), EFAULT);
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, bad_ptr(3), sizeof v), EFAULT);
}
