/* Helpers for the cosmfs host tests: images in memory, files by path,
 * and a recorder of every write and flush that reaches an image, from
 * which the state after a power cut at any point can be rebuilt. */
#ifndef TEST_HOST_COSMFS_TEST_H
#define TEST_HOST_COSMFS_TEST_H

#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/tools/fsck.h>
#include <fs/cosmfs/tools/tool.h>
#include <stdlib.h>
#include <string.h>

struct img {
	uint8_t *mem;
	size_t size;
	struct host_dev *dev;
	struct cfs_fs *fs;
};

static inline void img_make(struct img *im, size_t size, uint64_t inode_ratio, uint32_t journal)
{
	struct cfs_mkfs_opts o = { .blocks = size / CFS_BLOCK_SIZE, .time = 1700000000,
				   .inode_ratio = inode_ratio, .journal_blocks = journal };

	im->size = size;
	im->mem = calloc(1, size);
	assert_non_null(im->mem);
	im->dev = host_dev_memory(im->mem, size);
	assert_non_null(im->dev);
	assert_int_equal(cfs_mkfs(im->dev, &o), 0);
	im->fs = NULL;
}

static inline int img_mount(struct img *im, unsigned flags)
{
	return cfs_mount(im->dev, NULL, flags, &im->fs);
}

static inline void img_unmount(struct img *im)
{
	assert_int_equal(cfs_unmount(im->fs), 0);
	im->fs = NULL;
}

/* Drops the cache: what follows reads the image as it is in memory. */
static inline void img_reopen(struct img *im)
{
	assert_int_equal(host_dev_close(im->dev), 0);
	im->dev = host_dev_memory(im->mem, im->size);
	assert_non_null(im->dev);
}

static inline void img_free(struct img *im)
{
	if (im->fs)
		cfs_unmount(im->fs);
	host_dev_close(im->dev);
	free(im->mem);
}

/* fsck -n (or -y) of the image; the result's exit code. */
static inline int img_fsck(struct img *im, bool repair, struct fsck_result *r)
{
	struct fsck_opts o = { repair, getenv("COSMFS_FSCK_VERBOSE") ? stderr : NULL };
	struct fsck_result tmp;
	int code;

	img_reopen(im);
	code = cfs_fsck(im->dev, &o, r ? r : &tmp);
	img_reopen(im);
	return code;
}

static inline struct cfs_time t_now(void)
{
	return (struct cfs_time){ 1700000100, 5 };
}

struct membuf {
	uint8_t *p;
};

static inline long t_copy_in(void *ctx, void *kbuf, size_t n)
{
	struct membuf *m = ctx;

	memcpy(kbuf, m->p, n);
	m->p += n;
	return (long)n;
}

static inline long t_copy_out(void *ctx, void *kbuf, size_t n)
{
	struct membuf *m = ctx;

	if (kbuf)
		memcpy(m->p, kbuf, n);
	else
		memset(m->p, 0, n);
	m->p += n;
	return (long)n;
}

/* Looks up path; 0 or an errno. dir gets the parent. */
static inline int t_lookup(struct cfs_fs *fs, const char *path, struct cfs_inode *ip)
{
	struct cfs_inode dir;
	const char *last;
	size_t len;

	return tool_resolve(fs, path, &dir, ip, &last, &len);
}

/* Creates path (type and mode in mode) under an existing parent. */
static inline int t_create(struct cfs_fs *fs, const char *path, uint32_t mode, struct cfs_inode *ip)
{
	struct cfs_inode dir, tmp;
	struct cfs_newinode ni = { .mode = mode, .now = t_now() };
	const char *last;
	size_t len;
	int err = tool_resolve(fs, path, &dir, &tmp, &last, &len);

	if (err != -ENOENT || !last)
		return err ? err : -EEXIST;
	return cfs_create(fs, &dir, last, len, &ni, NULL, 0, ip);
}

