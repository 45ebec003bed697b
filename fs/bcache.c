/* The block cache (fs/bcache.h). Requests in flight are struct bcache_io:
 * a run of up to 32 blocks moves through one bounce buffer (the device
 * wants a contiguous buffer and the cache's frames are single pages), a
 * single block straight from or to its frame. Nobody is called back on
 * completion: whoever needs a block waits for its request and finishes
 * it (copies, flags, wake-ups), and every entry into the cache first
 * finishes the requests the device has completed (reap). */
#include <fs/bcache.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/shrink.h>
#include <kernel/panic.h>
#include <kernel/sync/condvar.h>
#include <kernel/sync/mutex.h>
#include <lib/string.h>

#define BC_VALID  0x01   /* contents are the block's */
#define BC_DIRTY  0x02   /* to be written home */
#define BC_DATA   0x04   /* file data (else metadata) */
#define BC_PINNED 0x08   /* never written home while set */
#define BC_IO     0x10   /* a read or write in flight */
#define BC_ERROR  0x20   /* the last read failed */
#define BC_HASHED 0x40   /* findable (else forgotten: freed at the last put) */
#define BC_MAPPED 0x80   /* on the device's mapped list, which holds a reference */

#define IO_BLOCKS    32u  /* BLOCKDEV_MAX_TRANSFER */
#define INFLIGHT_MAX 32u
#define NBUCKETS     16384u
#define MIN_LIMIT    2048u

struct bcache_io {
	struct blockdev_req req;
	struct bcache_dev *dev;
	struct bcache_buf *bufs[IO_BLOCKS];
	uint32_t n;
	void *bounce;                /* NULL: one block straight from its frame */
	bool write;
	bool finishing;              /* a thread waits for it and will finish it */
	struct list_node node;       /* inflight */
};

struct bcache_dev {
	struct blockdev *bd;
	uint64_t blocks;
	uint32_t spb;                /* sectors per block */
	struct list_node dirty;      /* cache */
	struct list_node mapped;     /* cache: BC_MAPPED blocks */
	uint64_t ndirty, ncached;    /* cache */
	uint64_t write_errors;       /* cache */
	uint64_t flushes;            /* atomic: flushes the device finished */
};

static struct mutex cache_lock;       /* the cache lock */
static struct condvar io_done;        /* a request was finished */
static struct list_node *buckets;     /* cache */
static struct list_node lru;          /* cache: hashed blocks, oldest first */
static struct list_node inflight;     /* cache */
static uint32_t ninflight;            /* cache */
static uint64_t ncached, limit;       /* cache */
static struct bcache_stats stats;     /* cache */
static bool ready;
static uint64_t shrink_scan(uint64_t n);
static struct shrinker shrinker = { .name = "bcache", .scan = shrink_scan };

_Static_assert(BCACHE_BLOCK * IO_BLOCKS <= BLOCKDEV_MAX_TRANSFER, "request size");

static void init(void)
{
	if (ready)
		return;
	mutex_init(&cache_lock, "bcache");
	cond_init(&io_done);
	list_init(&lru);
	list_init(&inflight);
	buckets = kmalloc(NBUCKETS * sizeof(*buckets));
	if (buckets)
		for (uint32_t i = 0; i < NBUCKETS; i++)
			list_init(&buckets[i]);
	limit = pmm_free_pages() / 2;
	if (limit < MIN_LIMIT)
		limit = MIN_LIMIT;
	ready = buckets != NULL;
	if (ready)
		shrinker_register(&shrinker);
}

/* The cache lock is only taken by threads that may block: a failure to
 * take it is a kernel bug. */
static void lock(void)
{
	if (mutex_lock(&cache_lock))
		panic("bcache: cache lock taken where blocking is not allowed");
}

static void unlock(void)
{
	mutex_unlock(&cache_lock);
}

static struct list_node *bucket(const struct bcache_dev *d, uint64_t blk)
{
	uint64_t h = (blk ^ ((uint64_t)(uintptr_t)d >> 6)) * 0x9e3779b97f4a7c15ull;

	return &buckets[(h >> 32) & (NBUCKETS - 1)];
}

static struct bcache_buf *lookup(struct bcache_dev *d, uint64_t blk)
{
	list_for_each(n, bucket(d, blk)) {
		struct bcache_buf *b = list_entry(n, struct bcache_buf, hash_node);

		if (b->blk == blk && b->dev == d)
			return b;
	}
	return NULL;
}

