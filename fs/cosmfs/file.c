/* cosmfs file data: reads with read-ahead, writes that allocate blocks
 * next to the file's others, and the pages behind mappings. Data moves
 * in chunks of up to CHUNK blocks: the mapping and allocation of a chunk
 * happen under the file system's lock, the copy to or from the caller
 * without it (a copy may fault on a mapping of this very file). A newly
 * allocated block is zeroed and marked dirty before the lock goes, so
 * a commit that lands during the copy writes zeros, never a previous
 * owner's data. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define CHUNK 32u
#define RA_START 32u              /* read-ahead window: 128 KiB ... */
#define RA_MAX 256u               /* ... growing to 1 MiB */
#define BS CFS_BLOCK_SIZE

static void release_all(cfs_buf_t **b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (b[i])
			cfs_brelse(b[i]);
}

/* Asks for the blocks a sequential reader at lblk will want next. */
static void readahead(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk)
{
	uint64_t nblocks = (ip->d.size + BS - 1) / BS;
	uint64_t target;

	if (lblk != ip->ra_next || !ip->ra_window) {
		ip->ra_window = RA_START;
		ip->ra_until = lblk;
		if (lblk != 0 && lblk != ip->ra_next)
			return;              /* not sequential (yet) */
	} else if (ip->ra_until < lblk + ip->ra_window / 2) {
		if (ip->ra_window < RA_MAX)
			ip->ra_window *= 2;
	} else {
		return;
	}
	target = (uint64_t)lblk + ip->ra_window;
	if (target > nblocks)
		target = nblocks;
	if (ip->ra_until < lblk)
		ip->ra_until = lblk;
	while (ip->ra_until < target) {
		uint64_t pblk;
		uint32_t run;

		if (cfs_bmap(fs, ip, ip->ra_until, &pblk, &run))
			return;
		if (run > target - ip->ra_until)
			run = (uint32_t)(target - ip->ra_until);
		if (pblk)
			cfs_dev_readahead(fs->dev, pblk, run);
		ip->ra_until += run;
	}
}

