/* The file-system calls a shell, the test runner and the benchmarks need
 * first, over fs/vfs.h as docs/processes-and-files.md §6 says: open and
 * openat, the stat family, lseek, getdents64, mkdir, rmdir, unlink,
 * symlink, chmod, chdir, fchdir, getcwd, readlink, access, pipe, pipe2,
 * dup, dup2, dup3 and fcntl's descriptor commands. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/pipe.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/uio.h>
#include <sys/usercopy.h>

#define RW_MAX 0x7ffff000u    /* Linux's cap on one read or write */

/* A path argument and the directory it is relative to. */
struct at {
	char *path;
	struct file *dir;     /* NULL: the working directory (AT_FDCWD or an absolute path) */
};

static long at_get(struct at *a, int dirfd, uptr_t upath)
{
	long n;

	a->dir = 0;
	a->path = kmalloc(PATH_MAX);
	if (!a->path)
		return -ENOMEM;
	n = strncpy_from_user(a->path, upath, PATH_MAX);
	if (n >= 0 && dirfd != AT_FDCWD && a->path[0] != '/')
		n = sys_file_get(dirfd, &a->dir);
	if (n < 0) {
		kfree(a->path);
		return n;
	}
	return 0;
}

static const struct path *at_dir(const struct at *a)
{
	return a->dir ? &a->dir->path : 0;
}

static void at_put(struct at *a)
{
	if (a->dir)
		file_put(a->dir);
	kfree(a->path);
}

/* ---- open ---- */