static void set_clean(struct bcache_buf *b)
{
	if (b->flags & BC_DIRTY) {
		b->flags &= ~(uint32_t)BC_DIRTY;
		list_del(&b->dirty_node);
		b->dev->ndirty--;
	}
}

static void set_dirty(struct bcache_buf *b)
{
	if (!(b->flags & BC_DIRTY) && (b->flags & BC_HASHED)) {
		b->flags |= BC_DIRTY;
		list_add_tail(&b->dev->dirty, &b->dirty_node);
		b->dev->ndirty++;
	}
}

/* The frame may outlive the buffer in a mapping (bcache_mapped). */
static void free_buf(struct bcache_buf *b)
{
	pmm_unref(b->phys);
	kfree(b);
}

/* Out of the hash: nobody finds it any more; freed at its last put. */
static void unhash(struct bcache_buf *b)
{
	if (!(b->flags & BC_HASHED))
		return;
	set_clean(b);
	if (b->flags & BC_MAPPED) {
		/* a mapping keeps the frame; the block is no longer the file's */
		b->flags &= ~(uint32_t)BC_MAPPED;
		list_del(&b->mapped_node);
		b->refs--;
	}
	b->flags &= ~(uint32_t)BC_HASHED;
	list_del(&b->hash_node);
	list_del(&b->lru_node);
	b->dev->ncached--;
	ncached--;
	if (!b->refs)
		free_buf(b);
}

/* Frees up to n unused clean blocks, oldest first. */
static uint64_t evict(uint64_t n)
{
	uint64_t done = 0;
	struct list_node *p = lru.next;

	while (p != &lru && done < n) {
		struct bcache_buf *b = list_entry(p, struct bcache_buf, lru_node);

		p = p->next;
		if (b->refs || (b->flags & (BC_DIRTY | BC_PINNED | BC_IO)))
			continue;
		unhash(b);
		done++;
	}
	stats.evictions += done;
	return done;
}

static struct bcache_buf *alloc_buf(struct bcache_dev *d, uint64_t blk)
{
	struct bcache_buf *b;
	uint64_t phys;

	if (ncached >= limit)
		evict(ncached - limit + 64);
	phys = pmm_alloc(0);
	if (!phys && evict(256))
		phys = pmm_alloc(0);
	if (!phys)
		return NULL;
	b = kzalloc(sizeof(*b));
	if (!b) {
		pmm_free(phys, 0);
		return NULL;
	}
	b->blk = blk;
	b->phys = phys;
	b->data = PHYS_TO_VIRT(phys);
	b->dev = d;
	b->flags = BC_HASHED;
	list_init(&b->dirty_node);
	list_init(&b->mapped_node);
	list_add_tail(bucket(d, blk), &b->hash_node);
	list_add_tail(&lru, &b->lru_node);
	d->ncached++;
	ncached++;
	return b;
}

static void put_locked(struct bcache_buf *b)
{
	if (--b->refs == 0 && !(b->flags & BC_HASHED))
		free_buf(b);
}

/* ---- requests ---- */

/* Finishes a request the device has completed with status st. */
static void io_finish(struct bcache_io *io, int st)
{
	list_del(&io->node);
	ninflight--;
	for (uint32_t i = 0; i < io->n; i++) {
		struct bcache_buf *b = io->bufs[i];

		if (!io->write) {
			if (!st) {
				if (io->bounce)
					memcpy(b->data, (uint8_t *)io->bounce + (size_t)i * BCACHE_BLOCK,
					       BCACHE_BLOCK);
				b->flags = (b->flags | BC_VALID) & ~(uint32_t)BC_ERROR;
				b->fsflags = 0;
			} else {
				b->flags |= BC_ERROR;
			}
		} else if (st) {
			set_dirty(b);        /* try again later */
		}
		if (io->write && st && i == 0)
			io->dev->write_errors++;
		b->flags &= ~(uint32_t)BC_IO;
		b->io = NULL;
		put_locked(b);
	}
	if (st)
		log_warn("bcache: %s: %s of blocks %llu..%llu failed (error %d)", io->dev->bd->name,
			 io->write ? "write" : "read", (unsigned long long)io->bufs[0]->blk,
			 (unsigned long long)io->bufs[io->n - 1]->blk, st);
	kfree(io->bounce);
	kfree(io);
	cond_broadcast(&io_done);
}

