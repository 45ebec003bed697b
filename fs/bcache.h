/* The block cache: 4 KiB blocks of block devices kept in page frames,
 * found through a hash, evicted least recently used first when the cache
 * is over its size or memory runs short, written back on request (the
 * file system's flush thread, sync, fsync, umount). Reads of runs and
 * read-ahead go to the device as requests of up to 128 KiB, many in
 * flight at once; so do write-backs, sorted by block.
 *
 * Blocks that a file system pins (its journal's running transaction)
 * are never written back.
 *
 * Locking: one mutex, the cache lock, protects every field below marked
 * "cache"; data is the holder's to read or change (the file system's
 * own lock orders its users). Waits for the device happen without the
 * cache lock. */
#ifndef FS_BCACHE_H
#define FS_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lib/list.h>

#define BCACHE_BLOCK 4096u

struct blockdev;
struct bcache_dev;
struct bcache_io;

struct bcache_buf {
	uint64_t blk;
	uint8_t *data;               /* the frame, through the direct map */
	uint32_t fsflags;            /* the file system's; 0 when read in afresh */
	/* cache: */
	uint64_t phys;
	struct bcache_dev *dev;
	uint32_t refs;
	uint32_t flags;              /* BC_* (bcache.c) */
	struct bcache_io *io;        /* the request it is part of, while BC_IO */
	struct list_node hash_node, lru_node, dirty_node, mapped_node;
};

struct bcache_stats {
	uint64_t hits, misses, reads, writes, readahead, evictions;
	uint64_t write_reqs, flushes;   /* device write requests, cache flushes */
	uint64_t cached, dirty;      /* blocks now */
	/* blocks now: dirty file data and pinned metadata (the journal's
	 * running transaction), what a power cut would lose (metadata the
	 * journal holds already waits, dirty, for its checkpoint); and blocks
	 * in write requests in flight */
	uint64_t unsafe, writeback;
};

/* A cache over bd (whose size and sector size must divide into blocks).
 * NULL: no memory. */
struct bcache_dev *bcache_dev_create(struct blockdev *bd);
/* Forgets every block (none may be held) and frees the cache. */
void bcache_dev_destroy(struct bcache_dev *d);
uint64_t bcache_dev_blocks(struct bcache_dev *d);
struct blockdev *bcache_dev_blockdev(struct bcache_dev *d);

/* Held blocks: with read, valid contents (or -EIO); without, zeros for
 * the caller to fill (nothing is read). -ENOMEM when no frame can be had. */
int bcache_get(struct bcache_dev *d, uint64_t blk, bool read, struct bcache_buf **out);
void bcache_hold(struct bcache_buf *b);
void bcache_put(struct bcache_buf *b);
/* data: file data (bcache_writeback's data_only picks those). */
void bcache_dirty(struct bcache_buf *b, bool data);
/* b's frame (file data) is now also mapped into address spaces, whose
 * writes the cache cannot see: from now on every write-back writes it,
 * and it stays cached, until the frame has no user but the cache (then
 * it is written once more and becomes an ordinary block). */
void bcache_mapped(struct bcache_buf *b);
/* Pinning waits for a write of b in flight to end. */
void bcache_pin(struct bcache_buf *b);
void bcache_unpin(struct bcache_buf *b);

/* Starts reads of the blocks of [blk, blk + n) not cached; returns at once. */
void bcache_readahead(struct bcache_dev *d, uint64_t blk, uint32_t n);
/* Writes dirty unpinned blocks (file data only with data_only) and waits:
 * how many it wrote, or a negative errno. */
long bcache_writeback(struct bcache_dev *d, bool data_only);
/* Drops cached blocks of [blk, blk + n): dirty contents are lost. */
void bcache_forget(struct bcache_dev *d, uint64_t blk, uint64_t n);
/* Unpins and forgets every dirty block that is not file data. */
void bcache_discard_meta(struct bcache_dev *d);
/* Past the cache: n blocks from separate buffers to consecutive blocks;
 * one block into buf. Both wait. */
int bcache_write_direct(struct bcache_dev *d, uint64_t blk, uint32_t n, void *const *blocks);
int bcache_read_direct(struct bcache_dev *d, uint64_t blk, void *buf);
int bcache_flush(struct bcache_dev *d);
/* How many flushes of the device have finished (the crash test ties what
 * a program saw to the flushes in the device's write log). */
uint64_t bcache_flush_count(struct bcache_dev *d);
uint64_t bcache_dirty_count(struct bcache_dev *d);

void bcache_get_stats(struct bcache_stats *s);
/* Frees up to n clean unused blocks (memory pressure); returns how many. */
uint64_t bcache_shrink(uint64_t n);

/* A block device over memory, for mounting an image from a buffer (tests,
 * fuzzing): requests complete at once. */
struct blockdev *bcache_memdisk_create(void *mem, uint64_t bytes, bool read_only);
void bcache_memdisk_destroy(struct blockdev *bd);

#endif
