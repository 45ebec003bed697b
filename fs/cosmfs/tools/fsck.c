/* fsck for cosmfs (fsck.h). Passes, as e2fsck's:
 *   0  superblock, journal, group descriptors;
 *   1  every allocated inode: fields, checksum, extent tree (blocks in
 *      range, none claimed twice), directory trees (nodes, hashes, the
 *      leaf chain); records every name;
 *   2  names: each points at a sound inode of its type; a directory has
 *      one name;
 *   3  every directory reachable from the root (cycles broken), every
 *      file named somewhere (else /lost+found);
 *   4  link counts and parent links;
 *   5  bitmaps and counts against what the files use.
 * Repairs rebuild what is damaged from what is sound: an extent tree from
 * its good extents, a directory from its good entries (in new blocks),
 * bitmaps and counts from passes 1-4. They are written straight to the
 * device (the file system is offline and its journal empty). */
#define _GNU_SOURCE              /* qsort_r */
#include <fs/cosmfs/tools/fsck.h>
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/crc32c.h>
#include <cosmos/errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BS CFS_BLOCK_SIZE
#define HDR sizeof(struct cfs_bhdr)

/* per-inode flags */
#define I_ALLOC   0x01   /* the inode bitmap says so */
#define I_OK      0x02   /* sound: fields and checksum */
#define I_ORPHAN  0x04   /* on the orphan list */
#define I_DIRTY   0x08   /* slot to be rewritten from ino_d */
#define I_CLEARED 0x10   /* found damaged: to be freed */
#define I_NEWLF   0x20   /* lost+found made by this run */

struct ent {                 /* a name in a directory */
	uint64_t hash, ino;
	uint32_t name;           /* offset in the pool */
	uint32_t dir;            /* index in dirs */
	uint8_t len, type;
	bool dead;
};

/* The blocks an inode's tree holds (as pass 1 counted them in `used`):
 * its sound extents and node blocks. A rebuild frees the nodes (and for
 * a directory the data) and writes anew. */
struct xlist {
	uint64_t ino;
	struct cfs_extent *e;
	uint32_t n;
	uint64_t *nodes;
	uint32_t nnodes;
};

struct dirinfo {
	uint64_t ino;
	uint32_t *ents;          /* indexes into ents */
	uint32_t nents, cap;
	uint64_t ref_dir;        /* the directory whose name for it is kept */
	uint32_t keep;           /* that name: index into ents + 1 */
	uint32_t subdirs;
	bool rebuild, reached;
	struct xlist old;        /* its blocks as found */
};

struct ck {
	struct host_dev *dev;
	struct cfs_fs *fs;
	const struct fsck_opts *o;
	struct fsck_result *r;
	bool fix;
	uint64_t nblocks, ninodes;
	uint32_t ngroups, bpg, ipg, it_blocks;
	struct cfs_group *groups;        /* as they should be */
	bool groups_dirty;
	uint8_t *used;                   /* blocks in use, as passes 0-4 find */
	uint8_t *iflag;                  /* [ino] I_* */
	uint32_t *refs;                  /* [ino] names */
	uint32_t *dmap;                  /* [ino] index + 1 into dirs */
	struct cfs_dinode *ino_d;        /* [ino] sound inodes' fields (NULL slots for others) */
	struct dirinfo *dirs;
	size_t ndirs, capdirs;
	struct ent *ents;
	size_t nents, capents;
	char *pool;
	size_t npool, cappool;
	struct xlist *rebuilds;
	size_t nrebuilds, caprebuilds;
	uint64_t lost_found;
	bool oom;
};

/* ---- reporting ---- */

static void say(struct ck *c, const char *fmt, va_list ap)
{
	if (c->o->out) {
		vfprintf(c->o->out, fmt, ap);
		fputc('\n', c->o->out);
	}
}

/* A problem: counted and reported with what repairing does about it
 * (the caller does it when repairing). */
static void problem(struct ck *c, const char *action, const char *fmt, ...)
{
	va_list ap;

	c->r->problems++;
	if (c->fix)
		c->r->fixed++;
	if (!c->o->out)
		return;
	va_start(ap, fmt);
	vfprintf(c->o->out, fmt, ap);
	va_end(ap);
	fprintf(c->o->out, c->fix ? ": %s\n" : " (-y: %s)\n", action);
}

/* A problem this fsck cannot repair. */
static void unfixable(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	c->r->problems++;
	va_start(ap, fmt);
	say(c, fmt, ap);
	va_end(ap);
}

static void notice(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	c->r->notices++;
	va_start(ap, fmt);
	say(c, fmt, ap);
	va_end(ap);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size, bool *oom)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * size);
	if (!q) {
		*oom = true;
		return p;
	}
	*cap = n;
	return q;
}

/* ---- bits ---- */

static bool bget(const uint8_t *m, uint64_t i)
{
	return m[i / 8] >> (i % 8) & 1;
}

