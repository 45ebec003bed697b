/* What the cosmfs core needs from where it runs: a block cache over the
 * device, memory, time, randomness and a log. The kernel provides it over
 * fs/bcache.c (fs/cosmfs/kenv.c), the host tools over a file or a memory
 * image (fs/cosmfs/tools/hostio.c). Both buffer types have the fields
 * the core reads: blk, data (one block) and fsflags (the core's own bits,
 * zero whenever the block is read in afresh). */
#ifndef FS_COSMFS_CFS_ENV_H
#define FS_COSMFS_CFS_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef COSMOS_KERNEL
#include <fs/bcache.h>
typedef struct bcache_buf cfs_buf_t;
typedef struct bcache_dev cfs_dev_t;
#else
#include <fs/cosmfs/tools/hostio.h>
typedef struct host_buf cfs_buf_t;
typedef struct host_dev cfs_dev_t;
#endif

struct cfs_fs;

/* fsflags bits (the core's) */
#define CFS_BF_CHECKED 0x1      /* header and checksum verified since read in */
#define CFS_BF_TXN     0x2      /* in the running transaction */
#define CFS_BF_COMMITTED 0x4    /* holds a committed version that may not be
				   home yet (set at commit) */

/* The block's contents, read from the device if not cached: 0, -EIO,
 * -ENOMEM. The buffer is held until cfs_brelse. */
int cfs_bread(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out);
/* The block without reading it: zeros, for the caller to fill. */
int cfs_bget(cfs_dev_t *d, uint64_t blk, cfs_buf_t **out);
void cfs_bhold(cfs_buf_t *b);
void cfs_brelse(cfs_buf_t *b);
/* Changed: written home later. data: file data (written before every
 * journal commit); else metadata (written home at checkpoints). */
void cfs_bdirty(cfs_buf_t *b, bool data);
/* The journal's hold: a pinned block is never written home. Pinning waits
 * for a write of the block in flight, so that the device never sees a
 * half-changed block. */
void cfs_bpin(cfs_buf_t *b);
void cfs_bunpin(cfs_buf_t *b);

/* n blocks from separate buffers to consecutive blocks from blk, past the
 * cache (journal writes); waits. */
int cfs_dev_write(cfs_dev_t *d, uint64_t blk, uint32_t n, void *const *blocks);
/* One block past the cache (journal reads). */
int cfs_dev_read(cfs_dev_t *d, uint64_t blk, void *block);
/* Everything written so far is on stable storage. */
int cfs_dev_flush(cfs_dev_t *d);
/* Writes every dirty block that is not pinned (only file data with
 * data_only) and waits for them: how many, or a negative errno. */
long cfs_dev_writeback(cfs_dev_t *d, bool data_only);
/* The blocks were freed: drop them from the cache, dirty or not. */
void cfs_dev_forget(cfs_dev_t *d, uint64_t blk, uint64_t n);
/* A hint: blocks a sequential read will want soon. */
void cfs_dev_readahead(cfs_dev_t *d, uint64_t blk, uint32_t n);
uint64_t cfs_dev_blocks(cfs_dev_t *d);
/* After an aborted journal: forget every dirty metadata block (unpinning
 * them), since what they hold may never reach the disk. */
void cfs_dev_discard_meta(cfs_dev_t *d);

void *cfs_zalloc(size_t n);
void cfs_free(void *p);
void cfs_env_time(int64_t *sec, uint32_t *nsec);
void cfs_env_random(void *buf, size_t n);
void cfs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Give the file system's lock up around a copy of file data, and take it
 * back (no-ops where there is one thread). */
void cfs_env_unlock(struct cfs_fs *fs);
void cfs_env_lock(struct cfs_fs *fs);
/* An error turned the file system read-only. */
void cfs_env_went_rdonly(struct cfs_fs *fs);

#endif
