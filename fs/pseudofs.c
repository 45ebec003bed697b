/* Synthetic file systems (fs/pseudofs.h).
 *
 * Inodes: one per (entry, argument), found again through the inode cache
 * under the number (low 32 bits of the entry's address << 32 | argument),
 * which is unique because the kernel image is far smaller than 4 GiB and
 * arguments stay below 2^32; an inode leaves memory with its last
 * reference (SB_NOCACHE). Names from a family are dropped from the
 * name cache as soon as they are looked up, so each walk asks the family
 * again and a process that has gone stops being found at once; the names
 * looked up below a dropped one leave with their last reference too
 * (fs/dcache.c), so nothing of an ended process's directory stays.
 *
 * An open generated file owns a snapshot of its text (f->priv), made by
 * a read from position 0 (or the first read); nothing in it is shared. */
#include <fs/pseudofs.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <kernel/mm/heap.h>
#include <kernel/sync/mutex.h>
#include <lib/string.h>
#include <sys/uio.h>

#define TEXT_FIRST 4096u
#define TEXT_MAX   (1024u * 1024)

struct pseudo_inode {
	struct inode vfs;
	const struct pseudo_entry *e;
	uint64_t arg;
};

static struct pseudo_inode *PI(struct inode *ino)
{
	return (struct pseudo_inode *)ino;
}

static const struct inode_ops pseudo_dir_iops, pseudo_link_iops, pseudo_rw_iops;
static const struct file_ops pseudo_dir_fops, pseudo_text_fops, pseudo_raw_fops;

static uint64_t ino_number(const struct pseudo_entry *e, uint64_t arg)
{
	return (uint64_t)(uint32_t)(uintptr_t)e << 32 | (arg & 0xffffffffu);
}

/* The inode for (e, arg) with a reference; NULL if out of memory or the
 * thing it stands for is gone (*err says which). */
static struct inode *pseudo_iget(struct super_block *sb, const struct pseudo_entry *e,
				 uint64_t arg, int *err)
{
	uint32_t uid = 0, gid = 0;
	struct inode *ino;

	if (e->owner && !e->owner(arg, &uid, &gid)) {
		*err = -ENOENT;
		return NULL;
	}
	ino = iget(sb, ino_number(e, arg));
	if (!ino) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!(ino->state & I_NEW)) {
		/* owners change (setuid): keep the cached inode current */
		if ((*err = mutex_lock(&ino->lock))) {
			iput(ino);
			return NULL;
		}
		ino->uid = uid;
		ino->gid = gid;
		mutex_unlock(&ino->lock);
		return ino;
	}
	PI(ino)->e = e;
	PI(ino)->arg = arg;
	ino->mode = e->mode;
	ino->uid = uid;
	ino->gid = gid;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		ino->nlink = 2;
		ino->ops = &pseudo_dir_iops;
		ino->fops = &pseudo_dir_fops;
		break;
	case S_IFLNK:
		ino->ops = &pseudo_link_iops;
		break;
	default:
		ino->fops = e->read ? &pseudo_raw_fops : &pseudo_text_fops;
		if (e->write)
			ino->ops = &pseudo_rw_iops;
		ino->size = e->size ? e->size(arg) : 0;
		break;
	}
	inode_unlock_new(ino);
	return ino;
}

static int pseudo_lookup(struct inode *dir, struct dentry *d)
{
	const struct pseudo_entry *pe = PI(dir)->e;
	uint64_t arg = PI(dir)->arg;
	struct inode *ino;
	int err = 0;

	for (const struct pseudo_entry *c = pe->children; c && c->name; c++) {
		if (strlen(c->name) == d->len && memcmp(c->name, d->name, d->len) == 0) {
			ino = pseudo_iget(dir->sb, c, arg, &err);
			if (!ino)
				return err;
			d_add(d, ino);
			return 0;
		}
	}
	if (pe->family && pe->family->find(arg, d->name, &arg)) {
		ino = pseudo_iget(dir->sb, pe->family->entry, arg, &err);
		if (!ino)
			return err;
		d_add(d, ino);
		d_drop(d);          /* ask the family again next time */
		return 0;
	}
	/* not found: an error (rather than a negative entry) keeps the
	 * name uncached, so a process that appears later is found */
	return -ENOENT;
}

static unsigned dtype_of(uint32_t mode)
{
	return (mode >> 12) & 15;
}

/* Positions: 0 and 1 the dots, 2.. the table, FAMILY_POS + cursor the
 * family's children. */
#define FAMILY_POS (1ull << 40)

