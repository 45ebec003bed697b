/* The calls that add, move or join names: link, linkat, rename,
 * renameat, renameat2, mknod and mknodat, over fs/vfs.h. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <fs/inode.h>
#include <fs/vfs.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>

/* Two path arguments, each with its directory. */
static long two_at_get(struct sys_at *o, int odirfd, uptr_t opath,
		       struct sys_at *n, int ndirfd, uptr_t npath)
{
	long r = sys_at_get(o, odirfd, opath);

	if (r)
		return r;
	r = sys_at_get(n, ndirfd, npath);
	if (r)
		sys_at_put(o);
	return r;
}

long sys_linkat(int olddirfd, uptr_t old, int newdirfd, uptr_t new, unsigned int flags)
{
	struct sys_at o, n;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = two_at_get(&o, olddirfd, old, &n, newdirfd, new);
	if (r)
		return r;
	r = vfs_linkat(sys_at_dir(&o), o.path, sys_at_dir(&n), n.path, flags);
	sys_at_put(&n);
	sys_at_put(&o);
	return r;
}

long sys_link(uptr_t old, uptr_t new) { return sys_linkat(AT_FDCWD, old, AT_FDCWD, new, 0); }

long sys_renameat2(int olddirfd, uptr_t old, int newdirfd, uptr_t new, unsigned int flags)
{
	struct sys_at o, n;
	long r;

	/* whiteouts belong to overlay file systems, which CosmOS has not */
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	r = two_at_get(&o, olddirfd, old, &n, newdirfd, new);
	if (r)
		return r;
	r = vfs_renameat2(sys_at_dir(&o), o.path, sys_at_dir(&n), n.path, flags);
	sys_at_put(&n);
	sys_at_put(&o);
	return r;
}

long sys_renameat(int olddirfd, uptr_t old, int newdirfd, uptr_t new)
{
	return sys_renameat2(olddirfd, old, newdirfd, new, 0);
}

long sys_rename(uptr_t old, uptr_t new) { return sys_renameat2(AT_FDCWD, old, AT_FDCWD, new, 0); }

long sys_mknodat(int dirfd, uptr_t path, unsigned int mode, unsigned long dev)
{
	struct sys_at a;
	uint32_t kdev;
	long r;

	/* the call takes a 32-bit dev_t, as on Linux */
	if (!dev_from_abi((uint32_t)dev, &kdev))
		return -EINVAL;
	r = sys_at_get(&a, dirfd, path);
	if (r)
		return r;
	r = vfs_mknodat(sys_at_dir(&a), a.path, mode, kdev);
	sys_at_put(&a);
	return r;
}

long sys_mknod(uptr_t path, unsigned int mode, unsigned long dev) { return sys_mknodat(AT_FDCWD, path, mode, dev); }
