/* cosmfs under the VFS: the file-system type "cosmfs", its super, inode
 * and file operations over the core (fs/cosmfs/cfs.h). Each VFS inode
 * carries the core's inode; the core's copy is the one written to disk,
 * and the VFS's attributes are copied in before a change (the VFS itself
 * sets atime, and the mode when a write kills set-id bits) and out after.
 *
 * Locking, outermost first: the VFS's inode locks, then the file system's
 * lock (struct cosmfs_mount), then the block cache's. Nothing that may
 * fault on user memory runs under the file system's lock: the core gives
 * it up around data copies, and readdir gathers names first and hands
 * them to the caller after. */
#include <fs/cosmfs/cosmfs.h>
#include <fs/cosmfs/kmount.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl-cosmfs.h>
#include <cosmos/abi/mount.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/dcache.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/super.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <sys/uio.h>

#define COSMFS_MAGIC 0x4d534f43u          /* "COSM" */
#define DIRTY_KICK  (8192u)                /* dirty blocks (32 MiB) that wake the flush thread */
#define DIRTY_WAIT  (4 * DIRTY_KICK)       /* ... and that make a writer write back itself */

struct cinode {
	struct inode vfs;
	struct cfs_inode ci;
};

static struct cinode *CI(struct inode *ino)
{
	return (struct cinode *)ino;
}

static struct cosmfs_mount *M(const struct super_block *sb)
{
	return sb->priv;
}

static const struct inode_ops dir_iops, file_iops, link_iops, special_iops;
static const struct file_ops dir_fops, file_fops;

static struct cfs_time now(void)
{
	struct vfs_time t = vfs_now();

	return (struct cfs_time){ t.sec, t.nsec };
}

/* ---- attributes, both ways ---- */

static void to_vfs(struct cinode *c)
{
	const struct cfs_dinode *d = &c->ci.d;
	struct inode *v = &c->vfs;

	v->mode = d->mode;
	v->uid = d->uid;
	v->gid = d->gid;
	v->nlink = d->nlink;
	v->rdev = d->rdev;
	v->size = d->size;
	v->blocks = d->blocks * (CFS_BLOCK_SIZE / 512);
	v->atime = (struct vfs_time){ d->atime, d->atime_ns };
	v->mtime = (struct vfs_time){ d->mtime, d->mtime_ns };
	v->ctime = (struct vfs_time){ d->ctime, d->ctime_ns };
	v->btime = (struct vfs_time){ d->crtime, d->crtime_ns };
}

/* What the VFS may have changed on its own. true when it differs from the
 * core's copy (then the inode wants writing). */
static bool from_vfs(struct cinode *c)
{
	struct cfs_dinode *d = &c->ci.d;
	const struct inode *v = &c->vfs;
	bool changed = d->mode != v->mode || d->uid != v->uid || d->gid != v->gid ||
		       d->atime != v->atime.sec || d->atime_ns != v->atime.nsec ||
		       d->mtime != v->mtime.sec || d->mtime_ns != v->mtime.nsec ||
		       d->ctime != v->ctime.sec || d->ctime_ns != v->ctime.nsec;

	d->mode = v->mode;
	d->uid = v->uid;
	d->gid = v->gid;
	d->atime = v->atime.sec;
	d->atime_ns = v->atime.nsec;
	d->mtime = v->mtime.sec;
	d->mtime_ns = v->mtime.nsec;
	d->ctime = v->ctime.sec;
	d->ctime_ns = v->ctime.nsec;
	return changed;
}

static void set_ops(struct inode *ino)
{
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		ino->ops = &dir_iops;
		ino->fops = &dir_fops;
		break;
	case S_IFREG:
		ino->ops = &file_iops;
		ino->fops = &file_fops;
		break;
	case S_IFLNK:
		ino->ops = &link_iops;
		break;
	default:
		ino->ops = &special_iops;
		break;
	}
}

/* The VFS inode of ino, read from disk when not cached; ci, when given,
 * is its core inode already in hand (a create). */
static struct inode *get_inode(struct super_block *sb, uint64_t ino, const struct cfs_inode *ci, int *err)
{
	struct cosmfs_mount *m = M(sb);
	struct inode *i = iget(sb, ino);

