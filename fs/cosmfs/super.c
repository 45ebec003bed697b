/* cosmfs superblock, mount and unmount, checksums and error handling.
 * Every superblock field is checked before use (cfs_super_check); a bad
 * primary falls back to the backup in the device's last block. */
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/crc32c.h>
#include <cosmos/errno.h>
#include <lib/string.h>

/* ---- checksums ---- */

uint32_t cfs_seed(const uint8_t uuid[16])
{
	return crc32c(0, uuid, 16);
}

uint32_t cfs_block_crc(uint32_t seed, const void *block)
{
	static const uint8_t zero[4];
	const uint8_t *p = block;
	uint32_t c = crc32c(seed, p, 4);

	c = crc32c(c, zero, 4);
	return crc32c(c, p + 8, CFS_BLOCK_SIZE - 8);
}

void cfs_block_seal(uint32_t seed, void *block)
{
	struct cfs_bhdr *h = block;

	h->crc = cfs_block_crc(seed, block);
}

bool cfs_block_ok(uint32_t seed, const void *block, uint32_t magic, uint64_t blk)
{
	const struct cfs_bhdr *h = block;

	return h->magic == magic && h->blockno == blk && h->crc == cfs_block_crc(seed, block);
}

uint32_t cfs_inode_crc(uint32_t seed, uint64_t ino, const struct cfs_dinode *d)
{
	static const uint8_t zero[4];
	const uint8_t *p = (const uint8_t *)d;
	size_t at = offsetof(struct cfs_dinode, crc);
	uint32_t c = crc32c(seed, &ino, sizeof(ino));

	c = crc32c(c, p, at);
	c = crc32c(c, zero, 4);
	return crc32c(c, p + at + 4, CFS_INODE_SIZE - at - 4);
}

int cfs_meta_read(struct cfs_fs *fs, uint64_t blk, uint32_t magic, uint64_t owner, cfs_buf_t **out)
{
	cfs_buf_t *b;
	int err;

	if (blk >= fs->nblocks)
		return cfs_corrupt(fs, blk, owner, "block number out of range");
	err = cfs_bread(fs->dev, blk, &b);
	if (err)
		return err;
	if (!(b->fsflags & CFS_BF_CHECKED)) {
		const struct cfs_bhdr *h = (const struct cfs_bhdr *)b->data;

		if (!cfs_block_ok(fs->seed, b->data, magic, blk) || (owner && h->owner != owner)) {
			const char *why = h->magic != magic   ? "bad magic"
					  : h->blockno != blk ? "block number mismatch"
					  : h->crc != cfs_block_crc(fs->seed, b->data) ? "bad checksum"
										  : "wrong owner";
			cfs_brelse(b);
			return cfs_corrupt(fs, blk, owner, why);
		}
		b->fsflags |= CFS_BF_CHECKED;
	}
	*out = b;
	return 0;
}

/* ---- the superblock ---- */

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

