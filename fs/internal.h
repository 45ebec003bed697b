/* Helpers shared by the VFS core's files in fs/, not by file systems. */
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <fs/dcache.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/mount.h>
#include <fs/super.h>
#include <kernel/panic.h>
#include <kernel/sync/mutex.h>

/* The VFS takes its mutexes only where blocking is allowed, so one that
 * cannot be taken (kernel/sync has reported the misuse already, and
 * panicked unless a test hook is installed) is a kernel bug. */
static inline void vfs_lock(struct mutex *m)
{
	int err = mutex_lock(m);

	if (err)
		panic("vfs: cannot take %s (error %d)", m->name, err);
}

void icache_init(void);
void dcache_init(void);
void mount_init(void);
void anon_init(void);
void locks_init(void);
/* The kernel's fs_ctx at the VFS root (once the root is mounted). */
void fs_ctx_init_kernel(void);

/* -EROFS if writes through m are refused (its flag or its super block's). */
int mnt_check_write(const struct mount *m);
/* Permission to add a name to dir (write and search, not dead). */
int may_create(struct inode *dir);
/* Permission to remove victim's name from dir: write and search on dir,
 * the sticky rule, the type (isdir: -ENOTDIR / -EISDIR). Locks held. */
int may_delete(struct inode *dir, struct inode *victim, bool isdir);
/* atime under the mount's policy (relatime unless strict or noatime). */
void touch_atime(const struct path *p, struct inode *ino);
/* A walk's start for *at() calls: dir, or the cwd when dir is NULL. */
void start_path(const struct path *dir, struct path *out);

/* The path walk's cached steps (fs/namei.c): the dcache lock held across
 * many lookups, no reference taken on the dentries passed. Between
 * dcache_walk_begin and dcache_walk_end no dentry can be freed or change
 * name, parent or inode, and nothing may sleep. */
uint64_t dcache_walk_begin(void);
void dcache_walk_end(uint64_t flags);
/* The cached child name of parent, or NULL; no reference (walk lock held). */
struct dentry *d_lookup_locked(struct dentry *parent, const char *name, size_t len);
/* A reference on d, found under the walk lock (it may be unused). */
void d_get_locked(struct dentry *d);

/* The super block's last mount went: free it and its inodes. */
void sb_kill(struct super_block *sb);
/* Evicts and frees every inode of sb (umount, before put_super). */
void icache_evict_sb(struct super_block *sb);
/* Is a file of sb open for writing (remount read-only refuses then)? */
bool icache_sb_has_writers(struct super_block *sb);

/* Mounting (fs/mount.c): a new mount of root (of sb) on mp, or as the
 * namespace root when mp is NULL. The namespace mutex is held. */
int mount_attach(struct super_block *sb, struct dentry *root, const struct path *mp,
		 unsigned mnt_flags, const char *source, struct mount **out);
int namespace_lock(void) __must_check;
void namespace_unlock(void);
/* Umount of the mount at p (its root). 0, -EINVAL, -EBUSY. */
int mount_detach(struct path *p, bool lazy);

/* The open call on a special inode (fs/special.c). */
int special_open(struct inode *ino, struct file *f);

/* Attribute changes with the VFS's checks done (fs/attr.c). */
int notify_change(struct inode *ino, struct iattr *a);
int do_truncate(const struct path *p, struct inode *ino, uint64_t len);

/* Locks a pair of directories for rename (ancestor first, else by
 * address). 0, or a mutex's error with neither held. */
int lock_rename(struct dentry *a, struct dentry *b) __must_check;
void unlock_rename(struct dentry *a, struct dentry *b);

/* Locks two inodes by address order (either may be NULL or equal). 0, or
 * a mutex's error with neither held. */
int inode_lock_two(struct inode *a, struct inode *b) __must_check;
void inode_unlock_two(struct inode *a, struct inode *b);

#endif
