/* The channel calls and the request/reply helper (channel.h). */
#define _GNU_SOURCE
#include "channel.h"

#include <cosmos/syscall_native.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int chan_create(int fds[2], unsigned flags)
{
	return (int)syscall(COSMOS_SYS_channel_create, fds, flags);
}

int chan_send(int fd, const void *data, uint32_t size, const struct chan_handle *h,
	      uint32_t nh, unsigned flags)
{
	struct chan_msg m = { (uintptr_t)data, size, nh, (uintptr_t)h };

	return (int)syscall(COSMOS_SYS_channel_send, fd, &m, flags);
}

int chan_recv(int fd, void *buf, uint32_t *size, struct chan_handle *h, uint32_t *nh,
	      unsigned flags)
{
	struct chan_msg m = { (uintptr_t)buf, *size, nh ? *nh : 0, (uintptr_t)h };
	int r = (int)syscall(COSMOS_SYS_channel_recv, fd, &m, flags);

	if (r > 0 || (r < 0 && errno == EMSGSIZE)) {
		*size = m.size;
		if (nh)
			*nh = m.nhandles;
	}
	return r;
}

int chan_call(int fd, const void *req, uint32_t reqlen, void *rep, uint32_t *replen,
	      long timeout_ns)
{
	struct chan_msg q = { (uintptr_t)req, reqlen, 0, 0 };
	struct chan_msg a = { (uintptr_t)rep, *replen, 0, 0 };
	int r = (int)syscall(COSMOS_SYS_channel_call, fd, &q, &a, timeout_ns, 0);

	if (r > 0 || (r < 0 && errno == EMSGSIZE))
		*replen = a.size;
	return r;
}

int handle_rights(int fd)
{
	return (int)syscall(COSMOS_SYS_handle_rights, fd);
}

int handle_restrict(int fd, unsigned rights)
{
	return (int)syscall(COSMOS_SYS_handle_restrict, fd, rights);
}

int chan_serve(int fd, chan_handler handler, void *ctx)
{
	char *req = malloc(CHAN_MSG_MAX), *rep = malloc(CHAN_MSG_MAX);
	int r = -1;

	if (!req || !rep) {
		errno = ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t len = CHAN_MSG_MAX, nh = 0;
		long n;

		r = chan_recv(fd, req, &len, NULL, &nh, 0);
		if (r <= 0)
			break;
		n = handler(ctx, req, len, rep, CHAN_MSG_MAX);
		if (n >= 0 && chan_send(fd, rep, (uint32_t)n, NULL, 0, 0) < 0) {
			/* a client that left without its reply ends the loop */
			r = errno == EPIPE ? 0 : -1;
			break;
		}
	}
out:
	free(req);
	free(rep);
	return r;
}