static void bset(uint8_t *m, uint64_t i)
{
	m[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void bclr(uint8_t *m, uint64_t i)
{
	m[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static uint64_t fixed_end(const struct ck *c)
{
	return c->fs->sb.journal_start + c->fs->sb.journal_blocks;
}

/* Where mkfs puts group g's bitmaps and inode table. */
static uint64_t meta_start(const struct ck *c, uint32_t g)
{
	return g ? (uint64_t)g * c->bpg : fixed_end(c);
}

static uint32_t group_size(const struct ck *c, uint32_t g)
{
	uint64_t left = c->nblocks - (uint64_t)g * c->bpg;

	return left < c->bpg ? (uint32_t)left : c->bpg;
}

/* n free blocks (per `used`) near goal, each marked used; 0 or -ENOSPC. */
static int alloc_blocks(struct ck *c, uint64_t goal, uint32_t n, uint64_t *out)
{
	uint64_t b = goal < fixed_end(c) ? fixed_end(c) : goal;

	for (uint32_t got = 0; got < n;) {
		uint64_t tries = 0;

		while (bget(c->used, b)) {
			if (++b >= c->nblocks - 1)
				b = fixed_end(c);
			if (++tries > c->nblocks)
				return -ENOSPC;
		}
		bset(c->used, b);
		out[got++] = b;
	}
	return 0;
}

/* ---- raw block access ---- */

static int read_block(struct ck *c, uint64_t blk, cfs_buf_t **b)
{
	return cfs_bread(c->dev, blk, b);
}

/* Writes a metadata block: seal, then home with the next write-back. */
static void write_meta(struct ck *c, cfs_buf_t *b)
{
	if ((((struct cfs_bhdr *)b->data)->magic & 0xffffff) == 0x534643)
		cfs_block_seal(c->fs->seed, b->data);
	cfs_bdirty(b, false);
}

static int new_block(struct ck *c, uint64_t blk, uint32_t magic, uint64_t owner, cfs_buf_t **b)
{
	int err = cfs_bget(c->dev, blk, b);
	struct cfs_bhdr *h;

	if (err)
		return err;
	h = (struct cfs_bhdr *)(*b)->data;
	h->magic = magic;
	h->blockno = blk;
	h->owner = owner;
	return 0;
}

/* The inode table slot of ino, held in *b. */
static int slot(struct ck *c, uint64_t ino, cfs_buf_t **b, struct cfs_dinode **d)
{
	uint32_t g = (uint32_t)((ino - 1) / c->ipg), i = (uint32_t)((ino - 1) % c->ipg);
	int err = read_block(c, c->groups[g].inode_table + i / CFS_INODES_PER_BLOCK, b);

	if (err)
		return err;
	*d = (struct cfs_dinode *)((*b)->data + (i % CFS_INODES_PER_BLOCK) * CFS_INODE_SIZE);
	return 0;
}

static bool uses_extents(const struct cfs_dinode *d)
{
	uint32_t t = d->mode & CFS_S_IFMT;

	return t == CFS_S_IFREG || t == CFS_S_IFDIR || (t == CFS_S_IFLNK && !(d->flags & CFS_IFL_INLINE));
}

static bool is_dir_ino(const struct ck *c, uint64_t ino)
{
	return (c->iflag[ino] & I_OK) && (c->ino_d[ino].mode & CFS_S_IFMT) == CFS_S_IFDIR;
}

/* ---- pass 0: groups ---- */

static void check_groups(struct ck *c)
{
	for (uint32_t gb = 0; gb < c->fs->sb.gdt_blocks; gb++) {
		cfs_buf_t *b;
		bool ok = read_block(c, 1 + gb, &b) == 0;

		if (ok && !cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_GROUPS, 1 + gb)) {
			problem(c, "rebuilt", "group descriptor block %u: damaged", gb);
			c->groups_dirty = true;
		} else if (ok) {
			memcpy(c->groups + (size_t)gb * CFS_GROUPS_PER_BLOCK, b->data + HDR,
			       (c->ngroups - gb * CFS_GROUPS_PER_BLOCK < CFS_GROUPS_PER_BLOCK
					? c->ngroups - gb * CFS_GROUPS_PER_BLOCK
					: CFS_GROUPS_PER_BLOCK) * sizeof(struct cfs_group));
		}
		if (ok)
			cfs_brelse(b);
		else
			unfixable(c, "group descriptor block %u: cannot be read", gb);
	}
	for (uint32_t g = 0; g < c->ngroups; g++) {
		struct cfs_group *gd = &c->groups[g];
		uint64_t ms = meta_start(c, g);

		if (gd->block_bitmap != ms || gd->inode_bitmap != ms + 1 || gd->inode_table != ms + 2) {
			if (!c->groups_dirty)
				problem(c, "reset", "group %u: bitmaps or inode table misplaced", g);
			c->groups_dirty = true;
			gd->block_bitmap = ms;
			gd->inode_bitmap = ms + 1;
			gd->inode_table = ms + 2;
		}
		/* the fixed area and each group's own metadata are in use */
		for (uint64_t b = (uint64_t)g * c->bpg; b < ms + 2 + c->it_blocks; b++)
			bset(c->used, b);
	}
	bset(c->used, c->nblocks - 1);   /* the backup superblock */
}

/* ---- pass 1: inodes and extents ---- */

struct xwalk {
	struct ck *c;
	uint64_t ino;
	struct cfs_extent *good;
	uint32_t ngood, cap;
	uint64_t *nodelist;
	size_t nnodes_cap;
	uint64_t nodes, data;
	uint64_t last_end;           /* file blocks before this are taken */
	bool bad;
	const char *why;
};

static void xbad(struct xwalk *w, const char *why)
{
	if (!w->bad)
		w->why = why;
	w->bad = true;
}

static void keep_extent(struct xwalk *w, const struct cfs_extent *e)
{
	if (w->ngood == w->cap) {
		uint32_t cap = w->cap ? w->cap * 2 : 16;
		struct cfs_extent *n = realloc(w->good, cap * sizeof(*n));

		if (!n) {
			w->c->oom = true;
			return;
		}
		w->good = n;
		w->cap = cap;
	}
	w->good[w->ngood++] = *e;
}

static void walk_extent(struct xwalk *w, const struct cfs_extent *e)
{
	struct ck *c = w->c;
	uint64_t dup = 0;

	if (!e->len || e->len > CFS_EXTENT_LEN_MAX || (uint64_t)e->lblk + e->len > CFS_MAX_FILE_BLOCKS) {
		xbad(w, "extent length out of range");
		return;
	}
	if (e->lblk < w->last_end) {
		xbad(w, "extents overlap or are out of order");
		return;
	}
	if (e->pblk < fixed_end(c) || e->pblk >= c->nblocks - 1 || e->len > c->nblocks - 1 - e->pblk) {
		xbad(w, "extent past the end of the file system or in its fixed area");
		return;
	}
	for (uint64_t b = e->pblk; b < e->pblk + e->len; b++)
		if (bget(c->used, b))
			dup++;
	if (dup) {
		problem(c, "dropped from this file", "inode %llu: %llu block%s from %llu also used elsewhere (allocated twice)", (unsigned long long)w->ino, (unsigned long long)dup,
			dup == 1 ? "" : "s", (unsigned long long)e->pblk);
		w->bad = true;
		w->why = NULL;           /* reported */
		return;
	}
	for (uint64_t b = e->pblk; b < e->pblk + e->len; b++)
		bset(c->used, b);
	w->last_end = (uint64_t)e->lblk + e->len;
	w->data += e->len;
	keep_extent(w, e);
}

static void walk_node(struct xwalk *w, uint64_t blk, uint16_t depth, int level)
{
	struct ck *c = w->c;
	const struct cfs_xhdr *h;
	const uint8_t *ents;
	cfs_buf_t *b;

	if (blk < fixed_end(c) || blk >= c->nblocks - 1 || bget(c->used, blk) || level > CFS_EXTENT_DEPTH_MAX) {
		xbad(w, "extent node out of range or used twice");
		return;
	}
	if (read_block(c, blk, &b)) {
		xbad(w, "extent node unreadable");
		return;
	}
	h = (const struct cfs_xhdr *)(b->data + HDR);
	ents = b->data + HDR + sizeof(*h);
	if (!cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_EXTENT, blk) ||
	    ((const struct cfs_bhdr *)b->data)->owner != w->ino) {
		xbad(w, "extent node checksum or header");
	} else if (h->magic != CFS_XHDR_MAGIC || h->max != CFS_NODE_EXTENTS || !h->count ||
		   h->count > h->max || h->depth != depth) {
		xbad(w, "extent node fields");
	} else {
		bset(c->used, blk);
		w->nodelist = grow(w->nodelist, &w->nnodes_cap, w->nodes + 1, sizeof(*w->nodelist), &c->oom);
		if (!c->oom)
			w->nodelist[w->nodes] = blk;
		w->nodes++;
		for (uint32_t i = 0; i < h->count; i++) {
			if (depth == 0) {
				walk_extent(w, (const struct cfs_extent *)(ents + i * 16));
			} else {
				const struct cfs_xidx *x = (const struct cfs_xidx *)(ents + i * 16);

				walk_node(w, x->child, (uint16_t)(depth - 1), level + 1);
			}
		}
	}
	cfs_brelse(b);
}

static void walk_tree(struct xwalk *w, const struct cfs_dinode *d)
{
	const struct cfs_xhdr *h = (const struct cfs_xhdr *)d->data;
	const uint8_t *ents = d->data + sizeof(*h);

	for (uint32_t i = 0; i < h->count; i++) {
		if (h->depth == 0)
			walk_extent(w, (const struct cfs_extent *)(ents + i * 16));
		else
			walk_node(w, ((const struct cfs_xidx *)(ents + i * 16))->child,
				  (uint16_t)(h->depth - 1), 1);
	}
}

static void need_rebuild(struct ck *c, struct xwalk *w)
{
	c->rebuilds = grow(c->rebuilds, &c->caprebuilds, c->nrebuilds + 1, sizeof(*c->rebuilds), &c->oom);
	if (c->oom)
		return;
	c->rebuilds[c->nrebuilds++] = (struct xlist){ w->ino, w->good, w->ngood, w->nodelist,
						       (uint32_t)w->nodes };
	w->good = NULL;
	w->nodelist = NULL;
}

/* Gives back the blocks an old tree held (its nodes; with data, its
 * extents too). */
static void unuse(struct ck *c, const struct xlist *x, bool data)
{
	for (uint32_t i = 0; i < x->nnodes; i++)
		bclr(c->used, x->nodes[i]);
	for (uint32_t i = 0; data && i < x->n; i++)
		for (uint32_t k = 0; k < x->e[i].len; k++)
			bclr(c->used, x->e[i].pblk + k);
}

/* Writes a fresh extent tree for ino from its sound extents, with node
 * blocks taken from the free space. */
static int rebuild_tree(struct ck *c, uint64_t ino, const struct cfs_extent *e, uint32_t n)
{
	struct cfs_dinode *d = &c->ino_d[ino];
	struct cfs_xhdr *root = (struct cfs_xhdr *)d->data;
	uint8_t *rents = d->data + sizeof(*root);
	uint64_t data = 0, nodes = 0;
	uint32_t nleaves = (n + CFS_NODE_EXTENTS - 1) / CFS_NODE_EXTENTS;

	for (uint32_t i = 0; i < n; i++)
		data += e[i].len;
	memset(d->data, 0, sizeof(d->data));
	root->magic = CFS_XHDR_MAGIC;
	root->max = CFS_ROOT_EXTENTS;
	if (n <= CFS_ROOT_EXTENTS) {
		if (n)
			memcpy(rents, e, n * sizeof(*e));
		root->count = (uint16_t)n;
	} else {
		/* leaves under the root, or under index nodes under it */
		uint32_t nidx = nleaves <= CFS_ROOT_EXTENTS ? 0 : (nleaves + CFS_NODE_EXTENTS - 1) / CFS_NODE_EXTENTS;
		uint64_t *lb = calloc(nleaves + nidx, sizeof(*lb));

		if (!lb || nidx > CFS_ROOT_EXTENTS || alloc_blocks(c, e[0].pblk, nleaves + nidx, lb)) {
			free(lb);
			return -ENOSPC;
		}
		for (uint32_t l = 0; l < nleaves; l++) {
			cfs_buf_t *b;
			uint32_t first = l * CFS_NODE_EXTENTS, cnt = n - first < CFS_NODE_EXTENTS ? n - first : CFS_NODE_EXTENTS;
			struct cfs_xhdr *h;

			if (new_block(c, lb[l], CFS_MAGIC_EXTENT, ino, &b)) {
				free(lb);
				return -EIO;
			}
			h = (struct cfs_xhdr *)(b->data + HDR);
			h->magic = CFS_XHDR_MAGIC;
			h->max = CFS_NODE_EXTENTS;
			h->count = (uint16_t)cnt;
			memcpy(b->data + HDR + sizeof(*h), e + first, cnt * sizeof(*e));
			write_meta(c, b);
			cfs_brelse(b);
		}
		for (uint32_t k = 0; k < (nidx ? nidx : 1); k++) {
			/* index entries over leaves [k*253, ...) */
			uint32_t first = nidx ? k * CFS_NODE_EXTENTS : 0;
			uint32_t cnt = nidx ? (nleaves - first < CFS_NODE_EXTENTS ? nleaves - first : CFS_NODE_EXTENTS)
					    : nleaves;
			struct cfs_xidx *x;
			cfs_buf_t *b = NULL;
			struct cfs_xhdr *h = root;

			if (nidx) {
				if (new_block(c, lb[nleaves + k], CFS_MAGIC_EXTENT, ino, &b)) {
					free(lb);
					return -EIO;
				}
				h = (struct cfs_xhdr *)(b->data + HDR);
				h->magic = CFS_XHDR_MAGIC;
				h->max = CFS_NODE_EXTENTS;
			}
			h->depth = 1;
			h->count = (uint16_t)cnt;
			x = (struct cfs_xidx *)((uint8_t *)h + sizeof(*h));
			for (uint32_t i = 0; i < cnt; i++) {
				x[i].lblk = e[(first + i) * CFS_NODE_EXTENTS].lblk;
				x[i].child = lb[first + i];
			}
			if (b) {
				write_meta(c, b);
				cfs_brelse(b);
				struct cfs_xidx *rx = (struct cfs_xidx *)rents;
				rx[k].lblk = e[first * CFS_NODE_EXTENTS].lblk;
				rx[k].child = lb[nleaves + k];
			}
		}
		if (nidx) {
			root->depth = 2;
			root->count = (uint16_t)nidx;
		}
		nodes = nleaves + nidx;
		free(lb);
	}
	d->blocks = data + nodes;
	c->iflag[ino] |= I_DIRTY;
	return 0;
}

/* ---- pass 1: directories ---- */

static struct dirinfo *dir_of(struct ck *c, uint64_t ino)
{
	return c->dmap[ino] ? &c->dirs[c->dmap[ino] - 1] : NULL;
}

static void add_ent(struct ck *c, struct dirinfo *di, uint64_t hash, uint64_t ino, uint8_t type,
		    const char *name, uint8_t len)
{
	c->ents = grow(c->ents, &c->capents, c->nents + 1, sizeof(*c->ents), &c->oom);
	c->pool = grow(c->pool, &c->cappool, c->npool + len, 1, &c->oom);
	{
		size_t cap = di->cap;
		di->ents = grow(di->ents, &cap, di->nents + 1, sizeof(*di->ents), &c->oom);
		di->cap = (uint32_t)cap;
	}
	if (c->oom)
		return;
	memcpy(c->pool + c->npool, name, len);
	c->ents[c->nents] = (struct ent){ hash, ino, (uint32_t)c->npool, (uint32_t)(di - c->dirs), len, type, false };
	di->ents[di->nents++] = (uint32_t)c->nents;
	c->nents++;
	c->npool += len;
}

static bool name_ok(const char *n, size_t len)
{
	if (!len || (len == 1 && n[0] == '.') || (len == 2 && n[0] == '.' && n[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] == '/' || !n[i])
			return false;
	return true;
}

/* Reads the directory's tree. Entries of sound leaves are recorded; any
 * fault marks the directory for a rebuild, and then entries are taken
 * from every sound leaf among its blocks. */
static void check_dir(struct ck *c, uint64_t ino, const struct cfs_extent *e, uint32_t ne)
{
	struct cfs_dinode *d = &c->ino_d[ino];
	struct dirinfo *di = dir_of(c, ino);
	uint32_t nblk = (uint32_t)(d->size / BS), nleaves = 0, *leaves, *stack, sp = 0;
	uint64_t *map;
	uint8_t *seen;
	const char *why = NULL;
	uint64_t entries = 0;

	map = calloc(nblk ? nblk : 1, sizeof(*map));
	seen = calloc(nblk / 8 + 1, 1);
	leaves = calloc(nblk ? nblk : 1, sizeof(*leaves));
	stack = calloc(nblk ? nblk : 1, sizeof(*stack));
	if (!map || !seen || !leaves || !stack) {
		c->oom = true;
		goto out;
	}
	for (uint32_t i = 0; i < ne; i++)
		for (uint32_t k = 0; k < e[i].len; k++) {
			if ((uint64_t)e[i].lblk + k >= nblk) {
				why = "blocks beyond its size";
				break;
			}
			map[e[i].lblk + k] = e[i].pblk + k;
		}
	for (uint32_t l = 0; l < nblk && !why; l++)
		if (!map[l])
			why = "a hole";
	/* the tree, depth first, children in order: leaves come out sorted */
	if (!why && nblk)
		stack[sp++] = 0;
	while (sp && !why) {
		uint32_t l = stack[--sp];
		cfs_buf_t *b;
		const struct cfs_dnode *n;

		if (bget(seen, l)) {
			why = "a block in the tree twice";
			break;
		}
		bset(seen, l);
		if (read_block(c, map[l], &b)) {
			why = "an unreadable block";
			break;
		}
		n = (const struct cfs_dnode *)b->data;
		if (!cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_DIR, map[l]) || n->h.owner != ino) {
			why = "a block with a bad checksum or header";
		} else if (n->level > CFS_DIR_DEPTH_MAX) {
			why = "a node level out of range";
		} else if (n->level) {
			const struct cfs_dindex *x = (const struct cfs_dindex *)(b->data + sizeof(*n));

			if (!n->count || n->count > CFS_DINDEX_MAX || sp + n->count > nblk)
				why = "an index node count";
			for (uint32_t i = n->count; i-- > 0 && !why;) {
				if (!x[i].child || x[i].child >= nblk || (i && x[i].hash < x[i - 1].hash))
					why = "an index entry";
				else
					stack[sp++] = x[i].child;
			}
		} else {
			leaves[nleaves++] = l;
		}
		cfs_brelse(b);
	}
	for (uint32_t l = 0; l < nblk && !why; l++)
		if (!bget(seen, l))
			why = "a block outside its tree";
	/* the leaves: entries, hashes, order, the chain */
	for (uint32_t i = 0; i < nleaves && !why; i++) {
		cfs_buf_t *b;
		const struct cfs_dnode *n;
		uint32_t off = 0, cnt = 0;
		uint64_t last = 0;

		if (read_block(c, map[leaves[i]], &b)) {
			why = "an unreadable block";
			break;
		}
		n = (const struct cfs_dnode *)b->data;
		if (n->next != (i + 1 < nleaves ? leaves[i + 1] : 0))
			why = "a broken leaf chain";
		while (!why && off < n->used) {
			const struct cfs_dirent *de = (const struct cfs_dirent *)(b->data + sizeof(*n) + off);

			if (n->used > CFS_DNODE_AREA || n->used - off < CFS_DIRENT_HDR ||
			    !de->name_len || CFS_DIRENT_SIZE(de->name_len) > n->used - off) {
				why = "a damaged entry";
				break;
			}
			if (!name_ok(de->name, de->name_len) ||
			    de->hash != cfs_name_hash(c->fs->sb.hash_seed, de->name, de->name_len) ||
			    de->hash < last) {
				why = "an entry with a bad name or hash";
				break;
			}
			last = de->hash;
			add_ent(c, di, de->hash, de->ino, de->type, de->name, de->name_len);
			off += CFS_DIRENT_SIZE(de->name_len);
			cnt++;
		}
		if (!why && cnt != n->count)
			why = "a leaf entry count";
		entries += cnt;
		cfs_brelse(b);
	}
	if (!why && entries != d->entries) {
		problem(c, "fixed", "directory %llu: says %llu names, holds %llu", (unsigned long long)ino,
			(unsigned long long)d->entries, (unsigned long long)entries);
		d->entries = entries;
		c->iflag[ino] |= I_DIRTY;
	}
	if (why) {
		problem(c, "rebuilt from its sound entries", "directory %llu: %s", (unsigned long long)ino, why);
		di->rebuild = true;
		/* start over: every sound leaf among its blocks */
		for (uint32_t k = 0; k < di->nents; k++)
			c->ents[di->ents[k]].dead = true;
		di->nents = 0;
		for (uint32_t l = 0; l < nblk; l++) {
			cfs_buf_t *b;
			const struct cfs_dnode *n;

			if (!map[l] || read_block(c, map[l], &b))
				continue;
			n = (const struct cfs_dnode *)b->data;
			if (cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_DIR, map[l]) && n->level == 0 &&
			    n->used <= CFS_DNODE_AREA)
				for (uint32_t off = 0; off + CFS_DIRENT_HDR <= n->used;) {
					const struct cfs_dirent *de = (const struct cfs_dirent *)(b->data + sizeof(*n) + off);

					if (!de->name_len || CFS_DIRENT_SIZE(de->name_len) > n->used - off)
						break;
					if (name_ok(de->name, de->name_len))
						add_ent(c, di, cfs_name_hash(c->fs->sb.hash_seed, de->name, de->name_len),
							de->ino, de->type, de->name, de->name_len);
					off += CFS_DIRENT_SIZE(de->name_len);
				}
			cfs_brelse(b);
		}
	}
out:
	free(map);
	free(seen);
	free(leaves);
	free(stack);
}

static void check_symlink(struct ck *c, uint64_t ino, const struct cfs_extent *e, uint32_t ne)
{
	struct cfs_dinode *d = &c->ino_d[ino];
	cfs_buf_t *b;

	if (ne != 1 || e[0].lblk != 0 || e[0].len != 1 || read_block(c, e[0].pblk, &b)) {
		unfixable(c, "symlink %llu: its target block is missing", (unsigned long long)ino);
		return;
	}
	if (crc32c(c->fs->seed, b->data, BS) != d->link_crc)
		unfixable(c, "symlink %llu: its target block has a bad checksum", (unsigned long long)ino);
	cfs_brelse(b);
}

static void check_inode(struct ck *c, uint64_t ino, const struct cfs_dinode *raw)
{
	struct cfs_dinode *d = &c->ino_d[ino];
	const char *why;

	if (raw->crc != cfs_inode_crc(c->fs->seed, ino, raw)) {
		problem(c, "cleared", "inode %llu: bad checksum", (unsigned long long)ino);
		c->iflag[ino] |= I_CLEARED;
		return;
	}
	if ((why = cfs_dinode_check(c->fs, raw))) {
		problem(c, "cleared", "inode %llu: %s", (unsigned long long)ino, why);
		c->iflag[ino] |= I_CLEARED;
		return;
	}
	*d = *raw;
	c->iflag[ino] |= I_OK;
	if ((d->mode & CFS_S_IFMT) == CFS_S_IFDIR) {
		c->dirs = grow(c->dirs, &c->capdirs, c->ndirs + 1, sizeof(*c->dirs), &c->oom);
		if (c->oom)
			return;
		memset(&c->dirs[c->ndirs], 0, sizeof(c->dirs[0]));
		c->dirs[c->ndirs].ino = ino;
		c->dmap[ino] = (uint32_t)++c->ndirs;
	}
	if (!uses_extents(d))
		return;
	struct xwalk w = { .c = c, .ino = ino };
	walk_tree(&w, d);
	if (w.bad) {
		if (w.why)
			problem(c, "extent tree rebuilt from the sound extents", "inode %llu: %s",
				(unsigned long long)ino, w.why);
	} else if (d->blocks != w.data + w.nodes) {
		problem(c, "fixed", "inode %llu: counts %llu blocks, uses %llu", (unsigned long long)ino,
			(unsigned long long)d->blocks, (unsigned long long)(w.data + w.nodes));
		d->blocks = w.data + w.nodes;
		c->iflag[ino] |= I_DIRTY;
	}
	if ((d->mode & CFS_S_IFMT) == CFS_S_IFDIR) {
		struct dirinfo *di = dir_of(c, ino);

		check_dir(c, ino, w.good, w.ngood);
		if (w.bad)
			di->rebuild = true;      /* a directory is rebuilt whole */
		di->old = (struct xlist){ ino, w.good, w.ngood, w.nodelist, (uint32_t)w.nodes };
		return;
	}
	if ((d->mode & CFS_S_IFMT) == CFS_S_IFLNK && !w.bad)
		check_symlink(c, ino, w.good, w.ngood);
	if (w.bad) {
		need_rebuild(c, &w);
		return;
	}
	free(w.good);
	free(w.nodelist);
}

static void check_inodes(struct ck *c)
{
	for (uint32_t g = 0; g < c->ngroups && !c->oom; g++) {
		cfs_buf_t *bm = NULL, *tb = NULL;
		bool bm_ok = read_block(c, c->groups[g].inode_bitmap, &bm) == 0 &&
			     cfs_block_ok(c->fs->seed, bm->data, CFS_MAGIC_BITMAP, c->groups[g].inode_bitmap);

		if (!bm_ok)
			problem(c, "rebuilt", "group %u: inode bitmap damaged", g);
		for (uint32_t i = 0; i < c->ipg; i++) {
			uint64_t ino = (uint64_t)g * c->ipg + i + 1;
			const struct cfs_dinode *raw;

			if (i % CFS_INODES_PER_BLOCK == 0) {
				if (tb)
					cfs_brelse(tb);
				tb = NULL;
				if (read_block(c, c->groups[g].inode_table + i / CFS_INODES_PER_BLOCK, &tb))
					unfixable(c, "group %u: inode table block %u unreadable", g,
						  i / CFS_INODES_PER_BLOCK);
			}
			if (!tb)
				continue;
			raw = (const struct cfs_dinode *)(tb->data + (i % CFS_INODES_PER_BLOCK) * CFS_INODE_SIZE);
			if (bm_ok ? !bget(bm->data + HDR, i)
				  : (!raw->mode || raw->crc != cfs_inode_crc(c->fs->seed, ino, raw)))
				continue;
			c->iflag[ino] |= I_ALLOC;
			check_inode(c, ino, raw);
		}
		if (tb)
			cfs_brelse(tb);
		if (bm)
			cfs_brelse(bm);
	}
}

static void check_orphans(struct ck *c)
{
	uint64_t ino = c->fs->sb.orphan_head, prev = 0, steps = 0;

	while (ino) {
		if (ino > c->ninodes || !(c->iflag[ino] & I_OK) || (c->iflag[ino] & I_ORPHAN) ||
		    ++steps > c->ninodes) {
			problem(c, "the list ends before it", "orphan list: entry %llu is not a sound inode",
				(unsigned long long)ino);
			if (c->fix) {
				if (prev) {
					c->ino_d[prev].orphan_next = 0;
					c->iflag[prev] |= I_DIRTY;
				} else {
					c->fs->sb.orphan_head = 0;
				}
			}
			return;
		}
		c->iflag[ino] |= I_ORPHAN;
		prev = ino;
		ino = c->ino_d[ino].orphan_next;
	}
}

/* ---- passes 2 and 3: names and reachability ---- */

static const char *ent_name(const struct ck *c, const struct ent *e)
{
	static char buf[CFS_NAME_MAX + 1];

	memcpy(buf, c->pool + e->name, e->len);
	buf[e->len] = 0;
	return buf;
}

static void check_names(struct ck *c)
{
	for (size_t i = 0; i < c->nents; i++) {
		struct ent *e = &c->ents[i];
		struct dirinfo *di = &c->dirs[e->dir];
		uint64_t t = e->ino;

		if (e->dead)
			continue;
		if (t < 1 || t > c->ninodes || !(c->iflag[t] & I_OK) || t == CFS_ROOT_INO) {
			problem(c, "removed", "directory %llu: '%s' names %s inode %llu",
				(unsigned long long)di->ino, ent_name(c, e),
				t == CFS_ROOT_INO ? "the root" : "a free or damaged", (unsigned long long)t);
			e->dead = true;
			di->rebuild = true;
			continue;
		}
		if (e->type != CFS_DT(c->ino_d[t].mode)) {
			problem(c, "fixed", "directory %llu: '%s' has the wrong type", (unsigned long long)di->ino,
				ent_name(c, e));
			e->type = (uint8_t)CFS_DT(c->ino_d[t].mode);
			di->rebuild = true;
		}
	}
	/* a directory has one name: the one its parent link agrees with, or
	 * the first found */
	for (size_t i = 0; i < c->nents; i++) {
		struct ent *e = &c->ents[i], *drop = e;
		struct dirinfo *child;

		if (e->dead || !is_dir_ino(c, e->ino))
			continue;
		child = dir_of(c, e->ino);
		if (!child->keep) {
			child->keep = (uint32_t)i + 1;
			continue;
		}
		if (c->dirs[e->dir].ino == c->ino_d[e->ino].parent &&
		    c->dirs[c->ents[child->keep - 1].dir].ino != c->ino_d[e->ino].parent) {
			drop = &c->ents[child->keep - 1];
			child->keep = (uint32_t)i + 1;
		}
		problem(c, "removed", "directory %llu: '%s' is a second name of directory %llu (a loop)",
			(unsigned long long)c->dirs[drop->dir].ino, ent_name(c, drop),
			(unsigned long long)drop->ino);
		drop->dead = true;
		c->dirs[drop->dir].rebuild = true;
	}
	for (size_t i = 0; i < c->nents; i++) {
		struct ent *e = &c->ents[i];

		if (e->dead)
			continue;
		c->refs[e->ino]++;
		if (is_dir_ino(c, e->ino)) {
			c->dirs[e->dir].subdirs++;
			dir_of(c, e->ino)->ref_dir = c->dirs[e->dir].ino;
		}
	}
}

/* Marks every directory reachable from dir start through kept names. */
static void reach_from(struct ck *c, uint32_t start)
{
	uint32_t *queue = malloc((c->ndirs + 1) * sizeof(*queue));
	size_t head = 0, tail = 0;

	if (!queue) {
		c->oom = true;
		return;
	}
	c->dirs[start].reached = true;
	queue[tail++] = start;
	while (head < tail) {
		struct dirinfo *di = &c->dirs[queue[head++]];

		for (uint32_t k = 0; k < di->nents; k++) {
			struct ent *e = &c->ents[di->ents[k]];
			struct dirinfo *ch;

			if (e->dead || !is_dir_ino(c, e->ino))
				continue;
			ch = dir_of(c, e->ino);
			if (!ch->reached && tail <= c->ndirs) {
				ch->reached = true;
				queue[tail++] = (uint32_t)(ch - c->dirs);
			}
		}
	}
	free(queue);
}

/* /lost+found: found in the root, or made (inode and one leaf). */
static struct dirinfo *lost_found(struct ck *c)
{
	struct dirinfo *root = dir_of(c, CFS_ROOT_INO);
	uint64_t ino = 0, blk;
	struct cfs_dinode *d;
	cfs_buf_t *b;

	if (c->lost_found)
		return dir_of(c, c->lost_found);
	for (uint32_t k = 0; k < root->nents; k++) {
		struct ent *e = &c->ents[root->ents[k]];

		if (!e->dead && e->len == 10 && !memcmp(c->pool + e->name, "lost+found", 10) &&
		    is_dir_ino(c, e->ino)) {
			c->lost_found = e->ino;
			return dir_of(c, e->ino);
		}
	}
	for (uint64_t i = 2; i <= c->ninodes && !ino; i++)
		if (!(c->iflag[i] & (I_ALLOC | I_OK)))
			ino = i;
	if (!ino || alloc_blocks(c, fixed_end(c), 1, &blk) || new_block(c, blk, CFS_MAGIC_DIR, ino, &b))
		return NULL;
	write_meta(c, b);
	cfs_brelse(b);
	d = &c->ino_d[ino];
	memset(d, 0, sizeof(*d));
	d->mode = CFS_S_IFDIR | 0700;
	d->nlink = 2;
	d->size = BS;
	d->blocks = 1;
	d->parent = CFS_ROOT_INO;
	{
		int64_t now;
		uint32_t ns;

		cfs_env_time(&now, &ns);
		d->atime = d->ctime = d->crtime = d->mtime = now;
	}
	struct cfs_xhdr *x = (struct cfs_xhdr *)d->data;
	struct cfs_extent *ex = (struct cfs_extent *)(d->data + sizeof(*x));
	x->magic = CFS_XHDR_MAGIC;
	x->max = CFS_ROOT_EXTENTS;
	x->count = 1;
	ex->len = 1;
	ex->pblk = blk;
	c->iflag[ino] = I_ALLOC | I_OK | I_DIRTY | I_NEWLF;
	c->dirs = grow(c->dirs, &c->capdirs, c->ndirs + 1, sizeof(*c->dirs), &c->oom);
	if (c->oom)
		return NULL;
	root = dir_of(c, CFS_ROOT_INO);
	memset(&c->dirs[c->ndirs], 0, sizeof(c->dirs[0]));
	c->dirs[c->ndirs].ino = ino;
	c->dirs[c->ndirs].reached = true;
	c->dirs[c->ndirs].ref_dir = CFS_ROOT_INO;
	/* its first block, given back when entries are added and it is
	 * written afresh */
	c->dirs[c->ndirs].old.e = malloc(sizeof(struct cfs_extent));
	if (c->dirs[c->ndirs].old.e) {
		c->dirs[c->ndirs].old.e[0] = (struct cfs_extent){ 0, 1, blk };
		c->dirs[c->ndirs].old.n = 1;
	}
	c->dmap[ino] = (uint32_t)++c->ndirs;
	add_ent(c, root, cfs_name_hash(c->fs->sb.hash_seed, "lost+found", 10), ino,
		(uint8_t)CFS_DT(d->mode), "lost+found", 10);
	root->rebuild = true;
	root->subdirs++;
	c->refs[ino] = 1;
	c->lost_found = ino;
	return dir_of(c, ino);
}

static void to_lost_found(struct ck *c, uint64_t ino)
{
	struct dirinfo *lf = lost_found(c);
	char name[32];
	int len = snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino);

	if (!lf) {
		unfixable(c, "no room to make /lost+found");
		return;
	}
	add_ent(c, lf, cfs_name_hash(c->fs->sb.hash_seed, name, (size_t)len), ino,
		(uint8_t)CFS_DT(c->ino_d[ino].mode), name, (uint8_t)len);
	lf->rebuild = true;
	c->refs[ino]++;
	if (is_dir_ino(c, ino)) {
		lf->subdirs++;
		dir_of(c, ino)->ref_dir = lf->ino;
	}
}