static int pseudo_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct pseudo_inode *pi = PI(f->inode);
	const struct pseudo_entry *pe = pi->e;
	char name[NAME_MAX + 1];
	unsigned i = 0;

	if (pe->owner && !pe->owner(pi->arg, &(uint32_t){ 0 }, &(uint32_t){ 0 }))
		return -ENOENT;
	if (!dir_emit_dots(f, ctx))
		return 0;
	for (const struct pseudo_entry *c = pe->children; c && c->name; c++, i++) {
		if (ctx->pos > 2 + i)
			continue;
		if (!dir_emit(ctx, c->name, strlen(c->name), ino_number(c, pi->arg),
			      dtype_of(c->mode), 3 + i))
			return 0;
	}
	if (pe->family) {
		uint64_t cursor = ctx->pos >= FAMILY_POS ? ctx->pos - FAMILY_POS : 0, arg;

		while (pe->family->next(pi->arg, &cursor, name, &arg)) {
			if (!dir_emit(ctx, name, strlen(name), ino_number(pe->family->entry, arg),
				      dtype_of(pe->family->entry->mode), FAMILY_POS + cursor))
				return 0;
		}
		ctx->pos = FAMILY_POS + UINT32_MAX + 1ull;   /* the end */
	}
	return 0;
}

static bool still_there(struct inode *ino)
{
	const struct pseudo_entry *e = PI(ino)->e;

	return !e->owner || e->owner(PI(ino)->arg, &(uint32_t){ 0 }, &(uint32_t){ 0 });
}

static long pseudo_readlink(struct inode *ino, char *buf, size_t len)
{
	struct seqbuf s;
	int err;

	if (!still_there(ino))
		return -ENOENT;
	seqbuf_init(&s, buf, len);
	err = PI(ino)->e->link(&s, PI(ino)->arg);
	if (err)
		return err;
	return s.overflow ? -ENAMETOOLONG : (long)s.len;
}

/* The text an open generated file reads from: made by the first read and
 * made again by each read at position 0 (as Linux's seq_file does), so a
 * program that keeps the file open and reads it from the start again
 * (top, with pread) sees the state of that moment; a process gone by then
 * reads ESRCH. lock (a mutex) protects text: pread does not take the
 * file's pos_lock. */
struct pseudo_text {
	size_t len;
	char data[];
};
struct pseudo_open {
	struct mutex lock;
	struct pseudo_text *text;     /* NULL until the first read */
};

static int text_make(struct inode *ino, struct pseudo_text **out)
{
	const struct pseudo_entry *e = PI(ino)->e;
	struct pseudo_text *t;
	struct seqbuf s;
	int err;

	for (size_t size = TEXT_FIRST;; size *= 4) {
		t = kmalloc(sizeof(*t) + size);
		if (!t)
			return -ENOMEM;
		seqbuf_init(&s, t->data, size);
		err = e->show(&s, PI(ino)->arg);
		if (err) {
			kfree(t);
			return err;
		}
		if (!s.overflow)
			break;
		kfree(t);
		if (size >= TEXT_MAX)
			return -EFBIG;
	}
	t->len = s.len;
	*out = t;
	return 0;
}

static int pseudo_text_open(struct inode *ino, struct file *f)
{
	struct pseudo_open *o;

	if ((f->fmode & FMODE_WRITE) && !PI(ino)->e->write)
		return -EACCES;
	if (!still_there(ino))
		return -ENOENT;
	o = kzalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	mutex_init(&o->lock, "pseudo_text");
	f->priv = o;
	return 0;
}

/* The text to read at pos, made now when there is none or pos is 0;
 * o->lock held. */
static int text_at(struct file *f, struct pseudo_open *o, uint64_t pos)
{
	struct pseudo_text *t;
	int err;

	if (o->text && pos != 0)
		return 0;
	err = text_make(f->inode, &t);
	if (err)
		return err;
	kfree(o->text);
	o->text = t;
	return 0;
}

static long pseudo_text_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pseudo_open *o = f->priv;
	struct pseudo_text *t;
	long n = mutex_lock(&o->lock);

	if (n)
		return n;
	n = text_at(f, o, *pos);
	if (n)
		goto out;
	t = o->text;
	if (*pos < t->len)
		n = uio_copy_out(u, t->data + *pos, t->len - *pos < u->resid ? t->len - *pos : u->resid);
	if (n > 0)
		*pos += (uint64_t)n;
out:
	mutex_unlock(&o->lock);
	return n;
}

/* A write is a whole new value (at offset 0, as Linux's sysctl files take
 * a string). */
static long pseudo_text_write(struct file *f, struct uio *u, uint64_t *pos)
{
	const struct pseudo_inode *pi = PI(f->inode);
	size_t len = u->resid;
	char *buf;
	long n;

	if (*pos != 0 || len > PSEUDO_WRITE_MAX)
		return -EINVAL;
	buf = kmalloc(len + 1);
	if (!buf)
		return -ENOMEM;
	n = uio_copy_in(u, buf, len);
	if (n == (long)len) {
		buf[len] = 0;
		n = pi->e->write(pi->arg, buf, len);
	} else if (n >= 0) {
		n = -EFAULT;
	}
	if (n > 0)
		*pos += (uint64_t)n;
	kfree(buf);
	return n;
}

