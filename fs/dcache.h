/* The name cache: dentries, one per name the VFS has looked up, positive
 * (naming an inode) or negative (known not to exist), hashed by parent
 * and name so a repeated lookup never reaches the file system. Unused
 * dentries stay cached on an LRU list until the cache is trimmed.
 *
 * Locking: one spinlock, the dcache lock, protects the hash table, every
 * dentry's name, parent, inode pointer, flags and child list, and the
 * LRU; counts are atomic, and go to or from 0 only under the lock. Turning a dentry positive or negative, moving it (rename) and
 * dropping it also need the parent directory's inode lock, so a thread
 * holding that lock sees a stable directory. docs/vfs.md. */
#ifndef FS_DCACHE_H
#define FS_DCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/limits.h>
#include <lib/list.h>

struct inode;
struct super_block;

#define DNAME_INLINE 40

/* d_flags (dcache lock). */
#define DCACHE_HASHED  0x1    /* findable by lookup */
#define DCACHE_ON_LRU  0x2

struct dentry {
	struct dentry *parent;         /* holds a reference; the root points to itself */
	struct inode *inode;           /* NULL: negative; holds a reference */
	struct super_block *sb;
	const char *name;              /* NUL-terminated; iname or allocated */
	uint32_t len;
	uint32_t hash;
	uint32_t count;                /* atomic; 0 <-> 1 under the dcache lock */
	uint32_t flags;
	uint32_t mounted;              /* mounts on it (the mount lock writes it) */
	struct list_node hash_node;
	struct list_node child;        /* in parent->children */
	struct list_node children;
	struct list_node lru;
	char iname[DNAME_INLINE];
};

/* The hash of a name in a directory (the hash table's key). */
uint32_t dname_hash(const struct dentry *parent, const char *name, size_t len);

/* The cached child name of parent with a new reference (positive or
 * negative), or NULL when it is not cached. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len);
/* A new negative dentry for name in parent, hashed, with one reference:
 * for a lookup that reaches the file system (parent's inode lock held,
 * d_lookup rechecked under it). NULL: no memory. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/* The root dentry of a new super block, holding root (the reference is
 * the dentry's). NULL: no memory. */
struct dentry *d_make_root(struct inode *root);

struct dentry *dget(struct dentry *d);      /* count++; returns d */
/* d's parent with a reference (d itself for a root). */
struct dentry *dget_parent(struct dentry *d);
static inline bool dentry_is_root(const struct dentry *d) { return d->parent == d; }
/* Drops a reference: an unused hashed dentry goes to the LRU, an unhashed
 * one, or one whose parent is unhashed, is freed (and the reference it
 * held on its parent dropped). */
void dput(struct dentry *d);

/* Attach an inode to a negative dentry (a lookup found it, or a create
 * made it): d takes over the caller's reference to ino. */
void d_add(struct dentry *d, struct inode *ino);
void d_instantiate(struct dentry *d, struct inode *ino);
/* After unlink/rmdir: d becomes negative if nobody else uses it, else it
 * is unhashed (it keeps its inode for the users until they drop it). */
void d_delete(struct dentry *d);
/* Takes d out of the hash (it can no longer be found). */
void d_drop(struct dentry *d);
bool d_unhashed(const struct dentry *d);
/* Rename: d gets target's name and parent; target (if positive) is
 * dropped. With exchange, the two swap places. */
void d_move(struct dentry *d, struct dentry *target, bool exchange);
/* Is d anc or below it (following parents)? */
bool d_is_ancestor(const struct dentry *anc, const struct dentry *d);
/* Copies d's name (under the dcache lock) into buf (NAME_MAX + 1). */
size_t d_name_copy(const struct dentry *d, char *buf);

/* Frees up to n unused dentries, oldest first; returns how many went. */
unsigned dcache_prune(unsigned n);
/* Drops every unused dentry of sb (umount). */
void dcache_prune_sb(struct super_block *sb);

struct dcache_stats {
	unsigned long dentries, unused, negative;
	unsigned long hits, misses;           /* d_lookup results */
};
void dcache_get_stats(struct dcache_stats *s);

#endif
