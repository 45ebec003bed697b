/* The mount tree (see mount.h). mount_lock (a spinlock) protects the
 * mount hash, every mount's detached flag and child list, the list of all
 * mounts and dentry->mounted; namespace_mutex serialises changes to the
 * tree (mount, umount, remount). Counts are atomic; only a detached
 * mount can reach 0. */
#include <fs/mount.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <fs/super.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

#define MHASH_BUCKETS 256

static struct spinlock mount_lock = SPINLOCK_INIT("mount");
static struct mutex namespace_mutex;
static struct list_node mhash[MHASH_BUCKETS];
static struct list_node all_mounts = LIST_INIT(all_mounts);
static struct mount *root_mnt;         /* written once at boot */
static unsigned next_mnt_id = 1;       /* namespace mutex */

void mount_init(void)
{
	mutex_init(&namespace_mutex, "namespace");
	for (unsigned i = 0; i < MHASH_BUCKETS; i++)
		list_init(&mhash[i]);
}

int namespace_lock(void) { return mutex_lock(&namespace_mutex); }
void namespace_unlock(void) { mutex_unlock(&namespace_mutex); }

static struct list_node *mbucket(const struct mount *parent, const struct dentry *mp)
{
	uint64_t h = ((uint64_t)(uintptr_t)parent >> 4) * 31 + ((uint64_t)(uintptr_t)mp >> 4);

	return &mhash[(h ^ (h >> 17)) % MHASH_BUCKETS];
}

struct mount *mnt_get(struct mount *m)
{
	__atomic_add_fetch(&m->count, 1, __ATOMIC_RELAXED);
	return m;
}

/* The last reference to a detached mount: give back what it holds. */
static void mount_free(struct mount *m)
{
	struct super_block *sb = m->sb;
	struct mount *parent = m->parent;
	struct dentry *mp = m->mountpoint;
	bool last_of_sb;
	uint64_t f;

	f = spin_lock_irqsave(&mount_lock);
	list_del(&m->all_node);
	last_of_sb = --sb->active == 0;
	spin_unlock_irqrestore(&mount_lock, f);
	dput(m->root);
	if (parent != m) {
		dput(mp);
		mnt_put(parent);
	}
	kfree(m);
	if (last_of_sb)
		sb_kill(sb);
}

