/* tmpfs file data: pages in a radix tree, allocated when first written
 * (or mapped), so holes read as zeros and cost nothing; the super block
 * counts them against size=. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <fs/tmpfs.h>
#include <fs/tmpfs_internal.h>
#include <kernel/boot.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <lib/string.h>
#include <sys/uio.h>

#define PG       4096u
#define BITS     9
#define SLOTS    (1u << BITS)
#define MAX_HEIGHT 4              /* 2^36 pages: 256 TiB */

struct node {
	void *slot[SLOTS];
};

static uint64_t capacity(unsigned h) { return h >= MAX_HEIGHT + 1 ? ~0ull : 1ull << (BITS * h); }

static void *page_va(uint64_t phys) { return PHYS_TO_VIRT(phys); }

/* ---- page accounting ---- */

static int charge_page(struct super_block *sb)
{
	struct tmpfs_sb *s = TSB(sb);
	uint64_t f = spin_lock_irqsave(&s->lock);
	int err = 0;

	if (s->max_pages && s->pages_used >= s->max_pages)
		err = -ENOSPC;
	else
		s->pages_used++;
	spin_unlock_irqrestore(&s->lock, f);
	return err;
}

static void uncharge_pages(struct super_block *sb, uint64_t n)
{
	struct tmpfs_sb *s = TSB(sb);
	uint64_t f = spin_lock_irqsave(&s->lock);

	s->pages_used -= n;
	spin_unlock_irqrestore(&s->lock, f);
}

/* A zeroed page charged to sb: its physical address, or 0 with *err. */
static uint64_t page_alloc(struct super_block *sb, int *err)
{
	uint64_t phys;

	*err = charge_page(sb);
	if (*err)
		return 0;
	phys = pmm_alloc_zeroed(0);
	if (!phys) {
		uncharge_pages(sb, 1);
		*err = -ENOMEM;
	}
	return phys;
}

/* ---- the tree (tree_lock held for changes and lookups: a fault grows it
 * holding tree_lock alone, and a root and height read apart could mix
 * two shapes; page_at takes the lock for callers that hold only the
 * inode's) ---- */

static uint64_t tree_lookup(struct tmpfs_data *d, uint64_t idx)
{
	void *n = d->root;

	if (!n || idx >= capacity(d->height))
		return 0;
	if (d->height == 0)
		return (uint64_t)(uintptr_t)n;     /* the root is page 0 itself */
	for (unsigned h = d->height; h > 1; h--)
		if (!(n = ((struct node *)n)->slot[(idx >> (BITS * (h - 1))) & (SLOTS - 1)]))
			return 0;
	return (uint64_t)(uintptr_t)((struct node *)n)->slot[idx & (SLOTS - 1)];
}

/* The first index >= idx holding a page under n (height h, covering the
 * indexes from base), or ~0ull: empty subtrees are skipped whole, so
 * SEEK_DATA over a terabyte hole is a few steps. */
static uint64_t next_present(const struct node *n, unsigned h, uint64_t base, uint64_t idx)
{
	uint64_t span = 1ull << (BITS * (h - 1));

	for (uint64_t i = idx > base ? (idx - base) / span : 0; i < SLOTS; i++) {
		uint64_t lo = base + i * span, r;

		if (!n->slot[i])
			continue;
		if (h == 1)
			return lo;
		if ((r = next_present(n->slot[i], h - 1, lo, idx > lo ? idx : lo)) != ~0ull)
			return r;
	}
	return ~0ull;
}

static uint64_t tree_next_present(struct tmpfs_data *d, uint64_t idx)
{
	if (!d->root || idx >= capacity(d->height))
		return ~0ull;
	if (d->height == 0)
		return 0;
	return next_present(d->root, d->height, 0, idx);
}

/* Puts phys at idx, growing the tree as needed (tree_lock held; the
 * heap allocates under spinlocks). 0 or -ENOMEM. A file whose only page
 * is page 0 (most small files) has no node: the root is that page, at
 * height 0, so it costs no 4 KiB node to make, scan and free. */
