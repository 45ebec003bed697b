/* Reading and writing descriptors (read, write) and closing them (close,
 * close_range), over the VFS (fs/vfs.h). The vectored and positional
 * forms are in sys/rw.c. */
#include <sys/file.h>
#include <cosmos/errno.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <sys/syscall_protos.h>
#include <sys/uio.h>
#include <sys/usercopy.h>

#define RW_MAX 0x7ffff000u    /* Linux's cap on one read or write */

long sys_install_pair(struct file *a, struct file *b, unsigned fdflags, uptr_t ufds)
{
	struct handle_table *t = process_current()->files;
	int fd[2];
	long r;

	fd[0] = handle_install(t, &a->obj, RIGHTS_ALL, fdflags, 0);
	fd[1] = fd[0] < 0 ? fd[0] : handle_install(t, &b->obj, RIGHTS_ALL, fdflags, 0);
	file_put(a);
	file_put(b);
	r = fd[1] < 0 ? fd[1] : copy_to_user(ufds, fd, sizeof(fd));
	if (r) {
		if (fd[0] >= 0)
			handle_close(t, fd[0]);
		if (fd[1] >= 0)
			handle_close(t, fd[1]);
	}
	return r;
}

int sys_file_get_rights(int fd, struct file **out, uint32_t *rights)
{
	struct process *p = process_caller();
	struct kobject *o = 0;

	/* alone: no other thread of p can close or replace fd meanwhile (a
	 * thread's last change is seen with its count's release store) */
	if (p->files && __atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) == 1)
		o = handle_get_rights_sole(p->files, fd, rights);
	else if (p->files)
		o = handle_get_rights(p->files, fd, rights);

	if (!o)
		return -EBADF;
	if (o->type != KOBJ_FILE) {
		kobject_put(o);
		return -EBADF;
	}
	*out = file_from_kobject(o);
	return 0;
}

int sys_file_get(int fd, uint32_t rights, struct file **out)
{
	uint32_t have;
	int r = sys_file_get_rights(fd, out, &have);

	if (!r && (have & rights) != rights) {
		file_put(*out);
		r = -EBADF;
	}
	return r;
}

/* sys_file_get for a call that uses the file only until it returns: a
 * process alone with its table borrows the table's reference (Linux's
 * fdget), which nobody else can drop meanwhile. Two processes using a
 * file they share since a fork (a benchmark's /dev/null) then do not
 * move its reference count between their CPUs on every call. *borrowed
 * says which; file_done gives back what was taken. */
static int file_borrow(int fd, uint32_t rights, struct file **out, bool *borrowed)
{
	struct process *p = process_caller();
	struct kobject *o = 0;
	uint32_t have;

	*borrowed = false;
	if (p->files && __atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) == 1)
		o = handle_borrow_sole(p->files, fd, &have);
	if (!o)
		return sys_file_get(fd, rights, out);
	if (o->type != KOBJ_FILE || (have & rights) != rights)
		return -EBADF;
	*out = file_from_kobject(o);
	*borrowed = true;
	return 0;
}

static void file_done(struct file *f, bool borrowed)
{
	if (!borrowed)
		file_put(f);
}

long sys_read(int fd, uptr_t buf, size_t count)
{
	struct file *f;
	struct uio u;
	bool borrowed;
	long r = file_borrow(fd, RIGHT_READ, &f, &borrowed);

	if (r)
		return r;
	if (count > RW_MAX)
		count = RW_MAX;
	uio_init_user(&u, buf, count);
	r = vfs_read(f, &u);
	file_done(f, borrowed);
	return r;
}

long sys_write(int fd, uptr_t buf, size_t count)
{
	struct file *f;
	struct uio u;
	bool borrowed;
	long r = file_borrow(fd, RIGHT_WRITE, &f, &borrowed);

	if (r)
		return r;
	if (count > RW_MAX)
		count = RW_MAX;
	uio_init_user(&u, buf, count);
	r = vfs_write(f, &u);
	file_done(f, borrowed);
	return r;
}

long sys_close(int fd)
{
	struct process *p = process_current();
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	/* POSIX record locks go with any close of the file (the table is
	 * their owner) */
	vfs_locks_close(f, p->files);
	file_put(f);
	return handle_close(p->files, fd);
}

#define CLOSE_RANGE_UNSHARE  (1u << 1)
#define CLOSE_RANGE_CLOEXEC  (1u << 2)

/* Gives the calling process a table of its own (CLONE_FILES may have
 * shared it) before close_range changes it. */
static int unshare_files(struct process *p)
{
	struct handle_table *old = p->files, *t = handle_table_clone(old);
	int err;

	if (!t)
		return -ENOMEM;
	err = mutex_lock(&p->lock);
	if (err) {
		handle_table_put(t);
		return err;
	}
	p->files = t;
	mutex_unlock(&p->lock);
	handle_table_put(old);
	return 0;
}

long sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	struct process *p = process_current();
	long r;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && (r = unshare_files(p)))
		return r;
	if (first > INT32_MAX)
		return 0;
	/* each step finds the next open descriptor, so the walk costs the
	 * open ones, not the range */
	for (int fd = handle_next_open(p->files, (int)first);
	     fd >= 0 && (unsigned)fd <= last; fd = handle_next_open(p->files, fd + 1)) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			handle_set_flags(p->files, fd, HANDLE_CLOEXEC);
		else
			sys_close(fd);
	}
	return 0;
}