long cfs_file_read(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, size_t len,
		   cfs_copy_fn out, void *ctx)
{
	cfs_buf_t *bufs[CHUNK];
	size_t done = 0;

	if (off >= ip->d.size)
		return 0;
	if (len > ip->d.size - off)
		len = (size_t)(ip->d.size - off);
	while (done < len) {
		uint64_t pos = off + done, pblk;
		uint32_t lblk = (uint32_t)(pos / BS), boff = (uint32_t)(pos % BS), run, nblk;
		size_t want = len - done, n;
		long r = 0;
		int err;

		if ((err = cfs_bmap(fs, ip, lblk, &pblk, &run)))
			return done ? (long)done : err;
		nblk = (uint32_t)((boff + want + BS - 1) / BS);
		if (nblk > run)
			nblk = run;
		if (nblk > CHUNK)
			nblk = CHUNK;
		n = (size_t)nblk * BS - boff;
		if (n > want)
			n = want;
		if (!pblk) {
			cfs_env_unlock(fs);
			r = out(ctx, NULL, n);
			cfs_env_lock(fs);
		} else {
			readahead(fs, ip, lblk);
			memset(bufs, 0, sizeof(bufs));
			for (uint32_t i = 0; i < nblk && !err; i++)
				err = cfs_bread(fs->dev, pblk + i, &bufs[i]);
			if (err) {
				release_all(bufs, nblk);
				return done ? (long)done : err;
			}
			cfs_env_unlock(fs);
			for (uint32_t i = 0, b = boff; i < nblk && r >= 0 && (size_t)r < n; i++, b = 0) {
				size_t k = BS - b < n - (size_t)r ? BS - b : n - (size_t)r;
				long m = out(ctx, bufs[i]->data + b, k);

				if (m < 0) {
					if (!r)
						r = m;
					break;
				}
				r += m;
				if ((size_t)m < k)
					break;
			}
			cfs_env_lock(fs);
			release_all(bufs, nblk);
		}
		ip->ra_next = lblk + nblk;
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return (long)done;
}

/* The goal for a new block at lblk: after the block before it. */
static uint64_t goal_for(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk)
{
	uint64_t pblk;
	uint32_t run;

	if (lblk && cfs_bmap(fs, ip, lblk - 1, &pblk, &run) == 0 && pblk)
		return pblk + 1;
	/* the first block: in the inode's group */
	return (ip->ino - 1) / fs->ipg * fs->bpg;
}

/* Maps (allocating holes) file blocks [lblk, lblk + n) and holds their
 * buffers. Inside an operation. Returns the blocks mapped (at least 1) or an error. */
static long map_chunk(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk, uint32_t n,
		      cfs_buf_t **bufs, bool *grew)
{
	uint32_t i = 0;

	while (i < n) {
		uint64_t pblk;
		uint32_t run;
		bool fresh = false;
		int err = cfs_bmap(fs, ip, lblk + i, &pblk, &run);

		if (err)
			return i ? (long)i : err;
		if (run > n - i)
			run = n - i;
		if (!pblk) {
			long got = cfs_balloc(fs, goal_for(fs, ip, lblk + i), run, &pblk);

			if (got < 0)
				return i ? (long)i : got;
			run = (uint32_t)got;
			if ((err = cfs_xinsert(fs, ip, lblk + i, pblk, run)))
				return i ? (long)i : err;
			ip->d.blocks += run;
			*grew = true;
			fresh = true;
		}
		for (uint32_t k = 0; k < run; k++, i++) {
			/* an existing block is read even when the write covers
			 * it all: a fault halfway through the copy must leave
			 * the rest of it as it was */
			if (fresh)
				err = cfs_bget(fs->dev, pblk + k, &bufs[i]);
			else
				err = cfs_bread(fs->dev, pblk + k, &bufs[i]);
			if (err)
				return i ? (long)i : err;
			if (fresh)
				cfs_bdirty(bufs[i], true);      /* zeros, until the copy */
		}
	}
	return i;
}

long cfs_file_write(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, size_t len,
		    cfs_copy_fn in, void *ctx, struct cfs_time now)
{
	cfs_buf_t *bufs[CHUNK];
	size_t done = 0;
	int err = 0;

	if (off >= CFS_MAX_FILE_SIZE)
		return len ? -EFBIG : 0;
	if (len > CFS_MAX_FILE_SIZE - off)
		len = (size_t)(CFS_MAX_FILE_SIZE - off);
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t lblk = (uint32_t)(pos / BS), boff = (uint32_t)(pos % BS);
		size_t want = len - done, n, copied = 0;
		uint32_t nblk = (uint32_t)((boff + want + BS - 1) / BS);
		bool grew = false;
		long got;

		if (nblk > CHUNK)
			nblk = CHUNK;
		err = cfs_op_begin(fs, 32, nblk + cfs_xreserve(ip));
		if (err == -ENOSPC && nblk > 1) {
			nblk = 1;
			err = cfs_op_begin(fs, 32, 1 + cfs_xreserve(ip));
		}
		if (err)
			break;
		memset(bufs, 0, sizeof(bufs));
		got = map_chunk(fs, ip, lblk, nblk, bufs, &grew);
		if (got > 0 && grew)
			err = cfs_iwrite(fs, ip);
		err = cfs_op_end(fs, got < 0 ? (int)got : err);
		if (err) {
			release_all(bufs, nblk);
			break;
		}
		nblk = (uint32_t)got;
		n = (size_t)nblk * BS - boff;
		if (n > want)
			n = want;
		cfs_env_unlock(fs);
		for (uint32_t i = 0, b = boff; i < nblk && copied < n; i++, b = 0) {
			size_t k = BS - b < n - copied ? BS - b : n - copied;
			long m = in(ctx, bufs[i]->data + b, k);

			if (m > 0) {
				cfs_bdirty(bufs[i], true);
				copied += (size_t)m;
			}
			if (m < 0) {
				if (!copied && !done)
					err = (int)m;
				break;
			}
			if ((size_t)m < k)
				break;
		}
		cfs_env_lock(fs);
		release_all(bufs, nblk);
		done += copied;
		if (off + done > ip->d.size)
			ip->d.size = off + done;
		if (copied < n)
			break;
	}
	if (done) {
		ip->d.mtime = ip->d.ctime = now.sec;
		ip->d.mtime_ns = ip->d.ctime_ns = now.nsec;
		int e = cfs_write_inode(fs, ip);
		if (e)
			return e;
		return (long)done;
	}
	return err;
}