static int tree_insert(struct tmpfs_data *d, uint64_t idx, uint64_t phys)
{
	struct node *n;

	if (!d->root) {
		if (idx == 0) {
			d->root = (void *)(uintptr_t)phys;
			d->height = 0;
			d->pages++;
			return 0;
		}
		if (!(d->root = kzalloc(sizeof(struct node))))
			return -ENOMEM;
		d->height = 1;
	}
	while (idx >= capacity(d->height)) {
		if (!(n = kzalloc(sizeof(struct node))))
			return -ENOMEM;
		n->slot[0] = d->root;
		d->root = n;
		d->height++;
	}
	n = d->root;
	for (unsigned h = d->height; h > 1; h--) {
		void **s = &n->slot[(idx >> (BITS * (h - 1))) & (SLOTS - 1)];

		if (!*s && !(*s = kzalloc(sizeof(struct node))))
			return -ENOMEM;
		n = *s;
	}
	n->slot[idx & (SLOTS - 1)] = (void *)(uintptr_t)phys;
	d->pages++;
	return 0;
}

/* The page at idx, or 0 for a hole, for a caller without tree_lock. */
static uint64_t page_at(struct tmpfs_inode *ti, uint64_t idx)
{
	uint64_t f = spin_lock_irqsave(&ti->tree_lock), phys = tree_lookup(&ti->data, idx);

	spin_unlock_irqrestore(&ti->tree_lock, f);
	return phys;
}

/* The page at idx, allocating it when missing; 0 with *err on failure. */
static uint64_t page_get(struct tmpfs_inode *ti, uint64_t idx, int *err)
{
	uint64_t phys, f;

	if (idx >= capacity(MAX_HEIGHT)) {
		*err = -EFBIG;
		return 0;
	}
	f = spin_lock_irqsave(&ti->tree_lock);
	phys = tree_lookup(&ti->data, idx);
	if (!phys && (phys = page_alloc(ti->vfs.sb, err))) {
		*err = tree_insert(&ti->data, idx, phys);
		if (*err) {
			pmm_free(phys, 0);
			uncharge_pages(ti->vfs.sb, 1);
			phys = 0;
		}
		ti->vfs.blocks = ti->data.pages * (PG / 512);
	}
	spin_unlock_irqrestore(&ti->tree_lock, f);
	return phys;
}

/* Frees the leaves with first <= index < last under node n (height h,
 * covering indexes from base); *empty says whether n is left with
 * nothing (the caller frees it). Returns the pages freed. */
static uint64_t free_range(struct node *n, unsigned h, uint64_t base, uint64_t first,
			   uint64_t last, bool *empty)
{
	uint64_t freed = 0, span = 1ull << (BITS * (h - 1));
	bool any = false;

	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t lo = base + i * span;

		if (!n->slot[i])
			continue;
		if (lo + span <= first || lo >= last) {
			any = true;
			continue;
		}
		if (h == 1) {
			/* the file's reference: a mapping may hold the frame a
			 * little longer, until vm_unmap_backing takes it away */
			pmm_unref((uint64_t)(uintptr_t)n->slot[i]);
			n->slot[i] = NULL;
			freed++;
			continue;
		}
		{
			bool child_empty;

			freed += free_range(n->slot[i], h - 1, lo, first, last, &child_empty);
			if (child_empty) {
				kfree(n->slot[i]);
				n->slot[i] = NULL;
			} else {
				any = true;
			}
		}
	}
	*empty = !any;
	return freed;
}

/* Frees the pages with first <= index < last. */
static void free_pages(struct tmpfs_inode *ti, uint64_t first, uint64_t last)
{
	struct tmpfs_data *d = &ti->data;
	uint64_t freed = 0, f;
	bool empty;

	f = spin_lock_irqsave(&ti->tree_lock);
	if (d->root && d->height == 0) {
		if (first == 0 && last > 0) {
			pmm_unref((uint64_t)(uintptr_t)d->root);   /* as free_range does */
			d->root = NULL;
			d->pages = 0;
			freed = 1;
		}
	} else if (d->root && first < last) {
		freed = free_range(d->root, d->height, 0, first, last, &empty);
		if (empty) {
			kfree(d->root);
			d->root = NULL;
			d->height = 0;
		}
		d->pages -= freed;
	}
	ti->vfs.blocks = d->pages * (PG / 512);
	spin_unlock_irqrestore(&ti->tree_lock, f);
	if (freed)
		uncharge_pages(ti->vfs.sb, freed);
}

