/* A cosmfs file system mounted in the kernel: the core's state, the block
 * cache under it, its lock and its flush thread. The VFS glue
 * (fs/cosmfs/kvfs.c) builds on it; tests and benchmarks use it directly. */
#ifndef FS_COSMFS_KMOUNT_H
#define FS_COSMFS_KMOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <fs/bcache.h>
#include <fs/cosmfs/cfs.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>

#define COSMFS_FLUSH_NS (5ull * 1000000000ull)   /* the flush thread's period */

struct cosmfs_mount {
	/* The file system's lock: held around every call into the core
	 * (fs/cosmfs/cfs.h), given up by the core around data copies. */
	struct mutex lock;
	struct cfs_fs *fs;
	struct bcache_dev *cache;
	struct blockdev *memdisk;        /* a mount from memory owns it */
	/* told when an error turns the file system read-only */
	void (*went_rdonly)(struct cosmfs_mount *m);
	void *owner;                     /* the VFS super block */
	/* the flush thread: commits every COSMFS_FLUSH_NS, or at once when
	 * kicked, and checkpoints when the journal is half full; stop and kick
	 * are atomic flags, flushes counts its rounds (atomic) */
	struct thread *flusher;
	struct waitq flush_wq;
	bool stop, kick;
	uint64_t flushes;
};

/* Mounts the cosmfs on bd (CFS_MNT_* flags). 0 or a negative errno. */
int cosmfs_kmount(struct blockdev *bd, unsigned flags, struct cosmfs_mount **out);
/* Mounts an image in memory (tests, fuzzing); the image is written in
 * place unless read-only. */
int cosmfs_kmount_mem(void *image, uint64_t bytes, unsigned flags, struct cosmfs_mount **out);
/* Stops the flush thread, unmounts, frees. */
int cosmfs_kumount(struct cosmfs_mount *m);
/* Asks the flush thread for a round now (much dirty data waiting). */
void cosmfs_kick(struct cosmfs_mount *m);
/* Makes a file system on bd (mkfs in the kernel: tests, benchmarks). */
int cosmfs_kmkfs(struct blockdev *bd, const struct cfs_mkfs_opts *o);

/* The lock is only taken by threads that may block (a failure is a
 * kernel bug and panics). */
void cosmfs_lock(struct cosmfs_mount *m);
void cosmfs_unlock(struct cosmfs_mount *m);

#endif
