/* Host block cache and image I/O for the cosmfs tools and host tests
 * (hostio.h). One thread: no locks. The cache holds at most `limit`
 * blocks that nobody holds; beyond that it writes back and drops the
 * least recently used unpinned ones. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BS CFS_BLOCK_SIZE
#define DEFAULT_LIMIT 16384      /* 64 MiB of cached blocks */

static size_t hash_of(uint64_t blk, size_t n)
{
	return (size_t)((blk * 0x9e3779b97f4a7c15ull) >> 20) & (n - 1);
}

static struct host_dev *dev_new(void)
{
	struct host_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fd = -1;
	d->nbuckets = 4096;
	d->hash = calloc(d->nbuckets, sizeof(*d->hash));
	d->ovl_buckets = 1024;
	d->ovl = calloc(d->ovl_buckets, sizeof(*d->ovl));
	d->limit = DEFAULT_LIMIT;
	d->lru.prev = d->lru.next = &d->lru;
	if (!d->hash || !d->ovl) {
		free(d->hash);
		free(d->ovl);
		free(d);
		return NULL;
	}
	return d;
}

struct host_dev *host_dev_open(const char *path, bool read_only, bool overlay, uint64_t blocks)
{
	struct host_dev *d = dev_new();
	struct stat st;

	if (!d)
		return NULL;
	d->fd = open(path, read_only || overlay ? O_RDONLY : O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st) < 0) {
		int e = errno;

		if (d->fd >= 0)
			close(d->fd);
		free(d->hash);
		free(d->ovl);
		free(d);
		errno = e;
		return NULL;
	}
	d->blocks = blocks ? blocks : (uint64_t)st.st_size / BS;
	d->read_only = read_only;
	d->overlay = overlay;
	return d;
}

struct host_dev *host_dev_memory(void *mem, uint64_t len)
{
	struct host_dev *d = dev_new();

	if (!d)
		return NULL;
	d->mem = mem;
	d->blocks = len / BS;
	return d;
}

static struct ovl *ovl_find(struct host_dev *d, uint64_t blk)
{
	for (struct ovl *o = d->ovl[hash_of(blk, d->ovl_buckets)]; o; o = o->next)
		if (o->blk == blk)
			return o;
	return NULL;
}

static int raw_read(struct host_dev *d, uint64_t blk, void *buf)
{
	struct ovl *o;

	if (blk >= d->blocks)
		return -EIO;
	if (d->fail_read && blk + 1 == d->fail_read)
		return -EIO;
	d->reads++;
	if (d->overlay && (o = ovl_find(d, blk))) {
		memcpy(buf, o->data, BS);
		return 0;
	}
	if (d->mem) {
		memcpy(buf, d->mem + blk * BS, BS);
		return 0;
	}
	ssize_t n = pread(d->fd, buf, BS, (off_t)(blk * BS));
	if (n < 0)
		return -EIO;
	if (n < (ssize_t)BS)
		memset((uint8_t *)buf + n, 0, BS - (size_t)n);   /* a short image reads as zeros */
	return 0;
}

static int raw_write(struct host_dev *d, uint64_t blk, const void *buf)
{
	int err;

	if (blk >= d->blocks)
		return -EIO;
	if (d->read_only)
		return -EROFS;
	if (d->on_write && (err = d->on_write(d->hook_ctx, blk, buf)))
		return err < 0 ? err : 0;        /* > 0: the write is lost, silently */
	d->writes++;
	if (d->overlay) {
		struct ovl *o = ovl_find(d, blk);

		if (!o) {
			size_t h = hash_of(blk, d->ovl_buckets);

			o = malloc(sizeof(*o) + BS);
			if (!o)
				return -ENOMEM;
			o->blk = blk;
			o->next = d->ovl[h];
			d->ovl[h] = o;
		}
		memcpy(o->data, buf, BS);
		return 0;
	}
	if (d->mem) {
		memcpy(d->mem + blk * BS, buf, BS);
		return 0;
	}
	return pwrite(d->fd, buf, BS, (off_t)(blk * BS)) == (ssize_t)BS ? 0 : -EIO;
}

static void lru_unlink(struct host_buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
	b->prev = b->next = b;
}

static void lru_add(struct host_dev *d, struct host_buf *b)
{
	b->prev = d->lru.prev;
	b->next = &d->lru;
	d->lru.prev->next = b;
	d->lru.prev = b;
}

