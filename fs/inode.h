/* Inodes: the VFS's in-memory file objects, one per file however many
 * names it has, and the inode cache that finds one by (super block, inode
 * number) so a file system reads each inode once. Interface for file
 * systems: docs/vfs.md. */
#ifndef FS_INODE_H
#define FS_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/stat.h>
#include <lib/list.h>
#include <kernel/sync/mutex.h>

struct dentry;
struct file;
struct file_ops;
struct file_lock;
struct inode;
struct super_block;

/* Device numbers inside the kernel: 12-bit major, 20-bit minor (stat and
 * mknod use the abi_makedev encoding; dev_to_abi/dev_from_abi convert). */
#define DEV_MAKE(ma, mi) ((uint32_t)(((ma) & 0xfffu) << 20 | ((mi) & 0xfffffu)))
#define DEV_MAJOR(d)     ((uint32_t)(d) >> 20)
#define DEV_MINOR(d)     ((uint32_t)(d) & 0xfffffu)
static inline uint64_t dev_to_abi(uint32_t d) { return abi_makedev(DEV_MAJOR(d), DEV_MINOR(d)); }
/* -EINVAL-worthy values (a major over 12 bits, a minor over 20) give
 * false. */
static inline bool dev_from_abi(uint64_t abi, uint32_t *d)
{
	uint32_t ma = abi_major(abi), mi = abi_minor(abi);

	if (ma > 0xfff || mi > 0xfffff || (abi >> 44))
		return false;
	*d = DEV_MAKE(ma, mi);
	return true;
}

/* Wall-clock time, seconds and nanoseconds since 1970 UTC. */
struct vfs_time {
	int64_t sec;
	uint32_t nsec;
};
struct vfs_time vfs_now(void);

/* Attribute changes for inode_ops.setattr; valid says which fields. */
#define ATTR_MODE  0x001
#define ATTR_UID   0x002
#define ATTR_GID   0x004
#define ATTR_SIZE  0x008
#define ATTR_ATIME 0x010
#define ATTR_MTIME 0x020
#define ATTR_CTIME 0x040
struct iattr {
	unsigned valid;
	uint32_t mode;            /* permission bits only (07777) */
	uint32_t uid, gid;
	uint64_t size;
	struct vfs_time atime, mtime, ctime;
};

/* What a file system does to the names in a directory and to inodes.
 * The VFS has checked permissions, the mount's read-only flag, name
 * lengths and the existence rules before it calls; it holds the locks
 * docs/vfs.md lists for each. All return 0 or a negative errno. */
struct inode_ops {
	/* Finds name d in dir: d_add(d, inode) with a reference the dentry
	 * keeps, or leaves d negative (return 0 either way). */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/* Make a new inode for the negative d and d_instantiate it. mode
	 * carries the type bits and the permission bits after umask. */
	int (*create)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*mkdir)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*mknod)(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target, size_t len);
	/* A new name d in dir for old's inode (not a directory). */
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	/* Remove the name d (a non-directory, or an empty directory for
	 * rmdir); the VFS turns d negative afterwards. */
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Move od (in odir) to nd (in ndir). Without RENAME_EXCHANGE nd may
	 * be positive: its inode loses that name (the VFS checked the type
	 * rules and that a directory target is empty). The VFS moves the
	 * dentries afterwards. */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
		      struct dentry *nd, unsigned flags);
	/* Copies the target of a symlink (no NUL) into buf; returns its
	 * length or a negative errno (at most len bytes are written). */
	long (*readlink)(struct inode *ino, char *buf, size_t len);
	/* Applies the changes (the VFS checked who may make them and sets
	 * ctime). NULL: inode_setattr_copy, which cannot change the size. */
	int (*setattr)(struct inode *ino, const struct iattr *a);
	/* fallocate(2) on a regular file; NULL: -EOPNOTSUPP. */
	int (*fallocate)(struct inode *ino, int mode, uint64_t off, uint64_t len);
};

/* i_state bits (under the inode cache lock). */
#define I_NEW      0x1    /* being read in by iget's caller */
#define I_HASHED   0x2    /* in the inode cache */
#define I_FREEING  0x4    /* on its way out: iget waits and retries */

