/* tmpfs (see tmpfs.h): inodes and directories in memory. A directory is
 * a hash of its entries plus an array in creation order, whose cookies
 * are the getdents64 positions. tmpfs pins every linked inode with one
 * reference of its own (dropped when the last link goes), so the VFS's
 * name cache can forget a name without the file going with it. */
#include <fs/tmpfs.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/statfs.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/tmpfs_internal.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/proc/cred.h>
#include <lib/string.h>

#define TMPFS_MAX_BYTES (1ull << 48)

static const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops, tmpfs_link_iops, tmpfs_special_iops;
static const struct file_ops tmpfs_dir_ops;

/* ---- inodes ---- */

static struct inode *tmpfs_alloc_inode(struct super_block *sb)
{
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti));

	(void)sb;
	return ti ? &ti->vfs : NULL;
}

static void tmpfs_destroy_inode(struct inode *ino)
{
	kfree(TI(ino));
}

static void dir_free(struct tmpfs_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		kfree(d->order[i]);
	kfree(d->order);
	kfree(d->buckets);
	memset(d, 0, sizeof(*d));
}

static void tmpfs_evict_inode(struct inode *ino)
{
	struct tmpfs_inode *ti = TI(ino);
	struct tmpfs_sb *s = TSB(ino->sb);
	uint64_t f;

	switch (ino->mode & S_IFMT) {
	case S_IFREG:
		tmpfs_data_free(ti);
		break;
	case S_IFDIR:
		dir_free(&ti->dir);
		break;
	case S_IFLNK:
		kfree(ti->target);
		ti->target = NULL;
		break;
	}
	f = spin_lock_irqsave(&s->lock);
	s->inodes_used--;
	spin_unlock_irqrestore(&s->lock, f);
}

/* A new inode of type and mode (already masked), owned as Linux says,
 * pinned by tmpfs (count 1). */
static struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, uint32_t mode,
				     uint32_t rdev, int *err)
{
	struct tmpfs_sb *s = TSB(sb);
	struct inode *ino;
	uint64_t f, nr;

	f = spin_lock_irqsave(&s->lock);
	if (s->inodes_used >= s->max_inodes) {
		spin_unlock_irqrestore(&s->lock, f);
		*err = -ENOSPC;
		return NULL;
	}
	s->inodes_used++;
	nr = s->next_ino++;
	spin_unlock_irqrestore(&s->lock, f);
	ino = inode_new(sb);
	if (!ino) {
		f = spin_lock_irqsave(&s->lock);
		s->inodes_used--;
		spin_unlock_irqrestore(&s->lock, f);
		*err = -ENOMEM;
		return NULL;
	}
	spin_init(&TI(ino)->tree_lock, "tmpfs_tree");
	ino->ino = nr;
	inode_init_owner(ino, dir, mode);
	ino->rdev = rdev;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		ino->ops = &tmpfs_dir_iops;
		ino->fops = &tmpfs_dir_ops;
		ino->nlink = 2;
		ino->size = 0;
		TI(ino)->dir.next_cookie = 2;
		break;
	case S_IFREG:
		ino->ops = &tmpfs_file_iops;
		ino->fops = &tmpfs_file_ops;
		break;
	case S_IFLNK:
		ino->ops = &tmpfs_link_iops;
		break;
	default:
		ino->ops = &tmpfs_special_iops;
		break;
	}
	return ino;
}

