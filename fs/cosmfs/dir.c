/* cosmfs directories: a B+tree over a keyed 62-bit hash of the names,
 * kept in the directory's own file blocks (block 0 is the root), so a
 * lookup reads one block per level whatever the size. Leaves hold
 * entries sorted by hash and chain to the next leaf for readdir, whose
 * positions are hash + 2: stable while names come and go. Leaves are not
 * merged when they empty; the blocks go when the directory goes. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define CFS_BF_DIROK 0x4          /* fsflags: structure checked since read in */

struct dnode {
	cfs_buf_t *b;
	struct cfs_dnode *n;
	uint8_t *area;               /* entries after the node header */
	uint32_t lblk;
};

static struct cfs_dirent *dent(const struct dnode *d, uint32_t off)
{
	return (struct cfs_dirent *)(d->area + off);
}

static struct cfs_dindex *dix(const struct dnode *d, uint32_t i)
{
	return (struct cfs_dindex *)(d->area + i * sizeof(struct cfs_dindex));
}

static uint32_t dir_nblocks(const struct cfs_inode *dir)
{
	return (uint32_t)(dir->d.size / CFS_BLOCK_SIZE);
}

static void dput_node(struct dnode *d)
{
	if (d->b)
		cfs_brelse(d->b);
	d->b = NULL;
}

/* Names hold neither '/' nor NUL. */
static bool name_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == 0)
			return false;
	return true;
}

/* Checks a node's structure: the entries of a leaf tile exactly `used`
 * bytes, an index's children are blocks of the directory. */
static const char *node_check(const struct cfs_inode *dir, const struct dnode *d)
{
	const struct cfs_dnode *n = d->n;

	if (n->level > CFS_DIR_DEPTH_MAX)
		return "directory node level";
	if (n->level) {
		if (n->count == 0 || n->count > CFS_DINDEX_MAX)
			return "directory index count";
		for (uint32_t i = 0; i < n->count; i++) {
			const struct cfs_dindex *x = dix(d, i);

			if (x->child == 0 || x->child >= dir_nblocks(dir) ||
			    (i && x->hash < dix(d, i - 1)->hash))
				return "directory index entry";
		}
		return NULL;
	}
	if (n->used > CFS_DNODE_AREA || n->next >= dir_nblocks(dir) || (n->next && n->next == d->lblk))
		return "directory leaf header";
	uint32_t off = 0, cnt = 0;
	uint64_t last = 0;
	while (off < n->used) {
		const struct cfs_dirent *e;

		if (n->used - off < CFS_DIRENT_HDR)
			return "directory entry truncated";
		e = (const struct cfs_dirent *)(d->area + off);
		if (e->name_len == 0 || CFS_DIRENT_SIZE(e->name_len) > n->used - off ||
		    e->hash > CFS_DIR_HASH_MASK || e->hash < last || e->ino == 0 ||
		    !name_chars_ok(e->name, e->name_len))
			return "directory entry";
		last = e->hash;
		off += CFS_DIRENT_SIZE(e->name_len);
		cnt++;
	}
	if (cnt != n->count)
		return "directory entry count";
	return NULL;
}

static int node_read(struct cfs_fs *fs, struct cfs_inode *dir, uint32_t lblk, int level,
		     struct dnode *d)
{
	uint64_t pblk;
	uint32_t run;
	const char *why;
	int err;

	d->b = NULL;
	if (lblk >= dir_nblocks(dir))
		return cfs_corrupt(fs, 0, dir->ino, "directory block beyond its size");
	if ((err = cfs_bmap(fs, dir, lblk, &pblk, &run)))
		return err;
	if (!pblk)
		return cfs_corrupt(fs, 0, dir->ino, "hole in a directory");
	if ((err = cfs_meta_read(fs, pblk, CFS_MAGIC_DIR, dir->ino, &d->b)))
		return err;
	d->n = (struct cfs_dnode *)d->b->data;
	d->area = d->b->data + sizeof(struct cfs_dnode);
	d->lblk = lblk;
	if (level >= 0 && d->n->level != level)
		why = "directory node at the wrong level";
	else if (d->b->fsflags & CFS_BF_DIROK)
		why = NULL;
	else
		why = node_check(dir, d);
	if (why) {
		dput_node(d);
		return cfs_corrupt(fs, pblk, dir->ino, why);
	}
	d->b->fsflags |= CFS_BF_DIROK;
	return 0;
}

