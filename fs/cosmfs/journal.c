/* The cosmfs write-ahead journal: operations, transactions, commit,
 * checkpoint and replay (docs/cosmfs.md, "The journal").
 *
 * A transaction is the set of metadata blocks the operations since the
 * last commit changed; they stay pinned in the cache (never written home)
 * until it commits. Commit: write the file data the cache holds dirty
 * (ordered data), write descriptor blocks and copies into the journal
 * ring, flush, write the commit block (its checksum covers the whole
 * transaction), flush. The blocks are then free to go home; a checkpoint
 * writes them all, flushes, and moves the journal's tail past them.
 * Replay applies every transaction from the tail whose commit block is
 * sound, in order; doing it twice gives the same blocks. */
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/crc32c.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define TXN_SLACK 64              /* room in bufs beyond max_txn for a miscounted op */

/* The ring is journal blocks 1 .. blocks-1. */
static uint32_t ring(const struct cfs_journal *j)
{
	return j->blocks - 1;
}

static uint32_t ring_next(const struct cfs_journal *j, uint32_t pos, uint32_t n)
{
	return (uint32_t)(((uint64_t)pos - 1 + n) % ring(j)) + 1;
}

static uint32_t ring_used(const struct cfs_journal *j)
{
	return (j->head + ring(j) - j->tail) % ring(j);
}

static uint32_t div_up32(uint32_t a, uint32_t b)
{
	return a / b + (a % b != 0);
}

/* Journal blocks a transaction of n copies takes. */
static uint32_t txn_size(uint32_t n)
{
	return n + div_up32(n, CFS_JTAGS_PER_DESC) + 1;
}

static int abort_journal(struct cfs_fs *fs, int err, const char *what)
{
	cfs_log("%s failed (error %d): journal stopped", what, err);
	cfs_corrupt(fs, 0, 0, what);
	return err;
}

/* ---- operations ---- */

int cfs_op_begin(struct cfs_fs *fs, uint32_t jblocks, uint64_t space)
{
	int err;

	if (fs->rdonly || fs->aborted)
		return -EROFS;
	if (fs->j.nbufs + jblocks > fs->j.max_txn && (err = cfs_commit(fs)))
		return err;
	if (space) {
		uint64_t avail = fs->free_blocks - fs->quarantined;

		if (avail < space && fs->quarantined) {
			/* blocks freed since the last checkpoint come back
			 * once the journal no longer needs them kept */
			if ((err = cfs_checkpoint(fs)))
				return err;
			avail = fs->free_blocks - fs->quarantined;
		}
		if (avail < space)
			return -ENOSPC;
	}
	fs->in_op = true;
	fs->op_changed = false;
	return 0;
}

int cfs_op_end(struct cfs_fs *fs, int err)
{
	if (err && fs->op_changed && !fs->aborted)
		abort_journal(fs, err, "an operation");
	fs->in_op = false;
	return err;
}

int cfs_op_join(struct cfs_fs *fs, cfs_buf_t *b)
{
	if (fs->aborted)
		return -EROFS;
	fs->op_changed = true;
	if (b->fsflags & CFS_BF_TXN)
		return 0;
	if (fs->j.nbufs >= fs->j.cap)
		return -ENOSPC;          /* an op used more than it declared: op_end aborts */
	cfs_bpin(b);
	fs->j.frozen[fs->j.nbufs] = NULL;
	if (b->fsflags & CFS_BF_COMMITTED) {
		/* a checkpoint before this transaction commits must still
		 * write what was committed, and the pinned block cannot go */
		void *copy = cfs_zalloc(CFS_BLOCK_SIZE);

		if (!copy) {
			cfs_bunpin(b);
			return -ENOMEM;
		}
		memcpy(copy, b->data, CFS_BLOCK_SIZE);
		fs->j.frozen[fs->j.nbufs] = copy;
		b->fsflags &= ~(uint32_t)CFS_BF_COMMITTED;
	}
	cfs_bhold(b);
	b->fsflags |= CFS_BF_TXN;
	fs->j.bufs[fs->j.nbufs++] = b;
	return 0;
}