	if (!i) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!(i->state & I_NEW))
		return i;
	if (ci) {
		CI(i)->ci = *ci;
	} else {
		cosmfs_lock(m);
		*err = cfs_iget(m->fs, ino, &CI(i)->ci);
		cosmfs_unlock(m);
		if (*err) {
			iget_failed(i);
			return NULL;
		}
	}
	to_vfs(CI(i));
	set_ops(i);
	inode_unlock_new(i);
	return i;
}

/* ---- names (the VFS holds the directories' locks) ---- */

static int c_lookup(struct inode *dir, struct dentry *d)
{
	struct cosmfs_mount *m = M(dir->sb);
	struct inode *ino;
	uint64_t nr;
	int err;

	cosmfs_lock(m);
	err = cfs_dir_lookup(m->fs, &CI(dir)->ci, d->name, d->len, &nr, NULL);
	cosmfs_unlock(m);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	ino = get_inode(dir->sb, nr, NULL, &err);
	if (!ino)
		return err;
	d_add(d, ino);
	return 0;
}

static int make_node(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev,
		     const char *target, size_t tlen)
{
	struct cosmfs_mount *m = M(dir->sb);
	struct inode owner = { 0 }, *ino;
	struct cfs_newinode ni;
	struct cfs_inode ci;
	int err;

	inode_init_owner(&owner, dir, mode);
	ni = (struct cfs_newinode){ owner.mode, owner.uid, owner.gid, rdev, now() };
	cosmfs_lock(m);
	from_vfs(CI(dir));
	err = cfs_create(m->fs, &CI(dir)->ci, d->name, d->len, &ni, target, tlen, &ci);
	to_vfs(CI(dir));
	cosmfs_unlock(m);
	if (err)
		return err;
	ino = get_inode(dir->sb, ci.ino, &ci, &err);
	if (!ino)
		return err;
	d_instantiate(d, ino);
	return 0;
}

static int c_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make_node(dir, d, mode, 0, NULL, 0);
}

static int c_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	return make_node(dir, d, mode, rdev, NULL, 0);
}

static int c_symlink(struct inode *dir, struct dentry *d, const char *target, size_t len)
{
	return make_node(dir, d, S_IFLNK | 0777, 0, target, len);
}

static int c_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct cosmfs_mount *m = M(dir->sb);
	struct inode *ino = old->inode;
	int err;

	cosmfs_lock(m);
	from_vfs(CI(dir));
	from_vfs(CI(ino));
	err = cfs_link(m->fs, &CI(dir)->ci, d->name, d->len, &CI(ino)->ci, now());
	to_vfs(CI(dir));
	to_vfs(CI(ino));
	cosmfs_unlock(m);
	if (!err)
		d_instantiate(d, igrab(ino));
	return err;
}

/* unlink and rmdir: the core tells a directory from a file */
static int c_unlink(struct inode *dir, struct dentry *d)
{
	struct cosmfs_mount *m = M(dir->sb);
	struct inode *ino = d->inode;
	int err;

	cosmfs_lock(m);
	from_vfs(CI(dir));
	from_vfs(CI(ino));
	err = cfs_unlink(m->fs, &CI(dir)->ci, d->name, d->len, &CI(ino)->ci, now());
	to_vfs(CI(dir));
	to_vfs(CI(ino));
	cosmfs_unlock(m);
	return err;
}

static int c_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
		    unsigned flags)
{
	struct cosmfs_mount *m = M(odir->sb);
	struct inode *src = od->inode, *tgt = nd->inode;
	int err;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	cosmfs_lock(m);
	from_vfs(CI(odir));
	from_vfs(CI(ndir));
	from_vfs(CI(src));
	if (tgt)
		from_vfs(CI(tgt));
	err = cfs_rename(m->fs, &CI(odir)->ci, od->name, od->len, &CI(src)->ci, &CI(ndir)->ci, nd->name,
			 nd->len, tgt ? &CI(tgt)->ci : NULL,
			 ((flags & RENAME_NOREPLACE) ? CFS_RENAME_NOREPLACE : 0) |
				 ((flags & RENAME_EXCHANGE) ? CFS_RENAME_EXCHANGE : 0),
			 now());
	to_vfs(CI(odir));
	to_vfs(CI(ndir));
	to_vfs(CI(src));
	if (tgt)
		to_vfs(CI(tgt));
	cosmfs_unlock(m);
	return err;
}