/* A directory removed while still in use: no name, no links, on the
 * orphan list (the mount frees it, as it frees orphan files). */
static bool orphan_dir(struct ck *c, uint64_t ino)
{
	const struct dirinfo *di = dir_of(c, ino);

	return di && !di->ref_dir && (c->iflag[ino] & I_ORPHAN) && c->ino_d[ino].nlink == 0;
}

static void check_reach(struct ck *c)
{
	if (!dir_of(c, CFS_ROOT_INO)) {
		unfixable(c, "the root directory is damaged");
		return;
	}
	for (size_t i = 0; i < c->ndirs; i++)
		c->dirs[i].reached = false;
	reach_from(c, c->dmap[CFS_ROOT_INO] - 1);
	for (size_t i = 0; i < c->ndirs && !c->oom; i++) {
		uint32_t lost = (uint32_t)i;

		if (c->dirs[i].reached)
			continue;
		if (orphan_dir(c, c->dirs[i].ino)) {
			c->dirs[i].reached = true;   /* removed while in use: freed at mount */
			continue;
		}
		/* walk up its names to the top of its lost subtree, or round
		 * its loop; cut there */
		for (size_t steps = 0; c->dirs[lost].ref_dir && steps <= c->ndirs; steps++) {
			struct dirinfo *up = dir_of(c, c->dirs[lost].ref_dir);

			if (!up || up->reached)
				break;
			lost = (uint32_t)(up - c->dirs);
		}
		if (c->dirs[lost].ref_dir) {
			struct dirinfo *up = dir_of(c, c->dirs[lost].ref_dir);

			problem(c, "moved to /lost+found", "directory %llu is in a loop of directories unreachable from the root", (unsigned long long)c->dirs[lost].ino);
			for (uint32_t k = 0; up && k < up->nents; k++) {
				struct ent *e = &c->ents[up->ents[k]];

				if (!e->dead && e->ino == c->dirs[lost].ino) {
					e->dead = true;
					up->rebuild = true;
					up->subdirs--;
					c->refs[e->ino]--;
				}
			}
		} else {
			problem(c, "moved to /lost+found", "directory %llu is not reachable from the root",
				(unsigned long long)c->dirs[lost].ino);
		}
		c->dirs[lost].ref_dir = 0;
		if (c->fix)
			to_lost_found(c, c->dirs[lost].ino);
		reach_from(c, lost);
		i = (size_t)-1;              /* look again from the start */
	}
	/* files no name leads to */
	for (uint64_t ino = 2; ino <= c->ninodes; ino++) {
		if (!(c->iflag[ino] & I_OK) || c->refs[ino] || is_dir_ino(c, ino))
			continue;
		if (c->iflag[ino] & I_ORPHAN)
			continue;            /* unlinked while open: freed at mount */
		if (c->ino_d[ino].nlink == 0 && c->ino_d[ino].blocks == 0) {
			problem(c, "freed", "inode %llu: no name and no data", (unsigned long long)ino);
			c->iflag[ino] = (c->iflag[ino] & ~(uint8_t)I_OK) | I_CLEARED;
			continue;
		}
		problem(c, "moved to /lost+found", "inode %llu: in no directory", (unsigned long long)ino);
		if (c->fix)
			to_lost_found(c, ino);
		else
			c->refs[ino]++;      /* as if moved: its link count is not another problem */
	}
}