int cfs_op_bnew(struct cfs_fs *fs, uint64_t blk, cfs_buf_t **out)
{
	cfs_buf_t *b;
	int err = cfs_bget(fs->dev, blk, &b);

	if (err)
		return err;
	err = cfs_op_join(fs, b);
	if (err) {
		cfs_brelse(b);
		return err;
	}
	b->fsflags |= CFS_BF_CHECKED;
	*out = b;
	return 0;
}

/* ---- commit and checkpoint ---- */

static int write_jsuper(struct cfs_fs *fs)
{
	struct cfs_jsuper *js = cfs_zalloc(CFS_BLOCK_SIZE);
	void *blocks[1] = { js };
	int err;

	if (!js)
		return -ENOMEM;
	js->h.magic = CFS_MAGIC_JSUPER;
	js->h.blockno = fs->j.start;
	js->tail = fs->j.tail;
	js->tail_seq = fs->j.tail_seq;
	js->blocks = fs->j.blocks;
	cfs_block_seal(fs->seed, js);
	err = cfs_dev_write(fs->dev, fs->j.start, 1, blocks);
	if (!err)
		err = cfs_dev_flush(fs->dev);
	cfs_free(js);
	return err;
}

/* The frozen copies of the running transaction's blocks, freed. */
static void thaw(struct cfs_journal *j)
{
	for (uint32_t i = 0; i < j->nbufs; i++) {
		cfs_free(j->frozen[i]);
		j->frozen[i] = NULL;
	}
}

/* Writes every committed block home and empties the journal ring. The
 * running transaction's blocks stay pinned: for those the committed
 * version they had when they joined goes home instead (their frozen
 * copies). */
static int checkpoint_committed(struct cfs_fs *fs)
{
	int err = 0;

	if (!fs->j.committed_dirty)
		return 0;
	long w = cfs_dev_writeback(fs->dev, false);

	for (uint32_t i = 0; i < fs->j.nbufs && w >= 0 && !err; i++)
		if (fs->j.frozen[i])
			err = cfs_dev_write(fs->dev, fs->j.bufs[i]->blk, 1, &fs->j.frozen[i]);
	if (!err)
		err = w < 0 ? (int)w : cfs_dev_flush(fs->dev);
	if (err)
		return abort_journal(fs, err, "checkpoint");
	fs->j.tail = fs->j.head;
	fs->j.tail_seq = fs->j.seq;
	err = write_jsuper(fs);
	if (err)
		return abort_journal(fs, err, "journal superblock write");
	fs->j.committed_dirty = false;
	fs->j.checkpoints++;
	thaw(&fs->j);
	return 0;
}

/* Writes n journal blocks from pos on (the ring may wrap once). */
static int write_ring(struct cfs_fs *fs, uint32_t pos, uint32_t n, void **blocks)
{
	uint32_t first = fs->j.blocks - pos;   /* blocks before the wrap */
	int err;

	if (first > n)
		first = n;
	err = cfs_dev_write(fs->dev, fs->j.start + pos, first, blocks);
	if (!err && n > first)
		err = cfs_dev_write(fs->dev, fs->j.start + 1, n - first, blocks + first);
	return err;
}