static long c_readlink(struct inode *ino, char *buf, size_t len)
{
	struct cosmfs_mount *m = M(ino->sb);
	long n;

	cosmfs_lock(m);
	n = cfs_readlink(m->fs, &CI(ino)->ci, buf, len);
	cosmfs_unlock(m);
	return n;
}

static int c_setattr(struct inode *ino, const struct iattr *a)
{
	struct cosmfs_mount *m = M(ino->sb);
	int err = 0;

	cosmfs_lock(m);
	from_vfs(CI(ino));
	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			err = -EINVAL;
		else if (a->size > ino->sb->max_bytes)
			err = -EFBIG;
		else
			err = cfs_truncate(m->fs, &CI(ino)->ci, a->size);
		to_vfs(CI(ino));
	}
	if (!err) {
		inode_setattr_copy(ino, a);
		from_vfs(CI(ino));
		err = cfs_write_inode(m->fs, &CI(ino)->ci);
	}
	to_vfs(CI(ino));
	cosmfs_unlock(m);
	return err;
}

static const struct inode_ops dir_iops = {
	.lookup = c_lookup,
	.create = c_create,
	.mkdir = c_create,
	.mknod = c_mknod,
	.symlink = c_symlink,
	.link = c_link,
	.unlink = c_unlink,
	.rmdir = c_unlink,
	.rename = c_rename,
	.setattr = c_setattr,
};
/* Mode 0 and FALLOC_FL_KEEP_SIZE (the VFS refused unknown bits and holds
 * the inode's lock); punching holes and the other modes are not offered. */
static int c_fallocate(struct inode *ino, int mode, uint64_t off, uint64_t len)
{
	struct cosmfs_mount *m = M(ino->sb);
	int err;

	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	cosmfs_lock(m);
	from_vfs(CI(ino));
	err = cfs_fallocate(m->fs, &CI(ino)->ci, off, len, mode & FALLOC_FL_KEEP_SIZE, now());
	to_vfs(CI(ino));
	cosmfs_unlock(m);
	return err;
}

static const struct inode_ops file_iops = { .setattr = c_setattr, .fallocate = c_fallocate };
static const struct inode_ops link_iops = { .readlink = c_readlink, .setattr = c_setattr };
static const struct inode_ops special_iops = { .setattr = c_setattr };

/* ---- file data ---- */

static long uio_out(void *ctx, void *kbuf, size_t n)
{
	return kbuf ? uio_copy_out(ctx, kbuf, n) : uio_zero(ctx, n);
}

static long uio_in(void *ctx, void *kbuf, size_t n)
{
	return uio_copy_in(ctx, kbuf, n);
}

static long c_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct cosmfs_mount *m = M(f->inode->sb);
	long n;

	cosmfs_lock(m);
	n = cfs_file_read(m->fs, &CI(f->inode)->ci, *pos, u->resid, uio_out, u);
	cosmfs_unlock(m);
	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

static long c_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct cosmfs_mount *m = M(ino->sb);
	uint64_t p;
	long n;

	if (mutex_lock(&ino->lock))
		return -EDEADLK;
	p = (f->flags & O_APPEND) ? ino->size : *pos;     /* appends are atomic */
	if (u->resid)
		inode_kill_suid(ino);
	cosmfs_lock(m);
	from_vfs(CI(ino));
	n = cfs_file_write(m->fs, &CI(ino)->ci, p, u->resid, uio_in, u, now());
	to_vfs(CI(ino));
	cosmfs_unlock(m);
	mutex_unlock(&ino->lock);
	if (n > 0)
		*pos = p + (uint64_t)n;
	/* dirty data piling up: the flush thread writes it, and a writer far
	 * ahead of it writes some itself */
	if (bcache_dirty_count(m->cache) > DIRTY_KICK)
		cosmfs_kick(m);
	if (bcache_dirty_count(m->cache) > DIRTY_WAIT)
		bcache_writeback(m->cache, true);
	return n;
}

static int64_t c_seek(struct file *f, int64_t off, int whence)
{
	return generic_file_seek(f, off, whence);
}

/* Writes the inode's attributes if the VFS changed them (atime). Under the
 * file system's lock. */
static int write_attrs(struct cosmfs_mount *m, struct inode *ino)
{
	if (!from_vfs(CI(ino)) || m->fs->rdonly)
		return 0;
	return cfs_write_inode(m->fs, &CI(ino)->ci);
}

