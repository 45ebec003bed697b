/* cosmfs extent trees: the map from a file's blocks to the disk. A B+tree
 * keyed by file block, its root (up to 7 entries) in the inode, nodes of
 * 253 entries in blocks. Extent and index entries are both 16 bytes with
 * the file block first, so the node code serves both. Index entry i covers
 * file blocks from its key up to the next key; the first entry covers
 * everything below too, so an insertion never has to change a key. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define ENT 16u

struct xnode {
	cfs_buf_t *b;                /* NULL: the root in the inode */
	struct cfs_xhdr *h;
	uint8_t *e;                  /* the entries */
};

static uint32_t key(const struct xnode *n, uint32_t i)
{
	uint32_t k;

	__builtin_memcpy(&k, n->e + i * ENT, 4);
	return k;
}

static struct cfs_extent *ext(const struct xnode *n, uint32_t i)
{
	return (struct cfs_extent *)(n->e + i * ENT);
}

static struct cfs_xidx *idx(const struct xnode *n, uint32_t i)
{
	return (struct cfs_xidx *)(n->e + i * ENT);
}

static void node_root(struct cfs_inode *ip, struct xnode *n)
{
	n->b = NULL;
	n->h = (struct cfs_xhdr *)ip->d.data;
	n->e = ip->d.data + sizeof(struct cfs_xhdr);
}

static void node_put(struct xnode *n)
{
	if (n->b)
		cfs_brelse(n->b);
	n->b = NULL;
}

static int node_read(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t blk, uint16_t depth,
		     struct xnode *n)
{
	int err;

	if (!cfs_block_valid(fs, blk, 1))
		return cfs_corrupt(fs, blk, ip->ino, "extent node outside the data area");
	err = cfs_meta_read(fs, blk, CFS_MAGIC_EXTENT, ip->ino, &n->b);
	if (err)
		return err;
	n->h = (struct cfs_xhdr *)(n->b->data + sizeof(struct cfs_bhdr));
	n->e = n->b->data + sizeof(struct cfs_bhdr) + sizeof(struct cfs_xhdr);
	if (n->h->magic != CFS_XHDR_MAGIC || n->h->max != CFS_NODE_EXTENTS ||
	    n->h->count > n->h->max || n->h->depth != depth || (n->h->count == 0)) {
		node_put(n);
		return cfs_corrupt(fs, blk, ip->ino, "extent node header");
	}
	return 0;
}

