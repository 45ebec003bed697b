/* cosmfs: the one implementation of the format (docs/cosmfs.md), built
 * into the kernel (under the VFS, fs/cosmfs/vfs.c) and into the host tools
 * (fs/cosmfs/tools). It runs single-threaded: the caller holds the file
 * system's lock around every call (the kernel glue's fs mutex; the tools
 * have one thread); calls that copy file data give the lock up around the
 * copy through cfs_env_unlock/lock, since a copy may fault on a mapping of
 * the same file.
 *
 * Blocks come from a block cache the environment provides (cfs_env.h).
 * Every change happens inside an operation (cfs_op_begin/end), whose
 * blocks join the running journal transaction; a transaction reaches the
 * journal with its commit block only after the file data it covers reached
 * the disk (ordered data), and its blocks reach their homes only after the
 * commit (write-ahead). */
#ifndef FS_COSMFS_CFS_H
#define FS_COSMFS_CFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fs/cosmfs/cfs_env.h>
#include <fs/cosmfs/format.h>

/* The in-memory inode: the on-disk fields and a mapping cache. The caller
 * owns the storage (the kernel embeds it in its VFS inode). d.orphan_next
 * is not kept here: the orphan list lives in the inode table only. */
struct cfs_inode {
	uint64_t ino;
	struct cfs_dinode d;
	/* the last extent looked up (lblk, len, pblk), len 0: none */
	uint32_t xc_lblk, xc_len;
	uint64_t xc_pblk;
	uint32_t ra_next;        /* read-ahead: where a sequential read goes next */
	uint32_t ra_until;       /* file blocks before this were asked for */
	uint32_t ra_window;      /* blocks to keep asked for ahead of the reader */
};

/* The running transaction and the journal's place on disk. */
struct cfs_journal {
	uint64_t start;          /* first block of the journal area */
	uint32_t blocks;
	uint32_t tail, tail_seq; /* oldest transaction not yet checkpointed (as on disk) */
	uint32_t head, seq;      /* where the next transaction goes, and its number */
	cfs_buf_t **bufs;        /* blocks of the running transaction (held, pinned) */
	/* per bufs[i]: its committed contents when it joined, for a
	 * checkpoint to write home (the pinned block itself may not go);
	 * NULL when it joined with nothing committed pending */
	void **frozen;
	uint32_t nbufs, cap;
	uint32_t max_txn;        /* blocks one transaction may hold */
	bool committed_dirty;    /* committed transactions not yet checkpointed */
	int64_t last_commit;     /* env time, seconds */
	uint64_t commits, checkpoints;   /* statistics */
};

/* mount flags */
#define CFS_MNT_RDONLY    0x1    /* no writes at all (the journal is replayed in
				    memory only when CFS_MNT_NOREPLAY is off) */
#define CFS_MNT_NOREPLAY  0x2    /* leave the journal alone */
#define CFS_MNT_FSCK      0x4    /* fsck: superblock and journal only (replayed onto
				    the device unless read-only); a damaged journal
				    superblock is noted in journal_damaged, not fatal;
				    nothing else is read or written */

struct cfs_fs {
	cfs_dev_t *dev;
	void *env;                       /* the environment's (the kernel glue's) */
	struct cfs_super sb;             /* copy of the superblock (block 0, journaled) */
	cfs_buf_t **gdt;                 /* the group descriptor blocks, held */
	uint32_t seed;                   /* CRC seed: CRC32C of the UUID */
	uint64_t nblocks, ninodes;
	uint32_t ngroups, bpg, ipg;
	bool rdonly;                     /* mounted read-only, or turned so by an error */
	bool aborted;                    /* an error stopped the journal: no more writes */
	bool used_backup;                /* the primary superblock was damaged */
	bool journal_damaged;            /* CFS_MNT_FSCK: its superblock was */
	struct cfs_journal j;
	/* Free blocks (sum of the group counts), blocks freed since the last
	 * checkpoint (free on disk, but not to be reused until the journal no
	 * longer holds transactions that could overwrite them), and blocks
	 * promised to the running operation. */
	uint64_t free_blocks, free_inodes;
	uint64_t quarantined;
	uint8_t **quarantine;            /* per group, a bitmap or NULL */
	bool in_op;                      /* between cfs_op_begin and cfs_op_end */
	bool op_changed;                 /* the running op joined a block */
	/* the orphan list, as on disk (head first) */
	uint64_t *orphans;
	size_t norphans, orphans_cap;
	uint32_t last_group;             /* where the last directory went */
};

