/* What the unix_ cases (AF_UNIX sockets) share. They check Linux's
 * behaviour, so they pass on Linux too. */
#ifndef USERTESTS_UNIX_H
#define USERTESTS_UNIX_H

#include "tests.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* A struct sockaddr_un for a path (or, with a leading '@', the abstract
 * name after it); returns the length to pass. */
static inline socklen_t unix_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(name);
	memcpy(a->sun_path, name, n);
	if (name[0] == '@') {
		a->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* A socket of type bound to name and listening (stream, seqpacket) or
 * just bound (datagram). */
static inline int unix_server(int type, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name);
	int s = CHECK_OK(socket(AF_UNIX, type, 0));
	CHECK_OK(bind(s, (struct sockaddr *)&a, len));
	if (type != SOCK_DGRAM)
		CHECK_OK(listen(s, 128));
	return s;
}

/* A socket of type connected to name. */
static inline int unix_client(int type, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name);
	int s = CHECK_OK(socket(AF_UNIX, type, 0));
	CHECK_OK(connect(s, (struct sockaddr *)&a, len));
	return s;
}

static inline int unix_connect_err(int type, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name);
	int s = CHECK_OK(socket(AF_UNIX, type, 0));
	int r = connect(s, (struct sockaddr *)&a, len);
	int e = errno;
	close(s);
	return r < 0 ? e : 0;
}

/* Sends data with n descriptors in one SCM_RIGHTS message. */
static inline ssize_t send_fds(int s, const void *data, size_t len, const int *fds, int n, int flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { (void *)data, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n) {
		memset(ctl, 0, sizeof ctl);
		m.msg_control = ctl;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	}
	return sendmsg(s, &m, flags);
}

/* Receives into buf with room for ctl_fds descriptors; the descriptors
 * that came go to fds (*n of them), msg_flags to *mflags. */
static inline ssize_t recv_fds(int s, void *buf, size_t len, int *fds, int *n, int ctl_fds,
			       int *mflags, int flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = ctl_fds ? CMSG_SPACE(sizeof(int) * (size_t)ctl_fds) : 0 };
	if (!ctl_fds)
		m.msg_control = NULL;
	ssize_t r = recvmsg(s, &m, flags);
	*n = 0;
	if (r < 0)
		return r;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *n, CMSG_DATA(c), sizeof(int) * (size_t)k);
			*n += k;
		}
	if (mflags)
		*mflags = m.msg_flags;
	return r;
}

/* Raises RLIMIT_NOFILE to at least n. */
static inline void need_fds(rlim_t n)
{
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < n) {
		rl.rlim_cur = n;
		if (rl.rlim_max < n)
			rl.rlim_max = n;
		CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	}
}

#endif