static struct host_buf *lookup(struct host_dev *d, uint64_t blk)
{
	for (struct host_buf *b = d->hash[hash_of(blk, d->nbuckets)]; b; b = b->hnext)
		if (b->blk == blk)
			return b;
	return NULL;
}

static void unhash(struct host_dev *d, struct host_buf *b)
{
	struct host_buf **pp = &d->hash[hash_of(b->blk, d->nbuckets)];

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	lru_unlink(b);
	d->nbufs--;
	free(b->data);
	free(b);
}

static int write_home(struct host_buf *b)
{
	int err = raw_write(b->dev, b->blk, b->data);

	if (!err)
		b->dirty = false;
	return err;
}

/* Keeps the cache near its limit: unheld blocks go, oldest first (dirty
 * ones are written home first unless pinned). */
static void shrink(struct host_dev *d)
{
	struct host_buf *b = d->lru.next;

	while (d->nbufs > d->limit && b != &d->lru) {
		struct host_buf *next = b->next;

		if (!b->refs && !b->pinned && (!b->dirty || write_home(b) == 0))
			unhash(d, b);
		b = next;
	}
}

static int get(struct host_dev *d, uint64_t blk, bool read, struct host_buf **out)
{
	struct host_buf *b = lookup(d, blk);
	int err;

	if (blk >= d->blocks)
		return -EIO;
	if (b) {
		b->refs++;
		lru_unlink(b);
		lru_add(d, b);
		if (!read) {
			memset(b->data, 0, BS);
			b->fsflags = 0;
		}
		*out = b;
		return 0;
	}
	b = calloc(1, sizeof(*b));
	if (!b || !(b->data = malloc(BS))) {
		free(b);
		return -ENOMEM;
	}
	if (read && (err = raw_read(d, blk, b->data))) {
		free(b->data);
		free(b);
		return err;
	}
	if (!read)
		memset(b->data, 0, BS);
	b->blk = blk;
	b->dev = d;
	b->refs = 1;
	b->prev = b->next = b;
	size_t h = hash_of(blk, d->nbuckets);
	b->hnext = d->hash[h];
	d->hash[h] = b;
	lru_add(d, b);
	d->nbufs++;
	if (d->nbufs > d->limit)
		shrink(d);
	*out = b;
	return 0;
}

int cfs_bread(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out)
{
	return get(d, blk, true, out);
}

int cfs_bget(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out)
{
	return get(d, blk, false, out);
}

void cfs_bhold(cfs_buf_t *b)
{
	b->refs++;
}

void cfs_brelse(cfs_buf_t *b)
{
	if (!b->refs) {
		fprintf(stderr, "hostio: release of an unheld block %llu\n", (unsigned long long)b->blk);
		abort();
	}
	b->refs--;
}

void cfs_bdirty(cfs_buf_t *b, bool data)
{
	b->dirty = true;
	b->is_data = data;
}

void cfs_bpin(cfs_buf_t *b)
{
	b->pinned = true;
}

void cfs_bunpin(cfs_buf_t *b)
{
	b->pinned = false;
}

int cfs_dev_write(cfs_dev_t *d, uint64_t blk, uint32_t n, void *const *blocks)
{
	for (uint32_t i = 0; i < n; i++) {
		int err = raw_write(d, blk + i, blocks[i]);

		if (err)
			return err;
		/* a cached copy of the block is now stale (mkfs, replay and a
		 * checkpoint's frozen copies write past the cache); a changed
		 * or pinned copy is newer than what was written */
		struct host_buf *b = lookup(d, blk + i);
		if (b && !b->dirty && !b->pinned)
			memcpy(b->data, blocks[i], BS);
	}
	return 0;
}

int cfs_dev_read(cfs_dev_t *d, uint64_t blk, void *block)
{
	return raw_read(d, blk, block);
}

int cfs_dev_flush(cfs_dev_t *d)
{
	int err;

	if (d->read_only)
		return 0;
	if (d->on_flush && (err = d->on_flush(d->hook_ctx)))
		return err;
	d->flushes++;
	if (d->fd >= 0 && !d->overlay && fsync(d->fd) < 0)
		return -EIO;
	return 0;
}

