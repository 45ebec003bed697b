/* The file-system calls a shell, the test runner and the benchmarks need
 * first, over fs/vfs.h as docs/processes-and-files.md §6 says: open,
 * openat, creat, lseek, getdents64, mkdir, rmdir, unlink, symlink, chmod,
 * chdir, fchdir, getcwd, readlink, access, faccessat2, pipe, pipe2, dup,
 * dup2 and dup3; and the *at() path argument (sys/file.h). */
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

long sys_at_get(struct sys_at *a, int dirfd, uptr_t upath)
{
	long n;

	a->dir = 0;
	a->path = a->inline_path;
	n = strncpy_from_user(a->path, upath, SYS_AT_INLINE);
	if (n == -ENAMETOOLONG) {
		/* longer than the inline buffer: the whole of PATH_MAX */
		a->path = kmalloc(PATH_MAX);
		if (!a->path)
			return -ENOMEM;
		n = strncpy_from_user(a->path, upath, PATH_MAX);
	}
	if (n >= 0 && dirfd != AT_FDCWD && a->path[0] != '/')
		n = sys_file_get(dirfd, 0, &a->dir);
	/* a pipe or other anonymous file has no place in the tree: nothing
	 * is relative to it, and only fstat (sys/stat.c) takes it named by
	 * an empty path */
	if (n >= 0 && a->dir && !a->dir->path.dentry)
		n = a->path[0] ? -ENOTDIR : -ENOENT;
	if (n < 0) {
		if (a->dir)
			file_put(a->dir);
		if (a->path != a->inline_path)
			kfree(a->path);
		return n;
	}
	return 0;
}

const struct path *sys_at_dir(const struct sys_at *a)
{
	return a->dir ? &a->dir->path : 0;
}

void sys_at_put(struct sys_at *a)
{
	if (a->dir)
		file_put(a->dir);
	if (a->path != a->inline_path)
		kfree(a->path);
}

/* ---- open ---- */

long sys_openat(int dirfd, uptr_t path, unsigned int flags, unsigned int mode)
{
	struct process *p = process_current();
	struct file *f;
	struct sys_at a;
	long r = handle_free_check(p->files);

	if (!r)
		r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_openat(sys_at_dir(&a), a.path, flags, mode, &f);
	sys_at_put(&a);
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

long sys_creat(uptr_t path, unsigned int mode)
{
	return sys_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* ---- positions and directories ---- */

long sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

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
	long r = sys_file_get(fd, RIGHT_READ, &f);

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
	struct sys_at a;
	long r = sys_at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_mkdirat(sys_at_dir(&a), a.path, mode);
	sys_at_put(&a);
	return r;
}

long sys_mkdir(uptr_t path, unsigned int mode) { return sys_mkdirat(AT_FDCWD, path, mode); }

long sys_unlinkat(int dirfd, uptr_t path, unsigned int flags)
{
	struct sys_at a;
	long r;

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_unlinkat(sys_at_dir(&a), a.path, flags);
	sys_at_put(&a);
	return r;
}

long sys_unlink(uptr_t path) { return sys_unlinkat(AT_FDCWD, path, 0); }
long sys_rmdir(uptr_t path) { return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

long sys_readlinkat(int dirfd, uptr_t path, uptr_t buf, size_t size)
{
	struct uio u;
	struct sys_at a;
	long r;

	if ((long)size <= 0)
		return -EINVAL;
	r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	uio_init_user(&u, buf, size < RW_MAX ? size : RW_MAX);
	r = vfs_readlinkat(sys_at_dir(&a), a.path, &u);
	sys_at_put(&a);
	return r;
}

long sys_readlink(uptr_t path, uptr_t buf, size_t size) { return sys_readlinkat(AT_FDCWD, path, buf, size); }

long sys_faccessat2(int dirfd, uptr_t path, unsigned int mode, unsigned int flags)
{
	struct sys_at a;
	long r;

	if (flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (mode & ~(unsigned)(R_OK | W_OK | X_OK))
		return -EINVAL;
	r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_faccessat(sys_at_dir(&a), a.path, (int)mode, flags);
	sys_at_put(&a);
	return r;
}

long sys_faccessat(int dirfd, uptr_t path, unsigned int mode) { return sys_faccessat2(dirfd, path, mode, 0); }

long sys_access(uptr_t path, unsigned int mode) { return sys_faccessat(AT_FDCWD, path, mode); }

long sys_symlinkat(uptr_t target, int dirfd, uptr_t path)
{
	char *t = kmalloc(PATH_MAX);
	struct sys_at a;
	long r;

	if (!t)
		return -ENOMEM;
	r = strncpy_from_user(t, target, PATH_MAX);
	if (r >= 0)
		r = sys_at_get(&a, dirfd, path);
	if (r >= 0) {
		r = vfs_symlinkat(t, sys_at_dir(&a), a.path);
		sys_at_put(&a);
	}
	kfree(t);
	return r;
}

long sys_symlink(uptr_t target, uptr_t path) { return sys_symlinkat(target, AT_FDCWD, path); }

long sys_fchmodat(int dirfd, uptr_t path, unsigned int mode)
{
	struct sys_at a;
	long r = sys_at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_fchmodat(sys_at_dir(&a), a.path, mode, 0);
	sys_at_put(&a);
	return r;
}

long sys_chmod(uptr_t path, unsigned int mode) { return sys_fchmodat(AT_FDCWD, path, mode); }

long sys_fchmod(int fd, unsigned int mode)
{
	struct file *f;
	long r = sys_file_get(fd, RIGHT_WRITE, &f);

	if (r)
		return r;
	r = vfs_fchmod(f, mode);
	file_put(f);
	return r;
}

/* ---- the working directory ---- */

long sys_chdir(uptr_t path)
{
	struct sys_at a;
	long r = sys_at_get(&a, AT_FDCWD, path);

	if (r)
		return r;
	r = vfs_chdir(a.path);
	sys_at_put(&a);
	return r;
}

long sys_fchdir(int fd)
{
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

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
	unsigned fdflags = (flags & O_CLOEXEC) ? HANDLE_CLOEXEC : 0;
	struct file *rd, *wr;
	long r;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	r = pipe_create(flags & ~(unsigned)O_CLOEXEC, &rd, &wr);
	if (r)
		return r;
	return sys_install_pair(rd, wr, fdflags, fds);
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
