/* VFS ktests of mounts: EBUSY while in use, read-only mounts (EROFS) and
 * remounts, bind mounts, lazy unmounts, tmpfs's size and inode limits
 * (ENOSPC), and who may mount. */
#include "vfs_util.h"
#include <fs/fs_ctx.h>
#include <fs/namei.h>
#include <kernel/mm/heap.h>
#include <lib/fmt.h>
#include <lib/string.h>

KTEST(vfs_umount_busy)
{
	struct vt v;
	struct file *f;
	struct stat st;

	KT_ASSERT(t, vt_setup(&v, "busy", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "x", 1, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vfs_umount(v.root, 0), -EBUSY);
	file_put(f);
	/* a working directory inside holds it too */
	{
		struct fs_ctx *c = fs_ctx_new();
		struct path p;

		KT_ASSERT(t, c != NULL);
		KT_ASSERT(t, vfs_lookup(NULL, v.root, LOOKUP_FOLLOW, &p) == 0);
		fs_ctx_set_cwd(c, &p);
		path_put(&p);
		KT_EXPECT_ERR(t, vfs_umount(v.root, 0), -EBUSY);
		fs_ctx_put(c);
	}
	/* a mount below it */
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "sub"), 0755) == 0);
	KT_ASSERT(t, vfs_mount("below", vt_path(&v, "sub"), "tmpfs", 0, NULL) == 0);
	KT_EXPECT_ERR(t, vfs_umount(v.root, 0), -EBUSY);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "sub"), AT_REMOVEDIR), -EBUSY);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "sub"), NULL, vt_path(&v, "s2"), 0), -EBUSY);
	KT_EXPECT_EQ(t, vfs_umount(vt_path(&v, "sub"), 0), 0);
	/* not a mount point */
	KT_EXPECT_ERR(t, vfs_umount(vt_path(&v, "sub"), 0), -EINVAL);
	KT_EXPECT_ERR(t, vfs_umount(vt_path(&v, "nope"), 0), -ENOENT);
	KT_EXPECT_ERR(t, vfs_umount(v.root, 0x100), -EINVAL);
	KT_EXPECT_ERR(t, vfs_umount("/", 0), -EBUSY);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
	/* everything on it went with it */
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "f"), &st), -ENOENT);
}