int cfs_super_check(const struct cfs_super *sb, uint64_t dev_blocks, const char **why)
{
#define BAD(w) do { *why = (w); return -EINVAL; } while (0)
	if (sb->h.magic != CFS_MAGIC_SUPER)
		BAD("not a cosmfs superblock");
	if (sb->h.crc != cfs_block_crc(cfs_seed(sb->uuid), sb))
		BAD("superblock checksum");
	if (sb->version != CFS_VERSION)
		BAD("unknown version");
	if (sb->block_size != CFS_BLOCK_SIZE)
		BAD("block size is not 4096");
	if (sb->feature_incompat & ~CFS_FEAT_INCOMPAT_KNOWN)
		BAD("unknown incompatible features");
	if (sb->block_count < CFS_MIN_BLOCKS || sb->block_count > CFS_MAX_BLOCKS ||
	    sb->block_count > dev_blocks)
		BAD("block count out of range");
	if (sb->h.blockno != 0 && sb->h.blockno != sb->block_count - 1)
		BAD("superblock in the wrong place");
	if (sb->blocks_per_group < 64 || sb->blocks_per_group > CFS_BITS_PER_BITMAP ||
	    sb->blocks_per_group % 8)
		BAD("blocks per group out of range");
	if (sb->group_count != div_up(sb->block_count, sb->blocks_per_group))
		BAD("group count does not match");
	if (sb->inodes_per_group < CFS_INODES_PER_BLOCK ||
	    sb->inodes_per_group > CFS_BITS_PER_BITMAP ||
	    sb->inodes_per_group % CFS_INODES_PER_BLOCK)
		BAD("inodes per group out of range");
	if (sb->inode_count != (uint64_t)sb->group_count * sb->inodes_per_group)
		BAD("inode count does not match");
	if (sb->gdt_start != 1 || sb->gdt_blocks != div_up(sb->group_count, CFS_GROUPS_PER_BLOCK))
		BAD("group descriptor table misplaced");
	if (sb->journal_start != sb->gdt_start + sb->gdt_blocks ||
	    sb->journal_blocks < CFS_MIN_JOURNAL || sb->journal_blocks > CFS_MAX_JOURNAL ||
	    sb->journal_start + sb->journal_blocks >= sb->block_count)
		BAD("journal misplaced");
	if (sb->root_ino != CFS_ROOT_INO)
		BAD("root inode is not 1");
	if (sb->state & ~(uint32_t)(CFS_STATE_CLEAN | CFS_STATE_ERRORS))
		BAD("unknown state bits");
	if (sb->orphan_head > sb->inode_count)
		BAD("orphan list head out of range");
	return 0;
#undef BAD
}

/* The first block after the fixed area (superblock, table, journal). */
static uint64_t fixed_end(const struct cfs_fs *fs)
{
	return fs->sb.journal_start + fs->sb.journal_blocks;
}

bool cfs_block_valid(const struct cfs_fs *fs, uint64_t blk, uint64_t n)
{
	return n && blk >= fixed_end(fs) && blk < fs->nblocks - 1 && n <= fs->nblocks - 1 - blk;
}

/* Writes the superblock straight to block 0 (mount and unmount, when the
 * journal is empty, so nothing in it can overwrite this copy), and waits
 * for the write; with flush, waits too for the device to hold it on stable
 * storage. */
static int super_write_direct(struct cfs_fs *fs, bool flush)
{
	cfs_buf_t *b;
	void *blocks[1];
	int err;

	fs->sb.h.blockno = 0;
	cfs_block_seal(fs->seed, &fs->sb);
	/* the cached copy is replaced whole (nothing to read first), and is
	 * in no transaction: the journal is empty */
	err = cfs_bget(fs->dev, 0, &b);
	if (err)
		return err;
	memcpy(b->data, &fs->sb, CFS_BLOCK_SIZE);
	b->fsflags |= CFS_BF_CHECKED;
	blocks[0] = b->data;
	err = cfs_dev_write(fs->dev, 0, 1, blocks);
	cfs_brelse(b);
	return err || !flush ? err : cfs_dev_flush(fs->dev);
}

/* Records the error in the superblock on disk: the copy there (not the
 * working copy, which may hold changes that never committed) with the
 * error fields set. */