static int c_fsync(struct file *f, bool datasync)
{
	struct cosmfs_mount *m = M(f->inode->sb);
	int err;

	(void)datasync;
	cosmfs_lock(m);
	err = write_attrs(m, f->inode);
	/* a commit writes every dirty data block first, this file's too */
	if (!err)
		err = cfs_sync(m->fs, false);
	if (!err && m->fs->aborted)
		err = -EIO;
	cosmfs_unlock(m);
	return err;
}

/* ---- directories ---- */

#define GATHER 64

struct gathered {
	char name[CFS_NAME_MAX + 1];
	uint8_t len, type;
	uint64_t ino, next;
};

struct gather {
	struct gathered *e;
	unsigned n;
};

static bool gather_one(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct gather *g = ctx;
	struct gathered *e;

	if (g->n == GATHER)
		return false;
	e = &g->e[g->n++];
	memcpy(e->name, name, len);
	e->len = (uint8_t)len;
	e->type = (uint8_t)type;
	e->ino = ino;
	e->next = next;
	return true;
}

/* The names are gathered a batch at a time under the file system's lock,
 * then given to the caller (whose buffer may fault) without it. */
static int c_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct cosmfs_mount *m = M(f->inode->sb);
	struct gather g = { kmalloc(GATHER * sizeof(struct gathered)), 0 };
	int err = 0;

	if (!g.e)
		return -ENOMEM;
	if (!dir_emit_dots(f, ctx))
		goto out;
	for (;;) {
		g.n = 0;
		cosmfs_lock(m);
		err = cfs_dir_read(m->fs, &CI(f->inode)->ci, ctx->pos, gather_one, &g);
		cosmfs_unlock(m);
		if (err || !g.n)
			break;
		for (unsigned i = 0; i < g.n; i++)
			if (!dir_emit(ctx, g.e[i].name, g.e[i].len, g.e[i].ino, g.e[i].type, g.e[i].next))
				goto out;
		if (g.n < GATHER)
			break;
	}
out:
	kfree(g.e);
	return err;
}

static int64_t c_dir_seek(struct file *f, int64_t off, int whence)
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

/* ---- pages for mappings ---- */

/* The frame every mapping of a hole in a file it may not write sees
 * (allocated once, never freed; set with an atomic exchange). */
static uint64_t zero_frame;