/* Waits for io (cache lock held, given up meanwhile) and finishes it, or
 * waits for the thread that does. */
static void io_wait(struct bcache_io *io)
{
	int st;

	if (io->finishing) {
		if (cond_wait(&io_done, &cache_lock, 0))
			panic("bcache: waiting for a request where blocking is not allowed");
		return;
	}
	io->finishing = true;
	unlock();
	st = blockdev_wait(&io->req);
	lock();
	io_finish(io, st);
}

static void wait_buf(struct bcache_buf *b)
{
	while (b->flags & BC_IO)
		io_wait(b->io);
}

/* Finishes every request the device has completed. */
static void reap(void)
{
	struct list_node *p = inflight.next;

	while (p != &inflight) {
		struct bcache_io *io = list_entry(p, struct bcache_io, node);

		p = p->next;
		if (io->req.done && !io->finishing) {
			io->finishing = true;
			io_finish(io, io->req.status);
		}
	}
}

/* Makes room for one more request: finishes the oldest if too many fly. */
static void throttle(void)
{
	reap();
	while (ninflight >= INFLIGHT_MAX)
		io_wait(list_entry(inflight.next, struct bcache_io, node));
}

static struct bcache_io *io_new(struct bcache_dev *d, bool write, uint32_t n)
{
	struct bcache_io *io = kzalloc(sizeof(*io));

	if (!io)
		return NULL;
	if (n > 1 && !(io->bounce = kmalloc((size_t)n * BCACHE_BLOCK))) {
		kfree(io);
		return NULL;
	}
	io->dev = d;
	io->write = write;
	return io;
}

/* Adds b (held by the request from now on, marked in flight). */
static void io_add(struct bcache_io *io, struct bcache_buf *b)
{
	b->refs++;
	b->flags |= BC_IO;
	b->io = io;
	io->bufs[io->n++] = b;
}

static void io_submit(struct bcache_io *io)
{
	struct bcache_dev *d = io->dev;
	int err;

	if (io->write && io->bounce)
		for (uint32_t i = 0; i < io->n; i++)
			memcpy((uint8_t *)io->bounce + (size_t)i * BCACHE_BLOCK, io->bufs[i]->data,
			       BCACHE_BLOCK);
	io->req.op = io->write ? BLOCKDEV_WRITE : BLOCKDEV_READ;
	io->req.lba = io->bufs[0]->blk * d->spb;
	io->req.count = io->n * d->spb;
	io->req.buf = io->bounce ? io->bounce : io->bufs[0]->data;
	list_add_tail(&inflight, &io->node);
	ninflight++;
	if (io->write) {
		stats.writes += io->n;
		stats.write_reqs++;
	} else
		stats.reads += io->n;
	err = blockdev_submit(d->bd, &io->req);
	if (err) {
		io->finishing = true;
		io_finish(io, err);
	}
}

/* ---- the interface ---- */

struct bcache_dev *bcache_dev_create(struct blockdev *bd)
{
	struct bcache_dev *d;

	init();
	if (!ready || bd->sector_size > BCACHE_BLOCK || BCACHE_BLOCK % bd->sector_size)
		return NULL;
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->bd = bd;
	d->spb = BCACHE_BLOCK / bd->sector_size;
	d->blocks = bd->sectors / d->spb;
	list_init(&d->dirty);
	list_init(&d->mapped);
	return d;
}

void bcache_dev_destroy(struct bcache_dev *d)
{
	lock();
	for (;;) {
		struct bcache_io *mine = NULL;

		list_for_each(n, &inflight) {
			struct bcache_io *io = list_entry(n, struct bcache_io, node);

			if (io->dev == d) {
				mine = io;
				break;
			}
		}
		if (!mine)
			break;
		io_wait(mine);
	}
	for (struct list_node *p = lru.next; p != &lru;) {
		struct bcache_buf *b = list_entry(p, struct bcache_buf, lru_node);

		p = p->next;
		if (b->dev != d)
			continue;
		if (b->refs)
			log_warn("bcache: %s: block %llu still held at destroy", d->bd->name,
				 (unsigned long long)b->blk);
		unhash(b);
	}
	unlock();
	kfree(d);
}

uint64_t bcache_dev_blocks(struct bcache_dev *d)
{
	return d->blocks;
}

struct blockdev *bcache_dev_blockdev(struct bcache_dev *d)
{
	return d->bd;
}

