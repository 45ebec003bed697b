/* mount, umount2 and chroot: the strings copied in, the rest (root
 * only, the MS_ and MNT_ flags, file system types) decided by
 * fs/mount_ops.c and fs/fs_ctx.c. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

/* Linux reads at most a page of mount options; CosmOS's file systems
 * take them as one string. */
#define MOUNT_DATA_MAX 4096
#define FSTYPE_MAX 64

/* An optional string argument: NULL stays NULL. */
static long opt_string(uptr_t u, size_t max, char **out)
{
	long n;

	*out = 0;
	if (uptr_is_null(u))
		return 0;
	*out = kmalloc(max);
	if (!*out)
		return -ENOMEM;
	n = strncpy_from_user(*out, u, max);
	return n < 0 ? n : 0;
}

long sys_mount(uptr_t source, uptr_t target, uptr_t type, unsigned int flags, uptr_t data)
{
	char *src = 0, *fstype = 0, *opts = 0;
	struct sys_at t;
	long r;

	r = sys_at_get(&t, AT_FDCWD, target);
	if (r)
		return r;
	r = opt_string(source, PATH_MAX, &src);
	if (!r)
		r = opt_string(type, FSTYPE_MAX, &fstype);
	if (r == -ENAMETOOLONG)       /* no type has a name that long */
		r = -ENODEV;
	if (!r)
		r = opt_string(data, MOUNT_DATA_MAX, &opts);
	if (r == -ENAMETOOLONG)
		r = -EINVAL;
	if (!r)
		r = vfs_mount(src, t.path, fstype, flags, opts);
	kfree(opts);
	kfree(fstype);
	kfree(src);
	sys_at_put(&t);
	return r;
}

long sys_umount2(uptr_t target, unsigned int flags)
{
	struct sys_at t;
	long r = sys_at_get(&t, AT_FDCWD, target);

	if (r)
		return r;
	r = vfs_umount(t.path, (int)flags);
	sys_at_put(&t);
	return r;
}

long sys_chroot(uptr_t path)
{
	struct sys_at a;
	long r = sys_at_get(&a, AT_FDCWD, path);

	if (r)
		return r;
	r = vfs_chroot(a.path);
	sys_at_put(&a);
	return r;
}
