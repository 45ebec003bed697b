/* VFS ktests of names: mkdir/rmdir/unlink/link/symlink/readlink/rename
 * with their errors and link counts, path resolution (".", "..", mount
 * crossings, trailing slashes, symlink limits), mknod and special-file
 * openers, the working directory and chroot. */
#include "vfs_util.h"
#include <fs/fs_ctx.h>
#include <fs/special.h>
#include <kernel/sched/thread.h>
#include <kernel/mm/heap.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

static long readlink_str(const char *path, char *buf, size_t size)
{
	struct uio u;
	long n;

	uio_init_kernel(&u, buf, size - 1);
	n = vfs_readlinkat(NULL, path, &u);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static uint64_t nlink_of(const char *path)
{
	struct stat st;

	return vt_lstat(path, &st) == 0 ? st.st_nlink : 0;
}

KTEST(vfs_mkdir_rmdir_unlink)
{
	struct vt v;

	KT_ASSERT(t, vt_setup(&v, "names", NULL) == 0);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, vt_path(&v, "a"), 0755), 0);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, vt_path(&v, "a/b/"), 0755), 0);   /* trailing slash is fine */
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "a"), 0755), -EEXIST);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "x/y"), 0755), -ENOENT);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "."), 0755), -EEXIST);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, "/", 0755), -EEXIST);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "x", 1, 0644) == 0);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "f/sub"), 0755), -ENOTDIR);
	/* link counts: a directory has 2 plus one per subdirectory */
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "a")), 3);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "a/b")), 2);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, vt_path(&v, "a/c"), 0755), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "a")), 4);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "a"), AT_REMOVEDIR), -ENOTEMPTY);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "a"), 0), -EISDIR);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "f"), AT_REMOVEDIR), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "f/"), 0), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "a/."), AT_REMOVEDIR), -EINVAL);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "a/.."), AT_REMOVEDIR), -ENOTEMPTY);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "nope"), 0), -ENOENT);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0x1), -EINVAL);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "a/b/"), AT_REMOVEDIR), 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "a/c"), AT_REMOVEDIR), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "a")), 2);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "a"), AT_REMOVEDIR), 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), 0);
	KT_EXPECT_ERR(t, vt_read_file(vt_path(&v, "f"), NULL, 0), -ENOENT);
	KT_EXPECT_EQ(t, nlink_of(v.root), 2);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_hard_links)
{
	struct vt v, w;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "links", NULL) == 0);
	KT_ASSERT(t, vt_setup(&w, "links2", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "same", 4, 0644) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	KT_EXPECT_EQ(t, vfs_linkat(NULL, vt_path(&v, "f"), NULL, vt_path(&v, "d/g"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "f")), 2);
	KT_EXPECT_EQ(t, vt_write_file(vt_path(&v, "d/g"), "SAME", 4, 0644), 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "f"), buf, 8), 4);
	KT_EXPECT(t, memcmp(buf, "SAME", 4) == 0);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "f"), NULL, vt_path(&v, "d/g"), 0), -EEXIST);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "d"), NULL, vt_path(&v, "d2"), 0), -EPERM);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "nope"), NULL, vt_path(&v, "n"), 0), -ENOENT);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "f"), NULL, vt_path(&w, "f"), 0), -EXDEV);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "f"), NULL, vt_path(&v, "h"), 0x1), -EINVAL);
	/* a link to a symlink links the symlink unless AT_SYMLINK_FOLLOW */
	KT_ASSERT(t, vfs_symlinkat("f", NULL, vt_path(&v, "sl")) == 0);
	KT_EXPECT_EQ(t, vfs_linkat(NULL, vt_path(&v, "sl"), NULL, vt_path(&v, "sl2"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "sl")), 2);
	KT_EXPECT_EQ(t, vfs_linkat(NULL, vt_path(&v, "sl"), NULL, vt_path(&v, "f3"), AT_SYMLINK_FOLLOW), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "f")), 3);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "d/g")), 2);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "f3"), buf, 8), 4);
	KT_EXPECT_EQ(t, vt_teardown(&w), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_symlinks)
{
	struct vt v;
	char buf[PATH_MAX / 8], name[16], target[16];
	struct stat st;
	struct file *f;

	KT_ASSERT(t, vt_setup(&v, "symlinks", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "d/f"), "target", 6, 0644) == 0);
	KT_EXPECT_EQ(t, vfs_symlinkat("d/f", NULL, vt_path(&v, "rel")), 0);
	KT_EXPECT_EQ(t, vfs_symlinkat(vt_path(&v, "d"), NULL, vt_path(&v, "abs")), 0);
	KT_EXPECT_EQ(t, vfs_symlinkat("../d/f", NULL, vt_path(&v, "d/up")), 0);
	KT_EXPECT_EQ(t, readlink_str(vt_path(&v, "rel"), buf, sizeof(buf)), 3);
	KT_EXPECT(t, strcmp(buf, "d/f") == 0);
	KT_EXPECT_ERR(t, readlink_str(vt_path(&v, "d/f"), buf, sizeof(buf)), -EINVAL);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "rel"), buf, 16), 6);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "abs/f"), buf, 16), 6);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "abs/up"), buf, 16), 6);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "abs/"), &st), 0);       /* trailing slash follows */
	KT_EXPECT(t, S_ISDIR(st.st_mode));
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "abs"), &st), 0);
	KT_EXPECT(t, S_ISLNK(st.st_mode));
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "rel/"), &st), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_symlinkat("", NULL, vt_path(&v, "empty")), -ENOENT);
	KT_EXPECT_ERR(t, vfs_symlinkat("x", NULL, vt_path(&v, "rel")), -EEXIST);
	/* a dangling link: O_CREAT makes its target */
	KT_ASSERT(t, vfs_symlinkat("d/made", NULL, vt_path(&v, "dangling")) == 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "dangling"), &st), -ENOENT);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "dangling"), O_RDWR | O_CREAT | O_EXCL, 0644, &f), -EEXIST);
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "dangling"), O_RDWR | O_CREAT, 0644, &f), 0);
	file_put(f);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d/made"), &st), 0);
	/* loops and the 40-link limit */
	KT_ASSERT(t, vfs_symlinkat("loop2", NULL, vt_path(&v, "loop1")) == 0);
	KT_ASSERT(t, vfs_symlinkat("loop1", NULL, vt_path(&v, "loop2")) == 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "loop1"), &st), -ELOOP);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "loop1/x"), &st), -ELOOP);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "loop1"), O_RDWR | O_CREAT, 0644, &f), -ELOOP);
	/* c0 -> c1 -> ... -> c40 -> d/f: 41 links; from c1 it is 40 */
	for (int i = 0; i <= 40; i++) {
		fmt_snprintf(name, sizeof(name), "c%d", i);
		if (i == 40)
			fmt_snprintf(target, sizeof(target), "d/f");
		else
			fmt_snprintf(target, sizeof(target), "c%d", i + 1);
		KT_ASSERT(t, vfs_symlinkat(target, NULL, vt_path(&v, name)) == 0);
	}
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "c1"), &st), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "c0"), &st), -ELOOP);
	/* nested in the middle of a path too: each link in a chain counts */
	KT_ASSERT(t, vfs_symlinkat("c1", NULL, vt_path(&v, "cdir")) == 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "cdir/x"), &st), -ELOOP);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_rename)
{
	struct vt v, w;
	struct stat st, st2;
	char buf[8];
	struct file *f;

	KT_ASSERT(t, vt_setup(&v, "rename", NULL) == 0);
	KT_ASSERT(t, vt_setup(&w, "rename2", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "a"), "AAA", 3, 0644) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "b"), "BBB", 3, 0644) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d1"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d2"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d1/sub"), 0755) == 0);
	/* replacing a target: it loses its name, an open copy keeps its data */
	KT_ASSERT(t, vt_open(vt_path(&v, "b"), O_RDONLY, 0, &f) == 0);
	KT_ASSERT(t, vt_stat(vt_path(&v, "a"), &st) == 0);
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "a"), NULL, vt_path(&v, "b"), 0), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "a"), &st2), -ENOENT);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "b"), &st2), 0);
	KT_EXPECT_EQ(t, st2.st_ino, st.st_ino);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 8), 3);
	KT_EXPECT(t, memcmp(buf, "BBB", 3) == 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st2), 0);
	KT_EXPECT_EQ(t, st2.st_nlink, 0);
	file_put(f);
	/* NOREPLACE and EXCHANGE */
	KT_ASSERT(t, vt_write_file(vt_path(&v, "c"), "CCC", 3, 0644) == 0);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "c"), NULL, vt_path(&v, "b"), RENAME_NOREPLACE), -EEXIST);
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "c"), NULL, vt_path(&v, "b"), RENAME_EXCHANGE), 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "b"), buf, 8), 3);
	KT_EXPECT(t, memcmp(buf, "CCC", 3) == 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "c"), buf, 8), 3);
	KT_EXPECT(t, memcmp(buf, "AAA", 3) == 0);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "c"), NULL, vt_path(&v, "zz"), RENAME_EXCHANGE), -ENOENT);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "c"), NULL, vt_path(&v, "b"),
				       RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "c"), NULL, vt_path(&v, "b"), 0x80), -EINVAL);
	/* a directory moving between parents: link counts and ".." follow */
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "d1/sub"), NULL, vt_path(&v, "d2/sub"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "d1")), 2);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "d2")), 3);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d2/sub/.."), &st), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d2"), &st2), 0);
	KT_EXPECT_EQ(t, st.st_ino, st2.st_ino);
	/* a directory may not move under itself */
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "d2"), NULL, vt_path(&v, "d2/sub/d2"), 0), -EINVAL);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "d2"), NULL, vt_path(&v, "d2/x"), 0), -EINVAL);
	/* nor replace a directory it is inside */
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "d2/sub"), NULL, vt_path(&v, "d2"), 0), -ENOTEMPTY);
	/* types must match; a non-empty directory is not replaced */
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "b"), NULL, vt_path(&v, "d1"), 0), -EISDIR);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "d1"), NULL, vt_path(&v, "b"), 0), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "d1"), NULL, vt_path(&v, "d2"), 0), -ENOTEMPTY);
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "d2/sub"), NULL, vt_path(&v, "d1"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "d2")), 2);
	KT_EXPECT_EQ(t, nlink_of(v.root), 4);                 /* root, d1, d2 */
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "b/"), NULL, vt_path(&v, "e"), 0), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "nope"), NULL, vt_path(&v, "e"), 0), -ENOENT);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "b"), NULL, vt_path(&w, "b"), 0), -EXDEV);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "."), NULL, vt_path(&v, "e"), 0), -EBUSY);
	/* two names of one file: nothing happens */
	KT_ASSERT(t, vfs_linkat(NULL, vt_path(&v, "b"), NULL, vt_path(&v, "b2"), 0) == 0);
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "b"), NULL, vt_path(&v, "b2"), 0), 0);
	KT_EXPECT_EQ(t, nlink_of(vt_path(&v, "b")), 2);
	/* the name cache follows: old name gone, new name there */
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, vt_path(&v, "b2"), NULL, vt_path(&v, "b3"), 0), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "b2"), &st), -ENOENT);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "b3"), &st), 0);
	KT_EXPECT_EQ(t, vt_teardown(&w), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_path_resolution)
{
	struct vt v, m;
	struct stat a, b;
	char big[300];

	KT_ASSERT(t, vt_setup(&v, "paths", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "x"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "x/y"), 0755) == 0);
	KT_ASSERT(t, vt_stat(vt_path(&v, "x"), &a) == 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "x/./y/..//."), &b), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "x///"), &b), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	/* ".." at the root stays there */
	KT_ASSERT(t, vt_stat("/", &a) == 0);
	KT_EXPECT_EQ(t, vt_stat("/../../..", &b), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	KT_EXPECT_EQ(t, a.st_dev, b.st_dev);
	/* crossing into a mount and back out */
	fmt_snprintf(m.root, sizeof(m.root), "%s/x/y", v.root);
	KT_ASSERT(t, vfs_mount("inner", m.root, "tmpfs", 0, NULL) == 0);
	KT_ASSERT(t, vt_stat(vt_path(&v, "x/y"), &a) == 0);
	KT_ASSERT(t, vt_stat(vt_path(&v, "x"), &b) == 0);
	KT_EXPECT(t, a.st_dev != b.st_dev);                 /* the inner tmpfs */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "x/y/.."), &a), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	KT_EXPECT_EQ(t, a.st_dev, b.st_dev);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "x/y/../y/../../x"), &a), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	KT_EXPECT_EQ(t, vfs_umount(m.root, 0), 0);
	/* a component of NAME_MAX + 1 anywhere in the path */
	memset(big, 'q', 256);
	big[256] = 0;
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, big), &a), -ENAMETOOLONG);
	memcpy(big + 256, "/x", 3);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, big), &a), -ENAMETOOLONG);
	KT_EXPECT_ERR(t, vfs_fstatat(NULL, "", 0, &a), -ENOENT);
	KT_EXPECT_EQ(t, vfs_fstatat(NULL, "", AT_EMPTY_PATH, &a), 0);   /* the working directory */
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* ---- mknod and special files ---- */