int bcache_get(struct bcache_dev *d, uint64_t blk, bool read, struct bcache_buf **out)
{
	struct bcache_buf *b;
	int err = 0;

	if (blk >= d->blocks)
		return -EIO;
	lock();
	reap();
	b = lookup(d, blk);
	if (b) {
		stats.hits++;
		b->refs++;
		list_del(&b->lru_node);
		list_add_tail(&lru, &b->lru_node);
	} else {
		stats.misses++;
		b = alloc_buf(d, blk);
		if (!b) {
			unlock();
			return -ENOMEM;
		}
		b->refs = 1;
	}
	wait_buf(b);
	if (read && !(b->flags & BC_VALID)) {
		struct bcache_io *io = io_new(d, false, 1);

		if (!io) {
			err = -ENOMEM;
		} else {
			throttle();
			if (b->flags & BC_IO) {
				kfree(io);       /* someone else started it meanwhile */
			} else {
				io_add(io, b);
				io_submit(io);
			}
			wait_buf(b);
			if (!(b->flags & BC_VALID))
				err = -EIO;
		}
	} else if (!read) {
		/* what it held is of no use to a caller about to fill it */
		memset(b->data, 0, BCACHE_BLOCK);
		b->fsflags = 0;
		b->flags |= BC_VALID;
	}
	if (err)
		put_locked(b);
	unlock();
	if (!err)
		*out = b;
	return err;
}

void bcache_hold(struct bcache_buf *b)
{
	lock();
	b->refs++;
	unlock();
}

void bcache_put(struct bcache_buf *b)
{
	lock();
	put_locked(b);
	unlock();
}

void bcache_dirty(struct bcache_buf *b, bool data)
{
	lock();
	if (data)
		b->flags |= BC_DATA;
	else
		b->flags &= ~(uint32_t)BC_DATA;
	set_dirty(b);
	unlock();
}

void bcache_mapped(struct bcache_buf *b)
{
	lock();
	if (!(b->flags & BC_MAPPED) && (b->flags & BC_HASHED)) {
		b->flags |= BC_MAPPED | BC_DATA;
		b->refs++;
		list_add_tail(&b->dev->mapped, &b->mapped_node);
	}
	unlock();
}

/* Mapped blocks may have been written through a mapping: dirty. Those no
 * mapping uses any more leave the list after this last write. */
static void dirty_mapped(struct bcache_dev *d)
{
	for (struct list_node *p = d->mapped.next; p != &d->mapped;) {
		struct bcache_buf *b = list_entry(p, struct bcache_buf, mapped_node);

		p = p->next;
		b->flags |= BC_DATA;
		set_dirty(b);
		if (pmm_refcount(b->phys) == 1) {
			b->flags &= ~(uint32_t)BC_MAPPED;
			list_del(&b->mapped_node);
			put_locked(b);
		}
	}
}

void bcache_pin(struct bcache_buf *b)
{
	lock();
	wait_buf(b);
	b->flags |= BC_PINNED;
	unlock();
}

void bcache_unpin(struct bcache_buf *b)
{
	lock();
	b->flags &= ~(uint32_t)BC_PINNED;
	unlock();
}

void bcache_readahead(struct bcache_dev *d, uint64_t blk, uint32_t n)
{
	uint64_t end = blk + n > d->blocks ? d->blocks : blk + n;

	lock();
	reap();
	while (blk < end && ninflight < INFLIGHT_MAX) {
		struct bcache_io *io;
		uint32_t run = 0;

		while (blk < end && lookup(d, blk))
			blk++;
		while (blk + run < end && run < IO_BLOCKS && !lookup(d, blk + run))
			run++;
		if (!run || !(io = io_new(d, false, run)))
			break;
		for (uint32_t i = 0; i < run; i++) {
			struct bcache_buf *b = alloc_buf(d, blk + i);

			if (!b)
				break;
			io_add(io, b);
		}
		if (!io->n) {
			kfree(io->bounce);
			kfree(io);
			break;
		}
		stats.readahead += io->n;
		blk += io->n;
		io_submit(io);
	}
	unlock();
}

/* Heap sort of blocks by number (no recursion, no allocation). */
static void sort_bufs(struct bcache_buf **a, size_t n)
{
	for (size_t start = n / 2; n > 1;) {
		size_t root, child;
		struct bcache_buf *t;

		if (start > 0) {
			start--;
		} else {
			n--;
			t = a[0];
			a[0] = a[n];
			a[n] = t;
		}
		for (root = start; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && a[child + 1]->blk > a[child]->blk)
				child++;
			if (a[root]->blk >= a[child]->blk)
				break;
			t = a[root];
			a[root] = a[child];
			a[child] = t;
		}
	}
}

