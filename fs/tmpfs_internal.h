/* tmpfs's own structures, shared by its files (tmpfs.c: super block,
 * names and attributes; tmpfs_data.c: file data in pages). */
#ifndef FS_TMPFS_INTERNAL_H
#define FS_TMPFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/super.h>
#include <kernel/sync/spinlock.h>

/* Per super block; lock protects the counters. */
struct tmpfs_sb {
	struct spinlock lock;
	uint64_t max_pages, pages_used;      /* max 0: no limit */
	uint64_t max_inodes, inodes_used;
	uint64_t next_ino;
};

struct tmpfs_dirent {
	struct tmpfs_dirent *hnext;          /* hash chain */
	struct tmpfs_inode *ti;              /* holds no reference: tmpfs pins linked inodes */
	uint64_t cookie;                     /* getdents64 position, increasing */
	uint32_t hash;
	uint16_t len;
	char name[];
};

struct tmpfs_dir {
	struct tmpfs_dirent **buckets;
	uint32_t nbuckets;
	struct tmpfs_dirent **order;         /* by cookie */
	size_t n, cap;
	uint64_t next_cookie;
};

/* File data: a radix tree of 4 KiB pages, 512 slots a level; leaves
 * hold physical addresses, 0 for a hole. At height 0 the root is itself
 * page 0's physical address (a file of one page needs no node). */
struct tmpfs_data {
	void *root;
	unsigned height;
	uint64_t pages;
};

/* Everything in here is protected by vfs.lock, except the data tree's
 * shape, which tree_lock also protects (getpage walks it without the
 * inode lock). */
struct tmpfs_inode {
	struct inode vfs;
	struct spinlock tree_lock;
	union {
		struct tmpfs_dir dir;
		struct tmpfs_data data;
		char *target;                /* symlinks */
	};
};

static inline struct tmpfs_inode *TI(struct inode *i)
{
	return (struct tmpfs_inode *)((char *)i - offsetof(struct tmpfs_inode, vfs));
}
static inline struct tmpfs_sb *TSB(struct super_block *sb) { return sb->priv; }

extern const struct file_ops tmpfs_file_ops;
/* Frees data pages from index first on (truncate, evict). */
void tmpfs_data_truncate(struct tmpfs_inode *ti, uint64_t size);
/* Frees every data page and tree node. */
void tmpfs_data_free(struct tmpfs_inode *ti);
int tmpfs_fallocate(struct inode *ino, int mode, uint64_t off, uint64_t len);

#endif
