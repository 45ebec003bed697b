/* VFS ktests of the caches: a small counting file system ("ktestfs",
 * inodes read through iget) shows that repeated lookups, positive and
 * negative, never reach the file system, that the inode cache hands out
 * one inode per number, and that trimming the name cache keeps working
 * lookups. Also anonymous inodes and fs_ctx copies. */
#include "vfs_util.h"
#include <fs/anon.h>
#include <fs/dcache.h>
#include <fs/fs_ctx.h>
#include <fs/namei.h>
#include <fs/super.h>
#include <fs/lock.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <sys/uio.h>
#include <lib/string.h>

/* ktestfs: a root directory holding f0..f9; file n is inode n + 2. */
static int lookups, inode_reads;

static struct inode *kt_alloc(struct super_block *sb)
{
	(void)sb;
	return kzalloc(sizeof(struct inode));
}

static void kt_destroy(struct inode *ino) { kfree(ino); }

static const struct super_ops kt_sops = { .alloc_inode = kt_alloc, .destroy_inode = kt_destroy };

static int kt_lookup(struct inode *dir, struct dentry *d)
{
	struct inode *ino;

	lookups++;
	if (d->len == 2 && d->name[0] == 'f' && d->name[1] == '9') {
		/* f9's inode cannot be read: an I/O error */
		ino = iget(dir->sb, 11);
		if (!ino)
			return -ENOMEM;
		if (!(ino->state & I_NEW)) {
			iput(ino);
			return -EIO;
		}
		iget_failed(ino);
		return -EIO;
	}
	if (d->len != 2 || d->name[0] != 'f' || d->name[1] < '0' || d->name[1] > '9')
		return 0;
	ino = iget(dir->sb, (uint64_t)(d->name[1] - '0') + 2);
	if (!ino)
		return -ENOMEM;
	if (ino->state & I_NEW) {
		inode_reads++;
		ino->mode = S_IFREG | 0444;
		ino->nlink = 1;
		ino->size = 100 + (d->name[1] - '0');
		inode_unlock_new(ino);
	}
	d_add(d, ino);
	return 0;
}

static const struct inode_ops kt_dir_ops = { .lookup = kt_lookup };

static int kt_mount(const struct file_system_type *t, const char *source, unsigned long flags,
		    const char *data, struct super_block **out)
{
	struct super_block *sb = sb_alloc(t, &kt_sops);
	struct inode *root;

	(void)source;
	(void)flags;
	(void)data;
	if (!sb)
		return -ENOMEM;
	root = inode_new(sb);
	if (!root) {
		sb_free(sb);
		return -ENOMEM;
	}
	root->ino = 1;
	root->mode = S_IFDIR | 0555;
	root->nlink = 2;
	root->ops = &kt_dir_ops;
	sb->root = d_make_root(root);
	*out = sb;
	return 0;
}

static struct file_system_type ktestfs = { .name = "ktestfs", .mount = kt_mount };

static void note_type(const struct file_system_type *type, void *ctx)
{
	if (type == &ktestfs)
		*(bool *)ctx = true;
}