/* ---- mounting (super.c) ---- */

/* Reads and checks the superblock (the backup if the primary is damaged),
 * the group descriptors and the journal; replays the journal and the
 * orphan list unless read-only. 0 or -EINVAL (not cosmfs, or a field out
 * of range), -EUCLEAN, -EIO, -ENOMEM. */
int cfs_mount(cfs_dev_t *dev, void *env, unsigned flags, struct cfs_fs **out);
/* Commits, checkpoints, marks the file system clean, frees fs. */
int cfs_unmount(struct cfs_fs *fs);
/* Commits the running transaction (and with checkpoint, writes every
 * block home and empties the journal). */
int cfs_sync(struct cfs_fs *fs, bool checkpoint);
/* Read-only to read-write (replays nothing: a read-only mount never
 * leaves anything to replay) or back. */
int cfs_remount(struct cfs_fs *fs, bool rdonly);

struct cfs_statfs {
	uint64_t blocks, bfree, bavail, files, ffree;
};
void cfs_statfs(struct cfs_fs *fs, struct cfs_statfs *st);

/* Checks a superblock in memory: 0, or -EINVAL with *why set. dev_blocks
 * is the device's size in blocks. */
int cfs_super_check(const struct cfs_super *sb, uint64_t dev_blocks, const char **why);

/* Corruption found: log it with the block and inode, mark the file system
 * as having errors, stop the journal and turn read-only. Returns -EUCLEAN. */
int cfs_corrupt(struct cfs_fs *fs, uint64_t blk, uint64_t ino, const char *what);

/* ---- checksums ---- */
uint32_t cfs_seed(const uint8_t uuid[16]);
/* The header checksum of a metadata block (crc field read as 0). */
uint32_t cfs_block_crc(uint32_t seed, const void *block);
void cfs_block_seal(uint32_t seed, void *block);
/* Checks magic, checksum and block number. */
bool cfs_block_ok(uint32_t seed, const void *block, uint32_t magic, uint64_t blk);
uint32_t cfs_inode_crc(uint32_t seed, uint64_t ino, const struct cfs_dinode *d);
uint64_t cfs_name_hash(const uint8_t seed[16], const char *name, size_t len);

/* ---- operations and the journal (journal.c) ---- */

/* Starts an operation that dirties at most jblocks metadata blocks and
 * allocates at most space blocks. -EROFS when read-only, -ENOSPC when
 * the space is not there. Commits first if the transaction is full. */
int cfs_op_begin(struct cfs_fs *fs, uint32_t jblocks, uint64_t space);
/* Ends the operation and returns err. An error after the operation
 * changed a block leaves the transaction half done: the journal is
 * stopped and the file system turns read-only (as on corruption). */
int cfs_op_end(struct cfs_fs *fs, int err);
/* A block (already held) the operation is about to change: joins it to
 * the transaction, held and pinned until the commit. */
int cfs_op_join(struct cfs_fs *fs, cfs_buf_t *b);
/* A newly allocated metadata block, zeroed and joined. */
int cfs_op_bnew(struct cfs_fs *fs, uint64_t blk, cfs_buf_t **out);
int cfs_commit(struct cfs_fs *fs);
int cfs_checkpoint(struct cfs_fs *fs);
/* The running transaction's blocks let go of, uncommitted (a failed mount,
 * an unmount of what cannot reach the disk). */
void cfs_txn_drop(struct cfs_fs *fs);
/* Reads the journal superblock and replays the committed transactions:
 * onto the device on a read-write mount, into the cache (pinned, never
 * written) on a read-only one; replay false leaves them. Then re-reads the
 * superblock. 0 or a negative errno. */
int cfs_journal_load(struct cfs_fs *fs, bool replay);
/* The committed transactions waiting in the journal (fsck). */
struct cfs_jscan {
	uint32_t txns, blocks;       /* committed transactions and their copies */
	bool torn;                   /* a transaction after them was incomplete */
};
int cfs_journal_scan(struct cfs_fs *fs, struct cfs_jscan *js);

/* ---- metadata reads with checks ---- */

/* Reads a metadata block and checks its header (magic, checksum, place,
 * owner when nonzero); a fault is reported with cfs_corrupt (-EUCLEAN). */
int cfs_meta_read(struct cfs_fs *fs, uint64_t blk, uint32_t magic, uint64_t owner, cfs_buf_t **out);