/* The child an index node leads to for hash h: the last entry whose hash
 * is <= h (the first covers everything below). */
static uint32_t index_pick(const struct dnode *d, uint64_t h)
{
	uint32_t lo = 0, hi = d->n->count;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (dix(d, mid)->hash <= h)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Root to leaf for hash h; path[0] is the root, path[*depth] the leaf,
 * pos[k] the index entry taken at path[k]. */
static int descend(struct cfs_fs *fs, struct cfs_inode *dir, uint64_t h, struct dnode *path,
		   uint32_t *pos, int *depth)
{
	int err = node_read(fs, dir, 0, -1, &path[0]);
	int k = 0;

	if (err)
		return err;
	while (path[k].n->level) {
		int level = path[k].n->level - 1;

		if (k == CFS_DIR_DEPTH_MAX) {
			for (int i = 0; i <= k; i++)
				dput_node(&path[i]);
			return cfs_corrupt(fs, 0, dir->ino, "directory tree too deep");
		}
		pos[k] = index_pick(&path[k], h);
		err = node_read(fs, dir, dix(&path[k], pos[k])->child, level, &path[k + 1]);
		if (err) {
			for (int i = 0; i <= k; i++)
				dput_node(&path[i]);
			return err;
		}
		k++;
	}
	*depth = k;
	return 0;
}

static void path_put(struct dnode *path, int depth)
{
	for (int i = 0; i <= depth; i++)
		dput_node(&path[i]);
}

/* The offset of name in a leaf, or -1. */
static long leaf_find(const struct dnode *d, uint64_t h, const char *name, size_t len)
{
	for (uint32_t off = 0; off < d->n->used;) {
		const struct cfs_dirent *e = dent(d, off);

		if (e->hash > h)
			break;
		if (e->hash == h && e->name_len == len && memcmp(e->name, name, len) == 0)
			return off;
		off += CFS_DIRENT_SIZE(e->name_len);
	}
	return -1;
}

int cfs_dir_lookup(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		   uint64_t *ino, unsigned *type)
{
	struct dnode path[CFS_DIR_DEPTH_MAX + 1];
	uint32_t pos[CFS_DIR_DEPTH_MAX + 1];
	uint64_t h = cfs_name_hash(fs->sb.hash_seed, name, len);
	int depth, err;
	long off;

	if (len == 0 || len > CFS_NAME_MAX)
		return -ENOENT;
	if ((err = descend(fs, dir, h, path, pos, &depth)))
		return err;
	off = leaf_find(&path[depth], h, name, len);
	if (off >= 0) {
		const struct cfs_dirent *e = dent(&path[depth], (uint32_t)off);

		*ino = e->ino;
		if (type)
			*type = e->type;
	}
	path_put(path, depth);
	return off >= 0 ? 0 : -ENOENT;
}

/* ---- adding ---- */

/* A new directory block at the end of dir, initialised as a node. */
static int block_new(struct cfs_fs *fs, struct cfs_inode *dir, int level, struct dnode *d)
{
	uint32_t lblk = dir_nblocks(dir), run;
	uint64_t goal = 0, pblk;
	struct cfs_dnode *n;
	long got;
	int err;

	if (lblk >= 0xfffffffeu)
		return -ENOSPC;
	if (lblk && (err = cfs_bmap(fs, dir, lblk - 1, &goal, &run)))
		return err;
	got = cfs_balloc(fs, goal ? goal + 1 : 0, 1, &pblk);
	if (got < 0)
		return (int)got;
	if ((err = cfs_xinsert(fs, dir, lblk, pblk, 1)))
		return err;
	dir->d.blocks++;
	dir->d.size += CFS_BLOCK_SIZE;
	if ((err = cfs_op_bnew(fs, pblk, &d->b)))
		return err;
	n = (struct cfs_dnode *)d->b->data;
	n->h.magic = CFS_MAGIC_DIR;
	n->h.blockno = pblk;
	n->h.owner = dir->ino;
	n->level = (uint16_t)level;
	d->n = n;
	d->area = d->b->data + sizeof(*n);
	d->lblk = lblk;
	d->b->fsflags |= CFS_BF_DIROK;
	return 0;
}

int cfs_dir_init(struct cfs_fs *fs, struct cfs_inode *dir)
{
	struct dnode d;
	int err;

	dir->d.size = 0;
	dir->d.entries = 0;
	err = block_new(fs, dir, 0, &d);
	if (!err)
		dput_node(&d);
	return err;
}

uint32_t cfs_dir_reserve(const struct cfs_inode *dir)
{
	(void)dir;
	return (CFS_DIR_DEPTH_MAX + 2) * (1 + CFS_EXTENT_DEPTH_MAX + 2);
}

/* Moves the root's contents into a new block and makes the root an index
 * with that block as its only child; path gets the new level. */
static int root_push_down(struct cfs_fs *fs, struct cfs_inode *dir, struct dnode *path,
			  uint32_t *pos, int *depth)
{
	struct dnode c;
	struct cfs_dindex *x;
	int err;

	if (*depth >= CFS_DIR_DEPTH_MAX)
		return -ENOSPC;
	if ((err = block_new(fs, dir, path[0].n->level, &c)))
		return err;
	memcpy(c.area, path[0].area, CFS_DNODE_AREA);
	c.n->count = path[0].n->count;
	c.n->used = path[0].n->used;
	c.n->next = path[0].n->next;
	path[0].n->level++;
	path[0].n->count = 1;
	path[0].n->used = 0;
	path[0].n->next = 0;
	memset(path[0].area, 0, CFS_DNODE_AREA);
	x = dix(&path[0], 0);
	x->hash = 0;
	x->child = c.lblk;
	memmove(path + 2, path + 1, (size_t)*depth * sizeof(*path));
	memmove(pos + 1, pos, (size_t)*depth * sizeof(*pos));
	path[1] = c;
	pos[0] = 0;
	(*depth)++;
	return 0;
}

/* Inserts index entry (h, child) after position p of the index node at
 * path[k], splitting upwards. */
static int index_insert(struct cfs_fs *fs, struct cfs_inode *dir, struct dnode *path, uint32_t *pos,
			int *depth, int k, uint32_t p, uint64_t h, uint32_t child)
{
	struct dnode *d = &path[k], m;
	uint32_t s;
	int err;

	if (d->n->count < CFS_DINDEX_MAX) {
		memmove(dix(d, p + 1), dix(d, p), (d->n->count - p) * sizeof(struct cfs_dindex));
		dix(d, p)->hash = h;
		dix(d, p)->child = child;
		dix(d, p)->reserved = 0;
		d->n->count++;
		return 0;
	}
	if (k == 0) {
		if ((err = root_push_down(fs, dir, path, pos, depth)))
			return err;
		k = 1;
		d = &path[1];
	}
	if ((err = block_new(fs, dir, d->n->level, &m)))
		return err;
	s = d->n->count / 2;
	memcpy(m.area, dix(d, s), (d->n->count - s) * sizeof(struct cfs_dindex));
	m.n->count = (uint16_t)(d->n->count - s);
	d->n->count = (uint16_t)s;
	memset(dix(d, s), 0, (CFS_DINDEX_MAX - s) * sizeof(struct cfs_dindex));
	if (p >= s) {
		struct dnode *t = &m;
		uint32_t q = p - s;

		memmove(dix(t, q + 1), dix(t, q), (t->n->count - q) * sizeof(struct cfs_dindex));
		dix(t, q)->hash = h;
		dix(t, q)->child = child;
		t->n->count++;
	} else {
		memmove(dix(d, p + 1), dix(d, p), (d->n->count - p) * sizeof(struct cfs_dindex));
		dix(d, p)->hash = h;
		dix(d, p)->child = child;
		d->n->count++;
	}
	err = index_insert(fs, dir, path, pos, depth, k - 1, pos[k - 1] + 1, dix(&m, 0)->hash, m.lblk);
	dput_node(&m);
	return err;
}

/* Where a leaf of entries [0, used) plus one of `need` bytes at offset
 * `at` (hash h) splits: the offset in the merged sequence where the right
 * half starts, between two different hashes; 0 if it cannot. */
static uint32_t split_point(const struct dnode *d, uint32_t at, uint32_t need, uint64_t h)
{
	uint32_t total = d->n->used + need, best = 0, bestdiff = ~0u;
	uint32_t off = 0, moff = 0;      /* in the leaf, in the merged sequence */
	uint64_t prev = 0;
	bool inserted = false, first = true;

	while (off < d->n->used || !inserted) {
		uint64_t eh;
		uint32_t sz;

		if (!inserted && off == at) {
			eh = h;
			sz = need;
			inserted = true;
		} else {
			const struct cfs_dirent *e = dent(d, off);

			eh = e->hash;
			sz = CFS_DIRENT_SIZE(e->name_len);
			off += sz;
		}
		if (!first && eh != prev) {
			uint32_t diff = moff > total / 2 ? moff - total / 2 : total / 2 - moff;

			if (diff < bestdiff && moff <= CFS_DNODE_AREA && total - moff <= CFS_DNODE_AREA) {
				best = moff;
				bestdiff = diff;
			}
		}
		first = false;
		prev = eh;
		moff += sz;
	}
	return best;
}

int cfs_dir_add(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		uint64_t ino, unsigned type)
{
	struct dnode path[CFS_DIR_DEPTH_MAX + 2];
	uint32_t pos[CFS_DIR_DEPTH_MAX + 2];
	uint64_t h = cfs_name_hash(fs->sb.hash_seed, name, len);
	uint32_t need = CFS_DIRENT_SIZE(len), at = 0, split = 0;
	struct dnode *leaf, right;
	uint8_t *merged = NULL;
	struct cfs_dirent *e;
	int depth, err;

	if (len == 0 || len > CFS_NAME_MAX)
		return -EINVAL;
	if ((err = descend(fs, dir, h, path, pos, &depth)))
		return err;
	leaf = &path[depth];
	if (leaf_find(leaf, h, name, len) >= 0) {
		path_put(path, depth);
		return -EEXIST;
	}
	while (at < leaf->n->used && dent(leaf, at)->hash <= h)
		at += CFS_DIRENT_SIZE(dent(leaf, at)->name_len);
	if (leaf->n->used + need > CFS_DNODE_AREA) {
		split = split_point(leaf, at, need, h);
		if (!split) {
			path_put(path, depth);
			cfs_log("directory %llu: too many names with one hash", (unsigned long long)dir->ino);
			return -ENOSPC;
		}
		merged = cfs_zalloc(2 * CFS_DNODE_AREA);
		if (!merged) {
			path_put(path, depth);
			return -ENOMEM;
		}
	}
	/* nothing has changed so far; from here on every step changes */
	for (int k = 0; k <= depth; k++)
		if ((err = cfs_op_join(fs, path[k].b)))
			goto out;
	if (!split) {
		memmove(leaf->area + at + need, leaf->area + at, leaf->n->used - at);
	} else {
		uint32_t total = leaf->n->used + need;

		/* merge into one sequence, then cut it in two */
		memcpy(merged, leaf->area, at);
		memcpy(merged + at + need, leaf->area + at, leaf->n->used - at);
		e = (struct cfs_dirent *)(merged + at);
		memset(e, 0, need);
		e->hash = h;
		e->ino = ino;
		e->name_len = (uint8_t)len;
		e->type = (uint8_t)type;
		memcpy(e->name, name, len);
		if (depth == 0) {
			if ((err = root_push_down(fs, dir, path, pos, &depth)))
				goto out;
			leaf = &path[depth];
		}
		if ((err = block_new(fs, dir, 0, &right)))
			goto out;
		memset(leaf->area, 0, CFS_DNODE_AREA);
		memcpy(leaf->area, merged, split);
		memcpy(right.area, merged + split, total - split);
		leaf->n->used = (uint16_t)split;
		right.n->used = (uint16_t)(total - split);
		leaf->n->count = right.n->count = 0;
		for (uint32_t off = 0; off < split; off += CFS_DIRENT_SIZE(dent(leaf, off)->name_len))
			leaf->n->count++;
		for (uint32_t off = 0; off < total - split; off += CFS_DIRENT_SIZE(dent(&right, off)->name_len))
			right.n->count++;
		right.n->next = leaf->n->next;
		leaf->n->next = right.lblk;
		err = index_insert(fs, dir, path, pos, &depth, depth - 1, pos[depth - 1] + 1,
				   dent(&right, 0)->hash, right.lblk);
		dput_node(&right);
		if (!err) {
			dir->d.entries++;
			err = cfs_iwrite(fs, dir);
		}
		goto out;
	}
	e = dent(leaf, at);
	memset(e, 0, need);
	e->hash = h;
	e->ino = ino;
	e->name_len = (uint8_t)len;
	e->type = (uint8_t)type;
	memcpy(e->name, name, len);
	leaf->n->used = (uint16_t)(leaf->n->used + need);
	leaf->n->count++;
	dir->d.entries++;
	err = cfs_iwrite(fs, dir);
out:
	cfs_free(merged);
	path_put(path, depth);
	return err;
}

/* ---- removing and replacing ---- */

static int find_for_change(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
			   struct dnode *path, int *depth, long *off)
{
	uint32_t pos[CFS_DIR_DEPTH_MAX + 1];
	uint64_t h = cfs_name_hash(fs->sb.hash_seed, name, len);
	int err = descend(fs, dir, h, path, pos, depth);

	if (err)
		return err;
	*off = leaf_find(&path[*depth], h, name, len);
	if (*off < 0) {
		path_put(path, *depth);
		return -ENOENT;
	}
	err = cfs_op_join(fs, path[*depth].b);
	if (err)
		path_put(path, *depth);
	return err;
}

int cfs_dir_remove(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len)
{
	struct dnode path[CFS_DIR_DEPTH_MAX + 1];
	struct dnode *leaf;
	uint32_t sz;
	int depth, err;
	long off;

	if ((err = find_for_change(fs, dir, name, len, path, &depth, &off)))
		return err;
	leaf = &path[depth];
	sz = CFS_DIRENT_SIZE(dent(leaf, (uint32_t)off)->name_len);
	memmove(leaf->area + off, leaf->area + off + sz, leaf->n->used - (uint32_t)off - sz);
	leaf->n->used = (uint16_t)(leaf->n->used - sz);
	memset(leaf->area + leaf->n->used, 0, sz);
	leaf->n->count--;
	path_put(path, depth);
	if (dir->d.entries)
		dir->d.entries--;
	return cfs_iwrite(fs, dir);
}

int cfs_dir_set(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
		uint64_t ino, unsigned type)
{
	struct dnode path[CFS_DIR_DEPTH_MAX + 1];
	struct cfs_dirent *e;
	int depth, err;
	long off;

	if ((err = find_for_change(fs, dir, name, len, path, &depth, &off)))
		return err;
	e = dent(&path[depth], (uint32_t)off);
	e->ino = ino;
	e->type = (uint8_t)type;
	path_put(path, depth);
	return 0;
}

/* ---- reading ---- */

int cfs_dir_read(struct cfs_fs *fs, struct cfs_inode *dir, uint64_t pos, cfs_emit_fn emit, void *ctx)
{
	struct dnode path[CFS_DIR_DEPTH_MAX + 1];
	uint32_t ipos[CFS_DIR_DEPTH_MAX + 1];
	uint64_t h;
	uint32_t hops = 0;
	struct dnode leaf;
	int depth, err;

	if (pos >= CFS_DIR_END)
		return 0;
	h = pos < 2 ? 0 : pos - 2;
	if ((err = descend(fs, dir, h, path, ipos, &depth)))
		return err;
	leaf = path[depth];
	for (int k = 0; k < depth; k++)
		dput_node(&path[k]);
	for (;;) {
		for (uint32_t off = 0; off < leaf.n->used; off += CFS_DIRENT_SIZE(dent(&leaf, off)->name_len)) {
			const struct cfs_dirent *e = dent(&leaf, off);

			if (e->hash < h)
				continue;
			if (!emit(ctx, e->name, e->name_len, e->ino, e->type, e->hash + 3)) {
				dput_node(&leaf);
				return 0;
			}
		}
		uint32_t next = leaf.n->next;
		dput_node(&leaf);
		if (!next)
			return 0;
		if (++hops > dir_nblocks(dir))
			return cfs_corrupt(fs, 0, dir->ino, "directory leaf chain loops");
		if ((err = node_read(fs, dir, next, 0, &leaf)))
			return err;
	}
}