KTEST(vfs_name_and_inode_caches)
{
	struct vt v;
	struct stat st;
	struct path p1, p2;
	int n;
	struct dcache_stats ds0, ds1;
	bool listed = false;
	static bool registered;

	if (!registered) {
		KT_ASSERT(t, fs_register(&ktestfs) == 0);
		registered = true;
	}
	KT_EXPECT_ERR(t, fs_register(&ktestfs), -EBUSY);
	KT_EXPECT_EQ(t, fs_for_each(note_type, &listed), 0);
	KT_EXPECT(t, listed);
	KT_ASSERT(t, vt_setup(&v, "cache", NULL) == 0);
	KT_ASSERT(t, vfs_mount("k", v.root, "ktestfs", MS_RDONLY, NULL) == 0);
	lookups = inode_reads = 0;
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f3"), &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 103);
	KT_EXPECT_EQ(t, lookups, 1);
	KT_EXPECT_EQ(t, inode_reads, 1);
	dcache_get_stats(&ds0);
	for (int i = 0; i < 5; i++)
		KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f3"), &st), 0);
	KT_EXPECT_EQ(t, lookups, 1);                   /* positive entries are cached */
	dcache_get_stats(&ds1);
	KT_EXPECT_EQ(t, ds1.misses, ds0.misses);       /* every step of every walk hit */
	KT_EXPECT(t, ds1.hits >= ds0.hits + 5 * 3);
	for (int i = 0; i < 5; i++)
		KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "nope"), &st), -ENOENT);
	KT_EXPECT_EQ(t, lookups, 2);                   /* so are negative ones */
	/* a failed read leaves nothing cached: each try asks again */
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "f9"), &st), -EIO);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "f9"), &st), -EIO);
	KT_EXPECT_EQ(t, lookups, 4);
	/* two paths to one file: one inode */
	KT_ASSERT(t, vfs_lookup(NULL, vt_path(&v, "f5"), 0, &p1) == 0);
	KT_ASSERT(t, vfs_lookup(NULL, vt_path(&v, "./f5"), 0, &p2) == 0);
	KT_EXPECT(t, p1.dentry->inode == p2.dentry->inode);
	KT_EXPECT_EQ(t, lookups, 5);
	path_put(&p2);
	/* trimming the name cache: the unused entries go, the inode cache
	 * still answers, so the file system is asked for the name only */
	dcache_prune(1u << 20);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f3"), &st), 0);
	KT_EXPECT_EQ(t, lookups, 6);
	KT_EXPECT_EQ(t, inode_reads, 2);              /* f3 and f5 once each */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f5"), &st), 0);
	KT_EXPECT_EQ(t, lookups, 6);                  /* p1 kept f5's entry alive */
	path_put(&p1);
	/* The LRU is lazy (fs/dcache.c): an entry in use again stays on it
	 * and the trimming passes over it; let go again (with no lock, as it
	 * is on the LRU already) the next trimming frees it. An entry let go
	 * for the first time goes on the LRU then, to be trimmed too. */
	KT_ASSERT(t, vfs_lookup(NULL, vt_path(&v, "f3"), 0, &p1) == 0);
	n = lookups;
	dcache_prune(1u << 20);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f3"), &st), 0);
	KT_EXPECT_EQ(t, lookups, n);                  /* in use: not trimmed */
	path_put(&p1);
	dcache_prune(1u << 20);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f3"), &st), 0);
	KT_EXPECT_EQ(t, lookups, n + 1);              /* unused: trimmed */
	KT_ASSERT(t, vfs_lookup(NULL, vt_path(&v, "f7"), 0, &p1) == 0);
	KT_EXPECT_EQ(t, lookups, n + 2);
	path_put(&p1);
	dcache_prune(1u << 20);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f7"), &st), 0);
	KT_EXPECT_EQ(t, lookups, n + 3);
	KT_EXPECT_EQ(t, vfs_umount(v.root, 0), 0);    /* ktestfs, on top of */
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);          /* the scratch tmpfs */
}

KTEST(vfs_anon_inodes)
{
	struct inode *ino = anon_inode_new(S_IFIFO | 0600);
	struct file *f;
	struct stat st;

	KT_ASSERT(t, ino != NULL);
	f = file_alloc(NULL, ino, O_RDWR);
	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFIFO | 0600);
	KT_EXPECT_EQ(t, st.st_nlink, 1);
	KT_EXPECT(t, st.st_ino != 0);
	KT_EXPECT_ERR(t, vt_fd_read(f, &st, 1), -EINVAL);     /* no read op */
	KT_EXPECT_ERR(t, vfs_lseek(f, 0, SEEK_SET), -ESPIPE);
	KT_EXPECT_ERR(t, vfs_ioctl(f, 1, 0, NULL), -ENOTTY);
	file_put(f);
}