long bcache_writeback(struct bcache_dev *d, bool data_only)
{
	struct bcache_buf **list;
	size_t n = 0, cap;
	uint64_t errors;
	int err = 0;

	lock();
	reap();
	dirty_mapped(d);
	errors = d->write_errors;
	cap = d->ndirty;
	if (!cap) {
		unlock();
		return 0;
	}
	list = kmalloc(cap * sizeof(*list));
	if (!list) {
		unlock();
		return -ENOMEM;
	}
	list_for_each(p, &d->dirty) {
		struct bcache_buf *b = list_entry(p, struct bcache_buf, dirty_node);

		if (n < cap && !(b->flags & (BC_PINNED | BC_IO)) && (!data_only || (b->flags & BC_DATA)))
			list[n++] = b;
	}
	for (size_t i = 0; i < n; i++)
		list[i]->refs++;         /* kept across the waits below */
	sort_bufs(list, n);
	for (size_t i = 0; i < n;) {
		struct bcache_io *io;
		size_t run = 1;

		while (i + run < n && run < IO_BLOCKS && list[i + run]->blk == list[i]->blk + run)
			run++;
		throttle();
		io = io_new(d, true, (uint32_t)run);
		if (!io) {
			err = -ENOMEM;
			break;
		}
		for (size_t k = 0; k < run; k++) {
			struct bcache_buf *b = list[i + k];

			/* it may have been forgotten, pinned or written while
			 * this thread waited */
			if ((b->flags & (BC_DIRTY | BC_HASHED)) != (BC_DIRTY | BC_HASHED) ||
			    (b->flags & (BC_PINNED | BC_IO)))
				continue;
			set_clean(b);
			io_add(io, b);
		}
		i += run;
		if (!io->n) {
			kfree(io->bounce);
			kfree(io);
			continue;
		}
		if (io->n > 1 && io->bufs[io->n - 1]->blk != io->bufs[0]->blk + io->n - 1) {
			/* a gap appeared: write the pieces one by one */
			for (uint32_t k = 0; k < io->n; k++) {
				struct bcache_io *one = io_new(d, true, 1);
				struct bcache_buf *b = io->bufs[k];

				b->flags &= ~(uint32_t)BC_IO;
				b->io = NULL;
				b->refs--;
				if (!one) {
					set_dirty(b);
					err = -ENOMEM;
					continue;
				}
				throttle();
				io_add(one, b);
				io_submit(one);
			}
			kfree(io->bounce);
			kfree(io);
			continue;
		}
		io_submit(io);
	}
	/* wait for them all; a failed write left its blocks dirty */
	for (size_t i = 0; i < n; i++) {
		wait_buf(list[i]);
		put_locked(list[i]);
	}
	if (!err && d->write_errors != errors)
		err = -EIO;
	unlock();
	kfree(list);
	return err ? err : (long)n;
}

void bcache_forget(struct bcache_dev *d, uint64_t blk, uint64_t n)
{
	lock();
	if (n <= 64) {
		for (uint64_t i = 0; i < n; i++) {
			struct bcache_buf *b = lookup(d, blk + i);

			if (b)
				unhash(b);
		}
	} else {
		for (struct list_node *p = lru.next; p != &lru;) {
			struct bcache_buf *b = list_entry(p, struct bcache_buf, lru_node);

			p = p->next;
			if (b->dev == d && b->blk >= blk && b->blk - blk < n)
				unhash(b);
		}
	}
	unlock();
}

void bcache_discard_meta(struct bcache_dev *d)
{
	lock();
	for (struct list_node *p = lru.next; p != &lru;) {
		struct bcache_buf *b = list_entry(p, struct bcache_buf, lru_node);

		p = p->next;
		if (b->dev == d && !(b->flags & BC_DATA)) {
			b->flags &= ~(uint32_t)BC_PINNED;
			unhash(b);
		}
	}
	unlock();
}

