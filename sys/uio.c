/* struct uio (see uio.h): moving data between kernel memory and a list of
 * buffers. Kernel buffers are copied directly; user buffers go through
 * sys/usercopy.h, which reports how far a copy got before a fault. */
#include <sys/uio.h>
#include <cosmos/errno.h>
#include <lib/string.h>

void uio_init_kernel(struct uio *u, void *buf, size_t len)
{
	u->one.base = (uint64_t)(uintptr_t)buf;
	u->one.len = len;
	u->iov = &u->one;
	u->iovcnt = 1;
	u->resid = len;
	u->user = false;
}

void uio_init_iov(struct uio *u, struct kiovec *iov, unsigned cnt, bool user)
{
	u->iov = iov;
	u->iovcnt = cnt;
	u->resid = 0;
	for (unsigned i = 0; i < cnt; i++)
		u->resid += iov[i].len;
	u->user = user;
}

enum uio_dir { UIO_OUT, UIO_IN, UIO_ZERO };

void uio_truncate(struct uio *u, size_t len)
{
	size_t left = len;
	unsigned i;

	if (len >= u->resid)
		return;
	for (i = 0; i < u->iovcnt && left; i++) {
		if (u->iov[i].len > left)
			u->iov[i].len = left;
		left -= u->iov[i].len;
	}
	u->iovcnt = i;
	u->resid = len;
}

/* One contiguous piece: the bytes moved (n unless a fault in a user
 * buffer stopped the copy). */
static size_t move_piece(bool user, uint64_t base, void *kbuf, size_t n, enum uio_dir dir)
{
	void *p = (void *)(uintptr_t)base;

	if (user) {
		if (dir == UIO_OUT)
			return copy_to_user_part(uptr(base), kbuf, n);
		if (dir == UIO_IN)
			return copy_from_user_part(kbuf, uptr(base), n);
		return clear_user_part(uptr(base), n);
	}
	if (dir == UIO_OUT)
		memcpy(p, kbuf, n);
	else if (dir == UIO_IN)
		memcpy(kbuf, p, n);
	else
		memset(p, 0, n);
	return n;
}

static long uio_move(struct uio *u, void *kbuf, size_t n, enum uio_dir dir)
{
	size_t done = 0;

	while (done < n && u->iovcnt) {
		struct kiovec *v = u->iov;
		size_t chunk = v->len < n - done ? v->len : n - done;

		if (chunk) {
			size_t moved = move_piece(u->user, v->base,
						  (char *)kbuf + (dir == UIO_ZERO ? 0 : done), chunk, dir);

			v->base += moved;
			v->len -= moved;
			u->resid -= moved;
			done += moved;
			if (moved < chunk)
				return done ? (long)done : -EFAULT;
		}
		if (v->len == 0) {
			u->iov++;
			u->iovcnt--;
		}
	}
	return (long)done;
}

long uio_copy_out(struct uio *u, const void *src, size_t n)
{
	return uio_move(u, (void *)src, n, UIO_OUT);
}

long uio_copy_in(struct uio *u, void *dst, size_t n)
{
	return uio_move(u, dst, n, UIO_IN);
}

long uio_zero(struct uio *u, size_t n)
{
	return uio_move(u, NULL, n, UIO_ZERO);
}
