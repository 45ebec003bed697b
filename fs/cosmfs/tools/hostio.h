/* The host tools' side of cfs_env.h: a block cache over an image file or
 * an image in memory. Writes can go to an overlay kept in memory instead
 * (fsck -n replays the journal there and changes nothing), and tests can
 * watch every write and flush that reaches the image. */
#ifndef FS_COSMFS_TOOLS_HOSTIO_H
#define FS_COSMFS_TOOLS_HOSTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_dev;

struct host_buf {
	uint64_t blk;
	uint8_t *data;
	uint32_t fsflags;
	/* the cache's */
	struct host_dev *dev;
	unsigned refs;
	bool dirty, is_data, pinned;
	struct host_buf *hnext;
	struct host_buf *prev, *next;     /* LRU, most recent last */
};

struct host_dev {
	int fd;                           /* the image file, or -1 */
	uint8_t *mem;                     /* or the image in memory */
	uint64_t blocks;
	bool read_only;                   /* writes fail with -EROFS */
	bool overlay;                     /* writes stay in memory */
	/* the overlay: written blocks, hashed */
	struct ovl { uint64_t blk; struct ovl *next; uint8_t data[]; } **ovl;
	size_t ovl_buckets;
	/* the cache */
	struct host_buf **hash;
	size_t nbuckets, nbufs, limit;
	struct host_buf lru;
	/* tests: called for each block write and flush reaching the image;
	 * a negative result fails the I/O with it, a positive one loses a
	 * write without telling (a volatile cache) */
	int (*on_write)(void *ctx, uint64_t blk, const void *data);
	int (*on_flush)(void *ctx);
	void *hook_ctx;
	uint64_t fail_read;               /* tests: reading this block + 1 fails with -EIO */
	uint64_t reads, writes, flushes;
};

/* Opens an image file (read_only: never written; overlay: writes kept in
 * memory). blocks 0: the file's size. NULL with errno set. */
struct host_dev *host_dev_open(const char *path, bool read_only, bool overlay, uint64_t blocks);
/* An image in memory of len bytes (the caller's buffer, written in place). */
struct host_dev *host_dev_memory(void *mem, uint64_t len);
/* Writes back what is dirty (unless read-only), frees the cache. Every
 * buffer must have been released. 0 or the first write error. */
int host_dev_close(struct host_dev *d);
/* Drops every cached block that is not held (tests: later reads see
 * what is on the image). */
void host_dev_drop_cache(struct host_dev *d);

#endif