/* ---- directory rebuilds ---- */

static int cmp_ent(const void *a, const void *b, void *arg)
{
	const struct ck *c = arg;
	const struct ent *x = &c->ents[*(const uint32_t *)a], *y = &c->ents[*(const uint32_t *)b];

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(c->pool + x->name, c->pool + y->name, x->len);
}

/* Writes the directory afresh from its live entries: leaves packed in
 * hash order, index levels above them, the root in file block 0, all in
 * new blocks (the old ones go free in pass 5). */
static int rebuild_dir(struct ck *c, struct dirinfo *di)
{
	struct cfs_dinode *d = &c->ino_d[di->ino];
	uint32_t *live = malloc((di->nents + 1) * sizeof(*live)), n = 0, nleaves = 0;
	uint32_t *leaf_first = NULL;
	uint64_t *blocks = NULL;
	uint32_t nodes_per_level[CFS_DIR_DEPTH_MAX + 1], levels = 0, total;
	int err = 0;

	if (!live)
		return -ENOMEM;
	unuse(c, &di->old, true);
	for (uint32_t k = 0; k < di->nents; k++)
		if (!c->ents[di->ents[k]].dead)
			live[n++] = di->ents[k];
	qsort_r(live, n, sizeof(*live), cmp_ent, c);
	/* drop a repeated name */
	uint32_t m = 0;
	for (uint32_t k = 0; k < n; k++)
		if (!m || cmp_ent(&live[m - 1], &live[k], c))
			live[m++] = live[k];
		else
			c->refs[c->ents[live[k]].ino]--;
	n = m;
	/* pack leaves; a run of one hash stays in one leaf */
	leaf_first = malloc((n + 2) * sizeof(*leaf_first));
	if (!leaf_first) {
		free(live);
		return -ENOMEM;
	}
	leaf_first[nleaves++] = 0;
	for (uint32_t k = 0, used = 0; k < n; k++) {
		uint32_t sz = CFS_DIRENT_SIZE(c->ents[live[k]].len);

		if (used + sz > CFS_DNODE_AREA) {
			leaf_first[nleaves++] = k;
			used = 0;
		}
		used += sz;
	}
	leaf_first[nleaves] = n;
	/* index levels until one node holds them all */
	nodes_per_level[0] = nleaves;
	while (nodes_per_level[levels] > 1 && levels < CFS_DIR_DEPTH_MAX) {
		nodes_per_level[levels + 1] = (nodes_per_level[levels] + CFS_DINDEX_MAX - 1) / CFS_DINDEX_MAX;
		levels++;
	}
	if (nodes_per_level[levels] > 1) {
		free(live);
		free(leaf_first);
		return -ENOSPC;
	}
	total = 0;
	for (uint32_t l = 0; l <= levels; l++)
		total += nodes_per_level[l];
	blocks = calloc(total, sizeof(*blocks));
	if (!blocks || alloc_blocks(c, fixed_end(c), total, blocks)) {
		err = -ENOSPC;
		goto out;
	}
	/* file blocks: the root is 0, then the levels below it top down */
	{
		uint32_t lb = 0, *first_lblk = calloc(levels + 1, sizeof(uint32_t));
		uint64_t *hashes = calloc(nodes_per_level[0] + 1, sizeof(uint64_t));

		if (!first_lblk || !hashes) {
			free(first_lblk);
			free(hashes);
			err = -ENOMEM;
			goto out;
		}
		for (int l = (int)levels; l >= 0; l--) {
			first_lblk[l] = lb;
			lb += nodes_per_level[l];
		}
		for (uint32_t i = 0; i < nleaves && !err; i++) {
			uint32_t lblk = first_lblk[0] + i;
			cfs_buf_t *b;
			struct cfs_dnode *dn;
			uint32_t off = 0;

			if ((err = new_block(c, blocks[lblk], CFS_MAGIC_DIR, di->ino, &b)))
				break;
			dn = (struct cfs_dnode *)b->data;
			dn->next = i + 1 < nleaves ? lblk + 1 : 0;
			for (uint32_t k = leaf_first[i]; k < leaf_first[i + 1]; k++) {
				const struct ent *e = &c->ents[live[k]];
				struct cfs_dirent *de = (struct cfs_dirent *)(b->data + sizeof(*dn) + off);

				de->hash = e->hash;
				de->ino = e->ino;
				de->name_len = e->len;
				de->type = e->type;
				memcpy(de->name, c->pool + e->name, e->len);
				off += CFS_DIRENT_SIZE(e->len);
				dn->count++;
			}
			dn->used = (uint16_t)off;
			hashes[i] = leaf_first[i] < n ? c->ents[live[leaf_first[i]]].hash : 0;
			write_meta(c, b);
			cfs_brelse(b);
		}
		for (uint32_t l = 1; l <= levels && !err; l++)
			for (uint32_t i = 0; i < nodes_per_level[l]; i++) {
				uint32_t lblk = first_lblk[l] + i, cfirst = i * CFS_DINDEX_MAX;
				uint32_t cnt = nodes_per_level[l - 1] - cfirst < CFS_DINDEX_MAX
						       ? nodes_per_level[l - 1] - cfirst
						       : CFS_DINDEX_MAX;
				cfs_buf_t *b;
				struct cfs_dnode *dn;
				struct cfs_dindex *x;

				if ((err = new_block(c, blocks[lblk], CFS_MAGIC_DIR, di->ino, &b)))
					break;
				dn = (struct cfs_dnode *)b->data;
				dn->level = (uint16_t)l;
				dn->count = (uint16_t)cnt;
				x = (struct cfs_dindex *)(b->data + sizeof(*dn));
				for (uint32_t k = 0; k < cnt; k++) {
					x[k].hash = k ? hashes[cfirst + k] : 0;
					x[k].child = first_lblk[l - 1] + cfirst + k;
				}
				/* this level's first hashes, for the level above */
				hashes[i] = hashes[cfirst];
				write_meta(c, b);
				cfs_brelse(b);
			}
		free(first_lblk);
		free(hashes);
	}
	if (!err) {
		struct cfs_extent *e = malloc(total * sizeof(*e));
		uint32_t ne = 0;

		if (!e) {
			err = -ENOMEM;
			goto out;
		}
		for (uint32_t l = 0; l < total; l++) {
			if (ne && e[ne - 1].pblk + e[ne - 1].len == blocks[l])
				e[ne - 1].len++;
			else
				e[ne++] = (struct cfs_extent){ l, 1, blocks[l] };
		}
		d->size = (uint64_t)total * BS;
		d->entries = n;
		err = rebuild_tree(c, di->ino, e, ne);
		free(e);
	}
out:
	free(live);
	free(leaf_first);
	free(blocks);
	return err;
}