struct inode {
	struct super_block *sb;
	const struct inode_ops *ops;
	const struct file_ops *fops;   /* given to files opened on it */
	uint64_t ino;
	/* Attributes, under lock (stat reads them without it: a snapshot
	 * may mix an old and a new field, as on Linux). */
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t rdev;                 /* device nodes */
	uint64_t size;
	uint64_t blocks;               /* 512-byte units in use */
	struct vfs_time atime, mtime, ctime, btime;
	/* Serialises directory changes and lookups that reach the file
	 * system (for directories), data and size changes (for files), and
	 * the attributes above. Order: parent directory before child. */
	struct mutex lock;
	uint32_t count;                /* atomic: dentries, files, walkers */
	/* Under the inode cache lock: */
	unsigned state;                /* I_* */
	struct list_node hash_node;    /* inode cache bucket */
	struct list_node sb_node;      /* the super block's inode list */
	/* Special files: FIFOs keep their pipe here (fs/pipe.c owns it and
	 * its locking); file locks sit on the lock list (fs/lock.c). */
	void *pipe;
	struct file_lock *locks;       /* under fs/lock.c's lock */
	/* atomic: > 0 open files with write access, < 0 programs running
	 * from it (address spaces whose image it is); never both, so a
	 * running program cannot be opened for writing and a file open for
	 * writing cannot be run (ETXTBSY) */
	int writers;
	bool mmapped;                  /* atomic: set once a file of it was mapped */
	void *priv;                    /* the file system's */
};

/* Type bits of mode as a DT_ value (for getdents64). */
static inline unsigned inode_dtype(uint32_t mode) { return (mode >> 12) & 15; }

/* A new inode of sb (from sb->ops->alloc_inode) with count 1, not in the
 * cache, ino 0 (the file system sets it), all times now. NULL: no memory. */
struct inode *inode_new(struct super_block *sb);
/* The cached inode ino of sb with a new reference, or a new one marked
 * I_NEW (the caller fills it from disk and calls inode_unlock_new, or
 * iget_failed). NULL: no memory, or the inode is being read or freed
 * and the caller may not sleep to wait for it. */
struct inode *iget(struct super_block *sb, uint64_t ino);
void inode_unlock_new(struct inode *ino);
void iget_failed(struct inode *ino);
struct inode *igrab(struct inode *ino);       /* count++; returns ino */
/* Write access for an open file: 0, or -ETXTBSY while a program runs
 * from ino. inode_put_write gives it back. */
int inode_get_write(struct inode *ino);
void inode_put_write(struct inode *ino);
/* For a program's image: 0, or -ETXTBSY while ino is open for writing;
 * while held, inode_get_write fails. inode_allow_write gives it back. */
int inode_deny_write(struct inode *ino);
void inode_allow_write(struct inode *ino);
/* Drops a reference. The last one frees an inode with no links
 * (sb->ops->evict_inode releases its data first); a linked inode stays
 * cached until its super block goes (file systems keep tmpfs-like
 * inodes alive with their own reference). */
void iput(struct inode *ino);

/* New-file owner and mode as Linux sets them: fsuid; the directory's
 * group if it is set-group-ID (new directories inherit the bit), else
 * fsgid. dir may be NULL (a root directory). */
void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode);
/* Copies the attributes a (except the size) into ino. */
void inode_setattr_copy(struct inode *ino, const struct iattr *a);
/* Marks changes for the times Linux updates on them (ino->lock held). */
void inode_touch_mc(struct inode *ino);      /* mtime and ctime: data or names changed */
void inode_touch_c(struct inode *ino);       /* ctime: attributes or links changed */

/* Permission checks with the caller's fsuid/fsgid (root passes read and
 * write always, search always, execute of a non-directory only with an
 * x bit). mask: MAY_*. 0 or -EACCES. */
#define MAY_EXEC   1
#define MAY_WRITE  2
#define MAY_READ   4
#define MAY_APPEND 8
int inode_permission(const struct inode *ino, int mask);
struct cred;
/* The same for given credentials (access(2) checks the real ids). */
int inode_permission_as(const struct cred *c, const struct inode *ino, int mask);
/* A write or truncate by someone other than root clears set-user-ID, and
 * set-group-ID on a group-executable file (ino->lock held). */
void inode_kill_suid(struct inode *ino);
/* Is the caller the owner (or root)? For chmod, utimes and the like. */
bool inode_owner_or_root(const struct inode *ino);

#endif