static int test_opens;
static const struct file_ops test_dev_ops;

static int test_dev_open(struct inode *ino, struct file *f)
{
	if (DEV_MAJOR(ino->rdev) != 42)
		return -ENXIO;
	test_opens++;
	f->ops = &test_dev_ops;
	return 0;
}

struct mknod_user {
	const struct vt *v;
	int chr, fifo;
};

static void mknod_as_user(void *arg)
{
	struct mknod_user *u = arg;

	u->chr = vfs_mknodat(NULL, vt_path(u->v, "pub/chr"), S_IFCHR | 0666, DEV_MAKE(42, 1));
	u->fifo = vfs_mknodat(NULL, vt_path(u->v, "pub/fifo"), S_IFIFO | 0666, 0);
}

KTEST(vfs_mknod_and_special_files)
{
	struct vt v;
	struct stat st;
	struct file *f;
	struct mknod_user u = { &v, 0, 0 };
	special_open_fn old;

	KT_ASSERT(t, vt_setup(&v, "mknod", NULL) == 0);
	KT_EXPECT_EQ(t, vfs_mknodat(NULL, vt_path(&v, "c"), S_IFCHR | 0600, DEV_MAKE(42, 7)), 0);
	KT_EXPECT_EQ(t, vfs_mknodat(NULL, vt_path(&v, "nodrv"), S_IFCHR | 0600, DEV_MAKE(43, 0)), 0);
	KT_EXPECT_EQ(t, vfs_mknodat(NULL, vt_path(&v, "b"), S_IFBLK | 0600, DEV_MAKE(8, 1)), 0);
	KT_EXPECT_EQ(t, vfs_mknodat(NULL, vt_path(&v, "p"), S_IFIFO | 0644, 0), 0);
	KT_EXPECT_EQ(t, vfs_mknodat(NULL, vt_path(&v, "r"), 0644, 0), 0);     /* regular */
	KT_EXPECT_ERR(t, vfs_mknodat(NULL, vt_path(&v, "dd"), S_IFDIR | 0755, 0), -EPERM);
	KT_EXPECT_ERR(t, vfs_mknodat(NULL, vt_path(&v, "bad"), 0170000 | 0644, 0), -EINVAL);
	KT_EXPECT_ERR(t, vfs_mknodat(NULL, vt_path(&v, "p"), S_IFIFO | 0644, 0), -EEXIST);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "c"), &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFCHR | 0600);
	KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(42, 7));
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "p"), &st), 0);
	KT_EXPECT(t, S_ISFIFO(st.st_mode));
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "r"), &st), 0);
	KT_EXPECT(t, S_ISREG(st.st_mode));
	/* opening reaches the opener installed for the type */
	old = vfs_set_special_open(S_IFCHR, test_dev_open);
	test_opens = 0;
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "c"), O_RDWR, 0, &f), 0);
	KT_EXPECT_EQ(t, test_opens, 1);
	if (test_opens)
		KT_EXPECT(t, f->ops == &test_dev_ops);
	file_put(f);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "nodrv"), O_RDWR, 0, &f), -ENXIO);
	vfs_set_special_open(S_IFCHR, old);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "b"), O_RDWR, 0, &f), -ENXIO);   /* no block opener */
	/* nodev mounts refuse device nodes */
	KT_EXPECT_EQ(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL), 0);
	vfs_set_special_open(S_IFCHR, test_dev_open);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "c"), O_RDWR, 0, &f), -EACCES);
	vfs_set_special_open(S_IFCHR, old);
	KT_EXPECT_EQ(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT | MS_BIND, NULL), 0);
	/* device nodes need root; FIFOs do not */
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "pub"), 0777) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "pub"), 0777, 0) == 0);   /* past the umask */
	KT_EXPECT_EQ(t, vt_run_as(1000, 1000, mknod_as_user, &u), 0);
	KT_EXPECT_ERR(t, u.chr, -EPERM);
	KT_EXPECT_EQ(t, u.fifo, 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* ---- working directory, chroot, getcwd ---- */

struct cwd_arg {
	const struct vt *v;
	int chdir_err, fchdir_err, chroot_err, escape_err, stat_err;
	long cwd_len, cwd2_len, gone_err;
	bool cwd2_ok;
	char cwd[128], cwd2[128];
	uint64_t root_ino, inner_ino;
};

static void cwd_as_root(void *p)
{
	struct cwd_arg *a = p;
	struct stat st;
	struct file *f;

	a->chdir_err = vfs_chdir(vt_path(a->v, "top/mid"));
	a->cwd_len = vfs_getcwd(a->cwd, sizeof(a->cwd));
	a->stat_err = vfs_fstatat(NULL, "leaf", 0, &st);      /* relative to the new cwd */
	if (vt_open(vt_path(a->v, "top"), O_RDONLY | O_DIRECTORY, 0, &f) == 0) {
		a->fchdir_err = vfs_fchdir(f);
		file_put(f);
	}
	a->cwd2_len = vfs_getcwd(a->cwd2, sizeof(a->cwd2));
	a->cwd2_ok = strcmp(a->cwd2, vt_path(a->v, "top")) == 0;
	/* chroot: ".." at the new root stays inside */
	a->chroot_err = vfs_chroot(vt_path(a->v, "top"));
	a->escape_err = vfs_fstatat(NULL, "/../../..", 0, &st);
	a->root_ino = st.st_ino;
	if (vfs_fstatat(NULL, "/mid/..", 0, &st) == 0)
		a->inner_ino = st.st_ino;
	/* a removed working directory */
	vfs_chdir("/mid/leaf");
	vfs_unlinkat(NULL, "/mid/leaf", AT_REMOVEDIR);
	a->gone_err = vfs_getcwd(a->cwd2, sizeof(a->cwd2));
}

KTEST(vfs_cwd_chroot_getcwd)
{
	struct vt v;
	struct cwd_arg a = { .v = &v };
	struct stat st;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "cwd", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "top"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "top/mid"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "top/mid/leaf"), 0755) == 0);
	KT_ASSERT(t, vt_stat(vt_path(&v, "top"), &st) == 0);
	KT_EXPECT_EQ(t, vt_run_as(0, 0, cwd_as_root, &a), 0);
	KT_EXPECT_EQ(t, a.chdir_err, 0);
	KT_EXPECT_EQ(t, a.cwd_len, (long)strlen(v.root) + 8 + 1);   /* with the NUL */
	KT_EXPECT(t, strcmp(a.cwd, vt_path(&v, "top/mid")) == 0);
	KT_EXPECT_EQ(t, a.stat_err, 0);
	KT_EXPECT_EQ(t, a.fchdir_err, 0);
	KT_EXPECT_EQ(t, a.cwd2_len, (long)strlen(v.root) + 5);
	KT_EXPECT(t, a.cwd2_ok);
	KT_EXPECT_EQ(t, a.chroot_err, 0);
	KT_EXPECT_EQ(t, a.escape_err, 0);
	KT_EXPECT_EQ(t, a.root_ino, st.st_ino);
	KT_EXPECT_EQ(t, a.inner_ino, st.st_ino);
	KT_EXPECT_ERR(t, a.gone_err, -ENOENT);
	/* the kernel's own context was not touched */
	KT_EXPECT_EQ(t, vfs_getcwd(buf, sizeof(buf)), 2);
	KT_EXPECT(t, strcmp(buf, "/") == 0);
	KT_EXPECT_ERR(t, vfs_getcwd(buf, 1), -ERANGE);
	KT_EXPECT_ERR(t, vfs_chdir(vt_path(&v, "top/nope")), -ENOENT);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* rename replaces its target atomically: a reader never finds the name
 * missing while another thread keeps renaming new versions over it. */
