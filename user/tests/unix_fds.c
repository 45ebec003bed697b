/* AF_UNIX sockets carrying descriptors and credentials: a file passed by
 * SCM_RIGHTS read by another process, descriptors that do not fit closed
 * (MSG_CTRUNC), SCM_CREDENTIALS checked, and sockets closed with
 * descriptors still queued leaving no memory behind. */
#include "unix.h"
#include "ipc.h"

TEST(unix_pass_file_to_other_process)
{
	write_text("passed", "contents of the passed file");
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		char tag[4], buf[64];
		int fds[4], n;
		ssize_t r = recv_fds(sv[1], tag, sizeof tag, fds, &n, 4, NULL, MSG_CMSG_CLOEXEC);
		if (r != 3 || n != 1 || memcmp(tag, "fd!", 3))
			_exit(2);
		if (fcntl(fds[0], F_GETFD) != FD_CLOEXEC)
			_exit(3);
		ssize_t k = read(fds[0], buf, sizeof buf);
		if (k != 27 || memcmp(buf, "contents of the passed file", 27))
			_exit(4);
		_exit(write(sv[1], "ok", 2) == 2 ? 0 : 5);
	}
	close(sv[1]);
	int fd = CHECK_OK(open("passed", O_RDONLY));
	CHECK_EQ(send_fds(sv[0], "fd!", 3, &fd, 1, 0), 3);
	CHECK_OK(close(fd));                 /* the message holds its own reference */
	char buf[4];
	CHECK_EQ(read(sv[0], buf, sizeof buf), 2);
	wait_exit(pid, 0);

	/* the descriptors that do not fit are closed, and the cut reported */
	int p[2], got[4], n, mflags;
	int dg[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
	CHECK_OK(pipe(p));
	int three[3] = { p[0], p[0], p[1] };
	/* room for one descriptor is room for two (the control space is
	 * aligned to 8 bytes): the third is dropped */
	CHECK_EQ(send_fds(dg[0], "y", 1, three, 3, 0), 1);
	CHECK_OK(close(p[0]));
	CHECK_EQ(recv_fds(dg[1], buf, 1, got, &n, 1, &mflags, 0), 1);
	CHECK_EQ(n, 2);
	CHECK_EQ(mflags & MSG_CTRUNC, MSG_CTRUNC);
	/* p[1] is still ours, the received read end is the only other: closing
	 * ours leaves the reader at the end, so the dropped copy was closed */
	CHECK_OK(close(p[1]));
	CHECK_OK(fcntl(got[0], F_SETFL, O_NONBLOCK));
	CHECK_EQ(read(got[0], buf, 1), 0);
	/* nothing but SOL_SOCKET messages with open descriptors go */
	int bad = 999;
	CHECK_ERR(send_fds(dg[0], "z", 1, &bad, 1, 0), EBADF);
	CHECK_ERR(recv(dg[1], buf, 1, MSG_DONTWAIT), EAGAIN);   /* nothing half-sent */
}

/* sendmsg of one byte stating cred with SCM_CREDENTIALS. */
static ssize_t send_cred(int fd, char byte, struct ucred cred)
{
	char cb[CMSG_SPACE(sizeof(struct ucred))] = { 0 };
	struct iovec io = { &byte, 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = cb,
			    .msg_controllen = sizeof cb };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof cred);
	memcpy(CMSG_DATA(h), &cred, sizeof cred);
	return sendmsg(fd, &m, 0);
}

/* SCM_CREDENTIALS: the receiver with SO_PASSCRED learns the sender; a
 * program can state its own ids, not another's (unless root). */
TEST(unix_credentials)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	int one = 1;
	CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
	CHECK_EQ(send(sv[0], "c", 1, 0), 1);
	char buf[4];
	char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };
	CHECK_EQ(recvmsg(sv[1], &m, 0), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK(c);
	CHECK_EQ(c->cmsg_level, SOL_SOCKET);
	CHECK_EQ(c->cmsg_type, SCM_CREDENTIALS);
	struct ucred uc;
	memcpy(&uc, CMSG_DATA(c), sizeof uc);
	CHECK_EQ(uc.pid, getpid());
	CHECK_EQ(uc.uid, getuid());
	CHECK_EQ(uc.gid, getgid());

	AS_USER {
		int s[2];
		CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, s));
		CHECK_EQ(send_cred(s[0], 'd', (struct ucred){ getpid(), getuid(), getgid() }), 1);
		CHECK_ERR(send_cred(s[0], 'd', (struct ucred){ getppid(), getuid(), getgid() }), EPERM);
		CHECK_ERR(send_cred(s[0], 'd', (struct ucred){ getpid(), 0, getgid() }), EPERM);
		char b;
		CHECK_EQ(recv(s[1], &b, 1, 0), 1);
		CHECK_ERR(recv(s[1], &b, 1, MSG_DONTWAIT), EAGAIN);
	}
	/* root may state any ids */
	if (getuid() == 0) {
		CHECK_EQ(send_cred(sv[0], 'e', (struct ucred){ 1, 1000, 1000 }), 1);
		m.msg_controllen = sizeof ctl;
		CHECK_EQ(recvmsg(sv[1], &m, 0), 1);
		memcpy(&uc, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof uc);
		CHECK_EQ(uc.pid, 1);
		CHECK_EQ(uc.uid, 1000);
	}
	/* SO_PEERCRED of an accepted connection names the connecting process */
	int srv = unix_server(SOCK_STREAM, "cred.sock");
	pid_t pid = xfork();
	if (pid == 0) {
		int cl = unix_client(SOCK_STREAM, "cred.sock");
		char b;
		_exit(read(cl, &b, 1) == 0 ? 0 : 2);
	}
	int a = CHECK_OK(accept(srv, NULL, NULL));
	socklen_t len = sizeof uc;
	CHECK_OK(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &len));
	CHECK_EQ(uc.pid, pid);
	CHECK_OK(close(a));
	wait_exit(pid, 0);
}

