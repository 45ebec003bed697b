/* mount(2) and umount2(2): new mounts of a registered type, bind mounts,
 * moves, remounts with new flags or options, and unmounts. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/internal.h>
#include <fs/namei.h>
#include <fs/super.h>
#include <kernel/proc/cred.h>

/* Propagation flags: every mount here is private, so they change nothing. */
#define MS_PROPAGATION ((1ul << 17) | (1ul << 18) | (1ul << 19) | (1ul << 20))

static unsigned mnt_flags_from(unsigned long flags)
{
	unsigned m = 0;

	if (flags & MS_RDONLY)
		m |= MNT_RDONLY;
	if (flags & MS_NOSUID)
		m |= MNT_NOSUID;
	if (flags & MS_NODEV)
		m |= MNT_NODEV;
	if (flags & MS_NOEXEC)
		m |= MNT_NOEXEC;
	if (flags & MS_NOATIME)
		m |= MNT_NOATIME;
	if (flags & MS_NODIRATIME)
		m |= MNT_NODIRATIME;
	if (flags & MS_STRICTATIME)
		m |= MNT_STRICTATIME;
	if (flags & MS_NOSYMFOLLOW)
		m |= MNT_NOSYMFOLLOW;
	return m;
}

static int do_remount(struct path *p, unsigned long flags, const char *data)
{
	struct mount *m = p->mnt;
	struct super_block *sb = m->sb;
	int err = 0;

	if (p->dentry != m->root)
		return -EINVAL;
	if (flags & MS_BIND) {
		m->flags = mnt_flags_from(flags);      /* this mount only */
		return 0;
	}
	if ((flags & MS_RDONLY) && !(sb->flags & SB_RDONLY) && icache_sb_has_writers(sb))
		return -EBUSY;
	if (sb->ops->remount)
		err = sb->ops->remount(sb, flags, data);
	if (err)
		return err;
	if (flags & MS_RDONLY)
		sb->flags |= SB_RDONLY;
	else
		sb->flags &= ~(unsigned)SB_RDONLY;
	m->flags = mnt_flags_from(flags);
	return 0;
}

/* A mount may sit on a directory over a directory, or a file over a file. */
static int check_mountpoint(const struct path *mp, struct dentry *root)
{
	struct inode *at = mp->dentry->inode;

	if (d_unhashed(mp->dentry) && !dentry_is_root(mp->dentry))
		return -ENOENT;
	if (S_ISDIR(at->mode) != S_ISDIR(root->inode->mode))
		return -ENOTDIR;
	return 0;
}

static int do_bind(struct path *target, const char *source, unsigned long flags)
{
	struct path src;
	int err;

	if (flags & MS_REC)
		return -EINVAL;        /* recursive binds are not supported */
	err = vfs_lookup(NULL, source, LOOKUP_FOLLOW, &src);
	if (err)
		return err;
	err = check_mountpoint(target, src.dentry);
	if (!err)
		err = mount_attach(src.mnt->sb, src.dentry, target, mnt_flags_from(flags) |
				   (src.mnt->flags & MNT_RDONLY), src.mnt->source, NULL);
	path_put(&src);
	return err;
}

static int do_new_mount(struct path *target, const char *source, const char *fstype,
			unsigned long flags, const char *data)
{
	const struct file_system_type *t;
	struct super_block *sb;
	int err;

	if (!fstype)
		return -EINVAL;
	err = fs_find(fstype, &t);
	if (err)
		return err;
	if (!S_ISDIR(target->dentry->inode->mode))
		return -ENOTDIR;
	if (d_unhashed(target->dentry) && !dentry_is_root(target->dentry))
		return -ENOENT;
	err = t->mount(t, source, flags, data, &sb);
	if (err)
		return err;
	if (flags & MS_RDONLY)
		sb->flags |= SB_RDONLY;
	err = mount_attach(sb, sb->root, target, mnt_flags_from(flags), source ? source : fstype,
			   NULL);
	if (err)
		sb_free(sb);
	return err;
}

int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data)
{
	struct path tp;
	int err;

	if (cred_current()->euid != 0)
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	err = vfs_lookup(NULL, target, LOOKUP_FOLLOW, &tp);
	if (err)
		return err;
	err = namespace_lock();
	if (err) {
		path_put(&tp);
		return err;
	}
	if (flags & MS_REMOUNT)
		err = do_remount(&tp, flags, data);
	else if (flags & MS_BIND)
		err = source ? do_bind(&tp, source, flags) : -EINVAL;
	else if (flags & MS_MOVE)
		err = -EINVAL;         /* moving mounts is not supported */
	else if (flags & MS_PROPAGATION)
		err = 0;
	else
		err = do_new_mount(&tp, source, fstype, flags, data);
	namespace_unlock();
	path_put(&tp);
	return err;
}

int vfs_umount(const char *target, int flags)
{
	struct path p;
	int err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (flags & MNT_EXPIRE)
		return -EINVAL;        /* expiry marks are not supported */
	if (cred_current()->euid != 0)
		return -EPERM;
	err = vfs_lookup(NULL, target, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = namespace_lock();
	if (!err) {
		err = mount_detach(&p, flags & MNT_DETACH);
		namespace_unlock();
	}
	path_put(&p);
	return err;
}
