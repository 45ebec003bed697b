/* The name cache (see dcache.h). One spinlock, dcache_lock, protects the
 * hash, every dentry's name, parent, inode pointer, flags and child list,
 * the LRU and the counters. A dentry's count is atomic: someone holding a
 * reference takes or drops another without the lock, and the step up
 * from 0 (a cached, unused entry found again) happens under the lock.
 *
 * The LRU is lazy: a hashed dentry goes on it the first time its count
 * drops to 0 and stays there, in use again or not, until the trimming
 * frees it (in-use entries it passes go to the tail). So a dentry that is
 * looked up and let go over and over (a stat of the same file) touches
 * the list once. Every step to 0 (to stay on the LRU, or be freed)
 * happens under the lock. */
#include <fs/dcache.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

#define DHASH_BUCKETS 4096
/* Unused dentries kept before the oldest are freed. */
#define DCACHE_UNUSED_MAX 8192

static struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static struct list_node dhash[DHASH_BUCKETS];
static struct list_node lru = LIST_INIT(lru);
static unsigned long nr_dentries, nr_unused, nr_negative, nr_hits, nr_misses;

void dcache_init(void)
{
	for (unsigned i = 0; i < DHASH_BUCKETS; i++)
		list_init(&dhash[i]);
}

uint32_t dname_hash(const struct dentry *parent, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)(uintptr_t)parent >> 4);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

static struct list_node *bucket(uint32_t hash) { return &dhash[hash % DHASH_BUCKETS]; }

/* dcache_lock held. */
static void lru_del(struct dentry *d)
{
	if (d->flags & DCACHE_ON_LRU) {
		list_del(&d->lru);
		d->flags &= ~DCACHE_ON_LRU;
		nr_unused--;
	}
}

static void unhash(struct dentry *d)
{
	if (d->flags & DCACHE_HASHED) {
		list_del(&d->hash_node);
		d->flags &= ~DCACHE_HASHED;
	}
}

/* The cached child name of parent (dcache_lock held), no reference. */
static struct dentry *lookup_locked(struct dentry *parent, const char *name, size_t len)
{
	uint32_t h = dname_hash(parent, name, len);

	list_for_each(n, bucket(h)) {
		struct dentry *d = list_entry(n, struct dentry, hash_node);

		if (d->hash == h && d->parent == parent && d->len == len &&
		    memcmp(d->name, name, len) == 0) {
			nr_hits++;
			return d;
		}
	}
	nr_misses++;
	return NULL;
}

/* A reference on d (dcache_lock held): d may be unused, on the LRU. */
static void get_locked(struct dentry *d)
{
	__atomic_add_fetch(&d->count, 1, __ATOMIC_RELAXED);
}

struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	struct dentry *d = lookup_locked(parent, name, len);

	if (d)
		get_locked(d);
	spin_unlock_irqrestore(&dcache_lock, f);
	return d;
}

uint64_t dcache_walk_begin(void)
{
	return spin_lock_irqsave(&dcache_lock);
}

void dcache_walk_end(uint64_t flags)
{
	spin_unlock_irqrestore(&dcache_lock, flags);
}

struct dentry *d_lookup_locked(struct dentry *parent, const char *name, size_t len)
{
	return lookup_locked(parent, name, len);
}

void d_get_locked(struct dentry *d)
{
	get_locked(d);
}

static struct dentry *dentry_new(const char *name, size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d));
	char *s;

	if (!d)
		return NULL;
	if (len < DNAME_INLINE) {
		s = d->iname;
	} else if (!(s = kmalloc(len + 1))) {
		kfree(d);
		return NULL;
	}
	memcpy(s, name, len);
	s[len] = 0;
	d->name = s;
	d->len = (uint32_t)len;
	d->count = 1;
	list_init(&d->children);
	list_init(&d->child);
	list_init(&d->hash_node);
	list_init(&d->lru);
	return d;
}

static void dentry_free(struct dentry *d)
{
	if (d->name != d->iname)
		kfree((char *)d->name);
	kfree(d);
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = dentry_new(name, len);
	uint64_t f;

	if (!d)
		return NULL;
	d->sb = parent->sb;
	d->hash = dname_hash(parent, name, len);
	f = spin_lock_irqsave(&dcache_lock);
	__atomic_add_fetch(&parent->count, 1, __ATOMIC_RELAXED);
	d->parent = parent;
	list_add_tail(&parent->children, &d->child);
	list_add_tail(bucket(d->hash), &d->hash_node);
	d->flags |= DCACHE_HASHED;
	nr_dentries++;
	nr_negative++;
	spin_unlock_irqrestore(&dcache_lock, f);
	return d;
}