int cfs_commit(struct cfs_fs *fs)
{
	struct cfs_journal *j = &fs->j;
	uint32_t n = j->nbufs, size, pos, k = 0, crc = 0;
	uint32_t ndesc = div_up32(n, CFS_JTAGS_PER_DESC);
	void **blocks = NULL;
	uint8_t *meta = NULL;        /* descriptor blocks, then the commit block */
	struct cfs_jcommit *cb;
	long w;
	int err;

	if (fs->aborted)
		return -EROFS;
	w = cfs_dev_writeback(fs->dev, true);        /* ordered data first */
	if (w < 0)
		return abort_journal(fs, (int)w, "data write-back before commit");
	if (!n)                      /* data alone (written through mappings) */
		return w ? cfs_dev_flush(fs->dev) : 0;
	size = txn_size(n);
	/* a full ring would look empty (head == tail): one block stays free */
	if (ring_used(j) + size >= ring(j) && (err = checkpoint_committed(fs)))
		return err;
	blocks = cfs_zalloc(size * sizeof(*blocks));
	meta = cfs_zalloc((size_t)(ndesc + 1) * CFS_BLOCK_SIZE);
	if (!blocks || !meta) {
		cfs_free(blocks);
		cfs_free(meta);
		return abort_journal(fs, -ENOMEM, "commit");
	}
	pos = j->head;
	for (uint32_t d = 0; d < ndesc; d++) {
		struct cfs_jdesc *desc = (struct cfs_jdesc *)(meta + (size_t)d * CFS_BLOCK_SIZE);
		uint32_t cnt = n - d * CFS_JTAGS_PER_DESC;

		if (cnt > CFS_JTAGS_PER_DESC)
			cnt = CFS_JTAGS_PER_DESC;
		desc->h.magic = CFS_MAGIC_JDESC;
		desc->h.blockno = j->start + pos;
		desc->h.seq = j->seq;
		desc->count = cnt;
		blocks[k++] = desc;
		pos = ring_next(j, pos, 1);
		for (uint32_t i = 0; i < cnt; i++) {
			cfs_buf_t *b = j->bufs[d * CFS_JTAGS_PER_DESC + i];
			const struct cfs_bhdr *h = (const struct cfs_bhdr *)b->data;

			/* every block but the inode table's carries a header,
			 * sealed here once for all the changes it saw */
			if ((h->magic & 0xffffff) == 0x534643)
				cfs_block_seal(fs->seed, b->data);
			desc->tags[i].home = b->blk;
			desc->tags[i].crc = crc32c(fs->seed, b->data, CFS_BLOCK_SIZE);
			blocks[k++] = b->data;
			pos = ring_next(j, pos, 1);
		}
		cfs_block_seal(fs->seed, desc);
	}
	for (uint32_t i = 0; i < k; i++)
		crc = crc32c(crc, blocks[i], CFS_BLOCK_SIZE);
	cb = (struct cfs_jcommit *)(meta + (size_t)ndesc * CFS_BLOCK_SIZE);
	cb->h.magic = CFS_MAGIC_JCOMMIT;
	cb->h.blockno = j->start + pos;
	cb->h.seq = j->seq;
	cb->blocks = k;
	cb->data_crc = crc;
	{
		int64_t now;
		uint32_t ns;

		cfs_env_time(&now, &ns);
		cb->time = now;
		j->last_commit = now;
	}
	cfs_block_seal(fs->seed, cb);
	blocks[k] = cb;
	/* barrier: the transaction is on the disk before its commit block,
	 * and the commit block before anything that relies on it */
	err = write_ring(fs, j->head, k, blocks);
	if (!err)
		err = cfs_dev_flush(fs->dev);
	if (!err)
		err = write_ring(fs, pos, 1, blocks + k);
	if (!err)
		err = cfs_dev_flush(fs->dev);
	cfs_free(blocks);
	cfs_free(meta);
	if (err)
		return abort_journal(fs, err, "commit");
	thaw(j);
	for (uint32_t i = 0; i < n; i++) {
		cfs_buf_t *b = j->bufs[i];

		b->fsflags = (b->fsflags & ~(uint32_t)CFS_BF_TXN) | CFS_BF_COMMITTED;
		cfs_bdirty(b, false);
		cfs_bunpin(b);
		cfs_brelse(b);
	}
	j->nbufs = 0;
	j->head = ring_next(j, j->head, size);
	j->seq++;
	j->committed_dirty = true;
	j->commits++;
	return 0;
}

void cfs_txn_drop(struct cfs_fs *fs)
{
	thaw(&fs->j);
	for (uint32_t i = 0; i < fs->j.nbufs; i++) {
		fs->j.bufs[i]->fsflags &= ~(uint32_t)CFS_BF_TXN;
		cfs_bunpin(fs->j.bufs[i]);
		cfs_brelse(fs->j.bufs[i]);
	}
	fs->j.nbufs = 0;
}

int cfs_checkpoint(struct cfs_fs *fs)
{
	int err;

	if (fs->aborted)
		return -EROFS;
	err = cfs_commit(fs);
	if (!err)
		err = checkpoint_committed(fs);
	if (!err)
		cfs_quarantine_clear(fs);
	return err;
}