struct rename_race {
	const struct vt *v;
	volatile bool stop;
	int missing, opened, bad_data;
};

static void rename_reader(void *p)
{
	struct rename_race *r = p;
	const char *target = vt_path(r->v, "target");
	char buf[8];

	while (!r->stop) {
		struct file *f;
		int err = vt_open(target, O_RDONLY, 0, &f);

		if (err == -ENOENT) {
			r->missing++;
		} else if (err == 0) {
			r->opened++;
			if (vt_fd_read(f, buf, sizeof(buf)) != 7 || memcmp(buf, "version", 7) != 0)
				r->bad_data++;
			file_put(f);
		}
		thread_yield();
	}
}

KTEST(vfs_rename_is_atomic)
{
	struct vt v;
	struct rename_race r = { .v = &v };
	struct thread *th;
	char tmp[80], target[80];
	uint64_t deadline;

	KT_ASSERT(t, vt_setup(&v, "renamerace", NULL) == 0);
	memcpy(tmp, vt_path(&v, "tmp"), sizeof(tmp));
	memcpy(target, vt_path(&v, "target"), sizeof(target));
	KT_ASSERT(t, vt_write_file(target, "version", 7, 0644) == 0);
	th = thread_create("rename-reader", rename_reader, &r, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	/* 300 renames at least, and on until the reader has looked 100 times
	 * (with several CPUs on a busy host it may start late) */
	deadline = time_ns() + 10000000000ull;
	for (int i = 0; i < 300 || (r.opened + r.missing < 100 && time_ns() < deadline); i++) {
		KT_ASSERT(t, vt_write_file(tmp, "version", 7, 0644) == 0);
		KT_EXPECT_EQ(t, vfs_renameat2(NULL, tmp, NULL, target, 0), 0);
		if (i % 3 == 0)
			thread_yield();
	}
	r.stop = true;
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT(t, r.opened >= 100);
	KT_EXPECT_EQ(t, r.missing, 0);
	KT_EXPECT_EQ(t, r.bad_data, 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
