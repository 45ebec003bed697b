/* Mounts: a super block (or, for a bind mount, a subtree of one) attached
 * at a dentry of another mount. A path is a (mount, dentry) pair: the
 * same dentry can be reached through several mounts.
 *
 * Locking: the mount lock (a spinlock) protects the mount hash, each
 * mount's child list and detached flag, and dentry->mounted; counts are
 * atomic; the namespace mutex serialises mount, umount and remount
 * (which also take the mount lock for the moment they change the hash). */
#ifndef FS_MOUNT_H
#define FS_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <lib/list.h>

struct dentry;
struct super_block;

/* mnt flags (namespace mutex; read without a lock by the walk). */
#define MNT_RDONLY      0x01
#define MNT_NOSUID      0x02
#define MNT_NODEV       0x04
#define MNT_NOEXEC      0x08
#define MNT_NOATIME     0x10
#define MNT_NODIRATIME  0x20
#define MNT_STRICTATIME 0x40    /* else relatime */
#define MNT_NOSYMFOLLOW 0x80

struct mount {
	struct mount *parent;          /* itself for the root mount */
	struct dentry *mountpoint;     /* in parent (a reference) */
	struct dentry *root;           /* this mount's top (a reference) */
	struct super_block *sb;
	unsigned flags;                /* MNT_* */
	unsigned id;                   /* statx stx_mnt_id, /proc/self/mountinfo */
	uint32_t count;                /* atomic: paths, open files, children */
	/* Under the mount lock: */
	bool detached;                 /* out of the tree (umount): no new references via lookup */
	struct list_node hash_node;
	struct list_node children;
	struct list_node child_node;   /* in parent->children */
	struct list_node all_node;     /* every mount, in mount order (/proc/mounts) */
	char source[64];               /* the device or name given to mount */
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* References: path_get takes one on both, path_put drops both. */
void path_get(const struct path *p);
void path_put(struct path *p);
static inline bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}
struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);

/* If a mount sits on p, moves p to its root (repeatedly, for stacked
 * mounts) and returns true. p's references move with it. */
bool mount_follow_down(struct path *p);
/* If p is the root of its mount (and not the namespace root), moves p to
 * the mountpoint in the parent and returns true. */
bool mount_follow_up(struct path *p);

/* The root of everything: the first mount (kernel threads start here). */
void vfs_root_path(struct path *out);      /* with references */

/* Calls fn for each attached mount in mount order, under the namespace
 * mutex (for /proc/mounts); fn must not mount or unmount. 0, or the
 * mutex's error (-EDEADLK where the caller may not sleep). */
int mount_for_each(void (*fn)(const struct mount *m, void *ctx), void *ctx) __must_check;
/* Is the mount read-only (by its own flag or its super block's)? */
bool mnt_is_rdonly(const struct mount *m);

#endif
