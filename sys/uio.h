/* struct uio: the buffers a read or write moves data through, all user
 * addresses or all kernel pointers, so file systems and drivers fill a
 * user buffer without a bounce copy (docs/processes-and-files.md §2). */
#ifndef SYS_UIO_H
#define SYS_UIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/usercopy.h>

#define UIO_MAXIOV 1024

struct kiovec {
	uint64_t base;     /* a user address or a kernel pointer */
	size_t len;
};

/* Owned by the one thread doing the transfer: no lock. */
struct uio {
	struct kiovec *iov;   /* the remaining buffers */
	unsigned iovcnt;
	size_t resid;         /* bytes left in all of them */
	bool user;            /* bases are user addresses */
	struct kiovec one;    /* storage for the single-buffer case */
};

void uio_init_kernel(struct uio *u, void *buf, size_t len);
/* Inline: every read and write starts with it. */
static inline void uio_init_user(struct uio *u, uptr_t buf, size_t len)
{
	u->one.base = buf.addr;
	u->one.len = len;
	u->iov = &u->one;
	u->iovcnt = 1;
	u->resid = len;
	u->user = true;
}
/* From an iovec array already copied into the kernel and checked (sys/
 * does that for readv/writev: count <= UIO_MAXIOV, sum <= SSIZE_MAX).
 * The array is advanced in place as data moves. */
void uio_init_iov(struct uio *u, struct kiovec *iov, unsigned cnt, bool user);

/* Shortens u to its first len bytes (len <= u->resid), trimming the
 * buffers in place. */
void uio_truncate(struct uio *u, size_t len);

/* Move up to n bytes and advance; return the bytes moved, or -EFAULT when
 * a fault stopped the copy before any byte moved. */
long uio_copy_out(struct uio *u, const void *src, size_t n);   /* kernel -> buffers (read) */
long uio_copy_in(struct uio *u, void *dst, size_t n);          /* buffers -> kernel (write) */
long uio_zero(struct uio *u, size_t n);

/* A user iovec array of cnt entries (readv, sendmsg) copied in and checked
 * (at most UIO_MAXIOV entries, lengths summing to at most SSIZE_MAX, cut at
 * Linux's cap on one transfer), with u set up over it: 0, -EINVAL,
 * -EFAULT, -ENOMEM. *v is small (IOV_SMALL entries) or an array iov_put
 * frees. */
#define IOV_SMALL 8
long iov_get(uptr_t uiov, int cnt, struct kiovec *small, struct kiovec **v, struct uio *u);
void iov_put(struct kiovec *v, struct kiovec *small);

#endif
