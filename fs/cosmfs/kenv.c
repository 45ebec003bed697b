/* The kernel's side of cfs_env.h: the cosmfs core over the block cache,
 * the kernel heap, the clock and the log. fs->env is the struct
 * cosmfs_mount around the file system (kmount.h), whose mutex is the
 * file system's lock. */
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/kmount.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <hal/platform.h>
#include <kernel/time.h>
#include <lib/fmt.h>

int cfs_bread(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out)
{
	return bcache_get(d, blk, true, out);
}

int cfs_bget(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out)
{
	return bcache_get(d, blk, false, out);
}

void cfs_bhold(cfs_buf_t *b)
{
	bcache_hold(b);
}

void cfs_brelse(cfs_buf_t *b)
{
	bcache_put(b);
}

void cfs_bdirty(cfs_buf_t *b, bool data)
{
	bcache_dirty(b, data);
}

void cfs_bpin(cfs_buf_t *b)
{
	bcache_pin(b);
}

void cfs_bunpin(cfs_buf_t *b)
{
	bcache_unpin(b);
}

int cfs_dev_write(cfs_dev_t *d, uint64_t blk, uint32_t n, void *const *blocks)
{
	return bcache_write_direct(d, blk, n, blocks);
}

int cfs_dev_read(cfs_dev_t *d, uint64_t blk, void *block)
{
	return bcache_read_direct(d, blk, block);
}

int cfs_dev_flush(cfs_dev_t *d)
{
	return bcache_flush(d);
}

long cfs_dev_writeback(cfs_dev_t *d, bool data_only)
{
	return bcache_writeback(d, data_only);
}

void cfs_dev_forget(cfs_dev_t *d, uint64_t blk, uint64_t n)
{
	bcache_forget(d, blk, n);
}

void cfs_dev_readahead(cfs_dev_t *d, uint64_t blk, uint32_t n)
{
	bcache_readahead(d, blk, n);
}

uint64_t cfs_dev_blocks(cfs_dev_t *d)
{
	return bcache_dev_blocks(d);
}

void cfs_dev_discard_meta(cfs_dev_t *d)
{
	bcache_discard_meta(d);
}

void *cfs_zalloc(size_t n)
{
	return kzalloc(n ? n : 1);
}

void cfs_free(void *p)
{
	kfree(p);
}

void cfs_env_time(int64_t *sec, uint32_t *nsec)
{
	uint64_t ns = time_ns();

	*sec = platform_boot_unix_time() + (int64_t)(ns / 1000000000u);
	*nsec = (uint32_t)(ns % 1000000000u);
}

/* Not secret: UUIDs of memory disks and inode generations. */
void cfs_env_random(void *buf, size_t n)
{
	static uint64_t state;
	uint8_t *p = buf;

	if (!state)
		state = time_ns() | 1;
	for (size_t i = 0; i < n; i++) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		p[i] = (uint8_t)(state ^ time_ns());
	}
}

void cfs_log(const char *fmt, ...)
{
	char buf[192];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warn("cosmfs: %s", buf);
}

void cfs_env_unlock(struct cfs_fs *fs)
{
	cosmfs_unlock(fs->env);
}

void cfs_env_lock(struct cfs_fs *fs)
{
	cosmfs_lock(fs->env);
}

void cfs_env_went_rdonly(struct cfs_fs *fs)
{
	struct cosmfs_mount *m = fs->env;

	if (m->went_rdonly)
		m->went_rdonly(m);
}
