/* VFS ktests of attributes: time stamps as Linux updates them (relatime
 * atime), utimensat, chmod and chown as root, truncate, fallocate, and
 * the fsync family. */
#include "vfs_util.h"
#include <kernel/time.h>
#include <lib/string.h>

static bool later(const struct stat *a, uint64_t sec, uint64_t nsec)
{
	return a->st_mtime > sec || (a->st_mtime == sec && a->st_mtime_nsec > nsec);
}

KTEST(vfs_times)
{
	struct vt v;
	struct stat a, b, d0, d1;
	struct file *f;
	char buf[4];
	struct vfs_time times[2] = { { 1000000000, 5 }, { 2000000000, 7 } };

	KT_ASSERT(t, vt_setup(&v, "times", NULL) == 0);
	KT_ASSERT(t, vt_stat(v.root, &d0) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "1234", 4, 0644) == 0);
	KT_ASSERT(t, vt_stat(v.root, &d1) == 0);
	/* creating a name changes the directory */
	KT_EXPECT(t, later(&d1, d0.st_mtime, d0.st_mtime_nsec));
	KT_ASSERT(t, vt_stat(vt_path(&v, "f"), &a) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "x", 1), 1);
	KT_EXPECT_EQ(t, vfs_fstat(f, &b), 0);
	KT_EXPECT(t, later(&b, a.st_mtime, a.st_mtime_nsec));
	KT_EXPECT(t, b.st_ctime > a.st_ctime || b.st_ctime_nsec > a.st_ctime_nsec);
	/* relatime: a read after a change moves atime, a second one does not */
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 1, 0), 1);
	KT_EXPECT_EQ(t, vfs_fstat(f, &a), 0);
	KT_EXPECT(t, a.st_atime > b.st_atime || a.st_atime_nsec > b.st_atime_nsec);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 1, 0), 1);
	KT_EXPECT_EQ(t, vfs_fstat(f, &b), 0);
	KT_EXPECT_EQ(t, b.st_atime, a.st_atime);
	KT_EXPECT_EQ(t, b.st_atime_nsec, a.st_atime_nsec);
	/* utimensat: given times, "now", and "leave it" */
	KT_EXPECT_EQ(t, vfs_utimensat(NULL, vt_path(&v, "f"), times, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &a), 0);
	KT_EXPECT_EQ(t, a.st_atime, 1000000000);
	KT_EXPECT_EQ(t, a.st_atime_nsec, 5);
	KT_EXPECT_EQ(t, a.st_mtime, 2000000000);
	KT_EXPECT_EQ(t, a.st_mtime_nsec, 7);
	times[0].nsec = UTIME_OMIT;
	times[1].nsec = UTIME_NOW;
	KT_EXPECT_EQ(t, vfs_utimensat(NULL, vt_path(&v, "f"), times, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &b), 0);
	KT_EXPECT_EQ(t, b.st_atime, 1000000000);
	KT_EXPECT(t, b.st_mtime != 2000000000 || b.st_mtime_nsec != 7);
	times[0].nsec = 1000000000;
	KT_EXPECT_ERR(t, vfs_utimensat(NULL, vt_path(&v, "f"), times, 0), -EINVAL);
	times[0].nsec = times[1].nsec = UTIME_OMIT;
	KT_EXPECT_EQ(t, vfs_utimensat(NULL, vt_path(&v, "missing"), times, 0), 0);   /* Linux too */
	KT_EXPECT_EQ(t, vfs_utimensat(&f->path, NULL, NULL, 0), 0);                  /* futimens */
	KT_EXPECT_ERR(t, vfs_utimensat(NULL, vt_path(&v, "f"), NULL, 0x4), -EINVAL);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_chmod_chown_as_root)
{
	struct vt v;
	struct stat st;
	struct file *f;

	KT_ASSERT(t, vt_setup(&v, "chmod", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "x", 1, 0644) == 0);
	KT_EXPECT_EQ(t, vfs_fchmodat(NULL, vt_path(&v, "f"), 06755, 0), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 06755);
	/* chown clears set-user-ID and set-group-ID, for root too */
	KT_EXPECT_EQ(t, vfs_fchownat(NULL, vt_path(&v, "f"), 12, 34, 0), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_uid, 12);
	KT_EXPECT_EQ(t, st.st_gid, 34);
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 0755);
	KT_EXPECT_EQ(t, vfs_fchownat(NULL, vt_path(&v, "f"), (uint32_t)-1, 56, 0), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_uid, 12);
	KT_EXPECT_EQ(t, st.st_gid, 56);
	/* lchown and the link's own owner */
	KT_ASSERT(t, vfs_symlinkat("f", NULL, vt_path(&v, "l")) == 0);
	KT_EXPECT_EQ(t, vfs_fchownat(NULL, vt_path(&v, "l"), 77, 77, AT_SYMLINK_NOFOLLOW), 0);
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "l"), &st), 0);
	KT_EXPECT_EQ(t, st.st_uid, 77);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "l"), &st), 0);
	KT_EXPECT_EQ(t, st.st_uid, 12);
	KT_EXPECT_ERR(t, vfs_fchmodat(NULL, vt_path(&v, "l"), 0600, AT_SYMLINK_NOFOLLOW), -EOPNOTSUPP);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vfs_fchmod(f, 0600), 0);
	KT_EXPECT_EQ(t, vfs_fchown(f, 0, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 0600);
	KT_EXPECT_EQ(t, st.st_uid, 0);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_truncate_fallocate_sync)
{
	struct vt v;
	struct stat st;
	struct file *f, *ro;
	char buf[16];

	KT_ASSERT(t, vt_setup(&v, "trunc2", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "0123456789", 10, 0644) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	KT_EXPECT_EQ(t, vfs_truncate(NULL, vt_path(&v, "f"), 4), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 4);
	KT_EXPECT_EQ(t, vfs_truncate(NULL, vt_path(&v, "f"), 8), 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "f"), buf, 16), 8);
	KT_EXPECT(t, memcmp(buf, "0123\0\0\0\0", 8) == 0);
	KT_EXPECT_ERR(t, vfs_truncate(NULL, vt_path(&v, "d"), 0), -EISDIR);
	KT_EXPECT_ERR(t, vfs_truncate(NULL, vt_path(&v, "f"), -1), -EINVAL);
	KT_EXPECT_ERR(t, vfs_truncate(NULL, vt_path(&v, "f"), 1ll << 50), -EFBIG);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &ro) == 0);
	KT_EXPECT_ERR(t, vfs_ftruncate(ro, 0), -EINVAL);        /* not open for writing */
	KT_EXPECT_ERR(t, vfs_fallocate(ro, 0, 0, 10), -EBADF);
	file_put(ro);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &f) == 0);
	/* fallocate: allocate and grow; keep-size; punch a hole */
	KT_EXPECT_EQ(t, vfs_fallocate(f, 0, 0, 3 * 4096), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 3 * 4096);
	KT_EXPECT_EQ(t, st.st_blocks, 3 * 8);
	KT_EXPECT_EQ(t, vfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 3 * 4096, 4096), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 3 * 4096);
	KT_EXPECT_EQ(t, st.st_blocks, 4 * 8);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, "ABCDEFGH", 8, 4094), 8);
	KT_EXPECT_EQ(t, vfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_blocks, 3 * 8);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 8, 4094), 8);
	KT_EXPECT(t, memcmp(buf, "AB\0\0\0\0\0\0", 8) == 0);
	KT_EXPECT_EQ(t, vfs_fallocate(f, FALLOC_FL_ZERO_RANGE, 4094, 1), 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 2, 4094), 2);
	KT_EXPECT(t, memcmp(buf, "\0B", 2) == 0);
	KT_EXPECT_ERR(t, vfs_fallocate(f, FALLOC_FL_PUNCH_HOLE, 0, 1), -EOPNOTSUPP);
	KT_EXPECT_ERR(t, vfs_fallocate(f, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), -EOPNOTSUPP);
	KT_EXPECT_ERR(t, vfs_fallocate(f, 0, -1, 1), -EINVAL);
	KT_EXPECT_ERR(t, vfs_fallocate(f, 0, 0, 0), -EINVAL);
	KT_EXPECT_EQ(t, vfs_fsync(f, false), 0);
	KT_EXPECT_EQ(t, vfs_fsync(f, true), 0);
	KT_EXPECT_EQ(t, vfs_syncfs(f), 0);
	KT_EXPECT_EQ(t, vfs_sync(), 0);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