/* One round: a socketpair whose queue holds pipes, another socketpair's
 * end and a file, then everything is closed without receiving. */
static void queued_rights_round(void)
{
	int sv[2], p[2], o[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_OK(pipe(p));
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, o));
	CHECK_EQ(write(o[0], "in flight", 9), 9);
	int fds[4] = { p[0], p[1], o[0], o[1] };
	CHECK_EQ(send_fds(sv[0], "a", 1, fds, 4, 0), 1);
	CHECK_EQ(send_fds(sv[1], "b", 1, fds, 2, 0), 1);
	for (int i = 0; i < 4; i++)
		CHECK_OK(close(fds[i]));
	CHECK_OK(close(sv[0]));
	CHECK_OK(close(sv[1]));
}

TEST(unix_close_with_queued_rights_frees_all)
{
	long slab0, free0, slab1, free1;
	queued_rights_round();            /* warm the caches up */
	kernel_memory(&slab0, &free0);
	for (int i = 0; i < 500; i++)
		queued_rights_round();
	kernel_memory(&slab1, &free1);
	ut_note("Slab %ld -> %ld kB, free memory %ld -> %ld kB", slab0, slab1, free0, free1);
	/* Linux's own slab caches move by more than a round's worth */
	if (!on_cosmos())
		return;
	/* a leak of one small object a round would show as 500 of them */
	CHECK(slab1 - slab0 <= 8);
	CHECK(free0 - free1 <= 32);
}

/* Loops of sockets in flight, closed: each socket sent over itself (both
 * ends of a pair in each other's queue), and two pairs each in the
 * other's queue. */
static void inflight_loops_round(void)
{
	int sv[2], p[2], q[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(send_fds(sv[0], "s", 1, &sv[0], 1, 0), 1);
	CHECK_EQ(send_fds(sv[1], "t", 1, &sv[1], 1, 0), 1);
	CHECK_OK(close(sv[0]));
	CHECK_OK(close(sv[1]));
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, p));
	CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q));
	CHECK_EQ(send_fds(q[0], "p", 1, &p[0], 1, 0), 1);      /* p[0] in q[1]'s queue */
	CHECK_EQ(send_fds(p[1], "q", 1, &q[1], 1, 0), 1);      /* q[1] in p[0]'s queue */
	for (int i = 0; i < 2; i++) {
		CHECK_OK(close(p[i]));
		CHECK_OK(close(q[i]));
	}
}

/* A loop still reachable from a socket someone holds is not collected:
 * c's ends, each in the other's queue, with c[1] also queued on a, whose
 * other end is open. They come back out and still carry data. */
static void reachable_loop_survives(void)
{
	int a[2], c[2], got[3], n;
	char buf[4];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, a));
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, c));
	CHECK_EQ(send_fds(c[0], "0", 1, &c[0], 1, 0), 1);      /* c[0] in c[1]'s queue */
	CHECK_EQ(send_fds(c[1], "1", 1, &c[1], 1, 0), 1);      /* c[1] in c[0]'s queue */
	CHECK_EQ(send_fds(a[0], "a", 1, &c[1], 1, 0), 1);      /* c[1] in a[1]'s queue */
	CHECK_OK(close(c[0]));
	CHECK_OK(close(c[1]));
	int x = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_OK(close(x));                                     /* a release: a collection */
	CHECK_EQ(recv_fds(a[1], buf, 1, got, &n, 1, NULL, 0), 1);
	CHECK_EQ(n, 1);                                         /* c[1] */
	CHECK_EQ(recv_fds(got[0], buf, 1, got + 1, &n, 1, NULL, 0), 1);
	CHECK_EQ(n, 1);                                         /* c[0] */
	CHECK_EQ(recv_fds(got[1], buf, 1, got + 2, &n, 1, NULL, 0), 1);
	CHECK_EQ(n, 1);                                         /* c[1] again */
	CHECK_EQ(write(got[1], "hi", 2), 2);
	CHECK_EQ(read(got[2], buf, sizeof buf), 2);
	CHECK_MEM(buf, "hi", 2);
	for (int i = 0; i < 3; i++)
		CHECK_OK(close(got[i]));
	CHECK_OK(close(a[0]));
	CHECK_OK(close(a[1]));
}

/* Garbage collection of sockets in flight (Linux's unix_gc): 300 rounds
 * of closed loops leave the kernel heap and free memory where they were
 * once a socket's release runs the collector; a reachable loop lives. */
TEST(unix_inflight_loops_collected)
{
	long slab0, free0, slab1, free1;
	inflight_loops_round();            /* warm the caches up */
	reachable_loop_survives();
	kernel_memory(&slab0, &free0);
	for (int i = 0; i < 300; i++)
		inflight_loops_round();
	int x = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(close(x));                /* a release: the collector runs */
	kernel_memory(&slab1, &free1);
	ut_note("Slab %ld -> %ld kB, free memory %ld -> %ld kB", slab0, slab1, free0, free1);
	reachable_loop_survives();
	if (!on_cosmos())
		return;
	/* 300 rounds of six sockets (each a file, an inode and its socket)
	 * would be hundreds of kB */
	CHECK(slab1 - slab0 <= 8);
	CHECK(free0 - free1 <= 32);
}
