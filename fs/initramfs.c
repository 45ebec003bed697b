/* Unpacking the initramfs through the VFS (see initramfs.h). Entries go
 * in archive order; hard links are entries of one archive that share
 * (device, inode number); directory times are set last, since filling a
 * directory changes them. A later archive may replace what an earlier
 * one made, as Linux allows. */
#include <fs/initramfs.h>
#include <cosmos/errno.h>
#include <fs/cpio.h>
#include <fs/namei.h>
#include <fs/vfs.h>
#include <kernel/log.h>
#include <fs/tmpfs.h>
#include <kernel/boot.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/uio.h>

#define LINK_BUCKETS 64

/* The first name of a multiply linked file in the current archive. */
struct link_name {
	struct link_name *next;
	uint32_t dev_major, dev_minor, ino;
	char name[];
};

struct dir_time {
	struct dir_time *next;
	uint32_t mtime;
	char name[];
};

/* One unpack's state; the calling thread owns it. */
struct unpack {
	const struct path *root;
	struct initramfs_stats st;
	struct link_name *links[LINK_BUCKETS];
	unsigned links_archive;
	struct dir_time *dirs;
	bool take;                   /* file data pages may be taken (see take_pages) */
};

static void *cpio_kmalloc(size_t n) { return kmalloc(n); }
static void cpio_kfree(void *p) { kfree(p); }
static const struct cpio_alloc kernel_alloc = { cpio_kmalloc, cpio_kfree };

static void links_clear(struct unpack *u)
{
	for (unsigned i = 0; i < LINK_BUCKETS; i++) {
		while (u->links[i]) {
			struct link_name *l = u->links[i];

			u->links[i] = l->next;
			kfree(l);
		}
	}
}

static struct link_name **link_slot(struct unpack *u, const struct cpio_entry *e)
{
	unsigned b = (e->ino ^ e->dev_minor * 31u ^ e->dev_major * 131u) % LINK_BUCKETS;
	struct link_name **pp = &u->links[b];

	while (*pp && ((*pp)->ino != e->ino || (*pp)->dev_major != e->dev_major ||
		       (*pp)->dev_minor != e->dev_minor))
		pp = &(*pp)->next;
	return pp;
}

static void link_remember(struct unpack *u, const struct cpio_entry *e)
{
	struct link_name **pp = link_slot(u, e);
	struct link_name *l;

	if (*pp)
		return;
	l = kmalloc(sizeof(*l) + e->name_len + 1);
	if (!l)
		return;       /* the next name of this file becomes a copy, not a link */
	l->next = NULL;
	l->dev_major = e->dev_major;
	l->dev_minor = e->dev_minor;
	l->ino = e->ino;
	memcpy(l->name, e->name, e->name_len + 1);
	*pp = l;
}

/* Makes room for an entry of type mode: an existing non-directory goes,
 * and so does an existing (empty) directory in the way of a non-directory.
 * The make_* functions call it only when creating found the name taken
 * (-EEXIST), and then create again: into an empty tree (the boot's) that
 * saves a path walk per entry. */