static void zero_tail(struct tmpfs_inode *ti, uint64_t off, uint64_t end)
{
	uint64_t phys = page_at(ti, off / PG);

	if (phys && end > off)
		memset((char *)page_va(phys) + off % PG, 0, end - off);
}

void tmpfs_data_truncate(struct tmpfs_inode *ti, uint64_t size)
{
	if (size < ti->vfs.size && size % PG)
		zero_tail(ti, size, (size / PG + 1) * PG);   /* so growing again reads zeros */
	free_pages(ti, (size + PG - 1) / PG, ~0ull);
	ti->vfs.size = size;
}

void tmpfs_data_free(struct tmpfs_inode *ti)
{
	free_pages(ti, 0, ~0ull);
}

/* ---- file operations ---- */

static long tmpfs_read(struct file *file, struct uio *u, uint64_t *pos)
{
	struct tmpfs_inode *ti = TI(file->inode);
	uint64_t p = *pos;
	long done = 0;
	int err = mutex_lock(&ti->vfs.lock);

	if (err)
		return err;
	while (u->resid && p < ti->vfs.size) {
		uint64_t chunk = PG - p % PG, phys;
		long n;

		if (chunk > ti->vfs.size - p)
			chunk = ti->vfs.size - p;
		if (chunk > u->resid)
			chunk = u->resid;
		phys = page_at(ti, p / PG);
		n = phys ? uio_copy_out(u, (char *)page_va(phys) + p % PG, chunk) : uio_zero(u, chunk);
		if (n < 0) {
			if (!done)
				done = n;
			break;
		}
		done += n;
		p += (uint64_t)n;
		if ((uint64_t)n < chunk)
			break;
	}
	mutex_unlock(&ti->vfs.lock);
	if (done > 0)
		*pos = p;
	return done;
}

static long tmpfs_write(struct file *file, struct uio *u, uint64_t *pos)
{
	struct tmpfs_inode *ti = TI(file->inode);
	uint64_t max = ti->vfs.sb->max_bytes, p;
	long done = 0;
	int err = mutex_lock(&ti->vfs.lock);

	if (err)
		return err;
	p = (file->flags & O_APPEND) ? ti->vfs.size : *pos;   /* appends are atomic */
	if (u->resid && p >= max) {
		mutex_unlock(&ti->vfs.lock);
		return -EFBIG;
	}
	if (u->resid)
		inode_kill_suid(&ti->vfs);
	while (u->resid && p < max) {
		uint64_t chunk = PG - p % PG, phys;
		long n;

		if (chunk > u->resid)
			chunk = u->resid;
		if (chunk > max - p)
			chunk = max - p;
		phys = page_get(ti, p / PG, &err);
		if (!phys)
			break;
		n = uio_copy_in(u, (char *)page_va(phys) + p % PG, chunk);
		if (n < 0) {
			err = (int)n;
			break;
		}
		done += n;
		p += (uint64_t)n;
		if ((uint64_t)n < chunk)
			break;
	}
	if (p > ti->vfs.size)
		ti->vfs.size = p;
	if (done)
		inode_touch_mc(&ti->vfs);
	mutex_unlock(&ti->vfs.lock);
	if (!done)
		return err;
	*pos = p;
	return done;
}

static int64_t tmpfs_seek(struct file *f, int64_t off, int whence)
{
	struct tmpfs_inode *ti = TI(f->inode);
	uint64_t size, i;
	int64_t r = mutex_lock(&ti->vfs.lock);

	if (r)
		return r;
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		r = generic_file_seek(f, off, whence);
		mutex_unlock(&ti->vfs.lock);
		return r;
	}
	size = ti->vfs.size;
	if (off < 0 || (uint64_t)off >= size) {
		mutex_unlock(&ti->vfs.lock);
		return -ENXIO;
	}
	if (whence == SEEK_DATA) {
		uint64_t f = spin_lock_irqsave(&ti->tree_lock);

		i = tree_next_present(&ti->data, (uint64_t)off / PG);
		spin_unlock_irqrestore(&ti->tree_lock, f);
		if (i > (size - 1) / PG)
			i = (size + PG - 1) / PG;      /* none before the end */
	} else {
		for (i = (uint64_t)off / PG; i * PG < size && page_at(ti, i); i++)
			;
	}
	mutex_unlock(&ti->vfs.lock);
	if (i * PG >= size) {
		if (whence == SEEK_DATA)
			return -ENXIO;
		r = (int64_t)size;        /* the end of the file is a hole */
	} else {
		r = (int64_t)(i * PG) > off ? (int64_t)(i * PG) : off;
	}
	f->pos = (uint64_t)r;
	return r;
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;                      /* memory is as stable as tmpfs gets */
}