static void super_record_error(struct cfs_fs *fs, uint64_t blk, uint64_t ino)
{
	struct cfs_super *sb = cfs_zalloc(sizeof(*sb));
	int64_t now;
	uint32_t ns;
	void *blocks[1] = { sb };

	cfs_env_time(&now, &ns);
	fs->sb.state |= CFS_STATE_ERRORS;
	fs->sb.error_count++;
	if (!fs->sb.first_error_time) {
		fs->sb.first_error_time = now;
		fs->sb.first_error_block = blk;
		fs->sb.first_error_ino = ino;
	}
	fs->sb.last_error_time = now;
	fs->sb.last_error_block = blk;
	fs->sb.last_error_ino = ino;
	if (!sb || fs->sb.h.magic != CFS_MAGIC_SUPER)
		goto out;
	if (cfs_dev_read(fs->dev, 0, sb) || sb->h.magic != CFS_MAGIC_SUPER)
		memcpy(sb, &fs->sb, sizeof(*sb));   /* the primary is gone: write ours */
	sb->state |= CFS_STATE_ERRORS;
	sb->error_count = fs->sb.error_count;
	sb->first_error_time = fs->sb.first_error_time;
	sb->first_error_block = fs->sb.first_error_block;
	sb->first_error_ino = fs->sb.first_error_ino;
	sb->last_error_time = now;
	sb->last_error_block = blk;
	sb->last_error_ino = ino;
	sb->h.blockno = 0;
	cfs_block_seal(fs->seed, sb);
	if (cfs_dev_write(fs->dev, 0, 1, blocks) == 0)
		cfs_dev_flush(fs->dev);
	cfs_dev_forget(fs->dev, 0, 1);
out:
	cfs_free(sb);
}

int cfs_corrupt(struct cfs_fs *fs, uint64_t blk, uint64_t ino, const char *what)
{
	cfs_log("corruption in block %llu (inode %llu): %s", (unsigned long long)blk,
		(unsigned long long)ino, what);
	if (fs->aborted)
		return -EUCLEAN;
	fs->aborted = true;
	if (!fs->rdonly) {
		super_record_error(fs, blk, ino);
		fs->rdonly = true;
		cfs_log("errors found: the file system is now read-only; run fsck.cosmfs");
		cfs_env_went_rdonly(fs);
	} else {
		fs->sb.state |= CFS_STATE_ERRORS;
	}
	return -EUCLEAN;
}

/* ---- mount ---- */

static int read_super(struct cfs_fs *fs)
{
	uint64_t dev_blocks = cfs_dev_blocks(fs->dev);
	const char *why = NULL, *why2 = NULL;
	int err;

	err = cfs_dev_read(fs->dev, 0, &fs->sb);
	if (!err)
		err = cfs_super_check(&fs->sb, dev_blocks, &why);
	if (!err && fs->sb.h.blockno == 0)
		return 0;
	if (!why)
		why = err ? "unreadable" : "primary superblock says it is the backup";
	/* the backup sits in the file system's last block: the device's,
	 * unless mkfs left a sliver of the device unused */
	uint64_t where[2] = { dev_blocks - 1, fs->sb.block_count - 1 };
	bool found = false;
	for (int i = 0; i < 2 && !found; i++) {
		why2 = NULL;
		found = where[i] < dev_blocks && where[i] >= CFS_MIN_BLOCKS - 1 &&
			cfs_dev_read(fs->dev, where[i], &fs->sb) == 0 &&
			cfs_super_check(&fs->sb, dev_blocks, &why2) == 0 && fs->sb.h.blockno == where[i];
	}
	if (!found) {
		if (why[0] != 'n')
			cfs_log("cannot mount: superblock: %s; backup: %s", why,
				why2 ? why2 : "not found");
		return -EINVAL;
	}
	cfs_log("primary superblock damaged (%s): using the backup", why);
	fs->used_backup = true;
	return 0;
}

static int load_groups(struct cfs_fs *fs)
{
	uint64_t fb = 0, fi = 0;

	fs->gdt = cfs_zalloc(fs->sb.gdt_blocks * sizeof(*fs->gdt));
	fs->quarantine = cfs_zalloc(fs->ngroups * sizeof(*fs->quarantine));
	if (!fs->gdt || !fs->quarantine)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->sb.gdt_blocks; i++) {
		int err = cfs_meta_read(fs, fs->sb.gdt_start + i, CFS_MAGIC_GROUPS, 0, &fs->gdt[i]);

		if (err)
			return err;
	}
	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct cfs_group *gd = cfs_group_desc(fs, g, NULL);
		uint64_t first = (uint64_t)g * fs->bpg;
		uint64_t size = fs->nblocks - first < fs->bpg ? fs->nblocks - first : fs->bpg;
		uint64_t it_blocks = fs->ipg / CFS_INODES_PER_BLOCK;

		if (!cfs_block_valid(fs, gd->block_bitmap, 1) || !cfs_block_valid(fs, gd->inode_bitmap, 1) ||
		    !cfs_block_valid(fs, gd->inode_table, it_blocks) || gd->free_blocks > size ||
		    gd->free_inodes > fs->ipg)
			return cfs_corrupt(fs, fs->sb.gdt_start + g / CFS_GROUPS_PER_BLOCK, 0,
					   "group descriptor out of range");
		fb += gd->free_blocks;
		fi += gd->free_inodes;
	}
	fs->free_blocks = fb;
	fs->free_inodes = fi;
	return 0;
}