static void clear_name(struct unpack *u, const char *name, uint32_t mode)
{
	struct stat st;

	if (vfs_fstatat(u->root, name, AT_SYMLINK_NOFOLLOW, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		if (!S_ISDIR(mode))
			vfs_unlinkat(u->root, name, AT_REMOVEDIR);
	} else {
		vfs_unlinkat(u->root, name, 0);
	}
}

/* Writes data[off, off + len) of the entry at off in the file. */
static int write_range(struct file *f, const struct cpio_entry *e, size_t off, size_t len)
{
	struct uio io;
	long n;

	if (!len)
		return 0;
	uio_init_kernel(&io, (void *)(e->data + off), len);
	n = vfs_pwrite(f, &io, (int64_t)off);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -ENOSPC;
}

/* The whole pages of a page-aligned body become the file's pages where
 * the loader put them (the archive is released after the unpack; the
 * tmpfs takes the frames over); a page the file will not take is copied
 * before its frame goes back. The partial last page is copied: the next
 * header shares its frame. Returns how many bytes are done, from 0. */
static size_t take_pages(struct unpack *u, struct file *f, const struct cpio_entry *e, int *err)
{
	size_t pages = e->size / PMM_PAGE;
	uint64_t phys = VIRT_TO_PHYS(e->data);

	*err = 0;
	if (!u->take || (uintptr_t)e->data % PMM_PAGE || !pages ||
	    pmm_take_initrd(phys, pages) != 0)
		return 0;
	for (size_t i = 0; i < pages; i++) {
		if (*err == 0 && tmpfs_adopt_page(f->inode, i, phys + i * PMM_PAGE) == 0) {
			u->st.pages_taken++;
			continue;
		}
		if (*err == 0)
			*err = write_range(f, e, i * PMM_PAGE, PMM_PAGE);
		pmm_unref(phys + i * PMM_PAGE);
	}
	return pages * PMM_PAGE;
}

static int write_body(struct unpack *u, const char *name, uint32_t flags, const struct cpio_entry *e)
{
	struct file *f;
	size_t done;
	int err = vfs_openat(u->root, name, O_WRONLY | flags, e->mode & 07777, &f);

	if (err)
		return err;
	done = take_pages(u, f, e, &err);
	if (!err)
		err = write_range(f, e, done, e->size - done);
	file_put(f);
	if (err)
		return err;
	u->st.bytes += e->size;
	return 0;
}

static int make_file(struct unpack *u, const struct cpio_entry *e)
{
	struct link_name **first = e->nlink > 1 ? link_slot(u, e) : NULL;
	int err;

	if (first && *first) {
		/* another name of a file this archive already made */
		err = vfs_linkat(u->root, (*first)->name, u->root, e->name, 0);
		if (err == -EEXIST) {
			clear_name(u, e->name, e->mode);
			err = vfs_linkat(u->root, (*first)->name, u->root, e->name, 0);
		}
		if (err)
			return err;
		u->st.links++;
		return e->size ? write_body(u, e->name, 0, e) : 0;
	}
	/* O_EXCL: an existing file is replaced, not truncated (its other
	 * names keep it) */
	err = write_body(u, e->name, O_CREAT | O_EXCL, e);
	if (err == -EEXIST) {
		clear_name(u, e->name, e->mode);
		err = write_body(u, e->name, O_CREAT | O_EXCL, e);
	}
	if (err)
		return err;
	if (first)
		link_remember(u, e);
	u->st.files++;
	return 0;
}

static int make_dir(struct unpack *u, const struct cpio_entry *e)
{
	struct dir_time *d;
	int err = 0;

	if (strcmp(e->name, ".") != 0) {
		err = vfs_mkdirat(u->root, e->name, e->mode & 07777);
		if (err == -EEXIST) {
			clear_name(u, e->name, e->mode);   /* a non-directory goes */
			err = vfs_mkdirat(u->root, e->name, e->mode & 07777);
		}
		if (err == -EEXIST)
			err = 0;           /* already there: its attributes change */
		if (err)
			return err;
		u->st.dirs++;
	}
	d = kmalloc(sizeof(*d) + e->name_len + 1);
	if (d) {
		d->mtime = e->mtime;
		memcpy(d->name, e->name, e->name_len + 1);
		d->next = u->dirs;
		u->dirs = d;
	}
	return 0;
}

static int make_symlink(struct unpack *u, const struct cpio_entry *e)
{
	char *target = kmalloc(e->size + 1);
	int err;

	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = 0;
	err = vfs_symlinkat(target, u->root, e->name);
	if (err == -EEXIST) {
		clear_name(u, e->name, e->mode);
		err = vfs_symlinkat(target, u->root, e->name);
	}
	kfree(target);
	if (!err)
		u->st.symlinks++;
	return err;
}

static int make_node(struct unpack *u, const struct cpio_entry *e)
{
	uint32_t dev = 0;
	int err;

	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		if (e->rdev_major > 0xfff || e->rdev_minor > 0xfffff)
			return -EINVAL;
		dev = DEV_MAKE(e->rdev_major, e->rdev_minor);
	}
	err = vfs_mknodat(u->root, e->name, e->mode, dev);
	if (err == -EEXIST) {
		clear_name(u, e->name, e->mode);
		err = vfs_mknodat(u->root, e->name, e->mode, dev);
	}
	if (!err)
		u->st.nodes++;
	return err;
}

