/* The stat family (stat, lstat, fstat, newfstatat, statx) and statfs,
 * fstatfs: attributes read through fs/vfs.h and copied out in Linux's
 * layouts. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/abi/statfs.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

long sys_fstat(int fd, uptr_t st)
{
	struct stat s;
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	r = vfs_fstat(f, &s);
	file_put(f);
	if (!r && copy_to_user(st, &s, sizeof(s)))
		r = -EFAULT;
	return r;
}

/* Does an AT_EMPTY_PATH call name the descriptor itself? It may be a pipe
 * or another file with no name, which only fstat takes. */
static bool names_fd(int dirfd, uptr_t path, unsigned flags)
{
	char c;

	return (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD && !copy_from_user(&c, path, 1) && !c;
}

long sys_newfstatat(int dirfd, uptr_t path, uptr_t st, unsigned int flags)
{
	struct stat s;
	struct sys_at a;
	long r;

	if (names_fd(dirfd, path, flags) &&
	    !(flags & ~(unsigned)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)))
		return sys_fstat(dirfd, st);
	r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_fstatat(sys_at_dir(&a), a.path, flags, &s);
	sys_at_put(&a);
	if (!r && copy_to_user(st, &s, sizeof(s)))
		r = -EFAULT;
	return r;
}

long sys_stat(uptr_t path, uptr_t st) { return sys_newfstatat(AT_FDCWD, path, st, 0); }
long sys_lstat(uptr_t path, uptr_t st) { return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }

long sys_statx(int dirfd, uptr_t path, unsigned int flags, unsigned int mask, uptr_t buf)
{
	struct statx sx;
	struct sys_at a;
	struct file *f;
	long r;

	if (names_fd(dirfd, path, flags)) {
		if (flags & ~(unsigned)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
					AT_STATX_SYNC_TYPE) ||
		    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
			return -EINVAL;
		r = sys_file_get(dirfd, 0, &f);
		if (r)
			return r;
		r = vfs_fstatx(f, mask, &sx);
		file_put(f);
	} else {
		r = sys_at_get(&a, dirfd, path);
		if (r)
			return r;
		r = vfs_statx(sys_at_dir(&a), a.path, flags, mask, &sx);
		sys_at_put(&a);
	}
	if (!r && copy_to_user(buf, &sx, sizeof(sx)))
		r = -EFAULT;
	return r;
}

long sys_statfs(uptr_t path, uptr_t buf)
{
	struct statfs sf;
	struct sys_at a;
	long r = sys_at_get(&a, AT_FDCWD, path);

	if (r)
		return r;
	r = vfs_statfs(0, a.path, &sf);
	sys_at_put(&a);
	if (!r && copy_to_user(buf, &sf, sizeof(sf)))
		r = -EFAULT;
	return r;
}

long sys_fstatfs(int fd, uptr_t buf)
{
	struct statfs sf;
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	r = vfs_fstatfs(f, &sf);
	file_put(f);
	if (!r && copy_to_user(buf, &sf, sizeof(sf)))
		r = -EFAULT;
	return r;
}