static inline long t_write(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, const void *data, size_t n)
{
	struct membuf m = { (uint8_t *)data };

	return cfs_file_write(fs, ip, off, n, t_copy_in, &m, t_now());
}

static inline long t_read(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, void *data, size_t n)
{
	struct membuf m = { data };

	return cfs_file_read(fs, ip, off, n, t_copy_out, &m);
}

/* Makes a file at path holding n bytes of pattern seed. */
static inline void pattern(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static inline void t_make_file(struct cfs_fs *fs, const char *path, size_t n, unsigned seed)
{
	struct cfs_inode ip;
	uint8_t *buf = malloc(n + 1);

	assert_non_null(buf);
	pattern(buf, n, seed);
	assert_int_equal(t_create(fs, path, CFS_S_IFREG | 0644, &ip), 0);
	assert_int_equal(t_write(fs, &ip, 0, buf, n), (long)n);
	free(buf);
}

/* Does path hold exactly n bytes of pattern seed? */
static inline bool t_file_is(struct cfs_fs *fs, const char *path, size_t n, unsigned seed)
{
	struct cfs_inode ip;
	uint8_t *want = malloc(n + 1), *got = malloc(n + 1);
	bool ok;

	assert_non_null(want);
	assert_non_null(got);
	pattern(want, n, seed);
	ok = t_lookup(fs, path, &ip) == 0 && ip.d.size == n && t_read(fs, &ip, 0, got, n) == (long)n &&
	     memcmp(want, got, n) == 0;
	free(want);
	free(got);
	return ok;
}

/* ---- recording the write stream ---- */

struct wrec {                   /* one write, or a flush (data NULL) */
	uint64_t blk;
	uint8_t *data;
};

struct wlog {
	struct wrec *r;
	size_t n, cap;
	uint8_t *base;              /* the image when recording started */
	size_t size;
};

static inline int wlog_write(void *ctx, uint64_t blk, const void *data)
{
	struct wlog *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		assert_non_null(l->r);
	}
	l->r[l->n].blk = blk;
	l->r[l->n].data = malloc(CFS_BLOCK_SIZE);
	assert_non_null(l->r[l->n].data);
	memcpy(l->r[l->n].data, data, CFS_BLOCK_SIZE);
	l->n++;
	return 0;
}

static inline int wlog_flush(void *ctx)
{
	struct wlog *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		assert_non_null(l->r);
	}
	l->r[l->n].blk = 0;
	l->r[l->n].data = NULL;
	l->n++;
	return 0;
}

static inline void wlog_start(struct wlog *l, struct img *im)
{
	memset(l, 0, sizeof(*l));
	l->size = im->size;
	l->base = malloc(im->size);
	assert_non_null(l->base);
	memcpy(l->base, im->mem, im->size);
	im->dev->on_write = wlog_write;
	im->dev->on_flush = wlog_flush;
	im->dev->hook_ctx = l;
}

static inline void wlog_stop(struct wlog *l, struct img *im)
{
	(void)l;
	im->dev->on_write = NULL;
	im->dev->on_flush = NULL;
}

/* The image after the first n records reached the disk, with the writes
 * in [keep_from, n) kept only where keep(i) says so (a volatile cache
 * that lost some). */
static inline uint8_t *wlog_state(const struct wlog *l, size_t n, size_t keep_from,
				  bool (*keep)(size_t i, void *ctx), void *ctx)
{
	uint8_t *m = malloc(l->size);

	assert_non_null(m);
	memcpy(m, l->base, l->size);
	for (size_t i = 0; i < n; i++)
		if (l->r[i].data && (i < keep_from || !keep || keep(i, ctx)))
			memcpy(m + l->r[i].blk * CFS_BLOCK_SIZE, l->r[i].data, CFS_BLOCK_SIZE);
	return m;
}

static inline void wlog_free(struct wlog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->r[i].data);
	free(l->r);
	free(l->base);
}

#endif