/* ---- replay ---- */

struct scan {
	uint32_t pos, seq;           /* where the scan stopped */
	uint32_t txns, copies;
	bool torn;
};

/* Reads journal block pos and checks it is a descriptor or commit of
 * transaction seq. */
static bool read_jblock(struct cfs_fs *fs, uint32_t pos, uint32_t magic, uint32_t seq, void *buf)
{
	const struct cfs_bhdr *h = buf;

	return cfs_dev_read(fs->dev, fs->j.start + pos, buf) == 0 &&
	       cfs_block_ok(fs->seed, buf, magic, fs->j.start + pos) && h->seq == seq;
}

static bool home_ok(struct cfs_fs *fs, uint64_t home)
{
	return home < fs->nblocks && (home < fs->j.start || home >= fs->j.start + fs->j.blocks);
}

/* Checks the transaction at pos; on success returns its size in journal
 * blocks, else 0. With apply, writes (or caches) its copies too. */
static uint32_t txn_check(struct cfs_fs *fs, uint32_t pos, uint32_t seq, uint8_t *buf,
			  uint8_t *copy, bool apply, uint32_t *ncopies)
{
	struct cfs_jdesc *desc = (struct cfs_jdesc *)buf;
	uint32_t used = 0, crc = 0, copies = 0;

	if (!read_jblock(fs, pos, CFS_MAGIC_JDESC, seq, buf))
		return 0;
	for (;;) {
		uint32_t cnt = desc->count;
		const struct cfs_jtag *tags = desc->tags;   /* buf holds them until the next read */

		if (cnt == 0 || cnt > CFS_JTAGS_PER_DESC || used + 1 + cnt + 1 > ring(&fs->j))
			return 0;
		crc = crc32c(crc, buf, CFS_BLOCK_SIZE);
		used++;
		for (uint32_t i = 0; i < cnt; i++) {
			uint32_t at = ring_next(&fs->j, pos, used);

			if (!home_ok(fs, tags[i].home) ||
			    cfs_dev_read(fs->dev, fs->j.start + at, copy) ||
			    crc32c(fs->seed, copy, CFS_BLOCK_SIZE) != tags[i].crc)
				return 0;
			crc = crc32c(crc, copy, CFS_BLOCK_SIZE);
			used++;
			if (apply) {
				void *blocks[1] = { copy };
				cfs_buf_t *b;

				if (!fs->rdonly) {
					if (cfs_dev_write(fs->dev, tags[i].home, 1, blocks))
						return 0;
					cfs_dev_forget(fs->dev, tags[i].home, 1);
				} else if (cfs_bget(fs->dev, tags[i].home, &b) == 0) {
					memcpy(b->data, copy, CFS_BLOCK_SIZE);
					b->fsflags = 0;
					cfs_bdirty(b, false);
					cfs_bpin(b);         /* a read-only replay stays in memory */
					cfs_brelse(b);
				} else {
					return 0;
				}
			}
		}
		copies += cnt;
		uint32_t at = ring_next(&fs->j, pos, used);
		if (read_jblock(fs, at, CFS_MAGIC_JDESC, seq, buf))
			continue;
		if (!read_jblock(fs, at, CFS_MAGIC_JCOMMIT, seq, buf))
			return 0;
		struct cfs_jcommit *cb = (struct cfs_jcommit *)buf;
		if (cb->blocks != used || cb->data_crc != crc)
			return 0;
		*ncopies = copies;
		return used + 1;
	}
}