void mnt_put(struct mount *m)
{
	uint32_t left = __atomic_sub_fetch(&m->count, 1, __ATOMIC_ACQ_REL);

	if (left == ~0u)
		panic("mnt_put: mount count below zero");
	if (left)
		return;
	if (!__atomic_load_n(&m->detached, __ATOMIC_ACQUIRE))
		panic("mnt_put: an attached mount lost its last reference");
	mount_free(m);
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	if (p->mnt)
		mnt_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

/* The mount on (parent, mp) with a new reference, or NULL. */
static struct mount *lookup_mnt(struct mount *parent, struct dentry *mp)
{
	uint64_t f = spin_lock_irqsave(&mount_lock);
	struct mount *found = NULL;

	list_for_each(n, mbucket(parent, mp)) {
		struct mount *m = list_entry(n, struct mount, hash_node);

		if (m->parent == parent && m->mountpoint == mp) {
			found = m;     /* the last one mounted is the top */
		}
	}
	if (found)
		mnt_get(found);
	spin_unlock_irqrestore(&mount_lock, f);
	return found;
}

bool mount_follow_down(struct path *p)
{
	bool moved = false;

	while (__atomic_load_n(&p->dentry->mounted, __ATOMIC_ACQUIRE)) {
		struct mount *m = lookup_mnt(p->mnt, p->dentry);

		if (!m)
			break;
		dput(p->dentry);
		mnt_put(p->mnt);
		p->mnt = m;
		p->dentry = dget(m->root);
		moved = true;
	}
	return moved;
}

bool mount_follow_up(struct path *p)
{
	struct mount *m = p->mnt, *parent;
	struct dentry *mp;
	uint64_t f;

	if (p->dentry != m->root)
		return false;
	f = spin_lock_irqsave(&mount_lock);
	if (m->parent == m || m->detached) {
		spin_unlock_irqrestore(&mount_lock, f);
		return false;
	}
	parent = m->parent;
	mp = m->mountpoint;
	mnt_get(parent);
	spin_unlock_irqrestore(&mount_lock, f);
	dget(mp);
	path_put(p);
	p->mnt = parent;
	p->dentry = mp;
	return true;
}

void vfs_root_path(struct path *out)
{
	out->mnt = mnt_get(root_mnt);
	out->dentry = dget(root_mnt->root);
}

bool mnt_is_rdonly(const struct mount *m)
{
	return (m->flags & MNT_RDONLY) || (m->sb->flags & SB_RDONLY);
}

int mnt_check_write(const struct mount *m)
{
	return mnt_is_rdonly(m) ? -EROFS : 0;
}

int mount_attach(struct super_block *sb, struct dentry *root, const struct path *mp,
		 unsigned mnt_flags, const char *source, struct mount **out)
{
	struct mount *m = kzalloc(sizeof(*m));
	uint64_t f;

	if (!m)
		return -ENOMEM;
	m->sb = sb;
	m->root = dget(root);
	m->flags = mnt_flags;
	m->id = next_mnt_id++;
	m->count = 1;                     /* the tree's reference */
	list_init(&m->children);
	list_init(&m->child_node);
	list_init(&m->hash_node);
	strlcpy(m->source, source ? source : "none", sizeof(m->source));
	if (mp)
		dget(mp->dentry);
	f = spin_lock_irqsave(&mount_lock);
	sb->active++;
	if (mp) {
		m->parent = mp->mnt;
		m->mountpoint = mp->dentry;
		mnt_get(mp->mnt);         /* a child pins its parent */
		list_add_tail(mbucket(m->parent, m->mountpoint), &m->hash_node);
		list_add_tail(&m->parent->children, &m->child_node);
		__atomic_add_fetch(&m->mountpoint->mounted, 1, __ATOMIC_RELEASE);
	} else {
		m->parent = m;
		m->mountpoint = m->root;
		root_mnt = m;
	}
	list_add_tail(&all_mounts, &m->all_node);
	spin_unlock_irqrestore(&mount_lock, f);
	if (out)
		*out = m;
	return 0;
}

/* mount_lock held: takes m out of the tree and onto dead (through
 * child_node); its tree reference is the caller's to drop. */
static void detach_locked(struct mount *m, struct list_node *dead)
{
	__atomic_store_n(&m->detached, true, __ATOMIC_RELEASE);
	list_del(&m->hash_node);
	list_del(&m->child_node);
	__atomic_sub_fetch(&m->mountpoint->mounted, 1, __ATOMIC_RELEASE);
	list_add_tail(dead, &m->child_node);
}

int mount_detach(struct path *p, bool lazy)
{
	struct mount *m = p->mnt;
	struct list_node dead = LIST_INIT(dead);
	struct list_node *n;
	uint64_t f;

	if (p->dentry != m->root)
		return -EINVAL;             /* not a mount point */
	f = spin_lock_irqsave(&mount_lock);
	if (m->parent == m || m->detached) {
		spin_unlock_irqrestore(&mount_lock, f);
		return m->detached ? -EINVAL : -EBUSY;
	}
	/* Idle: the tree's reference and the caller's, no mounts below. */
	if (!lazy && (__atomic_load_n(&m->count, __ATOMIC_ACQUIRE) != 2 ||
		      !list_empty(&m->children))) {
		spin_unlock_irqrestore(&mount_lock, f);
		return -EBUSY;
	}
	/* Lazily, the whole subtree leaves, leaves first; each mount is
	 * freed when its last user goes. */
	for (;;) {
		struct mount *c = m;

		while (!list_empty(&c->children))
			c = list_entry(c->children.next, struct mount, child_node);
		detach_locked(c, &dead);
		if (c == m)
			break;
	}
	spin_unlock_irqrestore(&mount_lock, f);
	while ((n = list_pop(&dead)))
		mnt_put(list_entry(n, struct mount, child_node));   /* the tree's references */
	return 0;
}

int mount_for_each(void (*fn)(const struct mount *m, void *ctx), void *ctx)
{
	int err = namespace_lock();

	if (err)
		return err;
	list_for_each(n, &all_mounts) {
		const struct mount *m = list_entry(n, struct mount, all_node);

		if (!m->detached)
			fn(m, ctx);
	}
	namespace_unlock();
	return 0;
}
