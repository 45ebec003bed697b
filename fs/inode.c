/* The inode cache and inode helpers (see inode.h).
 *
 * Locking: icache_lock (a spinlock) protects the hash buckets, every
 * inode's state and hash/sb list links, and every super block's inode
 * list. Counts are atomic; the last reference goes, and a cached unused
 * inode comes back, only under the lock. A thread that finds an inode
 * being read in (I_NEW) or torn down (I_FREEING) waits for icache_gen to
 * move. */
#include <fs/inode.h>
#include <cosmos/errno.h>
#include <fs/internal.h>
#include <fs/super.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/panic.h>
#include <hal/platform.h>
#include <kernel/proc/cred.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <lib/string.h>

/* Linked inodes stay cached while unused, so a file system with 100,000
 * files holds that many: the table is sized from memory at boot (one
 * bucket per 4 free pages, 32,768 at 512 MiB), so chains stay a few long
 * (each inode on a chain is a different page: a TLB miss under TCG). */
#define ICACHE_MIN_BUCKETS 1024u
#define ICACHE_MAX_BUCKETS (1u << 20)

static struct spinlock icache_lock = SPINLOCK_INIT("icache");
static struct list_node *buckets;           /* set once at boot */
static struct list_node min_buckets[ICACHE_MIN_BUCKETS];
static unsigned nbuckets;                   /* a power of two */
static volatile uint64_t icache_gen;     /* bumped on every I_NEW/I_FREEING change */
static struct waitq icache_wq;

void icache_init(void)
{
	uint64_t want = pmm_free_pages() / 4;

	nbuckets = ICACHE_MIN_BUCKETS;
	while (nbuckets < ICACHE_MAX_BUCKETS && (uint64_t)nbuckets * 2 <= want)
		nbuckets *= 2;
	buckets = nbuckets > ICACHE_MIN_BUCKETS ? kmalloc(nbuckets * sizeof(*buckets)) : NULL;
	if (!buckets) {
		buckets = min_buckets;
		nbuckets = ICACHE_MIN_BUCKETS;
	}
	for (unsigned i = 0; i < nbuckets; i++)
		list_init(&buckets[i]);
	waitq_init(&icache_wq);
}

struct vfs_time vfs_now(void)
{
	uint64_t ns = time_ns();

	return (struct vfs_time){ platform_boot_unix_time() + (int64_t)(ns / 1000000000u),
				  (uint32_t)(ns % 1000000000u) };
}

static unsigned bucket_of(const struct super_block *sb, uint64_t ino)
{
	uint64_t h = (uint64_t)(uintptr_t)sb ^ (ino * 0x9e3779b97f4a7c15ull);

	return (unsigned)((h ^ (h >> 29)) & (nbuckets - 1));
}

struct inode *inode_new(struct super_block *sb)
{
	struct inode *ino = sb->ops->alloc_inode(sb);
	struct vfs_time now = vfs_now();
	uint64_t f;

	if (!ino)
		return NULL;
	memset(ino, 0, sizeof(*ino));
	ino->sb = sb;
	ino->nlink = 1;
	ino->atime = ino->mtime = ino->ctime = ino->btime = now;
	mutex_init(&ino->lock, "inode");
	ino->count = 1;
	list_init(&ino->hash_node);
	f = spin_lock_irqsave(&icache_lock);
	list_add_tail(&sb->inodes, &ino->sb_node);
	spin_unlock_irqrestore(&icache_lock, f);
	return ino;
}

/* Off every list, evicted (unless it was never filled) and freed. */
static void inode_free(struct inode *ino, bool evict)
{
	struct super_block *sb = ino->sb;
	uint64_t f;

	if (evict && sb->ops->evict_inode)
		sb->ops->evict_inode(ino);
	f = spin_lock_irqsave(&icache_lock);
	list_del(&ino->sb_node);
	icache_gen++;
	spin_unlock_irqrestore(&icache_lock, f);
	waitq_wake_all(&icache_wq);
	sb->ops->destroy_inode(ino);
}

static struct inode *find_locked(struct super_block *sb, uint64_t ino, unsigned b)
{
	list_for_each(n, &buckets[b]) {
		struct inode *i = list_entry(n, struct inode, hash_node);

		if (i->sb == sb && i->ino == ino)
			return i;
	}
	return NULL;
}