static int scan(struct cfs_fs *fs, bool apply, struct scan *s)
{
	uint8_t *buf = cfs_zalloc(CFS_BLOCK_SIZE), *copy = cfs_zalloc(CFS_BLOCK_SIZE);
	uint32_t total = 0;

	if (!buf || !copy) {
		cfs_free(buf);
		cfs_free(copy);
		return -ENOMEM;
	}
	s->pos = fs->j.tail;
	s->seq = fs->j.tail_seq;
	s->txns = s->copies = 0;
	s->torn = false;
	for (;;) {
		uint32_t copies = 0;
		uint32_t size = txn_check(fs, s->pos, s->seq, buf, copy, false, &copies);

		if (!size || total + size > ring(&fs->j)) {
			/* a descriptor of the next transaction without a sound
			 * commit: a commit that never finished */
			s->torn = read_jblock(fs, s->pos, CFS_MAGIC_JDESC, s->seq, buf);
			break;
		}
		if (apply && !txn_check(fs, s->pos, s->seq, buf, copy, true, &copies)) {
			cfs_free(buf);
			cfs_free(copy);
			return -EIO;
		}
		total += size;
		s->txns++;
		s->copies += copies;
		s->pos = ring_next(&fs->j, s->pos, size);
		s->seq++;
	}
	cfs_free(buf);
	cfs_free(copy);
	return 0;
}

int cfs_journal_scan(struct cfs_fs *fs, struct cfs_jscan *js)
{
	struct scan s;
	int err = scan(fs, false, &s);

	js->txns = s.txns;
	js->blocks = s.copies;
	js->torn = s.torn;
	return err;
}

int cfs_journal_load(struct cfs_fs *fs, bool replay)
{
	struct cfs_journal *j = &fs->j;
	struct cfs_jsuper *js;
	struct scan s = { 0 };
	cfs_buf_t *b;
	int err;

	j->start = fs->sb.journal_start;
	j->blocks = fs->sb.journal_blocks;
	j->max_txn = ring(j) / 2;
	if (j->max_txn > 16384)
		j->max_txn = 16384;
	j->cap = j->max_txn + TXN_SLACK;
	j->bufs = cfs_zalloc(j->cap * sizeof(*j->bufs));
	j->frozen = cfs_zalloc(j->cap * sizeof(*j->frozen));
	js = cfs_zalloc(CFS_BLOCK_SIZE);
	if (!j->bufs || !j->frozen || !js) {
		cfs_free(js);
		return -ENOMEM;
	}
	err = cfs_dev_read(fs->dev, j->start, js);
	if (err) {
		cfs_free(js);
		return err;
	}
	if (!cfs_block_ok(fs->seed, js, CFS_MAGIC_JSUPER, j->start) || js->blocks != j->blocks ||
	    js->tail < 1 || js->tail >= j->blocks) {
		cfs_free(js);
		return cfs_corrupt(fs, j->start, 0, "journal superblock");
	}
	j->tail = j->head = js->tail;
	j->tail_seq = j->seq = js->tail_seq;
	cfs_free(js);
	if (!replay)
		return 0;
	err = scan(fs, false, &s);
	if (!err && s.txns) {
		cfs_log("replaying %u transaction%s (%u blocks) from the journal", s.txns,
			s.txns == 1 ? "" : "s", s.copies);
		err = scan(fs, true, &s);
		if (!err && !fs->rdonly) {
			err = cfs_dev_flush(fs->dev);
			if (!err) {
				j->tail = j->head = s.pos;
				j->tail_seq = j->seq = s.seq;
				err = write_jsuper(fs);
			}
		} else if (!err) {
			/* read-only: the ring stays as it is on disk */
			j->head = s.pos;
			j->seq = s.seq;
		}
	}
	if (err)
		return err;
	/* the superblock may have been one of the blocks replayed */
	if (s.txns) {
		struct cfs_super *sb;
		const char *why;

		err = cfs_bread(fs->dev, 0, &b);
		if (err)
			return err;
		sb = (struct cfs_super *)b->data;
		if (cfs_super_check(sb, cfs_dev_blocks(fs->dev), &why) ||
		    sb->block_count != fs->sb.block_count || sb->journal_blocks != fs->sb.journal_blocks ||
		    sb->inodes_per_group != fs->sb.inodes_per_group ||
		    memcmp(sb->uuid, fs->sb.uuid, 16)) {
			cfs_brelse(b);
			return cfs_corrupt(fs, 0, 0, "superblock replayed from the journal");
		}
		memcpy(&fs->sb, sb, CFS_BLOCK_SIZE);
		cfs_brelse(b);
	}
	return 0;
}