KTEST(vfs_read_only_mounts)
{
	struct vt v;
	struct file *f, *w;
	struct stat st;
	char buf[4];
	struct statfs sf;

	KT_ASSERT(t, vt_setup(&v, "ro", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "data", 4, 0644) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "fifo"), S_IFIFO | 0666, 0) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &w) == 0);
	/* remounting read-only waits for writers to go */
	KT_EXPECT_ERR(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT | MS_RDONLY, NULL), -EBUSY);
	file_put(w);
	KT_ASSERT(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "f"), buf, 4), 4);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "f"), O_WRONLY, 0, &f), -EROFS);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "new"), O_WRONLY | O_CREAT, 0644, &f), -EROFS);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "f"), O_RDONLY | O_TRUNC, 0, &f), -EROFS);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "d2"), 0755), -EROFS);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755), -EEXIST);    /* as Linux orders it */
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, vt_path(&v, "d"), AT_REMOVEDIR), -EROFS);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "f"), NULL, vt_path(&v, "g"), 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_symlinkat("f", NULL, vt_path(&v, "l")), -EROFS);
	KT_EXPECT_ERR(t, vfs_linkat(NULL, vt_path(&v, "f"), NULL, vt_path(&v, "h"), 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_mknodat(NULL, vt_path(&v, "p"), S_IFIFO | 0644, 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_fchmodat(NULL, vt_path(&v, "f"), 0600, 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_fchownat(NULL, vt_path(&v, "f"), 1, 1, 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_utimensat(NULL, vt_path(&v, "f"), NULL, 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_truncate(NULL, vt_path(&v, "f"), 0), -EROFS);
	KT_EXPECT_ERR(t, vfs_faccessat(NULL, vt_path(&v, "f"), W_OK, 0), -EROFS);
	KT_EXPECT_EQ(t, vfs_statfs(NULL, v.root, &sf), 0);
	KT_EXPECT(t, sf.f_flags & ST_RDONLY);
	/* a FIFO's data does not go to the file system: the mount does not
	 * stop its open (no pipe code here, so the opener is missing) */
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "fifo"), O_WRONLY | O_NONBLOCK, 0, &f), -ENXIO);
	/* back to read-write */
	KT_ASSERT(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT, NULL) == 0);
	KT_EXPECT_EQ(t, vt_write_file(vt_path(&v, "new"), "n", 1, 0644), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "new"), &st), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
	/* mounted read-only from the start */
	KT_ASSERT(t, vfs_mkdirat(NULL, v.root, 0755) == 0);
	KT_ASSERT(t, vfs_mount("ro", v.root, "tmpfs", MS_RDONLY, NULL) == 0);
	KT_EXPECT_ERR(t, vt_write_file(vt_path(&v, "x"), "", 0, 0644), -EROFS);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_bind_mounts)
{
	struct vt v;
	char bind[80], buf[8];
	struct stat a, b;

	KT_ASSERT(t, vt_setup(&v, "bind", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "src"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "dst"), 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "src/f"), "bound", 5, 0644) == 0);
	memcpy(bind, vt_path(&v, "dst"), strlen(vt_path(&v, "dst")) + 1);
	KT_EXPECT_EQ(t, vfs_mount(vt_path(&v, "src"), bind, NULL, MS_BIND, NULL), 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "dst/f"), buf, 8), 5);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "dst/f"), &a), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "src/f"), &b), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	KT_EXPECT_EQ(t, a.st_dev, b.st_dev);
	/* ".." from the bind's root leaves through its mountpoint */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "dst/.."), &a), 0);
	KT_EXPECT_EQ(t, vt_stat(v.root, &b), 0);
	KT_EXPECT_EQ(t, a.st_ino, b.st_ino);
	/* a read-only bind refuses writes; the original still takes them */
	KT_EXPECT_EQ(t, vfs_mount(NULL, bind, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), 0);
	KT_EXPECT_ERR(t, vt_write_file(vt_path(&v, "dst/g"), "", 0, 0644), -EROFS);
	KT_EXPECT_EQ(t, vt_write_file(vt_path(&v, "src/g"), "", 0, 0644), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "dst/g"), &a), 0);
	/* across mounts: EXDEV even on the same super block */
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, vt_path(&v, "src/g"), NULL, vt_path(&v, "dst/h"), 0), -EXDEV);
	/* a file bound over a directory does not fit */
	KT_EXPECT_ERR(t, vfs_mount(vt_path(&v, "src/f"), vt_path(&v, "src"), NULL, MS_BIND, NULL), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_mount(vt_path(&v, "src"), bind, NULL, MS_BIND | MS_REC, NULL), -EINVAL);
	KT_EXPECT_EQ(t, vfs_umount(bind, 0), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "dst/f"), &a), -ENOENT);
	KT_EXPECT_ERR(t, vfs_mount("x", bind, "nosuchfs", 0, NULL), -ENODEV);
	KT_EXPECT_ERR(t, vfs_mount("x", vt_path(&v, "src/f"), "tmpfs", 0, NULL), -ENOTDIR);
	KT_EXPECT_ERR(t, vfs_mount("x", bind, "tmpfs", 0, "bogus=1"), -EINVAL);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_lazy_umount)
{
	struct vt v;
	struct file *f;
	char buf[8];
	struct stat st;

	KT_ASSERT(t, vt_setup(&v, "lazy", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "sub"), 0755) == 0);
	KT_ASSERT(t, vfs_mount("sub", vt_path(&v, "sub"), "tmpfs", 0, NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "sub/f"), "kept", 4, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "sub/f"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vfs_umount(v.root, 0), -EBUSY);
	KT_EXPECT_EQ(t, vfs_umount(v.root, MNT_DETACH), 0);
	/* gone from the tree at once, with the mount below it */
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "sub/f"), &st), -ENOENT);
	/* still readable through the open file */
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 8), 4);
	KT_EXPECT(t, memcmp(buf, "kept", 4) == 0);
	file_put(f);        /* the last user: both mounts are freed now */
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, v.root, AT_REMOVEDIR), 0);
}