/* ---- pass 4: links ---- */

static void check_links(struct ck *c)
{
	for (uint64_t ino = 1; ino <= c->ninodes; ino++) {
		struct cfs_dinode *d = &c->ino_d[ino];
		uint64_t want;

		if (!(c->iflag[ino] & I_OK))
			continue;
		if (is_dir_ino(c, ino)) {
			struct dirinfo *di = dir_of(c, ino);
			uint64_t parent = ino == CFS_ROOT_INO ? CFS_ROOT_INO : di->ref_dir;

			if (orphan_dir(c, ino))
				continue;
			want = 2 + di->subdirs;
			if (parent && d->parent != parent) {
				problem(c, "fixed", "directory %llu: parent link %llu, named in %llu",
					(unsigned long long)ino, (unsigned long long)d->parent,
					(unsigned long long)parent);
				d->parent = parent;
				c->iflag[ino] |= I_DIRTY;
			}
		} else {
			want = c->refs[ino];
			if (!want && (c->iflag[ino] & I_ORPHAN))
				continue;
		}
		if (d->nlink != want) {
			problem(c, "fixed", "inode %llu: link count %u, should be %llu", (unsigned long long)ino,
				d->nlink, (unsigned long long)want);
			d->nlink = (uint32_t)want;
			c->iflag[ino] |= I_DIRTY;
		}
	}
}

