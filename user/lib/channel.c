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

int chan_reply_recv(int fd, const void *rep, uint32_t replen, void *buf, uint32_t *size,
		    struct chan_handle *h, uint32_t *nh, unsigned flags)
{
	struct chan_msg r = { (uintptr_t)rep, replen, 0, 0 };
	struct chan_msg m = { (uintptr_t)buf, *size, nh ? *nh : 0, (uintptr_t)h };
	int ret = (int)syscall(COSMOS_SYS_channel_reply_recv, fd, rep ? &r : NULL, &m, flags);

	if (ret > 0 || (ret < 0 && errno == EMSGSIZE)) {
		*size = m.size;
		if (nh)
			*nh = m.nhandles;
	}
	return ret;
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

/* The register calls: fd in rdi, size and flags in rsi, the words in
 * rdx r10 r8 r9 r12 r13, each written back by the kernel with the
 * received message (hal/usermode.h). */
static int regs_call(long nr, int fd, uint64_t sizeflags, uint64_t w[CHAN_REG_WORDS],
		     uint32_t *size)
{
	register long rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = (uint64_t)fd;
	register uint64_t rsi __asm__("rsi") = sizeflags;
	register uint64_t rdx __asm__("rdx") = w[0];
	register uint64_t r10 __asm__("r10") = w[1];
	register uint64_t r8 __asm__("r8") = w[2];
	register uint64_t r9 __asm__("r9") = w[3];
	register uint64_t r12 __asm__("r12") = w[4];
	register uint64_t r13 __asm__("r13") = w[5];

	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9), "+r"(r12), "+r"(r13)
			 :
			 : "rcx", "r11", "memory");
	if (rax < 0 && rax != -EMSGSIZE) {
		errno = (int)-rax;
		return -1;
	}
	if (rax == 0)
		return 0;               /* the peer closed: nothing received */
	*size = (uint32_t)rsi;
	if (rax < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	w[0] = rdx;
	w[1] = r10;
	w[2] = r8;
	w[3] = r9;
	w[4] = r12;
	w[5] = r13;
	return (int)rax;
}

int chan_call_regs(int fd, uint64_t w[CHAN_REG_WORDS], uint32_t *size)
{
	return regs_call(COSMOS_SYS_channel_call_regs, fd, *size, w, size);
}

int chan_reply_recv_regs(int fd, uint64_t w[CHAN_REG_WORDS], uint32_t *size, unsigned flags)
{
	return regs_call(COSMOS_SYS_channel_reply_recv_regs, fd, *size | (uint64_t)flags << 32, w,
			 size);
}

int chan_serve(int fd, chan_handler handler, void *ctx)
{
	char *req = malloc(CHAN_MSG_MAX), *rep = malloc(CHAN_MSG_MAX);
	int r = -1;

	if (!req || !rep) {
		errno = ENOMEM;
		goto out;
	}
	for (long n = -1;;) {
		uint32_t len = CHAN_MSG_MAX, nh = 0;

		r = chan_reply_recv(fd, n >= 0 ? rep : NULL, n >= 0 ? (uint32_t)n : 0, req, &len,
				    NULL, &nh, 0);
		if (r < 0 && errno == EPIPE)
			r = 0;          /* a client that left without its reply */
		if (r <= 0)
			break;
		n = handler(ctx, req, len, rep, CHAN_MSG_MAX);
	}
out:
	free(req);
	free(rep);
	return r;
}