struct inode *iget(struct super_block *sb, uint64_t ino)
{
	unsigned b = bucket_of(sb, ino);
	struct inode *found, *fresh = NULL;
	uint64_t f, gen;

	for (;;) {
		f = spin_lock_irqsave(&icache_lock);
		found = find_locked(sb, ino, b);
		if (found && !(found->state & (I_NEW | I_FREEING))) {
			__atomic_add_fetch(&found->count, 1, __ATOMIC_RELAXED);
			spin_unlock_irqrestore(&icache_lock, f);
			break;
		}
		if (found) {
			gen = icache_gen;
			spin_unlock_irqrestore(&icache_lock, f);
			if (waitq_wait_event(&icache_wq, icache_gen != gen, 0)) {
				found = NULL;      /* the caller may not sleep */
				break;
			}
			continue;
		}
		if (fresh) {
			fresh->ino = ino;
			fresh->state = I_NEW | I_HASHED;
			list_add_tail(&buckets[b], &fresh->hash_node);
			spin_unlock_irqrestore(&icache_lock, f);
			return fresh;
		}
		spin_unlock_irqrestore(&icache_lock, f);
		/* allocate outside the lock, then look again */
		fresh = inode_new(sb);
		if (!fresh)
			return NULL;
	}
	if (fresh)
		inode_free(fresh, false);   /* lost the race: never filled */
	return found;
}

void inode_unlock_new(struct inode *ino)
{
	uint64_t f = spin_lock_irqsave(&icache_lock);

	ino->state &= ~I_NEW;
	icache_gen++;
	spin_unlock_irqrestore(&icache_lock, f);
	waitq_wake_all(&icache_wq);
}

void iget_failed(struct inode *ino)
{
	uint64_t f = spin_lock_irqsave(&icache_lock);

	ino->state |= I_FREEING;
	list_del(&ino->hash_node);
	ino->state &= ~I_HASHED;
	spin_unlock_irqrestore(&icache_lock, f);
	inode_free(ino, false);
}

struct inode *igrab(struct inode *ino)
{
	/* the caller holds a reference, or a structure that pins ino */
	__atomic_add_fetch(&ino->count, 1, __ATOMIC_RELAXED);
	return ino;
}