/* ---- directories (dir->lock held by the VFS) ---- */

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static struct tmpfs_dirent *dir_find(struct tmpfs_dir *d, const char *name, size_t len)
{
	uint32_t h = name_hash(name, len);

	if (!d->nbuckets)
		return NULL;
	for (struct tmpfs_dirent *e = d->buckets[h & (d->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

static bool dir_grow(struct tmpfs_dir *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct tmpfs_dirent **o = krealloc(d->order, cap * sizeof(*o));

		if (!o)
			return false;
		d->order = o;
		d->cap = cap;
	}
	if (d->n + 1 > (size_t)d->nbuckets * 2) {
		uint32_t nb = d->nbuckets ? d->nbuckets * 2 : 16;
		struct tmpfs_dirent **b = kzalloc(nb * sizeof(*b));

		if (!b)
			return false;
		for (size_t i = 0; i < d->n; i++) {
			struct tmpfs_dirent *e = d->order[i];

			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
		kfree(d->buckets);
		d->buckets = b;
		d->nbuckets = nb;
	}
	return true;
}

static int dir_add(struct inode *dir, const char *name, size_t len, struct tmpfs_inode *ti)
{
	struct tmpfs_dir *d = &TI(dir)->dir;
	struct tmpfs_dirent *e;

	if (!dir_grow(d))
		return -ENOMEM;
	e = kmalloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	e->ti = ti;
	e->cookie = d->next_cookie++;
	e->hash = name_hash(name, len);
	e->len = (uint16_t)len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	e->hnext = d->buckets[e->hash & (d->nbuckets - 1)];
	d->buckets[e->hash & (d->nbuckets - 1)] = e;
	d->order[d->n++] = e;
	dir->size += 1;                   /* entries, as Linux's tmpfs counts */
	inode_touch_mc(dir);
	return 0;
}

/* The first position in order with a cookie >= c. */
static size_t order_index(const struct tmpfs_dir *d, uint64_t c)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->order[mid]->cookie < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void dir_remove(struct inode *dir, struct tmpfs_dirent *e)
{
	struct tmpfs_dir *d = &TI(dir)->dir;
	struct tmpfs_dirent **pp = &d->buckets[e->hash & (d->nbuckets - 1)];
	size_t i = order_index(d, e->cookie);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	memmove(&d->order[i], &d->order[i + 1], (d->n - i - 1) * sizeof(*d->order));
	d->n--;
	dir->size -= 1;
	inode_touch_mc(dir);
	kfree(e);
}

static int tmpfs_lookup(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *e = dir_find(&TI(dir)->dir, d->name, d->len);

	if (e)
		d_add(d, igrab(&e->ti->vfs));
	return 0;
}

/* Makes an inode and its name in dir; d becomes positive. */
static int make_node(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev,
		     struct inode **out)
{
	struct inode *ino;
	int err;

	ino = tmpfs_new_inode(dir->sb, dir, mode, rdev, &err);
	if (!ino)
		return err;
	err = dir_add(dir, d->name, d->len, TI(ino));
	if (err) {
		ino->nlink = 0;
		iput(ino);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;                /* the new directory's ".." */
	d_instantiate(d, igrab(ino));
	if (out)
		*out = ino;
	return 0;
}

static int tmpfs_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make_node(dir, d, mode, 0, NULL);
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make_node(dir, d, mode, 0, NULL);
}

static int tmpfs_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	return make_node(dir, d, mode, rdev, NULL);
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target, size_t len)
{
	char *t = kmalloc(len + 1);
	struct inode *ino;
	int err;

	if (!t)
		return -ENOMEM;
	memcpy(t, target, len);
	t[len] = 0;
	err = make_node(dir, d, S_IFLNK | 0777, 0, &ino);
	if (err) {
		kfree(t);
		return err;
	}
	TI(ino)->target = t;
	ino->size = len;
	return 0;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *ino = old->inode;
	int err = dir_add(dir, d->name, d->len, TI(ino));

	if (err)
		return err;
	ino->nlink++;
	inode_touch_c(ino);
	d_instantiate(d, igrab(ino));
	return 0;
}

/* ino lost a name: its pin goes with the last one. The caller's dentry
 * still holds a reference, so this is never the last one. */
static void drop_link(struct inode *ino)
{
	if (S_ISDIR(ino->mode))
		ino->nlink = 0;
	else
		ino->nlink--;
	inode_touch_c(ino);
	if (ino->nlink == 0)
		iput(ino);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *e = dir_find(&TI(dir)->dir, d->name, d->len);

	if (!e)
		return -ENOENT;
	dir_remove(dir, e);
	drop_link(d->inode);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *e = dir_find(&TI(dir)->dir, d->name, d->len);

	if (!e)
		return -ENOENT;
	if (TI(d->inode)->dir.n)
		return -ENOTEMPTY;
	dir_remove(dir, e);
	dir->nlink--;
	drop_link(d->inode);
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			struct dentry *nd, unsigned flags)
{
	struct tmpfs_dirent *oe = dir_find(&TI(odir)->dir, od->name, od->len);
	struct tmpfs_dirent *ne = dir_find(&TI(ndir)->dir, nd->name, nd->len);
	struct inode *src = od->inode, *tgt = nd->inode;
	bool src_dir = S_ISDIR(src->mode), tgt_dir = tgt && S_ISDIR(tgt->mode);
	int err;

	if (!oe || (tgt && !ne))
		return -ENOENT;
	if (tgt && tgt_dir && !(flags & RENAME_EXCHANGE) && TI(tgt)->dir.n)
		return -ENOTEMPTY;
	if (flags & RENAME_EXCHANGE) {
		oe->ti = TI(tgt);
		ne->ti = TI(src);
		if (odir != ndir && src_dir != tgt_dir) {
			/* a directory changed parents: move its ".." link */
			if (src_dir) {
				odir->nlink--;
				ndir->nlink++;
			} else {
				ndir->nlink--;
				odir->nlink++;
			}
		}
		inode_touch_c(tgt);
	} else {
		if (ne) {
			/* the target's inode loses this name to the source */
			ne->ti = TI(src);
			if (tgt_dir)
				ndir->nlink--;
			drop_link(tgt);
			inode_touch_mc(ndir);
		} else {
			err = dir_add(ndir, nd->name, nd->len, TI(src));
			if (err)
				return err;
		}
		dir_remove(odir, oe);
		if (src_dir && odir != ndir) {
			odir->nlink--;
			ndir->nlink++;
		}
	}
	inode_touch_c(src);
	inode_touch_mc(odir);
	inode_touch_mc(ndir);
	return 0;
}

static long tmpfs_readlink(struct inode *ino, char *buf, size_t len)
{
	size_t n = ino->size < len ? ino->size : len;

	memcpy(buf, TI(ino)->target, n);
	return (long)n;
}

static int tmpfs_setattr(struct inode *ino, const struct iattr *a)
{
	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			return -EINVAL;
		if (a->size > ino->sb->max_bytes)
			return -EFBIG;
		tmpfs_data_truncate(TI(ino), a->size);
	}
	inode_setattr_copy(ino, a);
	return 0;
}

static const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
};

static const struct inode_ops tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	.fallocate = tmpfs_fallocate,
};