KTEST(vfs_fs_ctx_clone)
{
	struct fs_ctx *a = fs_ctx_new(), *b;
	struct path p, q;

	KT_ASSERT(t, a != NULL);
	KT_EXPECT_EQ(t, fs_ctx_set_umask(a, 077), 022);
	KT_ASSERT(t, vfs_mkdirat(NULL, "/ktest", 0755) == 0 || true);
	KT_ASSERT(t, vfs_lookup(NULL, "/ktest", LOOKUP_FOLLOW, &p) == 0);
	fs_ctx_set_cwd(a, &p);
	b = fs_ctx_clone(a);
	KT_ASSERT(t, b != NULL);
	KT_EXPECT_EQ(t, fs_ctx_umask(b), 077);
	fs_ctx_cwd(b, &q);
	KT_EXPECT(t, path_equal(&p, &q));
	path_put(&q);
	/* the copy is independent */
	fs_ctx_set_umask(b, 002);
	KT_EXPECT_EQ(t, fs_ctx_umask(a), 077);
	fs_ctx_put(fs_ctx_get(a));
	fs_ctx_put(a);
	fs_ctx_put(b);
	path_put(&p);
}

/* One round of everything: mount, names of every kind, data, renames,
 * open files, locks, umount. */
static int leak_round(void)
{
	struct vt v;
	struct file *f, *g;
	struct stat st;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 0 };
	static int owner;
	struct lock_owner o = { &owner, 1 };
	int err = vt_setup(&v, "leaks", "size=1m");

	if (err)
		return err;
	vfs_mkdirat(NULL, vt_path(&v, "d"), 0755);
	vt_write_file(vt_path(&v, "d/f"), "data", 4, 0644);
	vfs_linkat(NULL, vt_path(&v, "d/f"), NULL, vt_path(&v, "d/g"), 0);
	vfs_symlinkat("f", NULL, vt_path(&v, "d/l"));
	vfs_mknodat(NULL, vt_path(&v, "d/p"), S_IFIFO | 0644, 0);
	vt_stat(vt_path(&v, "d/l"), &st);
	vt_stat(vt_path(&v, "d/missing"), &st);
	vfs_renameat2(NULL, vt_path(&v, "d/g"), NULL, vt_path(&v, "d/h"), 0);
	if (vt_open(vt_path(&v, "d/f"), O_RDWR, 0, &f) == 0) {
		vt_fd_pwrite(f, "x", 1, 100000);
		vfs_lock_set(f, &o, FL_POSIX, &fl, false);
		vfs_flock(f, LOCK_EX);
		vfs_unlinkat(NULL, vt_path(&v, "d/f"), 0);
		vfs_unlinkat(NULL, vt_path(&v, "d/h"), 0);
		vfs_locks_close(f, &owner);
		file_put(f);
	}
	if (vt_open(vt_path(&v, "d"), O_RDONLY | O_DIRECTORY, 0, &g) == 0) {
		char buf[256];
		struct uio u;

		uio_init_kernel(&u, buf, sizeof(buf));
		vfs_getdents64(g, &u);
		file_put(g);
	}
	return vt_teardown(&v);
}

static size_t heap_objects(void)
{
	struct heap_stats hs;
	size_t n = 0;

	heap_get_stats(&hs);
	for (int i = 0; i < HEAP_CLASSES; i++)
		n += hs.cls[i].objects;
	return n + hs.large_objects;
}

KTEST(vfs_no_leaks)
{
	size_t objects;
	uint64_t pages;

	KT_ASSERT(t, leak_round() == 0);       /* warms the caches and the mountpoint */
	dcache_prune(1u << 20);
	objects = heap_objects();
	pages = pmm_free_pages();
	for (int i = 0; i < 3; i++)
		KT_ASSERT(t, leak_round() == 0);
	dcache_prune(1u << 20);
	heap_shrink();
	KT_EXPECT_EQ(t, heap_objects(), objects);
	KT_EXPECT(t, pmm_free_pages() + 1 >= pages);   /* a slab page may come or go */
}