/* ---- allocation (alloc.c) ---- */
struct cfs_group *cfs_group_desc(struct cfs_fs *fs, uint32_t g, cfs_buf_t **buf);
/* Allocates up to want contiguous blocks near goal (at least one): the
 * first in *pblk, the count returned; negative errno. */
long cfs_balloc(struct cfs_fs *fs, uint64_t goal, uint32_t want, uint64_t *pblk);
int cfs_bfree(struct cfs_fs *fs, uint64_t pblk, uint64_t n);
/* A new inode number: directories spread out, files near their parent. */
int cfs_ialloc(struct cfs_fs *fs, uint64_t parent, bool dir, uint64_t *ino);
int cfs_ifree(struct cfs_fs *fs, uint64_t ino, bool dir);
/* Is the block a valid data or node block (inside the file system, not in
 * its fixed area)? */
bool cfs_block_valid(const struct cfs_fs *fs, uint64_t blk, uint64_t n);
void cfs_quarantine_clear(struct cfs_fs *fs);

/* ---- inodes (inode.c) ---- */
int cfs_iget(struct cfs_fs *fs, uint64_t ino, struct cfs_inode *ip);
/* Writes ip into the inode table inside the running operation. */
int cfs_iwrite(struct cfs_fs *fs, struct cfs_inode *ip);
/* Checks an on-disk inode's fields (not the checksum): NULL or why not. */
const char *cfs_dinode_check(const struct cfs_fs *fs, const struct cfs_dinode *d);
int cfs_orphan_add(struct cfs_fs *fs, struct cfs_inode *ip);
/* The in-memory copy of the list: ino first, or last. */
int cfs_orphan_track(struct cfs_fs *fs, uint64_t ino, bool first);
int cfs_orphan_del(struct cfs_fs *fs, uint64_t ino);
/* Frees the blocks from file block lblk on, in as many operations as it
 * takes (each leaves the file consistent: blocks beyond its size). */
int cfs_free_blocks_from(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t lblk);
/* The last reference to an unlinked inode went: free its blocks and the
 * inode (in as many transactions as it takes). */
int cfs_evict(struct cfs_fs *fs, struct cfs_inode *ip);
/* The orphan list at mount: unlinked inodes freed, truncations finished. */
int cfs_orphans_recover(struct cfs_fs *fs);

/* ---- extents (extent.c) ---- */
/* The mapping of file block lblk: *pblk (0 for a hole) and how many blocks
 * from lblk on are mapped alike (contiguous, or all hole; at least 1). */
int cfs_bmap(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk, uint64_t *pblk, uint32_t *run);
/* Maps [lblk, lblk+len) (a hole) to pblk, merging with neighbours,
 * inside an operation with cfs_xreserve blocks of room; the caller
 * writes the inode afterwards (the tree's root lives in it). */
int cfs_xinsert(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk, uint64_t pblk, uint32_t len);
/* One step of a truncation: frees the rightmost extent (or its part) at
 * or beyond file block lblk, and the tree nodes it empties. *done when
 * nothing lies beyond lblk. Dirties at most CFS_XSTEP_BLOCKS blocks. */
int cfs_xtrunc_step(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t lblk, bool *done);
#define CFS_XSTEP_BLOCKS (3 * CFS_EXTENT_DEPTH_MAX + 8)
/* Every extent in file order: fn returns nonzero to stop (that value is
 * returned). Node blocks are reported with len 0 and lblk the depth. */
int cfs_xwalk(struct cfs_fs *fs, struct cfs_inode *ip,
	      int (*fn)(void *ctx, const struct cfs_extent *e, bool node), void *ctx);
/* Blocks the extent tree may need for one insertion. */
uint32_t cfs_xreserve(const struct cfs_inode *ip);

/* ---- directories (dir.c) ---- */
int cfs_dir_init(struct cfs_fs *fs, struct cfs_inode *dir);
int cfs_dir_lookup(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		   uint64_t *ino, unsigned *type);
int cfs_dir_add(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		uint64_t ino, unsigned type);
int cfs_dir_remove(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len);
/* Points an existing name at another inode (rename over a target). */
int cfs_dir_set(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		uint64_t ino, unsigned type);
/* Entries from position pos on (2 + hash; 0 and 1 are "." and ".."): emit
 * returns false when the caller's buffer is full; next is the position
 * after the entry. */