static const struct inode_ops tmpfs_link_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
};

static const struct inode_ops tmpfs_special_iops = {
	.setattr = tmpfs_setattr,
};

/* ---- directory files ---- */

static int tmpfs_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct tmpfs_dir *d = &TI(f->inode)->dir;

	if (!dir_emit_dots(f, ctx))
		return 0;
	for (size_t i = order_index(d, ctx->pos); i < d->n; i++) {
		struct tmpfs_dirent *e = d->order[i];

		if (!dir_emit(ctx, e->name, e->len, e->ti->vfs.ino, inode_dtype(e->ti->vfs.mode),
			      e->cookie + 1))
			break;
	}
	return 0;
}

static int64_t tmpfs_dir_seek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return base + off;
}

static int tmpfs_dir_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static const struct file_ops tmpfs_dir_ops = {
	.readdir = tmpfs_readdir,
	.seek = tmpfs_dir_seek,
	.fsync = tmpfs_dir_fsync,
};

/* ---- super block ---- */

struct tmpfs_opts {
	uint64_t max_pages, max_inodes;
	uint32_t mode, uid, gid;
	bool has_size, has_inodes, has_mode, has_uid, has_gid;
};

static bool parse_u64(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = s[i] >= '0' && s[i] <= '9' ? (unsigned)(s[i] - '0') : 99;

		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static uint64_t ram_pages(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.usable_pages;
}

/* "size=64m,nr_inodes=1000,mode=1777,uid=0,gid=0" */
static int parse_opts(const char *data, struct tmpfs_opts *o)
{
	while (data && *data) {
		const char *end = data, *eq;
		size_t klen, vlen;

		while (*end && *end != ',')
			end++;
		for (eq = data; eq < end && *eq != '='; eq++)
			;
		klen = (size_t)(eq - data);
		vlen = eq < end ? (size_t)(end - eq - 1) : 0;
		if (eq == end) {
			if (klen)
				return -EINVAL;
		} else if (klen == 4 && memcmp(data, "size", 4) == 0) {
			const char *v = eq + 1;
			uint64_t n, mul = 1;

			if (vlen && v[vlen - 1] == '%') {
				if (!parse_u64(v, vlen - 1, 10, &n) || n > 100)
					return -EINVAL;
				o->max_pages = ram_pages() * n / 100;
			} else {
				char u = vlen ? v[vlen - 1] : 0;

				if (u == 'k' || u == 'K')
					mul = 1ull << 10;
				else if (u == 'm' || u == 'M')
					mul = 1ull << 20;
				else if (u == 'g' || u == 'G')
					mul = 1ull << 30;
				if (!parse_u64(v, vlen - (mul > 1), 10, &n) || n > UINT64_MAX / mul)
					return -EINVAL;
				o->max_pages = (n * mul + 4095) / 4096;
			}
			o->has_size = true;
		} else if (klen == 9 && memcmp(data, "nr_inodes", 9) == 0) {
			if (!parse_u64(eq + 1, vlen, 10, &o->max_inodes))
				return -EINVAL;
			o->has_inodes = true;
		} else if (klen == 4 && memcmp(data, "mode", 4) == 0) {
			uint64_t m;

			if (!parse_u64(eq + 1, vlen, 8, &m) || m > 07777)
				return -EINVAL;
			o->mode = (uint32_t)m;
			o->has_mode = true;
		} else if ((klen == 3 && memcmp(data, "uid", 3) == 0) ||
			   (klen == 3 && memcmp(data, "gid", 3) == 0)) {
			uint64_t id;

			if (!parse_u64(eq + 1, vlen, 10, &id) || id > UINT32_MAX)
				return -EINVAL;
			if (data[0] == 'u') {
				o->uid = (uint32_t)id;
				o->has_uid = true;
			} else {
				o->gid = (uint32_t)id;
				o->has_gid = true;
			}
		} else {
			log_warn("tmpfs: unknown mount option \"%.*s\"", (int)(end - data), data);
			return -EINVAL;
		}
		data = *end ? end + 1 : end;
	}
	return 0;
}

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct tmpfs_sb *s = TSB(sb);
	uint64_t f = spin_lock_irqsave(&s->lock);

	st->type = TMPFS_MAGIC;
	st->bsize = 4096;
	st->blocks = s->max_pages;
	st->bfree = st->bavail = s->max_pages ? s->max_pages - s->pages_used : 0;
	st->files = s->max_inodes;
	st->ffree = s->max_inodes - s->inodes_used;
	st->namelen = NAME_MAX;
	spin_unlock_irqrestore(&s->lock, f);
	return 0;
}

