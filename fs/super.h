/* Super blocks (one per mounted file-system instance) and file-system
 * types registered by name (tmpfs, devfs, procfs, ...). docs/vfs.md says
 * what a file system implements. */
#ifndef FS_SUPER_H
#define FS_SUPER_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <lib/list.h>
#include <kernel/sync/mutex.h>

struct dentry;
struct inode;
struct statfs;
struct super_block;
struct file_system_type;

/* What statfs reports, before the VFS adds the mount flags. */
struct kstatfs {
	uint64_t type;          /* magic, e.g. TMPFS_MAGIC */
	uint64_t bsize;
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint64_t namelen;
};

struct super_ops {
	/* An inode with the file system's private part around it (NULL: no
	 * memory); the VFS initialises the struct inode fields. */
	struct inode *(*alloc_inode)(struct super_block *sb);
	void (*destroy_inode)(struct inode *ino);
	/* The inode leaves memory (its last reference went and it has no
	 * links, or the file system is being unmounted): release what it
	 * holds in memory; with nlink == 0 the file itself is gone. Called
	 * before destroy_inode. */
	void (*evict_inode)(struct inode *ino);
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* MS_REMOUNT with new options (data may be NULL); the VFS has
	 * checked the flags. */
	int (*remount)(struct super_block *sb, unsigned long flags, const char *data);
	/* Write everything back (sync, syncfs). */
	int (*sync_fs)(struct super_block *sb, bool wait);
	/* Umount: free what the file system keeps. The VFS has already
	 * emptied the name cache of this super block and evicted and freed
	 * every inode (whatever references the file system held itself). */
	void (*put_super)(struct super_block *sb);
};

/* flags (set at mount and by remount under the namespace mutex). */
#define SB_RDONLY  0x1
#define SB_NOCACHE 0x2    /* inodes leave memory at their last reference, linked
			     or not (anonymous and generated file systems) */

struct super_block {
	const struct file_system_type *type;
	const struct super_ops *ops;
	struct dentry *root;
	uint32_t dev;                  /* st_dev: anonymous (major 0) or the block device */
	unsigned flags;                /* SB_* */
	uint32_t blocksize;
	uint64_t max_bytes;            /* largest file size */
	uint32_t time_gran_ns;         /* time stamp granularity */
	/* Held across every rename on this file system, so "is a directory
	 * moving under itself" cannot change during the check. */
	struct mutex rename_lock;
	/* Under the inode cache lock: */
	struct list_node inodes;       /* every inode of this super block */
	unsigned active;               /* mounts using it */
	struct list_node all_node;     /* list of super blocks (mount lock) */
	void *priv;
};

struct file_system_type {
	const char *name;
	unsigned flags;                /* FS_* */
	/* A new super block for a mount (source: a device path or a name;
	 * data: the option string or NULL; flags: MS_*). Returns 0 with
	 * *out set, or a negative errno. Use sb_alloc and set sb->root. */
	int (*mount)(const struct file_system_type *t, const char *source, unsigned long flags,
		     const char *data, struct super_block **out);
	struct list_node node;         /* the registry (its own lock) */
};
#define FS_REQUIRES_DEV 0x1           /* source names a block device */

/* 0, or -EBUSY when a type of that name is registered. */
int fs_register(struct file_system_type *t);
/* The type registered as name: 0, -ENODEV, or the registry lock's error. */
int fs_find(const char *name, const struct file_system_type **out) __must_check;
/* Calls fn for each registered type (for /proc/filesystems); 0 or the
 * registry lock's error (-EDEADLK where the caller may not sleep). */
int fs_for_each(void (*fn)(const struct file_system_type *t, void *ctx), void *ctx) __must_check;

/* A zeroed super block with an anonymous device number. NULL: no memory. */
struct super_block *sb_alloc(const struct file_system_type *t, const struct super_ops *ops);
/* Frees a super block whose mount failed before it had a root. */
void sb_free(struct super_block *sb);

#endif