typedef bool (*cfs_emit_fn)(void *ctx, const char *name, size_t len, uint64_t ino,
			    unsigned type, uint64_t next);
int cfs_dir_read(struct cfs_fs *fs, struct cfs_inode *dir, uint64_t pos, cfs_emit_fn emit,
		 void *ctx);
uint32_t cfs_dir_reserve(const struct cfs_inode *dir);
#define CFS_DIR_END (1ull << 62 | 3)   /* position after the last entry */

/* ---- names and attributes (ops.c) ---- */

struct cfs_time {
	int64_t sec;
	uint32_t nsec;
};
struct cfs_newinode {
	uint32_t mode, uid, gid, rdev;
	struct cfs_time now;
};
/* Creates name in dir (regular file, directory, device, FIFO, socket, or
 * a symlink with target): the new inode in *ip. */
int cfs_create(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	       const struct cfs_newinode *ni, const char *target, size_t tlen,
	       struct cfs_inode *ip);
int cfs_link(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	     struct cfs_inode *ip, struct cfs_time now);
/* Removes name (ip is its inode): a file's link count drops (at 0 it goes
 * on the orphan list until cfs_evict); a directory must be empty. */
int cfs_unlink(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	       struct cfs_inode *ip, struct cfs_time now);
#define CFS_RENAME_NOREPLACE 1
#define CFS_RENAME_EXCHANGE  2
/* Moves (or exchanges) a name, atomically on disk. tgt is the inode the
 * new name points at now, or NULL. -EINVAL when a directory would move
 * under itself, -ENOTEMPTY for a non-empty directory target. */
int cfs_rename(struct cfs_fs *fs, struct cfs_inode *odir, const char *oname, size_t olen,
	       struct cfs_inode *src, struct cfs_inode *ndir, const char *nname, size_t nlen,
	       struct cfs_inode *tgt, unsigned flags, struct cfs_time now);
long cfs_readlink(struct cfs_fs *fs, struct cfs_inode *ip, char *buf, size_t len);
/* Sets the size (freeing or zeroing what lies beyond), then writes the
 * inode. */
int cfs_truncate(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t size);
/* Writes the inode's attributes as they are in ip (a change the caller
 * made: mode, owner, times). */
int cfs_write_inode(struct cfs_fs *fs, struct cfs_inode *ip);

/* ---- file data (file.c) ---- */

/* Moves n bytes between kbuf and the caller's buffer; returns the bytes
 * moved (less on a fault) or a negative errno. kbuf NULL: zeros (reads of
 * holes). */
typedef long (*cfs_copy_fn)(void *ctx, void *kbuf, size_t n);
long cfs_file_read(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, size_t len,
		   cfs_copy_fn out, void *ctx);
/* Writes, allocating blocks near the file's others; extends the size.
 * Returns bytes written (short on ENOSPC or a fault) or a negative errno. */
long cfs_file_write(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, size_t len,
		    cfs_copy_fn in, void *ctx, struct cfs_time now);
/* The block holding file byte off, for a mapping: allocated (zeroed) when
 * it is a hole and alloc is set. *buf is held; NULL for a hole. */
int cfs_file_page(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, bool alloc,
		  cfs_buf_t **buf);
/* fallocate(2) mode 0 (keep_size false) and FALLOC_FL_KEEP_SIZE: every
 * hole of [off, off + len) gets blocks of zeros; -ENOSPC, checked before
 * anything changes, when they do not all fit. */
int cfs_fallocate(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, uint64_t len, bool keep_size,
		  struct cfs_time now);

/* ---- making a file system (mkfs.c) ---- */
struct cfs_mkfs_opts {
	uint64_t blocks;         /* size of the file system */
	uint64_t inode_ratio;    /* bytes per inode (0: 16384) */
	uint32_t journal_blocks; /* 0: a default from the size */
	char label[CFS_LABEL_MAX + 1];
	uint8_t uuid[16];        /* all zero: random */
	int64_t time;            /* creation time (seconds) */
	uint32_t root_uid, root_gid, root_mode;
};
int cfs_mkfs(cfs_dev_t *dev, const struct cfs_mkfs_opts *o);

/* Limits of the format this code accepts. */
#define CFS_MIN_BLOCKS      512u
#define CFS_MIN_JOURNAL     256u
#define CFS_MAX_JOURNAL     (1u << 20)
#define CFS_MAX_BLOCKS      (1ull << 40)   /* 4 PiB */

#endif