static void release(struct cfs_fs *fs)
{
	if (fs->gdt)
		for (uint32_t i = 0; i < fs->sb.gdt_blocks; i++)
			if (fs->gdt[i])
				cfs_brelse(fs->gdt[i]);
	cfs_quarantine_clear(fs);
	cfs_free(fs->quarantine);
	cfs_free(fs->gdt);
	cfs_free(fs->j.bufs);
	cfs_free(fs->j.frozen);
	cfs_free(fs->orphans);
	cfs_free(fs);
}

int cfs_mount(cfs_dev_t *dev, void *env, unsigned flags, struct cfs_fs **out)
{
	struct cfs_fs *fs = cfs_zalloc(sizeof(*fs));
	struct cfs_super before;
	int err;

	if (!fs)
		return -ENOMEM;
	fs->dev = dev;
	fs->env = env;
	fs->rdonly = (flags & CFS_MNT_RDONLY) != 0;
	err = read_super(fs);
	if (err) {
		release(fs);
		return err;
	}
	fs->seed = cfs_seed(fs->sb.uuid);
	fs->nblocks = fs->sb.block_count;
	fs->ninodes = fs->sb.inode_count;
	fs->ngroups = fs->sb.group_count;
	fs->bpg = fs->sb.blocks_per_group;
	fs->ipg = fs->sb.inodes_per_group;
	if ((fs->sb.feature_ro_compat & ~CFS_FEAT_RO_COMPAT_KNOWN) && !fs->rdonly) {
		cfs_log("unknown read-only-compatible features %#x: mounting read-only",
			fs->sb.feature_ro_compat & ~CFS_FEAT_RO_COMPAT_KNOWN);
		fs->rdonly = true;
	}
	before = fs->sb;
	err = cfs_journal_load(fs, !(flags & CFS_MNT_NOREPLAY));
	if (err == -EUCLEAN && (flags & CFS_MNT_FSCK) && !fs->j.tail) {
		/* the journal superblock itself: fsck rewrites it */
		fs->journal_damaged = true;
		fs->aborted = false;
		fs->j.tail = fs->j.head = 1;
		fs->j.tail_seq = fs->j.seq = 1;
		err = 0;
	}
	if (err)
		goto fail;
	if (flags & CFS_MNT_FSCK) {
		fs->rdonly = true;       /* the core writes nothing more */
		*out = fs;
		return 0;
	}
	/* the replay may have brought back an older superblock: keep what the
	 * errors and the backup told us */
	if (fs->sb.h.magic != CFS_MAGIC_SUPER) {
		err = cfs_corrupt(fs, 0, 0, "superblock after journal replay");
		goto fail;
	}
	fs->sb.state |= before.state & CFS_STATE_ERRORS;
	if (before.error_count > fs->sb.error_count) {
		fs->sb.error_count = before.error_count;
		fs->sb.first_error_time = before.first_error_time;
		fs->sb.first_error_block = before.first_error_block;
		fs->sb.first_error_ino = before.first_error_ino;
		fs->sb.last_error_time = before.last_error_time;
		fs->sb.last_error_block = before.last_error_block;
		fs->sb.last_error_ino = before.last_error_ino;
	}
	err = load_groups(fs);
	if (err)
		goto fail;
	if (fs->sb.orphan_head) {
		/* read the list (bounded by the inode count, so a loop ends) */
		uint64_t ino = fs->sb.orphan_head;

		while (ino) {
			struct cfs_inode ip;

			if (fs->norphans >= fs->ninodes) {
				err = cfs_corrupt(fs, 0, ino, "orphan list loops");
				goto fail;
			}
			err = cfs_orphan_track(fs, ino, false);
			if (!err)
				err = cfs_iget(fs, ino, &ip);
			if (err)
				goto fail;
			ino = ip.d.orphan_next;
		}
	}
	if (!fs->rdonly) {
		int64_t now;
		uint32_t ns;

		err = cfs_orphans_recover(fs);
		if (!err)
			err = cfs_sync(fs, true);
		if (err)
			goto fail;
		cfs_env_time(&now, &ns);
		fs->sb.state &= ~(uint32_t)CFS_STATE_CLEAN;
		fs->sb.mount_count++;
		fs->sb.mount_time = now;
		/* Not flushed: the clean bit only reports how the last
		 * unmount went (replay never looks at it), and the first
		 * write that changes the disk's meaning, a commit block, comes
		 * after a flush (journal.c), which makes this completed write
		 * durable first. A crash before then finds the bit still set
		 * over a disk no write has changed, except file data written
		 * in place, which the bit says nothing about. */
		err = super_write_direct(fs, false);
		if (err)
			goto fail;
		if (fs->used_backup)
			cfs_log("primary superblock rewritten from the backup");
	}
	*out = fs;
	return 0;
fail:
	if (fs->j.nbufs || fs->aborted)
		cfs_dev_discard_meta(dev);
	cfs_txn_drop(fs);
	release(fs);
	return err;
}