struct dentry *d_make_root(struct inode *root)
{
	struct dentry *d;
	uint64_t f;

	if (!root)
		return NULL;
	d = dentry_new("/", 1);
	if (!d) {
		iput(root);
		return NULL;
	}
	d->parent = d;
	d->sb = root->sb;
	d->inode = root;
	f = spin_lock_irqsave(&dcache_lock);
	nr_dentries++;
	spin_unlock_irqrestore(&dcache_lock, f);
	return d;
}

struct dentry *dget(struct dentry *d)
{
	/* the caller holds a reference, so the count is not 0 */
	__atomic_add_fetch(&d->count, 1, __ATOMIC_RELAXED);
	return d;
}

struct dentry *dget_parent(struct dentry *d)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	struct dentry *p = d->parent;

	__atomic_add_fetch(&p->count, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&dcache_lock, f);
	return p;
}

/* Unlinks an unused, unhashed d from the tree (dcache_lock held);
 * returns its parent (whose reference the caller drops) or NULL for a
 * root. The caller frees d and drops its inode outside the lock. */
static struct dentry *dentry_kill_locked(struct dentry *d)
{
	struct dentry *parent = d->parent == d ? NULL : d->parent;

	lru_del(d);
	list_del(&d->child);
	nr_dentries--;
	if (!d->inode)
		nr_negative--;
	return parent;
}

static unsigned prune_locked_batch(unsigned n, struct super_block *sb, uint64_t *f);

/* Drops a reference without the lock when it is not the last one. The
 * last one takes the lock (dput_common): a thread may take a reference,
 * unhash d (unlink, rename) and drop it between a lock-free look at d's
 * flags and the drop, and d, unhashed, must then be freed at once, with
 * its inode, not kept on the LRU. */
static bool put_cached(struct dentry *d)
{
	uint32_t c = __atomic_load_n(&d->count, __ATOMIC_ACQUIRE);

	while (c > 1)
		if (__atomic_compare_exchange_n(&d->count, &c, c - 1, false, __ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* may_prune: trim the LRU if it grew too long (not from the trimming). */
static void dput_common(struct dentry *d, bool may_prune)
{
	uint64_t f;
	unsigned over = 0;

	if (put_cached(d))
		return;
	f = spin_lock_irqsave(&dcache_lock);
	while (d) {
		struct dentry *parent;
		struct inode *ino;

		if (d->count == 0)
			panic("dput: dentry '%s' count below zero", d->name);
		if (__atomic_sub_fetch(&d->count, 1, __ATOMIC_ACQ_REL) > 0)
			break;
		/* below a dropped directory (a /proc/<pid> of pseudofs) the
		 * name could only be found through a walker's reference to
		 * that directory: keeping it would keep the directory too */
		if ((d->flags & DCACHE_HASHED) && d->parent != d &&
		    !(d->parent->flags & DCACHE_HASHED) && !dentry_is_root(d->parent))
			unhash(d);
		if (d->flags & DCACHE_HASHED) {
			if (!(d->flags & DCACHE_ON_LRU)) {
				list_add_tail(&lru, &d->lru);
				d->flags |= DCACHE_ON_LRU;
				nr_unused++;
			}
			if (may_prune && nr_unused > DCACHE_UNUSED_MAX)
				over = (unsigned)(nr_unused - DCACHE_UNUSED_MAX);
			break;
		}
		parent = dentry_kill_locked(d);
		ino = d->inode;
		spin_unlock_irqrestore(&dcache_lock, f);
		iput(ino);
		dentry_free(d);
		f = spin_lock_irqsave(&dcache_lock);
		d = parent;
	}
	if (over)
		prune_locked_batch(over, NULL, &f);
	spin_unlock_irqrestore(&dcache_lock, f);
}

void dput(struct dentry *d)
{
	dput_common(d, true);
}

/* Frees up to n unused dentries from the LRU (of sb, or any when NULL);
 * takes and drops dcache_lock around the frees (*f is its saved flags). */
static unsigned prune_locked_batch(unsigned n, struct super_block *sb, uint64_t *f)
{
	unsigned freed = 0;

	while (freed < n) {
		struct dentry *d = NULL, *parent;
		struct list_node *it = lru.next;
		unsigned long budget = nr_unused;   /* each entry looked at once */
		struct inode *ino;

		while (it != &lru && budget--) {
			struct dentry *c = list_entry(it, struct dentry, lru);

			it = it->next;
			if (sb && c->sb != sb)
				continue;
			if (__atomic_load_n(&c->count, __ATOMIC_ACQUIRE)) {
				/* in use again: it stays on the LRU, at the tail */
				list_del(&c->lru);
				list_add_tail(&lru, &c->lru);
				continue;
			}
			d = c;
			break;
		}
		if (!d)
			break;
		lru_del(d);
		unhash(d);
		parent = dentry_kill_locked(d);
		ino = d->inode;
		spin_unlock_irqrestore(&dcache_lock, *f);
		iput(ino);
		dentry_free(d);
		if (parent)
			dput_common(parent, false);   /* may put the parent on the LRU */
		*f = spin_lock_irqsave(&dcache_lock);
		freed++;
	}
	return freed;
}

unsigned dcache_prune(unsigned n)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	unsigned freed = prune_locked_batch(n, NULL, &f);

	spin_unlock_irqrestore(&dcache_lock, f);
	return freed;
}

void dcache_prune_sb(struct super_block *sb)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);

	prune_locked_batch(~0u, sb, &f);
	spin_unlock_irqrestore(&dcache_lock, f);
}