static int unpack_entry(struct unpack *u, const struct cpio_entry *e)
{
	struct vfs_time times[2] = { { e->mtime, 0 }, { e->mtime, 0 } };
	struct path p;
	int err;

	if (e->archive != u->links_archive) {
		links_clear(u);          /* inode numbers mean something within one archive */
		u->links_archive = e->archive;
	}
	switch (e->mode & S_IFMT) {
	case S_IFREG: err = make_file(u, e); break;
	case S_IFDIR: err = make_dir(u, e); break;
	case S_IFLNK: err = make_symlink(u, e); break;
	default: err = make_node(u, e); break;
	}
	if (err)
		return err;
	/* one walk to the entry made, then its attributes through that path
	 * (the same calls and checks as by name) */
	err = vfs_lookup(u->root, e->name, 0, &p);
	if (err)
		return err;
	err = vfs_fchownat(&p, "", e->uid, e->gid, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	if (!err && !S_ISLNK(e->mode))
		err = vfs_fchmodat(&p, "", e->mode & 07777, AT_EMPTY_PATH);
	if (!err && !S_ISDIR(e->mode))
		err = vfs_utimensat(&p, "", times, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	path_put(&p);
	return err;
}

static int unpack(const struct path *root, const void *buf, size_t len,
		  struct initramfs_stats *stats, bool take)
{
	struct cpio_reader *r = kmalloc(sizeof(*r));
	struct unpack *u = kzalloc(sizeof(*u));
	struct cpio_entry e;
	struct cpio_error ce;
	uint64_t t0 = time_ns();
	int c;

	if (!r || !u) {
		kfree(r);
		kfree(u);
		return -ENOMEM;
	}
	u->root = root;
	u->take = take;
	cpio_reader_init(r, buf, len, &kernel_alloc);
	while ((c = cpio_next(r, &e, &ce)) != CPIO_END) {
		if (c == CPIO_ENTRY) {
			int err = unpack_entry(u, &e);

			if (err) {
				log_warn("initramfs: cannot create '%s' (entry at offset %#zx): error %d",
					 e.name, e.offset, err);
				u->st.skipped++;
			}
		} else if (c == CPIO_SKIP) {
			log_warn("initramfs: skipped '%s' (entry at offset %#zx): %s", ce.name, ce.offset,
				 ce.why);
			u->st.skipped++;
		} else if (c == CPIO_NOMEM) {
			log_err("initramfs: out of memory at offset %#zx; keeping what came before",
				ce.offset);
			u->st.broken = true;
			break;
		} else {
			log_err("initramfs: broken archive at offset %#zx%s%s%s: %s; keeping what came before",
				ce.offset, ce.name[0] ? " (entry '" : "", ce.name, ce.name[0] ? "')" : "",
				ce.why);
			u->st.broken = true;
			break;
		}
	}
	u->st.archives = r->archive + (r->in_archive ? 1 : 0);
	/* directory times last: creating their entries changed them */
	while (u->dirs) {
		struct dir_time *d = u->dirs;
		struct vfs_time times[2] = { { d->mtime, 0 }, { d->mtime, 0 } };

		u->dirs = d->next;
		vfs_utimensat(root, d->name, times, 0);
		kfree(d);
	}
	links_clear(u);
	cpio_reader_destroy(r);
	u->st.ns = time_ns() - t0;
	log_info("initramfs: %u archive%s, %u files, %u directories, %u symlinks, %u hard links, "
		 "%u nodes, %zu bytes in %llu us%s",
		 u->st.archives, u->st.archives == 1 ? "" : "s", u->st.files, u->st.dirs,
		 u->st.symlinks, u->st.links, u->st.nodes, u->st.bytes,
		 (unsigned long long)(u->st.ns / 1000), u->st.skipped ? " (some skipped)" : "");
	if (u->st.pages_taken)
		log_info("initramfs: %zu KiB of file data kept in place", u->st.pages_taken * 4);
	if (stats)
		*stats = u->st;
	kfree(r);
	kfree(u);
	return 0;
}

int initramfs_unpack(const struct path *root, const void *buf, size_t len,
		     struct initramfs_stats *stats)
{
	return unpack(root, buf, len, stats, false);
}

int initramfs_unpack_boot(const struct path *root, const void *buf, size_t len,
			  struct initramfs_stats *stats)
{
	return unpack(root, buf, len, stats, true);
}