/* ---- pass 5: bitmaps and counts ---- */

static void check_bitmaps(struct ck *c)
{
	uint64_t free_b = 0, free_i = 0;

	for (uint32_t g = 0; g < c->ngroups; g++) {
		struct cfs_group *gd = &c->groups[g];
		uint64_t first = (uint64_t)g * c->bpg;
		uint32_t size = group_size(c, g), fb = 0, fi = 0, dirs = 0, diff = 0;
		cfs_buf_t *b;

		/* blocks */
		if (read_block(c, gd->block_bitmap, &b) == 0) {
			uint8_t *bits = b->data + HDR;
			bool ok = cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_BITMAP, gd->block_bitmap);

			for (uint32_t i = 0; i < CFS_BITS_PER_BITMAP; i++) {
				bool want = i >= size || bget(c->used, first + i);

				if (!want)
					fb++;
				if (bget(bits, i) != want)
					diff++;
			}
			if (!ok || diff) {
				if (ok)
					problem(c, "rewritten", "group %u: block bitmap differs from what the files use in %u block%s", g, diff, diff == 1 ? "" : "s");
				else
					problem(c, "rewritten", "group %u: block bitmap damaged", g);
				if (c->fix) {
					memset(b->data, 0, BS);
					((struct cfs_bhdr *)b->data)->magic = CFS_MAGIC_BITMAP;
					((struct cfs_bhdr *)b->data)->blockno = gd->block_bitmap;
					for (uint32_t i = 0; i < CFS_BITS_PER_BITMAP; i++)
						if (i >= size || bget(c->used, first + i))
							bset(bits, i);
					write_meta(c, b);
				}
			}
			cfs_brelse(b);
		}
		/* inodes */
		diff = 0;
		if (read_block(c, gd->inode_bitmap, &b) == 0) {
			uint8_t *bits = b->data + HDR;
			bool ok = cfs_block_ok(c->fs->seed, b->data, CFS_MAGIC_BITMAP, gd->inode_bitmap);

			for (uint32_t i = 0; i < CFS_BITS_PER_BITMAP; i++) {
				uint64_t ino = first / c->bpg * c->ipg + i + 1;
				bool want = i >= c->ipg || (c->iflag[ino] & I_OK);

				if (i < c->ipg && !want)
					fi++;
				if (i < c->ipg && is_dir_ino(c, ino))
					dirs++;
				if (bget(bits, i) != want)
					diff++;
			}
			if (ok && diff)
				problem(c, "rewritten", "group %u: inode bitmap differs from the inodes in use in %u place%s", g, diff, diff == 1 ? "" : "s");
			if ((!ok || diff) && c->fix) {
				memset(b->data, 0, BS);
				((struct cfs_bhdr *)b->data)->magic = CFS_MAGIC_BITMAP;
				((struct cfs_bhdr *)b->data)->blockno = gd->inode_bitmap;
				for (uint32_t i = 0; i < CFS_BITS_PER_BITMAP; i++)
					if (i >= c->ipg || (c->iflag[(uint64_t)g * c->ipg + i + 1] & I_OK))
						bset(bits, i);
				write_meta(c, b);
			}
			cfs_brelse(b);
		}
		if (gd->free_blocks != fb || gd->free_inodes != fi || gd->dirs != dirs) {
			if (!c->groups_dirty)
				problem(c, "fixed", "group %u: counts (free blocks %u, free inodes %u, directories %u) should be %u, %u, %u", g, gd->free_blocks, gd->free_inodes, gd->dirs,
					fb, fi, dirs);
			gd->free_blocks = fb;
			gd->free_inodes = (uint16_t)fi;
			gd->dirs = (uint16_t)dirs;
			c->groups_dirty = true;
		}
		free_b += fb;
		free_i += fi;
	}
	c->fs->sb.free_blocks = free_b;
	c->fs->sb.free_inodes = free_i;
}