void d_add(struct dentry *d, struct inode *ino)
{
	d_instantiate(d, ino);
}

void d_instantiate(struct dentry *d, struct inode *ino)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);

	if (d->inode)
		panic("d_instantiate: '%s' is already positive", d->name);
	d->inode = ino;
	if (ino)
		nr_negative--;
	spin_unlock_irqrestore(&dcache_lock, f);
}

void d_delete(struct dentry *d)
{
	struct inode *ino = NULL;
	uint64_t f = spin_lock_irqsave(&dcache_lock);

	if (d->count == 1 && list_empty(&d->children)) {
		ino = d->inode;
		d->inode = NULL;
		if (ino)
			nr_negative++;
	} else {
		unhash(d);
	}
	spin_unlock_irqrestore(&dcache_lock, f);
	iput(ino);
}

void d_drop(struct dentry *d)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);

	unhash(d);
	spin_unlock_irqrestore(&dcache_lock, f);
}

bool d_unhashed(const struct dentry *d)
{
	return !(d->flags & DCACHE_HASHED);
}

/* Swaps the names of a and b (dcache_lock held). */
static void swap_names(struct dentry *a, struct dentry *b)
{
	bool a_in = a->name == a->iname, b_in = b->name == b->iname;
	const char *an = a->name, *bn = b->name;
	char tmp[DNAME_INLINE];
	uint32_t tl = a->len;

	memcpy(tmp, a->iname, DNAME_INLINE);
	memcpy(a->iname, b->iname, DNAME_INLINE);
	memcpy(b->iname, tmp, DNAME_INLINE);
	a->name = b_in ? a->iname : bn;
	b->name = a_in ? b->iname : an;
	a->len = b->len;
	b->len = tl;
}

void d_move(struct dentry *d, struct dentry *target, bool exchange)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	struct dentry *dp = d->parent, *tp = target->parent;
	uint32_t th = target->hash;
	bool target_hashed = target->flags & DCACHE_HASHED;

	unhash(d);
	unhash(target);
	swap_names(d, target);
	/* the parents swap too, so each still holds one reference per child */
	list_del(&d->child);
	list_del(&target->child);
	d->parent = tp;
	target->parent = dp;
	list_add_tail(&tp->children, &d->child);
	list_add_tail(&dp->children, &target->child);
	target->hash = d->hash;
	d->hash = th;
	if (target_hashed || exchange) {
		list_add_tail(bucket(d->hash), &d->hash_node);
		d->flags |= DCACHE_HASHED;
	}
	if (exchange) {
		list_add_tail(bucket(target->hash), &target->hash_node);
		target->flags |= DCACHE_HASHED;
	}
	spin_unlock_irqrestore(&dcache_lock, f);
}

bool d_is_ancestor(const struct dentry *anc, const struct dentry *d)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	bool yes = false;

	for (;;) {
		if (d == anc) {
			yes = true;
			break;
		}
		if (d->parent == d)
			break;
		d = d->parent;
	}
	spin_unlock_irqrestore(&dcache_lock, f);
	return yes;
}

size_t d_name_copy(const struct dentry *d, char *buf)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);
	size_t n = d->len;

	memcpy(buf, d->name, n);
	buf[n] = 0;
	spin_unlock_irqrestore(&dcache_lock, f);
	return n;
}

void dcache_get_stats(struct dcache_stats *s)
{
	uint64_t f = spin_lock_irqsave(&dcache_lock);

	s->dentries = nr_dentries;
	s->unused = nr_unused;
	s->negative = nr_negative;
	s->hits = nr_hits;
	s->misses = nr_misses;
	spin_unlock_irqrestore(&dcache_lock, f);
}