KTEST(vfs_tmpfs_full)
{
	struct vt v;
	struct file *f;
	char *page = kzalloc(8192), name[16];
	struct statfs sf;
	long n, total = 0;
	int err = 0, files = 0;

	KT_ASSERT(t, page != NULL);
	KT_ASSERT(t, vt_setup(&v, "full", "size=64k,nr_inodes=20") == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "big"), O_RDWR | O_CREAT, 0644, &f) == 0);
	for (int i = 0; i < 20; i++) {
		n = vt_fd_write(f, page, 4096);
		if (n < 0) {
			err = (int)n;
			break;
		}
		total += n;
	}
	KT_EXPECT_ERR(t, err, -ENOSPC);
	KT_EXPECT_EQ(t, total, 64 * 1024);
	KT_EXPECT_EQ(t, vfs_fstatfs(f, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_bfree, 0);
	/* a write that straddles the limit moves what fits */
	KT_EXPECT_EQ(t, vfs_ftruncate(f, 64 * 1024 - 100), 0);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, page, 4096, 64 * 1024 - 100), 100);
	KT_EXPECT_ERR(t, vt_fd_pwrite(f, page, 1, 64 * 1024), -ENOSPC);
	/* holes are free even when full */
	KT_EXPECT_EQ(t, vfs_ftruncate(f, 1 << 30), 0);
	KT_EXPECT_ERR(t, vfs_fallocate(f, 0, 1 << 29, 4096), -ENOSPC);
	/* freeing brings the space back */
	KT_EXPECT_EQ(t, vfs_ftruncate(f, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstatfs(f, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_bfree, 16);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, page, 8192, 0), 8192);
	file_put(f);
	/* the inode limit: root and big are 2 of 20 */
	err = 0;
	for (int i = 0; i < 30 && !err; i++) {
		fmt_snprintf(name, sizeof(name), "f%d", i);
		err = vt_write_file(vt_path(&v, name), "", 0, 0644);
		if (!err)
			files++;
		else
			break;
		err = 0;
	}
	KT_EXPECT_EQ(t, files, 18);
	KT_EXPECT_ERR(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755), -ENOSPC);
	KT_EXPECT_ERR(t, vfs_symlinkat("x", NULL, vt_path(&v, "l")), -ENOSPC);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f0"), 0), 0);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755), 0);
	/* remount can grow the limit but not shrink it below what is used */
	KT_EXPECT_ERR(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT, "size=4k"), -EINVAL);
	KT_EXPECT_EQ(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT, "size=1m,nr_inodes=40"), 0);
	KT_EXPECT_EQ(t, vfs_statfs(NULL, v.root, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_blocks, 256);
	KT_EXPECT_EQ(t, sf.f_files, 40);
	kfree(page);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

struct mount_user {
	const struct vt *v;
	int mount_err, umount_err, chroot_err;
};

static void mount_as_user(void *p)
{
	struct mount_user *u = p;

	u->mount_err = vfs_mount("x", u->v->root, "tmpfs", 0, NULL);
	u->umount_err = vfs_umount(u->v->root, 0);
	u->chroot_err = vfs_chroot(u->v->root);
}

KTEST(vfs_mount_needs_root)
{
	struct vt v;
	struct mount_user u = { .v = &v };

	KT_ASSERT(t, vt_setup(&v, "mountperm", NULL) == 0);
	KT_ASSERT(t, vt_run_as(1000, 1000, mount_as_user, &u) == 0);
	KT_EXPECT_ERR(t, u.mount_err, -EPERM);
	KT_EXPECT_ERR(t, u.umount_err, -EPERM);
	KT_EXPECT_ERR(t, u.chroot_err, -EPERM);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
