/* Owners and times: chown, fchown, lchown, fchownat and utimensat, over
 * fs/vfs.h. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

long sys_fchownat(int dirfd, uptr_t path, unsigned int uid, unsigned int gid, unsigned int flags)
{
	struct sys_at a;
	long r = sys_at_get(&a, dirfd, path);

	if (r)
		return r;
	r = vfs_fchownat(sys_at_dir(&a), a.path, uid, gid, flags);
	sys_at_put(&a);
	return r;
}

long sys_chown(uptr_t path, unsigned int uid, unsigned int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

long sys_lchown(uptr_t path, unsigned int uid, unsigned int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, unsigned int uid, unsigned int gid)
{
	struct file *f;
	long r = sys_file_get(fd, RIGHT_WRITE, &f);

	if (r)
		return r;
	r = vfs_fchown(f, uid, gid);
	file_put(f);
	return r;
}

/* Linux's struct timespec on x86-64. */
struct utimespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

static bool nsec_ok(int64_t ns)
{
	return (ns >= 0 && ns < 1000000000) || ns == UTIME_NOW || ns == UTIME_OMIT;
}

/* utimensat, and futimens as a NULL path with a descriptor. */
long sys_utimensat(int dirfd, uptr_t path, uptr_t times, unsigned int flags)
{
	struct vfs_time t[2], *tp = 0;
	struct utimespec ut[2];
	struct sys_at a;
	struct file *f;
	long r;

	if (!uptr_is_null(times)) {
		if (copy_from_user(ut, times, sizeof(ut)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (!nsec_ok(ut[i].tv_nsec))
				return -EINVAL;
			t[i].sec = ut[i].tv_sec;
			t[i].nsec = (uint32_t)ut[i].tv_nsec;
		}
		tp = t;
	}
	if (!uptr_is_null(path)) {
		r = sys_at_get(&a, dirfd, path);
		if (r)
			return r;
		r = vfs_utimensat(sys_at_dir(&a), a.path, tp, flags);
		sys_at_put(&a);
		return r;
	}
	/* futimens */
	if (dirfd == AT_FDCWD)
		return -EFAULT;
	if (flags & ~(unsigned)AT_EMPTY_PATH)
		return -EINVAL;
	r = sys_file_get(dirfd, RIGHT_WRITE, &f);
	if (r)
		return r;
	r = vfs_futimens(f, tp);
	file_put(f);
	return r;
}