static int cmp_blk(const void *a, const void *b)
{
	const struct host_buf *x = *(struct host_buf *const *)a, *y = *(struct host_buf *const *)b;

	return x->blk < y->blk ? -1 : x->blk > y->blk;
}

long cfs_dev_writeback(cfs_dev_t *d, bool data_only)
{
	struct host_buf **list;
	size_t n = 0;
	int err = 0;

	list = malloc((d->nbufs + 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (struct host_buf *b = d->lru.next; b != &d->lru; b = b->next)
		if (b->dirty && !b->pinned && (!data_only || b->is_data))
			list[n++] = b;
	qsort(list, n, sizeof(*list), cmp_blk);
	for (size_t i = 0; i < n && !err; i++)
		err = write_home(list[i]);
	free(list);
	return err ? err : (long)n;
}

void cfs_dev_forget(cfs_dev_t *d, uint64_t blk, uint64_t n)
{
	/* a large range costs a walk of the cache, not n lookups */
	if (n > d->nbufs) {
		for (struct host_buf *b = d->lru.next, *next; b != &d->lru; b = next) {
			next = b->next;
			if (b->blk >= blk && b->blk - blk < n) {
				b->dirty = false;
				if (!b->refs)
					unhash(d, b);
			}
		}
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct host_buf *b = lookup(d, blk + i);

		if (b) {
			b->dirty = false;
			if (!b->refs)
				unhash(d, b);
		}
	}
}

void cfs_dev_readahead(cfs_dev_t *d, uint64_t blk, uint32_t n)
{
	(void)d;
	(void)blk;
	(void)n;
}

uint64_t cfs_dev_blocks(cfs_dev_t *d)
{
	return d->blocks;
}

void cfs_dev_discard_meta(cfs_dev_t *d)
{
	for (struct host_buf *b = d->lru.next; b != &d->lru; b = b->next)
		if (b->dirty && !b->is_data) {
			b->dirty = false;
			b->pinned = false;
			b->fsflags = 0;
		}
	host_dev_drop_cache(d);
}

void host_dev_drop_cache(struct host_dev *d)
{
	for (struct host_buf *b = d->lru.next, *next; b != &d->lru; b = next) {
		next = b->next;
		if (!b->refs && !b->dirty && !b->pinned)
			unhash(d, b);
	}
}

int host_dev_close(struct host_dev *d)
{
	int err = 0;

	if (!d)
		return 0;
	if (!d->read_only && cfs_dev_writeback(d, false) < 0)
		err = -EIO;
	for (struct host_buf *b = d->lru.next, *next; b != &d->lru; b = next) {
		next = b->next;
		if (b->refs)
			fprintf(stderr, "hostio: block %llu still held at close\n", (unsigned long long)b->blk);
		unhash(d, b);
	}
	for (size_t i = 0; i < d->ovl_buckets; i++)
		for (struct ovl *o = d->ovl[i], *next; o; o = next) {
			next = o->next;
			free(o);
		}
	if (d->fd >= 0)
		close(d->fd);
	free(d->ovl);
	free(d->hash);
	free(d);
	return err;
}

/* ---- the rest of the environment ---- */

void *cfs_zalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void cfs_free(void *p)
{
	free(p);
}

void cfs_env_time(int64_t *sec, uint32_t *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*nsec = (uint32_t)ts.tv_nsec;
}

void cfs_env_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got <= 0) {
			/* no entropy source: not secret, but still unique enough */
			for (size_t i = 0; i < n; i++)
				p[i] = (uint8_t)(rand() ^ (int)time(NULL) ^ (int)i);
			return;
		}
		p += got;
		n -= (size_t)got;
	}
}

/* Tests silence the log with COSMFS_QUIET=1. */
void cfs_log(const char *fmt, ...)
{
	static int quiet = -1;
	va_list ap;

	if (quiet < 0) {
		const char *q = getenv("COSMFS_QUIET");
		quiet = q && *q == '1';
	}
	if (quiet)
		return;
	va_start(ap, fmt);
	fputs("cosmfs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cfs_env_unlock(struct cfs_fs *fs)
{
	(void)fs;
}

void cfs_env_lock(struct cfs_fs *fs)
{
	(void)fs;
}

void cfs_env_went_rdonly(struct cfs_fs *fs)
{
	(void)fs;
}
