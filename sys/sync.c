/* Sizes, space and stable storage: truncate, ftruncate, fallocate, fsync,
 * fdatasync, sync and syncfs, over fs/vfs.h. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>

long sys_truncate(uptr_t path, int64_t len)
{
	struct sys_at a;
	long r;

	if (len < 0)
		return -EINVAL;
	r = sys_at_get(&a, AT_FDCWD, path);
	if (r)
		return r;
	r = vfs_truncate(0, a.path, len);
	sys_at_put(&a);
	return r;
}

long sys_ftruncate(int fd, int64_t len)
{
	struct file *f;
	long r;

	if (len < 0)
		return -EINVAL;
	r = sys_file_get(fd, RIGHT_WRITE, &f);
	if (r)
		return r;
	r = vfs_ftruncate(f, len);
	file_put(f);
	return r;
}

long sys_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	struct file *f;
	long r = sys_file_get(fd, RIGHT_WRITE, &f);

	if (r)
		return r;
	r = vfs_fallocate(f, mode, off, len);
	file_put(f);
	return r;
}

static long fsync_fd(int fd, bool datasync)
{
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	r = vfs_fsync(f, datasync);
	file_put(f);
	return r;
}

long sys_fsync(int fd) { return fsync_fd(fd, false); }
long sys_fdatasync(int fd) { return fsync_fd(fd, true); }

long sys_sync(void)
{
	return vfs_sync();
}

long sys_syncfs(int fd)
{
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	r = vfs_syncfs(f);
	file_put(f);
	return r;
}