static int hole_frame(uint64_t *phys)
{
	uint64_t z = __atomic_load_n(&zero_frame, __ATOMIC_ACQUIRE), mine, none = 0;

	if (!z) {
		if (!(mine = pmm_alloc_zeroed(0)))
			return -ENOMEM;
		if (__atomic_compare_exchange_n(&zero_frame, &none, mine, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			z = mine;
		else {
			pmm_free(mine, 0);
			z = none;
		}
	}
	*phys = z;
	return 0;
}

/* The cached block's frame is the page: reads and writes through the file
 * and through every mapping see the same bytes, and the block cache
 * writes it back while it is mapped (bcache_mapped). A hole is allocated
 * when the file is open for writing (a shared mapping may write it); a
 * page at or past the end is -ENXIO (SIGBUS). Called with the address
 * space's lock held, so it takes only the file system's lock (never the
 * inode's: a writer holds that while it faults on its buffer). */
static int c_getpage(struct file *f, uint64_t off, uint64_t *phys)
{
	struct inode *ino = f->inode;
	struct cosmfs_mount *m = M(ino->sb);
	cfs_buf_t *b = NULL;
	int err;

	if (off % CFS_BLOCK_SIZE)
		return -EINVAL;
	cosmfs_lock(m);
	if (off >= CI(ino)->ci.d.size) {
		err = -ENXIO;
	} else {
		err = cfs_file_page(m->fs, &CI(ino)->ci, off, (f->fmode & FMODE_WRITE) != 0, &b);
		if (!err && b) {
			bcache_mapped(b);
			*phys = b->phys;
			cfs_brelse(b);
			__atomic_store_n(&ino->blocks, CI(ino)->ci.d.blocks * (CFS_BLOCK_SIZE / 512),
					 __ATOMIC_RELAXED);
		} else if (!err) {
			err = hole_frame(phys);
		}
	}
	cosmfs_unlock(m);
	return err;
}

/* COSMFS_IOC_FLUSHES: the count fits a return value for a long time (a
 * flush a microsecond would take 35 minutes to pass 2^31). */
static long c_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	(void)arg;
	(void)kbuf;
	if (cmd != COSMFS_IOC_FLUSHES)
		return -ENOTTY;
	return (long)(bcache_flush_count(M(f->inode->sb)->cache) & 0x7fffffff);
}

static const struct file_ops dir_fops = {
	.ioctl = c_ioctl,
	.readdir = c_readdir,
	.seek = c_dir_seek,
	.fsync = c_fsync,
};

static const struct file_ops file_fops = {
	.read = c_read,
	.write = c_write,
	.seek = c_seek,
	.ioctl = c_ioctl,
	.fsync = c_fsync,
	.getpage = c_getpage,
};

/* ---- the super block ---- */

static struct inode *c_alloc_inode(struct super_block *sb)
{
	struct cinode *c = kzalloc(sizeof(*c));

	(void)sb;
	return c ? &c->vfs : NULL;
}

static void c_destroy_inode(struct inode *ino)
{
	kfree(CI(ino));
}

static void c_evict_inode(struct inode *ino)
{
	struct cosmfs_mount *m = M(ino->sb);

	if (!m)
		return;                      /* a mount that failed before its root */
	cosmfs_lock(m);
	if (CI(ino)->ci.ino && !m->fs->rdonly) {
		/* an unlinked file goes with its last user; a linked one keeps
		 * the atime the VFS gave it */
		if (CI(ino)->ci.d.nlink == 0)
			cfs_evict(m->fs, &CI(ino)->ci);
		else
			write_attrs(m, ino);
	}
	cosmfs_unlock(m);
}

static int c_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct cosmfs_mount *m = M(sb);
	struct cfs_statfs cs;

	cosmfs_lock(m);
	cfs_statfs(m->fs, &cs);
	cosmfs_unlock(m);
	st->type = COSMFS_MAGIC;
	st->bsize = CFS_BLOCK_SIZE;
	st->blocks = cs.blocks;
	st->bfree = cs.bfree;
	st->bavail = cs.bavail;
	st->files = cs.files;
	st->ffree = cs.ffree;
	st->namelen = CFS_NAME_MAX;
	return 0;
}

static int c_remount(struct super_block *sb, unsigned long flags, const char *data)
{
	struct cosmfs_mount *m = M(sb);
	bool was_rw;
	int err;

	if (data && *data)
		return -EINVAL;
	cosmfs_lock(m);
	was_rw = !m->fs->rdonly && !m->fs->aborted;
	err = cfs_remount(m->fs, (flags & MS_RDONLY) != 0);
	cosmfs_unlock(m);
	/* what a shutdown leaves: the next mount finds it clean */
	if (!err && was_rw && (flags & MS_RDONLY))
		log_info("cosmfs: %s remounted read-only, marked clean",
			 bcache_dev_blockdev(m->cache)->name);
	return err;
}

static int c_sync_fs(struct super_block *sb, bool wait)
{
	struct cosmfs_mount *m = M(sb);
	int err;

	(void)wait;
	cosmfs_lock(m);
	err = cfs_sync(m->fs, false);
	cosmfs_unlock(m);
	return err;
}

/* Block devices a cosmfs is mounted on (two caches over one device would
 * undo each other's writes); under the namespace mutex, which serialises
 * mount and umount. */
#define MAX_MOUNTS 16
static struct blockdev *in_use[MAX_MOUNTS];

static void c_put_super(struct super_block *sb)
{
	struct cosmfs_mount *m = M(sb);
	struct blockdev *bd = bcache_dev_blockdev(m->cache);
	bool was_rw = !m->fs->rdonly && !m->fs->aborted;
	int err = cosmfs_kumount(m);

	if (err)
		log_warn("cosmfs: %s: unmount: error %d", bd->name, err);
	else if (was_rw)
		log_info("cosmfs: %s unmounted, marked clean", bd->name);
	for (int i = 0; i < MAX_MOUNTS; i++)
		if (in_use[i] == bd)
			in_use[i] = NULL;
	sb->priv = NULL;
}

