/* The vectored and positional reads and writes (readv, writev, pread64,
 * pwrite64, preadv, pwritev) and sendfile, over the VFS (fs/vfs.h). */
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/uio.h>
#include <sys/usercopy.h>

#define RW_MAX 0x7ffff000u    /* Linux's cap on one read or write */

/* An iovec array copied in and checked: at most UIO_MAXIOV entries whose
 * lengths sum to no more than SSIZE_MAX; the sum is then cut at RW_MAX,
 * as Linux does. *v is small or a kmalloc'd array iov_put frees. */
static long iov_check(struct kiovec *v, int cnt, uptr_t uiov)
{
	uint64_t total = 0;

	/* struct iovec and struct kiovec are both { base, length } words */
	if (copy_from_user(v, uiov, (size_t)cnt * sizeof(*v)))
		return -EFAULT;
	for (int i = 0; i < cnt; i++) {
		if (v[i].len > 0x7fffffffffffffffull - total)
			return -EINVAL;
		total += v[i].len;
		if (total > RW_MAX) {
			v[i].len -= total - RW_MAX;
			total = RW_MAX;
		}
	}
	return 0;
}

void iov_put(struct kiovec *v, struct kiovec *small)
{
	if (v != small)
		kfree(v);
}

long iov_get(uptr_t uiov, int cnt, struct kiovec *small, struct kiovec **v, struct uio *u)
{
	long r;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	*v = cnt > IOV_SMALL ? kmalloc((size_t)cnt * sizeof(**v)) : small;
	if (!*v)
		return -ENOMEM;
	r = iov_check(*v, cnt, uiov);
	if (r) {
		iov_put(*v, small);
		return r;
	}
	uio_init_iov(u, *v, (unsigned)cnt, true);
	return 0;
}

enum rw_kind { RW_READ, RW_WRITE, RW_PREAD, RW_PWRITE };

static long rw_file(int fd, struct uio *u, enum rw_kind k, int64_t off)
{
	struct file *f;
	long r = sys_file_get(fd, k == RW_READ || k == RW_PREAD ? RIGHT_READ : RIGHT_WRITE, &f);

	if (r)
		return r;
	switch (k) {
	case RW_READ: r = vfs_read(f, u); break;
	case RW_WRITE: r = vfs_write(f, u); break;
	case RW_PREAD: r = vfs_pread(f, u, off); break;
	case RW_PWRITE: r = vfs_pwrite(f, u, off); break;
	}
	file_put(f);
	return r;
}

static long rw_vec(int fd, uptr_t iov, int cnt, enum rw_kind k, int64_t off)
{
	struct kiovec small[IOV_SMALL], *v;
	struct uio u;
	long r;

	if ((k == RW_PREAD || k == RW_PWRITE) && off < 0)
		return -EINVAL;
	r = iov_get(iov, cnt, small, &v, &u);
	if (r)
		return r;
	r = rw_file(fd, &u, k, off);
	iov_put(v, small);
	return r;
}

long sys_readv(int fd, uptr_t iov, int iovcnt) { return rw_vec(fd, iov, iovcnt, RW_READ, 0); }
long sys_writev(int fd, uptr_t iov, int iovcnt) { return rw_vec(fd, iov, iovcnt, RW_WRITE, 0); }
long sys_preadv(int fd, uptr_t iov, int iovcnt, int64_t off) { return rw_vec(fd, iov, iovcnt, RW_PREAD, off); }
long sys_pwritev(int fd, uptr_t iov, int iovcnt, int64_t off) { return rw_vec(fd, iov, iovcnt, RW_PWRITE, off); }

static long rw_one(int fd, uptr_t buf, size_t count, enum rw_kind k, int64_t off)
{
	struct uio u;

	if (off < 0)
		return -EINVAL;
	uio_init_user(&u, buf, count < RW_MAX ? count : RW_MAX);
	return rw_file(fd, &u, k, off);
}

long sys_pread64(int fd, uptr_t buf, size_t count, int64_t off) { return rw_one(fd, buf, count, RW_PREAD, off); }
long sys_pwrite64(int fd, uptr_t buf, size_t count, int64_t off) { return rw_one(fd, buf, count, RW_PWRITE, off); }

/* ---- sendfile ---- */

#define SENDFILE_CHUNK (64u * 1024)

/* Moves up to count bytes from in (at *off, or at and advancing its
 * position when off is NULL) to out through one kernel buffer. Returns
 * the bytes moved, or an error when none moved. */
static long sendfile_files(struct file *out, struct file *in, int64_t *off, size_t count)
{
	size_t chunk = count < SENDFILE_CHUNK ? count : SENDFILE_CHUNK;
	char *buf = kmalloc(chunk ? chunk : 1);
	size_t done = 0;
	long r = 0;

	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t n = count - done < chunk ? count - done : chunk;
		struct uio u;
		long got, put;

		uio_init_kernel(&u, buf, n);
		got = off ? vfs_pread(in, &u, *off) : vfs_read(in, &u);
		if (got <= 0) {
			r = got;
			break;
		}
		uio_init_kernel(&u, buf, (size_t)got);
		put = vfs_write(out, &u);
		if (put < 0) {
			r = put;
			put = 0;
		}
		/* what was read but not written goes back to the input */
		if (off)
			*off += put;
		else if (put < got)
			vfs_lseek(in, put - got, SEEK_CUR);
		done += (size_t)put;
		if (put < got)
			break;
	}
	kfree(buf);
	return done ? (long)done : r;
}

long sys_sendfile(int outfd, int infd, uptr_t offp, size_t count)
{
	struct file *in, *out;
	int64_t off = 0;
	long r;

	if (!uptr_is_null(offp)) {
		if (copy_from_user(&off, offp, sizeof(off)))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
	}
	if (count > RW_MAX)
		count = RW_MAX;
	r = sys_file_get(infd, RIGHT_READ, &in);
	if (r)
		return r;
	r = sys_file_get(outfd, RIGHT_WRITE, &out);
	if (r) {
		file_put(in);
		return r;
	}
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
		r = -EBADF;
	else if (vfs_getfl(out) & O_APPEND)
		r = -EINVAL;
	else
		r = sendfile_files(out, in, uptr_is_null(offp) ? 0 : &off, count);
	file_put(out);
	file_put(in);
	if (r >= 0 && !uptr_is_null(offp) && copy_to_user(offp, &off, sizeof(off)))
		r = -EFAULT;
	return r;
}