/* The last entry whose key is <= k (0 if none). */
static uint32_t search(const struct xnode *n, uint32_t k)
{
	uint32_t lo = 0, hi = n->h->count;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (key(n, mid) <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static bool extent_ok(const struct cfs_fs *fs, const struct cfs_extent *e)
{
	return e->len && e->len <= CFS_EXTENT_LEN_MAX &&
	       (uint64_t)e->lblk + e->len <= CFS_MAX_FILE_BLOCKS && cfs_block_valid(fs, e->pblk, e->len);
}

uint32_t cfs_xreserve(const struct cfs_inode *ip)
{
	const struct cfs_xhdr *h = (const struct cfs_xhdr *)ip->d.data;

	return h->depth + 2u;
}

/* Walks from the root to the leaf for file block k. path[d] is the node
 * at depth d (path[depth] the root), pos[d] the entry taken there; *bound
 * is a lower bound of the first file block to the right of the leaf. */
static int descend(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t k, struct xnode *path,
		   uint32_t *pos, uint64_t *bound)
{
	struct xnode n;
	uint16_t depth;

	node_root(ip, &n);
	depth = n.h->depth;
	if (bound)
		*bound = CFS_MAX_FILE_BLOCKS;
	for (uint16_t d = depth; d > 0; d--) {
		uint32_t i;
		int err;

		if (n.h->count == 0) {
			uint64_t blk = n.b ? n.b->blk : 0;

			for (uint16_t u = depth; u > d; u--)
				node_put(&path[u]);
			node_put(&n);
			return cfs_corrupt(fs, blk, ip->ino, "empty extent index");
		}
		i = search(&n, k);
		if (bound && i + 1 < n.h->count && key(&n, i + 1) < *bound)
			*bound = key(&n, i + 1);
		path[d] = n;
		pos[d] = i;
		err = node_read(fs, ip, idx(&n, i)->child, (uint16_t)(d - 1), &n);
		if (err) {
			for (uint16_t u = depth; u >= d; u--)
				node_put(&path[u]);
			return err;
		}
	}
	path[0] = n;
	pos[0] = 0;
	return 0;
}

static void path_put(struct xnode *path, uint16_t depth)
{
	for (int d = 0; d <= depth; d++)
		node_put(&path[d]);
}

static int root_check(struct cfs_fs *fs, struct cfs_inode *ip)
{
	const struct cfs_xhdr *h = (const struct cfs_xhdr *)ip->d.data;

	if (h->magic != CFS_XHDR_MAGIC || h->max != CFS_ROOT_EXTENTS || h->count > h->max ||
	    h->depth > CFS_EXTENT_DEPTH_MAX)
		return cfs_corrupt(fs, 0, ip->ino, "extent tree root");
	return 0;
}

int cfs_bmap(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk, uint64_t *pblk, uint32_t *run)
{
	struct xnode path[CFS_EXTENT_DEPTH_MAX + 1];
	uint32_t pos[CFS_EXTENT_DEPTH_MAX + 1];
	uint64_t bound;
	uint16_t depth;
	struct xnode *leaf;
	int err;

	if (ip->xc_len && lblk >= ip->xc_lblk && lblk - ip->xc_lblk < ip->xc_len) {
		*pblk = ip->xc_pblk ? ip->xc_pblk + (lblk - ip->xc_lblk) : 0;
		*run = ip->xc_len - (lblk - ip->xc_lblk);
		return 0;
	}
	if ((err = root_check(fs, ip)))
		return err;
	depth = ((struct cfs_xhdr *)ip->d.data)->depth;
	if ((err = descend(fs, ip, lblk, path, pos, &bound)))
		return err;
	leaf = &path[0];
	*pblk = 0;
	*run = 0;
	for (uint32_t i = 0; i < leaf->h->count; i++) {
		struct cfs_extent *e = ext(leaf, i);

		if (!extent_ok(fs, e)) {
			err = cfs_corrupt(fs, leaf->b ? leaf->b->blk : 0, ip->ino, "bad extent");
			break;
		}
		if (e->lblk > lblk) {
			if (e->lblk < bound)
				bound = e->lblk;
			break;
		}
		if (lblk - e->lblk < e->len) {
			*pblk = e->pblk + (lblk - e->lblk);
			*run = e->len - (lblk - e->lblk);
			ip->xc_lblk = e->lblk;
			ip->xc_len = e->len;
			ip->xc_pblk = e->pblk;
			break;
		}
	}
	if (!err && !*run) {
		uint64_t r = bound > lblk ? bound - lblk : 1;

		*run = r > 0xffffffffu ? 0xffffffffu : (uint32_t)r;
		ip->xc_lblk = lblk;
		ip->xc_len = *run;
		ip->xc_pblk = 0;
	}
	path_put(path, depth);
	return err;
}

/* ---- insertion ---- */

static void ins(struct xnode *n, uint32_t p, const void *entry)
{
	memmove(n->e + (p + 1) * ENT, n->e + p * ENT, (n->h->count - p) * ENT);
	memcpy(n->e + p * ENT, entry, ENT);
	n->h->count++;
}

/* A new node block near goal, holding nothing yet. */
static int node_new(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t goal, uint16_t depth,
		    struct xnode *n)
{
	uint64_t blk;
	long got = cfs_balloc(fs, goal, 1, &blk);
	struct cfs_bhdr *bh;
	int err;

	if (got < 0)
		return (int)got;
	err = cfs_op_bnew(fs, blk, &n->b);
	if (err)
		return err;
	ip->d.blocks++;
	bh = (struct cfs_bhdr *)n->b->data;
	bh->magic = CFS_MAGIC_EXTENT;
	bh->blockno = blk;
	bh->owner = ip->ino;
	n->h = (struct cfs_xhdr *)(n->b->data + sizeof(*bh));
	n->e = n->b->data + sizeof(*bh) + sizeof(struct cfs_xhdr);
	n->h->magic = CFS_XHDR_MAGIC;
	n->h->max = CFS_NODE_EXTENTS;
	n->h->depth = depth;
	return 0;
}

/* Inserts entry at position p of path[d], splitting full nodes upwards. */
static int insert_at(struct cfs_fs *fs, struct cfs_inode *ip, struct xnode *path, uint32_t *pos,
		     uint16_t d, uint32_t p, const void *entry, uint64_t goal)
{
	struct xnode *n = &path[d], m;
	struct cfs_xidx up = { 0 };
	uint32_t s;
	int err;

	if (n->b && (err = cfs_op_join(fs, n->b)))
		return err;
	if (n->h->count < n->h->max) {
		ins(n, p, entry);
		return 0;
	}
	if (!n->b) {
		/* the root is full: its entries move to a new node below it */
		if (n->h->depth >= CFS_EXTENT_DEPTH_MAX)
			return cfs_corrupt(fs, 0, ip->ino, "extent tree too deep");
		if ((err = node_new(fs, ip, goal, n->h->depth, &m)))
			return err;
		memcpy(m.e, n->e, n->h->count * ENT);
		m.h->count = n->h->count;
		ins(&m, p, entry);
		up.lblk = 0;
		up.child = m.b->blk;
		n->h->depth++;
		n->h->count = 0;
		ins(n, 0, &up);
		cfs_brelse(m.b);
		return 0;
	}
	if ((err = node_new(fs, ip, goal, n->h->depth, &m)))
		return err;
	/* appending (the common case for a growing file) leaves the old node
	 * full and starts the new one; elsewhere split in the middle */
	s = p == n->h->count ? p : n->h->count / 2;
	memcpy(m.e, n->e + s * ENT, (n->h->count - s) * ENT);
	m.h->count = (uint16_t)(n->h->count - s);
	n->h->count = (uint16_t)s;
	if (p > s || (p == s && m.h->count == 0))
		ins(&m, p - s, entry);
	else
		ins(n, p, entry);
	up.lblk = key(&m, 0);
	up.child = m.b->blk;
	err = insert_at(fs, ip, path, pos, (uint16_t)(d + 1), pos[d + 1] + 1, &up, goal);
	cfs_brelse(m.b);
	return err;
}

int cfs_xinsert(struct cfs_fs *fs, struct cfs_inode *ip, uint32_t lblk, uint64_t pblk, uint32_t len)
{
	struct xnode path[CFS_EXTENT_DEPTH_MAX + 1];
	uint32_t pos[CFS_EXTENT_DEPTH_MAX + 1];
	struct cfs_extent ne = { lblk, len, pblk };
	struct xnode *leaf;
	uint16_t depth;
	uint32_t p;
	int err;

	ip->xc_len = 0;
	if ((err = root_check(fs, ip)))
		return err;
	depth = ((struct cfs_xhdr *)ip->d.data)->depth;
	if ((err = descend(fs, ip, lblk, path, pos, NULL)))
		return err;
	leaf = &path[0];
	p = leaf->h->count ? search(leaf, lblk) : 0;
	if (p < leaf->h->count && key(leaf, p) <= lblk)
		p++;
	/* the new run sits in a hole: between its neighbours */
	if ((p > 0 && (uint64_t)ext(leaf, p - 1)->lblk + ext(leaf, p - 1)->len > lblk) ||
	    (p < leaf->h->count && (uint64_t)lblk + len > ext(leaf, p)->lblk)) {
		path_put(path, depth);
		return cfs_corrupt(fs, leaf->b ? leaf->b->blk : 0, ip->ino, "overlapping extents");
	}
	if (leaf->b && (err = cfs_op_join(fs, leaf->b)))
		goto out;
	if (p > 0) {
		struct cfs_extent *pe = ext(leaf, p - 1);

		if (pe->lblk + pe->len == lblk && pe->pblk + pe->len == pblk &&
		    (uint64_t)pe->len + len <= CFS_EXTENT_LEN_MAX) {
			pe->len += len;
			if (p < leaf->h->count) {
				struct cfs_extent *nx = ext(leaf, p);

				if (pe->lblk + pe->len == nx->lblk && pe->pblk + pe->len == nx->pblk &&
				    (uint64_t)pe->len + nx->len <= CFS_EXTENT_LEN_MAX) {
					pe->len += nx->len;
					memmove(leaf->e + p * ENT, leaf->e + (p + 1) * ENT,
						(leaf->h->count - p - 1) * ENT);
					leaf->h->count--;
				}
			}
			goto out;
		}
	}
	if (p < leaf->h->count) {
		struct cfs_extent *nx = ext(leaf, p);

		if (lblk + len == nx->lblk && pblk + len == nx->pblk &&
		    (uint64_t)nx->len + len <= CFS_EXTENT_LEN_MAX) {
			nx->lblk = lblk;
			nx->pblk = pblk;
			nx->len += len;
			goto out;
		}
	}
	err = insert_at(fs, ip, path, pos, 0, p, &ne, pblk);
out:
	path_put(path, depth);
	return err;
}

/* ---- truncation ---- */

int cfs_xtrunc_step(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t lblk, bool *done)
{
	struct xnode path[CFS_EXTENT_DEPTH_MAX + 1];
	uint32_t pos[CFS_EXTENT_DEPTH_MAX + 1];
	struct cfs_xhdr *root = (struct cfs_xhdr *)ip->d.data;
	struct cfs_extent *e;
	struct xnode *leaf;
	uint64_t cut, end, gfirst;
	uint16_t depth;
	int err;

	ip->xc_len = 0;
	*done = false;
	if ((err = root_check(fs, ip)))
		return err;
	depth = root->depth;
	if (root->count == 0) {
		root->depth = 0;
		*done = true;
		return 0;
	}
	if ((err = descend(fs, ip, 0xffffffffu, path, pos, NULL)))
		return err;
	leaf = &path[0];
	e = ext(leaf, leaf->h->count - 1);
	if (!extent_ok(fs, e)) {
		err = cfs_corrupt(fs, leaf->b ? leaf->b->blk : 0, ip->ino, "bad extent");
		goto out;
	}
	end = (uint64_t)e->lblk + e->len;
	if (end <= lblk) {
		*done = true;
		goto out;
	}
	cut = e->lblk > lblk ? e->lblk : lblk;
	/* one group's bitmap per step */
	gfirst = (e->pblk + e->len - 1) / fs->bpg * fs->bpg;
	if (e->pblk + (cut - e->lblk) < gfirst)
		cut = e->lblk + (gfirst - e->pblk);
	if (leaf->b && (err = cfs_op_join(fs, leaf->b)))
		goto out;
	if ((err = cfs_bfree(fs, e->pblk + (cut - e->lblk), end - cut)))
		goto out;
	ip->d.blocks -= end - cut < ip->d.blocks ? end - cut : ip->d.blocks;
	if (cut > e->lblk) {
		e->len = (uint32_t)(cut - e->lblk);
		goto out;
	}
	leaf->h->count--;
	/* free the nodes this emptied, bottom up */
	for (uint16_t d = 0; d < depth && path[d].h->count == 0; d++) {
		struct xnode *parent = &path[d + 1];

		if (parent->b && (err = cfs_op_join(fs, parent->b)))
			goto out;
		if ((err = cfs_bfree(fs, path[d].b->blk, 1)))
			goto out;
		if (ip->d.blocks)
			ip->d.blocks--;
		parent->h->count--;
	}
	if (root->count == 0)
		root->depth = 0;
out:
	path_put(path, depth);
	return err;
}

/* ---- walking (fsck, tests) ---- */

static int walk(struct cfs_fs *fs, struct cfs_inode *ip, struct xnode *n, int level,
		int (*fn)(void *ctx, const struct cfs_extent *e, bool node), void *ctx)
{
	for (uint32_t i = 0; i < n->h->count; i++) {
		int r;

		if (n->h->depth == 0) {
			r = fn(ctx, ext(n, i), false);
		} else {
			struct cfs_extent ne = { (uint32_t)(n->h->depth - 1), 0, idx(n, i)->child };
			struct xnode c;

			if ((r = fn(ctx, &ne, true)))
				return r;
			if ((r = node_read(fs, ip, idx(n, i)->child, (uint16_t)(n->h->depth - 1), &c)))
				return r;
			r = walk(fs, ip, &c, level + 1, fn, ctx);
			node_put(&c);
		}
		if (r)
			return r;
	}
	return 0;
}

int cfs_xwalk(struct cfs_fs *fs, struct cfs_inode *ip,
	      int (*fn)(void *ctx, const struct cfs_extent *e, bool node), void *ctx)
{
	struct xnode root;
	int err = root_check(fs, ip);

	if (err)
		return err;
	node_root(ip, &root);
	return walk(fs, ip, &root, 0, fn, ctx);
}