/* ---- writing the repairs ---- */

static int write_repairs(struct ck *c, bool torn)
{
	int err = 0;

	for (uint64_t ino = 1; ino <= c->ninodes && !err; ino++) {
		cfs_buf_t *b;
		struct cfs_dinode *raw;

		if (!(c->iflag[ino] & (I_DIRTY | I_CLEARED)))
			continue;
		if ((err = slot(c, ino, &b, &raw)))
			break;
		if (c->iflag[ino] & I_CLEARED) {
			uint32_t gen = raw->generation;

			memset(raw, 0, sizeof(*raw));
			raw->generation = gen;
		} else {
			uint64_t next = (c->iflag[ino] & I_ORPHAN) ? c->ino_d[ino].orphan_next : 0;

			*raw = c->ino_d[ino];
			raw->orphan_next = next;
		}
		raw->crc = cfs_inode_crc(c->fs->seed, ino, raw);
		cfs_bdirty(b, false);
		cfs_brelse(b);
	}
	if (c->groups_dirty && !err)
		for (uint32_t gb = 0; gb < c->fs->sb.gdt_blocks && !err; gb++) {
			cfs_buf_t *b;
			uint32_t cnt = c->ngroups - gb * CFS_GROUPS_PER_BLOCK;

			if ((err = new_block(c, 1 + gb, CFS_MAGIC_GROUPS, 0, &b)))
				break;
			if (cnt > CFS_GROUPS_PER_BLOCK)
				cnt = CFS_GROUPS_PER_BLOCK;
			memcpy(b->data + HDR, c->groups + (size_t)gb * CFS_GROUPS_PER_BLOCK,
			       cnt * sizeof(struct cfs_group));
			write_meta(c, b);
			cfs_brelse(b);
		}
	if (!err && (c->fs->journal_damaged || torn)) {
		/* an empty journal, and a ring whose next block cannot pass
		 * for a transaction */
		uint8_t *blk = calloc(2, BS);
		struct cfs_jsuper *js = (struct cfs_jsuper *)blk;
		void *blocks[1] = { blk };

		if (!blk)
			return -ENOMEM;
		js->h.magic = CFS_MAGIC_JSUPER;
		js->h.blockno = c->fs->sb.journal_start;
		js->tail = c->fs->j.head;
		js->tail_seq = c->fs->j.seq;
		js->blocks = c->fs->sb.journal_blocks;
		cfs_block_seal(c->fs->seed, blk);
		err = cfs_dev_write(c->dev, js->h.blockno, 1, blocks);
		blocks[0] = blk + BS;
		if (!err)
			err = cfs_dev_write(c->dev, c->fs->sb.journal_start + c->fs->j.head, 1, blocks);
		free(blk);
	}
	if (!err)
		err = cfs_dev_writeback(c->dev, false) < 0 ? -EIO : 0;
	if (!err) {
		/* the superblock and its backup */
		struct cfs_super *sb = &c->fs->sb;
		void *blocks[1] = { sb };

		sb->state = CFS_STATE_CLEAN;
		sb->error_count = 0;
		sb->first_error_time = sb->last_error_time = 0;
		sb->first_error_block = sb->last_error_block = 0;
		sb->first_error_ino = sb->last_error_ino = 0;
		sb->h.blockno = c->nblocks - 1;
		cfs_block_seal(c->fs->seed, sb);
		err = cfs_dev_write(c->dev, c->nblocks - 1, 1, blocks);
		sb->h.blockno = 0;
		cfs_block_seal(c->fs->seed, sb);
		if (!err)
			err = cfs_dev_write(c->dev, 0, 1, blocks);
	}
	if (!err)
		err = cfs_dev_flush(c->dev);
	return err;
}