static const struct super_ops sops = {
	.alloc_inode = c_alloc_inode,
	.destroy_inode = c_destroy_inode,
	.evict_inode = c_evict_inode,
	.statfs = c_statfs,
	.remount = c_remount,
	.sync_fs = c_sync_fs,
	.put_super = c_put_super,
};

static void went_rdonly(struct cosmfs_mount *m)
{
	struct super_block *sb = m->owner;

	__atomic_or_fetch(&sb->flags, SB_RDONLY, __ATOMIC_RELEASE);
}

/* The super block over a mounted cosmfs (t's), with its root inode. */
static int make_sb(const struct file_system_type *t, struct cosmfs_mount *m, struct super_block **out)
{
	struct super_block *sb = sb_alloc(t, &sops);
	struct inode *root;
	int err = 0;

	if (!sb)
		return -ENOMEM;
	sb->priv = m;
	sb->blocksize = CFS_BLOCK_SIZE;
	sb->max_bytes = CFS_MAX_FILE_SIZE;
	sb->time_gran_ns = 1;
	if (m->fs->rdonly)
		sb->flags |= SB_RDONLY;      /* asked for, or the disk's features say so */
	m->owner = sb;
	m->went_rdonly = went_rdonly;
	root = get_inode(sb, CFS_ROOT_INO, NULL, &err);
	if (root && !S_ISDIR(root->mode)) {
		iput(root);
		root = NULL;
		err = -EUCLEAN;
	}
	sb->root = root ? d_make_root(root) : NULL;
	if (!sb->root) {
		if (root)
			iput(root);
		sb->priv = NULL;
		sb_free(sb);
		return root ? -ENOMEM : err;
	}
	log_info("cosmfs: %s mounted %s ('%.*s', %llu blocks)", bcache_dev_blockdev(m->cache)->name,
		 m->fs->rdonly ? "read-only" : "read-write", (int)strnlen(m->fs->sb.label, CFS_LABEL_MAX),
		 m->fs->sb.label, (unsigned long long)m->fs->nblocks);
	*out = sb;
	return 0;
}

static int c_mount(const struct file_system_type *t, const char *source, unsigned long flags,
		   const char *data, struct super_block **out)
{
	struct blockdev *bd;
	struct cosmfs_mount *m;
	int err, slot = -1;

	if (data && *data) {
		log_warn("cosmfs: no mount options are known (\"%s\")", data);
		return -EINVAL;
	}
	if (!source)
		return -EINVAL;
	if (!strncmp(source, "/dev/", 5))
		source += 5;
	bd = blockdev_find(source);
	if (!bd)
		return -ENOENT;
	for (int i = 0; i < MAX_MOUNTS; i++) {
		if (in_use[i] == bd)
			return -EBUSY;
		if (!in_use[i] && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -EBUSY;
	err = cosmfs_kmount(bd, (flags & MS_RDONLY) ? CFS_MNT_RDONLY : 0, &m);
	if (err)
		return err;
	err = make_sb(t, m, out);
	if (err)
		cosmfs_kumount(m);
	else
		in_use[slot] = bd;
	return err;
}

int cosmfs_mount_image(const struct file_system_type *t, void *image, uint64_t bytes, unsigned long flags,
		       struct super_block **out)
{
	struct cosmfs_mount *m;
	int err = cosmfs_kmount_mem(image, bytes, (flags & MS_RDONLY) ? CFS_MNT_RDONLY : 0, &m);

	if (err)
		return err;
	err = make_sb(t, m, out);
	if (err)
		cosmfs_kumount(m);
	return err;
}

static struct file_system_type cosmfs_type = {
	.name = "cosmfs",
	.flags = FS_REQUIRES_DEV,
	.mount = c_mount,
};

void cosmfs_init(void)
{
	if (fs_register(&cosmfs_type))
		log_warn("cosmfs: a file system type of that name is registered already");
}

int cosmfs_root(struct super_block **sb)
{
	struct cmdline *cl = boot_cmdline();
	const char *dev = cmdline_get(cl, "root");
	bool ro = cmdline_has(cl, "ro") && !cmdline_has(cl, "rw");
	int err;

	if (!dev)
		return -ENOENT;
	err = c_mount(&cosmfs_type, dev, ro ? MS_RDONLY : 0, NULL, sb);
	if (err)
		log_err("cosmfs: root=%s: cannot mount it (error %d)", dev, err);
	return err;
}
