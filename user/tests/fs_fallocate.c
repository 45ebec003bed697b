/* fallocate(2) mode 0 and FALLOC_FL_KEEP_SIZE on the file system of the
 * working directory (tmpfs in usertests, cosmfs in the system case
 * cosmfs_usertests): blocks reserved and reading as zeros, the size kept
 * or grown, the modes a file system does not offer, and ENOSPC leaving the
 * file and the free count as they were. */
#include "tests.h"

#include <sys/statfs.h>
#include <sys/statvfs.h>

#define TMPFS_MAGIC 0x01021994

static blkcnt_t blocks_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return st.st_blocks;
}

TEST(fs_fallocate_reserves_zeros)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, "data", 4), 4);
	/* mode 0 past the end: the size grows, new bytes read as zeros, the
	 * old ones stay */
	CHECK_OK(fallocate(fd, 0, 2 * PAGE, 5 * PAGE));
	CHECK_EQ(file_size("f"), (off_t)(7 * PAGE));
	CHECK(blocks_of(fd) >= (blkcnt_t)(6 * PAGE / 512));
	static char buf[7 * 4096];
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	CHECK_MEM(buf, "data", 4);
	for (size_t i = 4; i < sizeof buf; i++)
		if (buf[i])
			UT_FAIL("byte %zu of the reserved file is %d", i, buf[i]);
	/* KEEP_SIZE: blocks beyond the end, the size as it was */
	blkcnt_t before = blocks_of(fd);
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 7 * PAGE, 8 * PAGE));
	CHECK_EQ(file_size("f"), (off_t)(7 * PAGE));
	CHECK(blocks_of(fd) >= before + (blkcnt_t)(8 * PAGE / 512));
	CHECK_EQ(pread(fd, buf, 16, 7 * PAGE), 0);
	/* writing into the reserved part, then growing over the rest */
	CHECK_EQ(pwrite(fd, "tail", 4, 9 * PAGE), 4);
	CHECK_OK(ftruncate(fd, 15 * PAGE));
	CHECK_EQ(pread(fd, buf, PAGE, 8 * PAGE), (ssize_t)PAGE);
	for (size_t i = 0; i < PAGE; i++)
		if (buf[i])
			UT_FAIL("byte %zu of a kept-size block is %d", i, buf[i]);
	CHECK_EQ(pread(fd, buf, 4, 9 * PAGE), 4);
	CHECK_MEM(buf, "tail", 4);
	/* again over what is allocated: nothing changes */
	before = blocks_of(fd);
	CHECK_OK(fallocate(fd, 0, 2 * PAGE, 4 * PAGE));
	CHECK_EQ(blocks_of(fd), before);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK_MEM(buf, "data", 4);
	CHECK_OK(fsync(fd));
	CHECK_OK(close(fd));
}

TEST(fs_fallocate_errors)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR(fallocate(fd, 0, 0, -5), EINVAL);
	/* a mode bit nobody knows; punching without KEEP_SIZE */
	CHECK_ERR(fallocate(fd, 0x100, 0, PAGE), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, 0, INT64_MAX - 10, 100), EFBIG);
	int ro = CHECK_OK(open("f", O_RDONLY));
	CHECK_ERR(fallocate(ro, 0, 0, PAGE), EBADF);
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(fallocate(dfd, 0, 0, PAGE), EBADF);
	CHECK_EQ(file_size("f"), 0);
	CHECK_EQ(blocks_of(fd), 0);
}

TEST(fs_fallocate_enospc)
{
	/* on tmpfs a small one of its own, so that "full" is near */
	struct statfs sf;
	CHECK_OK(statfs(".", &sf));
	const char *dir = ".";
	if (sf.f_type == TMPFS_MAGIC) {
		private_mounts();
		mount_tmpfs("t", "size=256k");
		dir = "t";
	}
	char path[64];
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, "keep", 4), 4);
	CHECK_OK(fsync(fd));
	struct statvfs v0, v1;
	CHECK_OK(statvfs(dir, &v0));
	off_t too_much = (off_t)(v0.f_bavail + 64) * (off_t)v0.f_frsize;
	blkcnt_t before = blocks_of(fd);
	CHECK_ERR(fallocate(fd, 0, 0, too_much), ENOSPC);
	CHECK_ERR(fallocate(fd, FALLOC_FL_KEEP_SIZE, PAGE, too_much), ENOSPC);
	/* nothing half done */
	CHECK_EQ(file_size(path), 4);
	CHECK_EQ(blocks_of(fd), before);
	CHECK_OK(statvfs(dir, &v1));
	CHECK_EQ(v1.f_bfree, v0.f_bfree);
	char buf[4];
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK_MEM(buf, "keep", 4);
	/* and the file system still works: half of what is free fits */
	off_t half = (off_t)(v0.f_bavail / 2) * (off_t)v0.f_frsize;
	CHECK_OK(fallocate(fd, 0, PAGE, half));
	CHECK_EQ(file_size(path), PAGE + half);
	CHECK_EQ(pwrite(fd, "more", 4, PAGE), 4);
	CHECK_OK(fsync(fd));
	CHECK_OK(ftruncate(fd, 0));
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path));
}
