/* stat, fstat, lstat, newfstatat, statx, statfs, fstatfs: what they report
 * for each kind of file, and their errors. */
#include "tests.h"

#include <sys/statfs.h>
#include <sys/sysmacros.h>

/* statx as Linux lays it out (musl 1.2.3 has no wrapper). */
struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t pad;
};
struct statx_buf {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad1;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS_MASK 0x7ffU
#define STATX_RESERVED_BIT 0x80000000U
#define TMPFS_MAGIC_NUMBER 0x01021994

TEST(fs_stat_regular)
{
	write_file("f", "hello", 5, 0640);
	struct stat st;
	CHECK_OK(stat("f", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0640);
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, 0);
	CHECK_EQ(st.st_gid, 0);
	CHECK(st.st_blksize > 0);
	CHECK(st.st_ino != 0);
	struct stat fst;
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(fstat(fd, &fst));
	CHECK_EQ(fst.st_ino, st.st_ino);
	CHECK_EQ(fst.st_dev, st.st_dev);
	CHECK_EQ(fst.st_size, 5);
}

TEST(fs_stat_directory)
{
	CHECK_OK(mkdir("d", 0750));
	struct stat st, here;
	CHECK_OK(stat("d", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0750);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(stat(".", &here));
	CHECK_EQ(here.st_dev, st.st_dev);
	CHECK(here.st_ino != st.st_ino);
}

TEST(fs_stat_symlink)
{
	write_text("target", "abc");
	CHECK_OK(symlink("target", "link"));
	struct stat st, lst;
	CHECK_OK(stat("link", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 3);
	CHECK_OK(lstat("link", &lst));
	CHECK(S_ISLNK(lst.st_mode));
	CHECK_EQ(lst.st_size, 6);   /* the length of "target" */
	CHECK(lst.st_ino != st.st_ino);
	CHECK_OK(symlink("missing", "dangling"));
	CHECK_ERR(stat("dangling", &st), ENOENT);
	CHECK_OK(lstat("dangling", &lst));
}

TEST(fs_stat_special_files)
{
	struct stat st;
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(fstat(p[0], &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_OK(mkfifo("fifo", 0600));
	CHECK_OK(stat("fifo", &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_OK(stat("/dev/null", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 1);
	CHECK_EQ(minor(st.st_rdev), 3);
}

TEST(fs_stat_errors)
{
	struct stat st;
	write_text("f", "x");
	CHECK_ERR(stat("missing", &st), ENOENT);
	CHECK_ERR(stat("f/x", &st), ENOTDIR);
	CHECK_ERR(stat("", &st), ENOENT);
	CHECK_ERR(fstat(-1, &st), EBADF);
	CHECK_ERR(fstat(4000, &st), EBADF);
	void *p;
	int fd = CHECK_OK(open("f", O_RDONLY));
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_stat, p, &st), EFAULT);
		CHECK_ERR(syscall(SYS_stat, "f", p), EFAULT);
		CHECK_ERR(syscall(SYS_lstat, "f", p), EFAULT);
		CHECK_ERR(syscall(SYS_fstat, fd, p), EFAULT);
	}
	ut_note(NULL);
	/* A stat buffer that runs off its mapping. */
	CHECK_ERR(syscall(SYS_fstat, fd, edge_ptr(sizeof st - 8)), EFAULT);
	CHECK_ERR(syscall(SYS_stat, edge_ptr(2), &st), EFAULT);
}

TEST(fs_fstatat)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("d/f", "abc");
	CHECK_OK(symlink("f", "d/l"));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	struct stat st;
	CHECK_OK(fstatat(dfd, "f", &st, 0));
	CHECK_EQ(st.st_size, 3);
	CHECK_OK(fstatat(dfd, "l", &st, 0));
	CHECK(S_ISREG(st.st_mode));
	CHECK_OK(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(st.st_mode));
	/* AT_EMPTY_PATH stats the dirfd itself. */
	int fd = CHECK_OK(open("d/f", O_RDONLY));
	CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
	CHECK_EQ(st.st_size, 3);
	CHECK_ERR(fstatat(fd, "", &st, 0), ENOENT);
	CHECK_ERR(fstatat(fd, "x", &st, 0), ENOTDIR);
	CHECK_ERR(fstatat(dfd, "f", &st, 0x40000000), EINVAL);
	CHECK_ERR(fstatat(-1, "f", &st, 0), EBADF);
}

static long statx_call(int dfd, const char *path, int flags, unsigned mask, struct statx_buf *buf)
{
	return syscall(SYS_statx, dfd, path, flags, mask, buf);
}

TEST(fs_statx)
{
	write_file("f", "hello", 5, 0604);
	struct statx_buf sx;
	struct stat st;
	memset(&sx, 0xff, sizeof sx);
	CHECK_OK(statx_call(AT_FDCWD, "f", 0, STATX_BASIC_STATS_MASK, &sx));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(sx.stx_mask & STATX_BASIC_STATS_MASK, STATX_BASIC_STATS_MASK);
	CHECK_EQ(sx.stx_size, 5);
	CHECK_EQ(sx.stx_mode, st.st_mode);
	CHECK_EQ(sx.stx_ino, st.st_ino);
	CHECK_EQ(sx.stx_nlink, 1);
	CHECK_EQ(sx.stx_uid, 0);
	CHECK_EQ(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	CHECK_EQ(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	CHECK_EQ(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(statx_call(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS_MASK, &sx));
	CHECK(S_ISLNK(sx.stx_mode));
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(statx_call(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS_MASK, &sx));
	CHECK_EQ(sx.stx_size, 5);
	/* a descriptor with no name in the tree too */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(statx_call(p[0], "", AT_EMPTY_PATH, STATX_BASIC_STATS_MASK, &sx));
	CHECK(S_ISFIFO(sx.stx_mode));
}

TEST(fs_statx_errors)
{
	struct statx_buf sx;
	write_text("f", "x");
	CHECK_ERR(statx_call(AT_FDCWD, "missing", 0, STATX_BASIC_STATS_MASK, &sx), ENOENT);
	CHECK_ERR(statx_call(AT_FDCWD, "f", 0, STATX_RESERVED_BIT, &sx), EINVAL);
	CHECK_ERR(statx_call(AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS_MASK, &sx), EINVAL);
	CHECK_ERR(statx_call(-1, "f", 0, STATX_BASIC_STATS_MASK, &sx), EBADF);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(statx_call(AT_FDCWD, "f", 0, STATX_BASIC_STATS_MASK, p), EFAULT);
}

TEST(fs_stat_times)
{
	struct timespec before, after;
	clock_gettime(CLOCK_REALTIME, &before);
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	clock_gettime(CLOCK_REALTIME, &after);
	/* File times come from the realtime clock (at a coarse granularity). */
	CHECK(st.st_mtim.tv_sec >= before.tv_sec - 1 && st.st_mtim.tv_sec <= after.tv_sec);
	CHECK_EQ(st.st_mtim.tv_sec, st.st_ctim.tv_sec);
	/* Set old times, then see write and chmod move them. */
	struct timespec old[2] = { { 1000, 0 }, { 2000, 0 } };
	CHECK_OK(futimens(fd, old));
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_mtim.tv_sec >= before.tv_sec - 1);
	CHECK(st.st_ctim.tv_sec >= before.tv_sec - 1);
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	CHECK_OK(futimens(fd, old));
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mtim.tv_sec, 2000);
	CHECK(st.st_ctim.tv_sec >= before.tv_sec - 1);
}

TEST(fs_stat_owner_of_new_file)
{
	CHECK_OK(mkdir("open", 0777));
	CHECK_OK(chmod("open", 0777));
	AS_USER {
		int fd = CHECK_OK(open("open/mine", O_CREAT | O_WRONLY, 0644));
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(st.st_uid, TEST_UID);
		CHECK_EQ(st.st_gid, TEST_GID);
	}
}

TEST(fs_stat_dir_size_and_blocks)
{
	/* A tmpfs file's blocks follow its data, in 512-byte units. */
	private_mounts();
	mount_tmpfs("t", NULL);
	int fd = CHECK_OK(open("t/f", O_RDWR | O_CREAT, 0644));
	static char buf[3 * 4096];
	CHECK_EQ(write(fd, buf, sizeof buf), sizeof buf);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 24);
}

TEST(fs_statfs_tmpfs)
{
	private_mounts();
	mount_tmpfs("t", "size=1m");
	struct statfs sf;
	CHECK_OK(statfs("t", &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_NUMBER);
	CHECK(sf.f_bsize > 0);
	CHECK_EQ((long long)sf.f_blocks * sf.f_bsize, 1 << 20);
	CHECK(sf.f_bfree <= sf.f_blocks);
	CHECK(sf.f_namelen == 255);
	int fd = CHECK_OK(open("t", O_RDONLY));
	struct statfs fsf;
	CHECK_OK(fstatfs(fd, &fsf));
	CHECK_EQ(fsf.f_type, sf.f_type);
	/* Writing 256 KiB uses blocks. */
	static char buf[256 << 10];
	write_file("t/f", buf, sizeof buf, 0644);
	CHECK_OK(statfs("t", &fsf));
	CHECK_EQ((long long)(sf.f_bfree - fsf.f_bfree) * sf.f_bsize, sizeof buf);
}

TEST(fs_statfs_errors)
{
	struct statfs sf;
	CHECK_ERR(statfs("missing", &sf), ENOENT);
	CHECK_ERR(fstatfs(-1, &sf), EBADF);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_statfs, ".", p), EFAULT);
		CHECK_ERR(syscall(SYS_statfs, p, &sf), EFAULT);
	}
}

TEST(fs_stat_inode_numbers_unique)
{
	ino_t seen[50];
	for (int i = 0; i < 50; i++) {
		char name[8];
		snprintf(name, sizeof name, "f%d", i);
		write_text(name, "");
		struct stat st;
		CHECK_OK(stat(name, &st));
		for (int j = 0; j < i; j++)
			CHECK(seen[j] != st.st_ino);
		seen[i] = st.st_ino;
	}
}