/* ---- the whole check ---- */

static void free_ck(struct ck *c)
{
	for (size_t i = 0; i < c->ndirs; i++) {
		free(c->dirs[i].ents);
		free(c->dirs[i].old.e);
		free(c->dirs[i].old.nodes);
	}
	for (size_t i = 0; i < c->nrebuilds; i++) {
		free(c->rebuilds[i].e);
		free(c->rebuilds[i].nodes);
	}
	free(c->dirs);
	free(c->ents);
	free(c->pool);
	free(c->rebuilds);
	free(c->groups);
	free(c->used);
	free(c->iflag);
	free(c->refs);
	free(c->dmap);
	free(c->ino_d);
}

static int run(struct host_dev *dev, const struct fsck_opts *o, struct fsck_result *r, bool fix)
{
	struct ck c = { .dev = dev, .o = o, .r = r, .fix = fix };
	struct cfs_jscan js = { 0 };
	bool errors_flag, torn = false;
	int err, code;

	err = cfs_mount(dev, NULL, CFS_MNT_FSCK | (fix ? 0 : CFS_MNT_RDONLY), &c.fs);
	if (err) {
		if (o->out)
			fprintf(o->out, "no usable cosmfs superblock (error %d): cannot check\n", err);
		return FSCK_FAIL;
	}
	c.nblocks = c.fs->sb.block_count;
	c.ninodes = c.fs->sb.inode_count;
	c.ngroups = c.fs->sb.group_count;
	c.bpg = c.fs->sb.blocks_per_group;
	c.ipg = c.fs->sb.inodes_per_group;
	c.it_blocks = c.ipg / CFS_INODES_PER_BLOCK;
	c.groups = calloc(c.ngroups, sizeof(*c.groups));
	c.used = calloc(c.nblocks / 8 + 1, 1);
	c.iflag = calloc(c.ninodes + 1, 1);
	c.refs = calloc(c.ninodes + 1, sizeof(*c.refs));
	c.dmap = calloc(c.ninodes + 1, sizeof(*c.dmap));
	c.ino_d = calloc(c.ninodes + 1, sizeof(*c.ino_d));
	if (!c.groups || !c.used || !c.iflag || !c.refs || !c.dmap || !c.ino_d) {
		if (o->out)
			fprintf(o->out, "out of memory\n");
		free_ck(&c);
		cfs_unmount(c.fs);
		return FSCK_FAIL;
	}
	if (c.fs->used_backup)
		problem(&c, "restored from the backup", "primary superblock damaged");
	errors_flag = (c.fs->sb.state & CFS_STATE_ERRORS) != 0;
	if (errors_flag)
		problem(&c, "cleared after the check", "the file system is marked as having errors (last in block %llu, inode %llu)", (unsigned long long)c.fs->sb.last_error_block,
			(unsigned long long)c.fs->sb.last_error_ino);
	if (c.fs->journal_damaged) {
		problem(&c, "the journal is emptied", "journal superblock damaged");
	} else if (cfs_journal_scan(c.fs, &js) == 0) {
		if (js.txns && !fix)
			notice(&c, "journal: %u committed transaction%s replayed in memory only", js.txns,
			       js.txns == 1 ? "" : "s");
		if (js.torn) {
			notice(&c, "journal: an incomplete transaction after the last commit was ignored");
			torn = true;
		}
	}
	check_groups(&c);
	check_inodes(&c);
	check_orphans(&c);
	check_names(&c);
	check_reach(&c);
	for (size_t i = 0; i < c.nrebuilds && fix; i++) {
		unuse(&c, &c.rebuilds[i], false);
		if (rebuild_tree(&c, c.rebuilds[i].ino, c.rebuilds[i].e, c.rebuilds[i].n))
			unfixable(&c, "inode %llu: no room to rebuild its extent tree",
				  (unsigned long long)c.rebuilds[i].ino);
	}
	for (size_t i = 0; i < c.ndirs && fix; i++)
		if (c.dirs[i].rebuild && (c.iflag[c.dirs[i].ino] & I_OK) && rebuild_dir(&c, &c.dirs[i]))
			unfixable(&c, "directory %llu: no room to rebuild it", (unsigned long long)c.dirs[i].ino);
	check_links(&c);
	check_bitmaps(&c);
	if (c.oom)
		unfixable(&c, "out of memory: the check is incomplete");
	code = r->problems ? (fix && r->fixed == r->problems ? FSCK_FIXED : FSCK_LEFT) : FSCK_CLEAN;
	if (fix && (r->problems || torn || c.fs->journal_damaged)) {
		err = write_repairs(&c, torn);
		if (err) {
			if (o->out)
				fprintf(o->out, "writing the repairs failed (error %d)\n", err);
			code = FSCK_FAIL;
		}
	}
	free_ck(&c);
	cfs_unmount(c.fs);
	return code;
}

int cfs_fsck(struct host_dev *dev, const struct fsck_opts *o, struct fsck_result *r)
{
	struct fsck_result again = { 0 };
	struct fsck_opts quiet = { false, NULL };
	int code;

	memset(r, 0, sizeof(*r));
	code = run(dev, o, r, o->repair && !dev->read_only);
	if (code != FSCK_FIXED)
		return code;
	/* check the repaired file system once more, from the device */
	host_dev_drop_cache(dev);
	if (run(dev, &quiet, &again, false) != FSCK_CLEAN) {
		if (o->out)
			fprintf(o->out, "%u problem%s left after the repairs\n", again.problems,
				again.problems == 1 ? "" : "s");
		return FSCK_LEFT;
	}
	return FSCK_FIXED;
}