static int tmpfs_remount(struct super_block *sb, unsigned long flags, const char *data)
{
	struct tmpfs_sb *s = TSB(sb);
	struct tmpfs_opts o = { 0 };
	int err = parse_opts(data, &o);
	uint64_t f;

	(void)flags;
	if (err)
		return err;
	f = spin_lock_irqsave(&s->lock);
	if ((o.has_size && o.max_pages && o.max_pages < s->pages_used) ||
	    (o.has_inodes && o.max_inodes < s->inodes_used)) {
		err = -EINVAL;
	} else {
		if (o.has_size)
			s->max_pages = o.max_pages;
		if (o.has_inodes)
			s->max_inodes = o.max_inodes;
	}
	spin_unlock_irqrestore(&s->lock, f);
	return err;
}

static void tmpfs_put_super(struct super_block *sb)
{
	kfree(sb->priv);
	sb->priv = NULL;
}

static const struct super_ops tmpfs_sops = {
	.alloc_inode = tmpfs_alloc_inode,
	.destroy_inode = tmpfs_destroy_inode,
	.evict_inode = tmpfs_evict_inode,
	.statfs = tmpfs_statfs,
	.remount = tmpfs_remount,
	.put_super = tmpfs_put_super,
};

static int tmpfs_mount(const struct file_system_type *t, const char *source,
		       unsigned long flags, const char *data, struct super_block **out)
{
	struct tmpfs_opts o = { .max_pages = ram_pages() / 2, .max_inodes = ram_pages() / 2,
				.mode = 01777 };
	struct super_block *sb;
	struct tmpfs_sb *s;
	struct inode *root;
	int err = parse_opts(data, &o);

	(void)source;
	(void)flags;
	if (err)
		return err;
	sb = sb_alloc(t, &tmpfs_sops);
	s = kzalloc(sizeof(*s));
	if (!sb || !s) {
		kfree(s);
		if (sb)
			sb_free(sb);
		return -ENOMEM;
	}
	spin_init(&s->lock, "tmpfs_sb");
	s->max_pages = o.max_pages;
	s->max_inodes = o.max_inodes;
	s->next_ino = 1;
	sb->priv = s;
	sb->max_bytes = TMPFS_MAX_BYTES;
	root = tmpfs_new_inode(sb, NULL, S_IFDIR | o.mode, 0, &err);
	if (!root) {
		sb_free(sb);
		kfree(s);
		return err;
	}
	if (o.has_uid)
		root->uid = o.uid;
	if (o.has_gid)
		root->gid = o.gid;
	sb->root = d_make_root(igrab(root));
	if (!sb->root) {
		sb_free(sb);
		kfree(s);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

static struct file_system_type tmpfs_type = { .name = "tmpfs", .mount = tmpfs_mount };

void tmpfs_init(void)
{
	fs_register(&tmpfs_type);
}