int cfs_file_page(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, bool alloc, cfs_buf_t **buf)
{
	uint32_t lblk = (uint32_t)(off / BS), run;
	uint64_t pblk;
	bool grew = false;
	long got;
	int err;

	*buf = NULL;
	if ((err = cfs_bmap(fs, ip, lblk, &pblk, &run)))
		return err;
	if (pblk)
		return cfs_bread(fs->dev, pblk, buf);
	if (!alloc)
		return 0;
	if ((err = cfs_op_begin(fs, 32, 1 + cfs_xreserve(ip))))
		return err;
	got = map_chunk(fs, ip, lblk, 1, buf, &grew);
	err = got < 0 ? (int)got : cfs_iwrite(fs, ip);
	err = cfs_op_end(fs, err);
	if (err && *buf) {
		cfs_brelse(*buf);
		*buf = NULL;
	}
	return err;
}

/* Zeros for fallocate's new blocks, written past the cache (so a large
 * reservation does not fill the cache with dirty blocks of zeros). */
static int write_zeros(struct cfs_fs *fs, uint64_t pblk, uint32_t n)
{
	void *zero = cfs_zalloc(BS), *blocks[CHUNK];
	int err;

	if (!zero)
		return -ENOMEM;
	for (uint32_t i = 0; i < CHUNK; i++)
		blocks[i] = zero;
	err = cfs_dev_write(fs->dev, pblk, n, blocks);
	cfs_free(zero);
	return err;
}

int cfs_fallocate(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t off, uint64_t len, bool keep_size,
		  struct cfs_time now)
{
	uint64_t end = off + len, holes = 0;
	uint32_t lblk, last;
	bool grow = !keep_size && end > ip->d.size;
	int err = 0;

	if (!len || end < off || end > CFS_MAX_FILE_SIZE)
		return len ? -EFBIG : -EINVAL;
	last = (uint32_t)((end + BS - 1) / BS);
	/* what it takes, checked first: ENOSPC leaves the file as it was */
	for (lblk = (uint32_t)(off / BS); lblk < last;) {
		uint64_t pblk;
		uint32_t run;

		if ((err = cfs_bmap(fs, ip, lblk, &pblk, &run)))
			return err;
		if (run > last - lblk)
			run = last - lblk;
		if (!pblk)
			holes += run;
		lblk += run;
	}
	if (holes) {
		if ((err = cfs_op_begin(fs, 0, holes + cfs_xreserve(ip))))
			return err;
		cfs_op_end(fs, 0);
	}
	for (lblk = (uint32_t)(off / BS); lblk < last && !err;) {
		uint64_t pblk;
		uint32_t run;
		long got;

		if ((err = cfs_bmap(fs, ip, lblk, &pblk, &run)))
			break;
		if (run > last - lblk)
			run = last - lblk;
		if (pblk) {
			lblk += run;
			continue;
		}
		if (run > CHUNK)
			run = CHUNK;
		if ((err = cfs_op_begin(fs, 32, run + cfs_xreserve(ip))))
			break;
		got = cfs_balloc(fs, goal_for(fs, ip, lblk), run, &pblk);
		/* a failed write of the zeros ends the operation with an
		 * error, which stops the journal (op_end) */
		if (got > 0)
			err = write_zeros(fs, pblk, (uint32_t)got);
		if (got > 0 && !err && !(err = cfs_xinsert(fs, ip, lblk, pblk, (uint32_t)got))) {
			ip->d.blocks += (uint64_t)got;
			err = cfs_iwrite(fs, ip);
		}
		err = cfs_op_end(fs, got < 0 ? (int)got : err);
		lblk += got > 0 ? (uint32_t)got : 0;
	}
	if (!err && grow)
		ip->d.size = end;
	if (holes || grow) {
		ip->d.mtime = ip->d.ctime = now.sec;
		ip->d.mtime_ns = ip->d.ctime_ns = now.nsec;
	}
	{
		int e = cfs_write_inode(fs, ip);

		return err ? err : e;
	}
}
