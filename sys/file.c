/* Reading and writing descriptors (read, write, writev) and closing them,
 * over the VFS (fs/vfs.h). */
#include <sys/file.h>
#include <cosmos/errno.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <sys/syscall_protos.h>
#include <sys/uio.h>
#include <sys/usercopy.h>

#define RW_MAX 0x7ffff000u    /* Linux's cap on one read or write */

int sys_file_get(int fd, struct file **out)
{
	struct process *p = process_current();
	struct kobject *o = p->files ? handle_get(p->files, fd, KOBJ_FILE, 0) : 0;

	if (!o)
		return -EBADF;
	*out = file_from_kobject(o);
	return 0;
}

long sys_read(int fd, uptr_t buf, size_t count)
{
	struct file *f;
	struct uio u;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	if (count > RW_MAX)
		count = RW_MAX;
	uio_init_user(&u, buf, count);
	r = vfs_read(f, &u);
	file_put(f);
	return r;
}

long sys_write(int fd, uptr_t buf, size_t count)
{
	struct file *f;
	struct uio u;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	if (count > RW_MAX)
		count = RW_MAX;
	uio_init_user(&u, buf, count);
	r = vfs_write(f, &u);
	file_put(f);
	return r;
}

long sys_writev(int fd, uptr_t iov, int iovcnt)
{
	struct kiovec small[8], *v = small;
	uint64_t total = 0;
	struct file *f;
	struct uio u;
	long r;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	r = sys_file_get(fd, &f);
	if (r)
		return r;
	if ((unsigned)iovcnt > sizeof(small) / sizeof(small[0]) &&
	    !(v = kmalloc((size_t)iovcnt * sizeof(*v)))) {
		file_put(f);
		return -ENOMEM;
	}
	/* struct iovec and struct kiovec are both { base, length } words */
	r = copy_from_user(v, iov, (size_t)iovcnt * sizeof(*v));
	/* the sum must fit ssize_t; then it is cut at RW_MAX, as Linux does */
	for (int i = 0; !r && i < iovcnt; i++) {
		if (v[i].len > 0x7fffffffffffffffull - total)
			r = -EINVAL;
		total += v[i].len;
		if (total > RW_MAX) {
			v[i].len -= total - RW_MAX;
			total = RW_MAX;
		}
	}
	if (!r) {
		uio_init_iov(&u, v, (unsigned)iovcnt, true);
		r = vfs_write(f, &u);
	}
	if (v != small)
		kfree(v);
	file_put(f);
	return r;
}

long sys_close(int fd)
{
	struct process *p = process_current();
	struct file *f;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	/* POSIX record locks go with any close of the file (the table is
	 * their owner) */
	vfs_locks_close(f, p->files);
	file_put(f);
	return handle_close(p->files, fd);
}