long sys_openat(int dirfd, uptr_t path, unsigned int flags, unsigned int mode)
{
	struct process *p = process_current();
	struct file *f;
	struct at a;
	long r = at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_openat(at_dir(&a), a.path, flags, mode, &f);
	at_put(&a);
	if (r)
		return r;
	r = handle_install(p->files, &f->obj, RIGHTS_ALL, (flags & O_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);
	file_put(f);            /* the descriptor holds it (or nothing does) */
	return r;
}

long sys_open(uptr_t path, unsigned int flags, unsigned int mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

/* ---- the stat family ---- */

long sys_newfstatat(int dirfd, uptr_t path, uptr_t st, unsigned int flags)
{
	struct stat s;
	struct at a;
	long r = at_get(&a, dirfd, path);

	if (r)
		return r;
	if (!a.path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD && a.dir)
		r = vfs_fstat(a.dir, &s);
	else
		r = vfs_fstatat(at_dir(&a), a.path, flags, &s);
	at_put(&a);
	if (!r && copy_to_user(st, &s, sizeof(s)))
		r = -EFAULT;
	return r;
}

long sys_stat(uptr_t path, uptr_t st) { return sys_newfstatat(AT_FDCWD, path, st, 0); }
long sys_lstat(uptr_t path, uptr_t st) { return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }

long sys_fstat(int fd, uptr_t st)
{
	struct stat s;
	struct file *f;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	r = vfs_fstat(f, &s);
	file_put(f);
	if (!r && copy_to_user(st, &s, sizeof(s)))
		r = -EFAULT;
	return r;
}

/* ---- positions and directories ---- */

long sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	r = vfs_lseek(f, off, whence);
	file_put(f);
	return r;
}

long sys_getdents64(int fd, uptr_t dirp, unsigned int count)
{
	struct file *f;
	struct uio u;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	uio_init_user(&u, dirp, count < RW_MAX ? count : RW_MAX);
	r = vfs_getdents64(f, &u);
	file_put(f);
	return r;
}

/* ---- names ---- */

long sys_mkdirat(int dirfd, uptr_t path, unsigned int mode)
{
	struct at a;
	long r = at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_mkdirat(at_dir(&a), a.path, mode);
	at_put(&a);
	return r;
}

long sys_mkdir(uptr_t path, unsigned int mode) { return sys_mkdirat(AT_FDCWD, path, mode); }

long sys_unlinkat(int dirfd, uptr_t path, unsigned int flags)
{
	struct at a;
	long r;

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	r = at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_unlinkat(at_dir(&a), a.path, flags);
	at_put(&a);
	return r;
}

long sys_unlink(uptr_t path) { return sys_unlinkat(AT_FDCWD, path, 0); }
long sys_rmdir(uptr_t path) { return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

long sys_readlinkat(int dirfd, uptr_t path, uptr_t buf, size_t size)
{
	struct uio u;
	struct at a;
	long r;

	if ((long)size <= 0)
		return -EINVAL;
	r = at_get(&a, dirfd, path);
	if (r)
		return r;
	uio_init_user(&u, buf, size < RW_MAX ? size : RW_MAX);
	r = vfs_readlinkat(at_dir(&a), a.path, &u);
	at_put(&a);
	return r;
}

long sys_readlink(uptr_t path, uptr_t buf, size_t size) { return sys_readlinkat(AT_FDCWD, path, buf, size); }

long sys_faccessat(int dirfd, uptr_t path, unsigned int mode)
{
	struct at a;
	long r = at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_faccessat(at_dir(&a), a.path, (int)mode, 0);
	at_put(&a);
	return r;
}

long sys_access(uptr_t path, unsigned int mode) { return sys_faccessat(AT_FDCWD, path, mode); }

long sys_symlinkat(uptr_t target, int dirfd, uptr_t path)
{
	char *t = kmalloc(PATH_MAX);
	struct at a;
	long r;

	if (!t)
		return -ENOMEM;
	r = strncpy_from_user(t, target, PATH_MAX);
	if (r >= 0)
		r = at_get(&a, dirfd, path);
	if (r >= 0) {
		r = vfs_symlinkat(t, at_dir(&a), a.path);
		at_put(&a);
	}
	kfree(t);
	return r;
}

long sys_symlink(uptr_t target, uptr_t path) { return sys_symlinkat(target, AT_FDCWD, path); }

long sys_fchmodat(int dirfd, uptr_t path, unsigned int mode)
{
	struct at a;
	long r = at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_fchmodat(at_dir(&a), a.path, mode, 0);
	at_put(&a);
	return r;
}

long sys_chmod(uptr_t path, unsigned int mode) { return sys_fchmodat(AT_FDCWD, path, mode); }

long sys_fchmod(int fd, unsigned int mode)
{
	struct file *f;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	r = vfs_fchmod(f, mode);
	file_put(f);
	return r;
}

/* ---- the working directory ---- */

long sys_chdir(uptr_t path)
{
	struct at a;
	long r = at_get(&a, AT_FDCWD, path);

	if (r)
		return r;
	r = vfs_chdir(a.path);
	at_put(&a);
	return r;
}

long sys_fchdir(int fd)
{
	struct file *f;
	long r = sys_file_get(fd, &f);

	if (r)
		return r;
	r = vfs_fchdir(f);
	file_put(f);
	return r;
}

long sys_getcwd(uptr_t buf, size_t size)
{
	char *k = kmalloc(PATH_MAX);
	long r;

	if (!k)
		return -ENOMEM;
	r = vfs_getcwd(k, size < PATH_MAX ? size : PATH_MAX);
	if (r > 0 && copy_to_user(buf, k, (size_t)r))
		r = -EFAULT;
	kfree(k);
	return r;
}

/* ---- descriptors ---- */

long sys_pipe2(uptr_t fds, unsigned int flags)
{
	struct handle_table *t = process_current()->files;
	unsigned fdflags = (flags & O_CLOEXEC) ? HANDLE_CLOEXEC : 0;
	struct file *rd, *wr;
	int fd[2];
	long r;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	r = pipe_create(flags & ~(unsigned)O_CLOEXEC, &rd, &wr);
	if (r)
		return r;
	fd[0] = handle_install(t, &rd->obj, RIGHTS_ALL, fdflags, 0);
	fd[1] = fd[0] < 0 ? fd[0] : handle_install(t, &wr->obj, RIGHTS_ALL, fdflags, 0);
	file_put(rd);
	file_put(wr);
	r = fd[1] < 0 ? fd[1] : copy_to_user(fds, fd, sizeof(fd));
	if (r) {
		if (fd[0] >= 0)
			handle_close(t, fd[0]);
		if (fd[1] >= 0)
			handle_close(t, fd[1]);
	}
	return r;
}

long sys_pipe(uptr_t fds) { return sys_pipe2(fds, 0); }

long sys_dup(int fd)
{
	return handle_dup(process_current()->files, fd, 0, 0);
}

long sys_dup2(int oldfd, int newfd)
{
	struct handle_table *t = process_current()->files;

	if (oldfd == newfd)       /* dup2 checks oldfd and changes nothing */
		return handle_get_flags(t, oldfd) < 0 ? -EBADF : newfd;
	return handle_dup_at(t, oldfd, newfd, 0);
}

long sys_dup3(int oldfd, int newfd, unsigned int flags)
{
	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return handle_dup_at(process_current()->files, oldfd, newfd,
			     (flags & O_CLOEXEC) ? HANDLE_CLOEXEC : 0);
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct handle_table *t = process_current()->files;
	struct file *f;
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg > INT32_MAX)
			return -EINVAL;
		return handle_dup(t, fd, (int)arg, cmd == F_DUPFD_CLOEXEC ? HANDLE_CLOEXEC : 0);
	case F_GETFD:
		return handle_get_flags(t, fd);
	case F_SETFD:
		return handle_set_flags(t, fd, (unsigned)arg & HANDLE_CLOEXEC);
	case F_GETFL:
	case F_SETFL:
		r = sys_file_get(fd, &f);
		if (r)
			return r;
		r = cmd == F_GETFL ? (long)vfs_getfl(f) : vfs_setfl(f, (uint32_t)arg);
		file_put(f);
		return r;
	}
	return -EINVAL;
}