void iput(struct inode *ino)
{
	uint64_t f;
	uint32_t c;

	if (!ino)
		return;
	for (c = __atomic_load_n(&ino->count, __ATOMIC_RELAXED); c > 1;)
		if (__atomic_compare_exchange_n(&ino->count, &c, c - 1, false, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;               /* not the last: no lock needed */
	f = spin_lock_irqsave(&icache_lock);
	if (ino->count == 0)
		panic("iput: inode %llu count below zero", (unsigned long long)ino->ino);
	/* A linked inode stays cached with count 0 until its super block
	 * goes; one with no links leaves now. */
	if (__atomic_sub_fetch(&ino->count, 1, __ATOMIC_ACQ_REL) > 0 ||
	    (ino->nlink > 0 && !(ino->sb->flags & SB_NOCACHE))) {
		spin_unlock_irqrestore(&icache_lock, f);
		return;
	}
	ino->state |= I_FREEING;
	if (ino->state & I_HASHED) {
		list_del(&ino->hash_node);
		ino->state &= ~I_HASHED;
	}
	icache_gen++;
	spin_unlock_irqrestore(&icache_lock, f);
	inode_free(ino, true);
}

void icache_evict_sb(struct super_block *sb)
{
	for (;;) {
		struct inode *ino = NULL;
		uint64_t f = spin_lock_irqsave(&icache_lock);

		if (!list_empty(&sb->inodes)) {
			ino = list_entry(sb->inodes.next, struct inode, sb_node);
			ino->state |= I_FREEING;
			if (ino->state & I_HASHED) {
				list_del(&ino->hash_node);
				ino->state &= ~I_HASHED;
			}
			list_del(&ino->sb_node);   /* so the loop moves on */
		}
		spin_unlock_irqrestore(&icache_lock, f);
		if (!ino)
			return;
		inode_free(ino, true);
	}
}

void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode)
{
	const struct cred *c = cred_current();

	ino->uid = c->fsuid;
	if (dir && (dir->mode & S_ISGID)) {
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	} else {
		ino->gid = c->fsgid;
	}
	/* A set-group-ID file for a group the creator is not in loses the
	 * bit, as on Linux (root keeps it). */
	if (!S_ISDIR(mode) && (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    c->fsuid != 0 && !cred_in_group(c, ino->gid))
		mode &= ~(uint32_t)S_ISGID;
	ino->mode = mode;
}

void inode_setattr_copy(struct inode *ino, const struct iattr *a)
{
	if (a->valid & ATTR_UID)
		ino->uid = a->uid;
	if (a->valid & ATTR_GID)
		ino->gid = a->gid;
	if (a->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & 07777);
	if (a->valid & ATTR_ATIME)
		ino->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		ino->mtime = a->mtime;
	if (a->valid & ATTR_CTIME)
		ino->ctime = a->ctime;
}

void inode_touch_mc(struct inode *ino)
{
	ino->mtime = ino->ctime = vfs_now();
}

void inode_touch_c(struct inode *ino)
{
	ino->ctime = vfs_now();
}

int inode_permission(const struct inode *ino, int mask)
{
	return inode_permission_as(cred_current(), ino, mask);
}

int inode_permission_as(const struct cred *c, const struct inode *ino, int mask)
{
	uint32_t mode = ino->mode, bits, need = 0;

	if (c->fsuid == 0) {
		/* root: everything but executing a file no one may execute */
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (c->fsuid == ino->uid)
		bits = mode >> 6;
	else if (cred_in_group(c, ino->gid))
		bits = mode >> 3;
	else
		bits = mode;
	if (mask & MAY_READ)
		need |= 4;
	if (mask & (MAY_WRITE | MAY_APPEND))
		need |= 2;
	if (mask & MAY_EXEC)
		need |= 1;
	return (bits & need) == need ? 0 : -EACCES;
}

bool inode_owner_or_root(const struct inode *ino)
{
	const struct cred *c = cred_current();

	return c->fsuid == 0 || c->fsuid == ino->uid;
}

int inode_lock_two(struct inode *a, struct inode *b)
{
	int err = 0;

	if (a && b && a != b && (uintptr_t)b < (uintptr_t)a) {
		struct inode *t = a;

		a = b;
		b = t;
	}
	if (a)
		err = mutex_lock(&a->lock);
	if (!err && b && b != a) {
		err = mutex_lock(&b->lock);
		if (err && a)
			mutex_unlock(&a->lock);
	}
	return err;
}

void inode_unlock_two(struct inode *a, struct inode *b)
{
	if (a)
		mutex_unlock(&a->lock);
	if (b && b != a)
		mutex_unlock(&b->lock);
}

void inode_kill_suid(struct inode *ino)
{
	uint32_t m = ino->mode;

	if (cred_current()->fsuid == 0)
		return;
	if (m & S_ISUID)
		m &= ~(uint32_t)S_ISUID;
	if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		m &= ~(uint32_t)S_ISGID;
	if (m != ino->mode) {
		ino->mode = m;
		inode_touch_c(ino);
	}
}

/* writers moves by one in the direction its sign allows, in one
 * compare-and-swap, so an open for writing and an exec cannot both win. */
static int writers_step(struct inode *ino, int step)
{
	int old = __atomic_load_n(&ino->writers, __ATOMIC_RELAXED);

	do {
		if (step > 0 ? old < 0 : old > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ino->writers, &old, old + step, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

int inode_get_write(struct inode *ino) { return writers_step(ino, 1); }
int inode_deny_write(struct inode *ino) { return writers_step(ino, -1); }
void inode_put_write(struct inode *ino) { __atomic_sub_fetch(&ino->writers, 1, __ATOMIC_RELEASE); }
void inode_allow_write(struct inode *ino) { __atomic_add_fetch(&ino->writers, 1, __ATOMIC_RELEASE); }

bool icache_sb_has_writers(struct super_block *sb)
{
	uint64_t f = spin_lock_irqsave(&icache_lock);
	bool yes = false;

	list_for_each(n, &sb->inodes) {
		if (__atomic_load_n(&list_entry(n, struct inode, sb_node)->writers, __ATOMIC_RELAXED) > 0) {
			yes = true;
			break;
		}
	}
	spin_unlock_irqrestore(&icache_lock, f);
	return yes;
}