int cfs_sync(struct cfs_fs *fs, bool checkpoint)
{
	if (fs->rdonly || fs->aborted)
		return 0;
	return checkpoint ? cfs_checkpoint(fs) : cfs_commit(fs);
}

static int mark_clean(struct cfs_fs *fs)
{
	int64_t now;
	uint32_t ns;
	int err = cfs_checkpoint(fs);

	if (err)
		return err;
	cfs_env_time(&now, &ns);
	fs->sb.state |= CFS_STATE_CLEAN;
	fs->sb.write_time = now;
	fs->sb.free_blocks = fs->free_blocks;
	fs->sb.free_inodes = fs->free_inodes;
	return super_write_direct(fs, true);
}

int cfs_remount(struct cfs_fs *fs, bool rdonly)
{
	if (rdonly == fs->rdonly)
		return 0;
	if (rdonly) {
		int err = mark_clean(fs);

		if (err)
			return err;
		fs->rdonly = true;
		return 0;
	}
	if (fs->aborted)
		return -EROFS;
	if (fs->sb.feature_ro_compat & ~CFS_FEAT_RO_COMPAT_KNOWN)
		return -EROFS;
	fs->rdonly = false;
	fs->sb.state &= ~(uint32_t)CFS_STATE_CLEAN;
	return super_write_direct(fs, false);   /* as at mount */
}

int cfs_unmount(struct cfs_fs *fs)
{
	int err = 0;

	if (!fs->rdonly && !fs->aborted)
		err = mark_clean(fs);
	/* a read-only replay, or changes that cannot reach the disk, leave
	 * blocks in the cache that are not what the disk holds */
	if (fs->aborted || err || fs->rdonly) {
		cfs_txn_drop(fs);
		cfs_dev_discard_meta(fs->dev);
	}
	release(fs);
	return err;
}

void cfs_statfs(struct cfs_fs *fs, struct cfs_statfs *st)
{
	uint64_t avail = fs->free_blocks > fs->quarantined ? fs->free_blocks - fs->quarantined : 0;

	st->blocks = fs->nblocks;
	/* blocks freed since the last checkpoint come back at the next one */
	st->bfree = fs->free_blocks;
	st->bavail = avail;
	st->files = fs->ninodes;
	st->ffree = fs->free_inodes;
}