static int64_t pseudo_text_seek(struct file *f, int64_t off, int whence)
{
	struct pseudo_open *o = f->priv;
	int64_t base;
	int err;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END:
		if ((err = mutex_lock(&o->lock)))
			return err;
		err = text_at(f, o, f->pos);
		base = err ? 0 : (int64_t)o->text->len;
		mutex_unlock(&o->lock);
		if (err)
			return err;
		break;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static void pseudo_text_release(struct file *f)
{
	struct pseudo_open *o = f->priv;

	kfree(o->text);
	kfree(o);
}

static int pseudo_raw_open(struct inode *ino, struct file *f)
{
	if (f->fmode & FMODE_WRITE)
		return -EACCES;
	return still_there(ino) ? 0 : -ENOENT;
}

static long pseudo_raw_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pseudo_inode *pi = PI(f->inode);
	uint8_t chunk[256];
	long done = 0;

	while (u->resid) {
		size_t want = u->resid < sizeof(chunk) ? u->resid : sizeof(chunk);
		long n = pi->e->read(pi->arg, *pos, chunk, want), c;

		if (n <= 0)
			return done ? done : n;
		c = uio_copy_out(u, chunk, (size_t)n);
		if (c <= 0)
			return done ? done : c;
		*pos += (uint64_t)c;
		done += c;
		if (c < n || (size_t)n < want)
			break;
	}
	return done;
}

static const struct inode_ops pseudo_dir_iops = { .lookup = pseudo_lookup };
static const struct inode_ops pseudo_link_iops = { .readlink = pseudo_readlink };

/* A writable file's size is always 0 (O_TRUNC is allowed and changes
 * nothing, as on Linux); its owner and mode are the kernel's. */
static int pseudo_setattr(struct inode *ino, const struct iattr *a)
{
	(void)ino;
	return a->valid & (ATTR_MODE | ATTR_UID | ATTR_GID) ? -EPERM : 0;
}

static const struct inode_ops pseudo_rw_iops = { .setattr = pseudo_setattr };
static const struct file_ops pseudo_dir_fops = { .readdir = pseudo_readdir };
static const struct file_ops pseudo_text_fops = {
	.open = pseudo_text_open,
	.read = pseudo_text_read,
	.write = pseudo_text_write,
	.seek = pseudo_text_seek,
	.release = pseudo_text_release,
};
static const struct file_ops pseudo_raw_fops = {
	.open = pseudo_raw_open,
	.read = pseudo_raw_read,
	.seek = generic_file_seek,
};

static struct inode *pseudo_alloc_inode(struct super_block *sb)
{
	(void)sb;
	return kzalloc(sizeof(struct pseudo_inode));
}

static void pseudo_destroy_inode(struct inode *ino)
{
	kfree(PI(ino));
}

static int pseudo_statfs(struct super_block *sb, struct kstatfs *st)
{
	const struct pseudo_fs *fs = sb->priv;

	memset(st, 0, sizeof(*st));
	st->type = fs->magic;
	st->bsize = 4096;
	st->namelen = NAME_MAX;
	return 0;
}

static const struct super_ops pseudo_super_ops = {
	.alloc_inode = pseudo_alloc_inode,
	.destroy_inode = pseudo_destroy_inode,
	.statfs = pseudo_statfs,
};

static int pseudo_mount(const struct file_system_type *t, const char *source, unsigned long flags,
			const char *data, struct super_block **out)
{
	struct pseudo_fs *fs = (struct pseudo_fs *)((char *)t - offsetof(struct pseudo_fs, type));
	struct super_block *sb;
	struct inode *root;
	int err = 0;

	(void)source;
	(void)flags;
	(void)data;
	sb = sb_alloc(t, &pseudo_super_ops);
	if (!sb)
		return -ENOMEM;
	sb->priv = fs;
	/* inodes are made again from the tables at no cost: none is kept
	 * without a user (a /proc/<pid> one would outlive its process) */
	sb->flags |= SB_NOCACHE;
	root = pseudo_iget(sb, fs->root, 0, &err);
	sb->root = root ? d_make_root(root) : NULL;
	if (!sb->root) {
		if (root)
			iput(root);
		sb_free(sb);
		return err ? err : -ENOMEM;
	}
	*out = sb;
	return 0;
}

int pseudofs_register(struct pseudo_fs *fs)
{
	fs->type.mount = pseudo_mount;
	return fs_register(&fs->type);
}