static int tmpfs_getpage(struct file *f, uint64_t off, uint64_t *phys)
{
	struct tmpfs_inode *ti = TI(f->inode);
	int err = 0;

	if (off % PG)
		return -EINVAL;
	/* the size is read without the inode lock: a fault racing a
	 * truncate may map a page the truncate then frees with the inode */
	if (off >= __atomic_load_n(&ti->vfs.size, __ATOMIC_RELAXED))
		return -ENXIO;
	*phys = page_get(ti, off / PG, &err);
	return *phys ? 0 : err;
}

const struct file_ops tmpfs_file_ops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.seek = tmpfs_seek,
	.fsync = tmpfs_fsync,
	.getpage = tmpfs_getpage,
};

/* ---- pages given whole (the initramfs unpack) ---- */

int tmpfs_adopt_page(struct inode *ino, uint64_t idx, uint64_t phys)
{
	struct tmpfs_inode *ti;
	uint64_t f, end;
	int err;

	if (ino->fops != &tmpfs_file_ops || phys % PG || idx >= capacity(MAX_HEIGHT))
		return -EINVAL;
	ti = TI(ino);
	end = (idx + 1) * PG;
	if ((err = mutex_lock(&ino->lock)))
		return err;
	if (end > ino->sb->max_bytes) {
		mutex_unlock(&ino->lock);
		return -EFBIG;
	}
	if ((err = charge_page(ino->sb))) {
		mutex_unlock(&ino->lock);
		return err;
	}
	f = spin_lock_irqsave(&ti->tree_lock);
	if (tree_lookup(&ti->data, idx))
		err = -EEXIST;
	else
		err = tree_insert(&ti->data, idx, phys);
	ino->blocks = ti->data.pages * (PG / 512);
	spin_unlock_irqrestore(&ti->tree_lock, f);
	if (err) {
		uncharge_pages(ino->sb, 1);
	} else {
		if (end > ino->size)
			ino->size = end;
		inode_touch_mc(ino);
	}
	mutex_unlock(&ino->lock);
	return err;
}

/* ---- fallocate (inode lock held by the VFS) ---- */

int tmpfs_fallocate(struct inode *ino, int mode, uint64_t off, uint64_t len)
{
	struct tmpfs_inode *ti = TI(ino);
	uint64_t end = off + len, first = off / PG, last = (end + PG - 1) / PG;
	int err = 0;

	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		/* whole pages go; the partial ends are zeroed in place */
		uint64_t a = (off + PG - 1) / PG, b = end / PG;

		if (a > b) {
			zero_tail(ti, off, end);
		} else {
			zero_tail(ti, off, a * PG);
			if (b * PG < end)
				zero_tail(ti, b * PG, end);
			free_pages(ti, a, b);
		}
		if ((mode & FALLOC_FL_ZERO_RANGE) && !(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
			ino->size = end;
		inode_touch_mc(ino);
		return 0;
	}
	/* reserve first, so a failure leaves nothing half done */
	{
		struct tmpfs_sb *s = TSB(ino->sb);
		uint64_t missing = 0, f;

		for (uint64_t i = first; i < last; i++)
			missing += page_at(ti, i) == 0;
		f = spin_lock_irqsave(&s->lock);
		if (s->max_pages && s->pages_used + missing > s->max_pages)
			err = -ENOSPC;
		spin_unlock_irqrestore(&s->lock, f);
		if (err)
			return err;
	}
	for (uint64_t i = first; i < last && !err; i++)
		page_get(ti, i, &err);
	if (err)
		return err;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size) {
		ino->size = end;
		inode_touch_mc(ino);
	}
	return 0;
}