int bcache_write_direct(struct bcache_dev *d, uint64_t blk, uint32_t n, void *const *blocks)
{
	int err = 0;

	while (n && !err) {
		uint32_t run = n < IO_BLOCKS ? n : IO_BLOCKS;
		struct blockdev_req r = { .op = BLOCKDEV_WRITE, .lba = blk * d->spb, .count = run * d->spb };
		void *bounce = NULL;

		if (run > 1) {
			bounce = kmalloc((size_t)run * BCACHE_BLOCK);
			if (!bounce)
				return -ENOMEM;
			for (uint32_t i = 0; i < run; i++)
				memcpy((uint8_t *)bounce + (size_t)i * BCACHE_BLOCK, blocks[i], BCACHE_BLOCK);
		}
		r.buf = bounce ? bounce : blocks[0];
		err = blockdev_submit(d->bd, &r);
		if (!err)
			err = blockdev_wait(&r);
		kfree(bounce);
		lock();
		stats.writes += run;
		stats.write_reqs++;
		unlock();
		blk += run;
		blocks += run;
		n -= run;
	}
	return err;
}

int bcache_read_direct(struct bcache_dev *d, uint64_t blk, void *buf)
{
	if (blk >= d->blocks)
		return -EIO;
	return blockdev_read(d->bd, blk * d->spb, d->spb, buf);
}

int bcache_flush(struct bcache_dev *d)
{
	int err = blockdev_flush(d->bd);

	if (!err)
		__atomic_add_fetch(&d->flushes, 1, __ATOMIC_RELEASE);
	lock();
	stats.flushes++;
	unlock();
	return err;
}

uint64_t bcache_flush_count(struct bcache_dev *d)
{
	return __atomic_load_n(&d->flushes, __ATOMIC_ACQUIRE);
}

uint64_t bcache_dirty_count(struct bcache_dev *d)
{
	return __atomic_load_n(&d->ndirty, __ATOMIC_RELAXED);
}

void bcache_get_stats(struct bcache_stats *s)
{
	if (!ready) {
		memset(s, 0, sizeof(*s));
		return;
	}
	lock();
	*s = stats;
	s->cached = ncached;
	s->dirty = s->unsafe = s->writeback = 0;
	list_for_each(p, &lru) {
		uint32_t f = list_entry(p, struct bcache_buf, lru_node)->flags;

		if (f & BC_DIRTY)
			s->dirty++;
		if ((f & BC_DIRTY) && (f & (BC_DATA | BC_PINNED)))
			s->unsafe++;
	}
	list_for_each(p, &inflight) {
		struct bcache_io *io = list_entry(p, struct bcache_io, node);

		if (io->write)
			s->writeback += io->n;
	}
	unlock();
}

uint64_t bcache_shrink(uint64_t n)
{
	uint64_t done;

	if (!ready)
		return 0;
	lock();
	reap();
	done = evict(n);
	unlock();
	return done;
}

/* The shrinker (kernel/mm/shrink.h): the allocating thread may hold the
 * cache lock itself (alloc_buf) or be waiting for it, so it is only
 * tried; clean unused blocks go, dirty ones stay for the write-back. */
static uint64_t shrink_scan(uint64_t n)
{
	uint64_t done;

	if (!mutex_trylock(&cache_lock))
		return 0;
	reap();
	done = evict(n);
	unlock();
	return done;
}

/* ---- memory disks ---- */

struct memdisk {
	struct blockdev bd;
	uint8_t *mem;
};

static int memdisk_submit(struct blockdev *bd, struct blockdev_req *r)
{
	struct memdisk *m = (struct memdisk *)bd;
	size_t off = (size_t)r->lba * bd->sector_size, len = (size_t)r->count * bd->sector_size;

	if (r->op == BLOCKDEV_READ)
		memcpy(r->buf, m->mem + off, len);
	else if (r->op == BLOCKDEV_WRITE)
		memcpy(m->mem + off, r->buf, len);
	r->status = 0;
	r->done = true;
	return 0;
}

static void memdisk_abort(struct blockdev *bd)
{
	(void)bd;
}

static const struct blockdev_ops memdisk_ops = { memdisk_submit, memdisk_abort };

struct blockdev *bcache_memdisk_create(void *mem, uint64_t bytes, bool read_only)
{
	struct memdisk *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	memcpy(m->bd.name, "mem", 4);
	m->bd.sector_size = 512;
	m->bd.sectors = bytes / 512;
	m->bd.read_only = read_only;
	m->bd.ops = &memdisk_ops;
	m->mem = mem;
	return &m->bd;
}

void bcache_memdisk_destroy(struct blockdev *bd)
{
	kfree(bd);
}
