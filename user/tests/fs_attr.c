/* File attributes and sizes: truncate, ftruncate, fallocate, the sync
 * family, access and faccessat(2), chmod, chown and their variants,
 * utimensat, umask, mknod and mknodat. */
#include "tests.h"

#include <sys/sysmacros.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#endif

static mode_t mode_of(const char *path)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	return st.st_mode;
}

TEST(fs_truncate)
{
	write_text("f", "0123456789");
	CHECK_OK(truncate("f", 4));
	CHECK_EQ(file_size("f"), 4);
	CHECK_OK(truncate("f", 8192));
	CHECK_EQ(file_size("f"), 8192);
	char buf[16];
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_EQ(pread(fd, buf, 8, 0), 8);
	/* What was cut off comes back as zeros, not as the old bytes. */
	CHECK_MEM(buf, "0123\0\0\0\0", 8);
	CHECK_EQ(pread(fd, buf, 4, 8190), 2);
	CHECK_MEM(buf, "\0\0", 2);
}

TEST(fs_truncate_errors)
{
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(truncate("f", -1), EINVAL);
	CHECK_ERR(truncate("d", 0), EISDIR);
	CHECK_ERR(truncate("missing", 0), ENOENT);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_truncate, p, 0), EFAULT);
	ut_note(NULL);
	AS_USER
		CHECK_ERR(truncate("f", 0), EACCES);
	CHECK_EQ(file_size("f"), 1);
}

TEST(fs_ftruncate)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	CHECK_OK(ftruncate(fd, 2));
	/* The offset stays where it was, past the new end. */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ(write(fd, "g", 1), 1);
	char buf[8];
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 7);
	CHECK_MEM(buf, "ab\0\0\0\0g", 7);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	int ro = CHECK_OK(open("f", O_RDONLY));
	CHECK_ERR(ftruncate(ro, 0), EINVAL);
	CHECK_ERR(ftruncate(-1, 0), EBADF);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(ftruncate(p[1], 0), EINVAL);
}

TEST(fs_fallocate)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_OK(fallocate(fd, 0, 0, 10000));
	CHECK_EQ(file_size("f"), 10000);
	char buf[4];
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK_MEM(buf, "ab\0\0", 4);
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50000));
	CHECK_EQ(file_size("f"), 10000);
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
	int ro = CHECK_OK(open("f", O_RDONLY));
	CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE);
}

TEST(fs_sync_family)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	sync();
	CHECK_OK(syncfs(fd));
	int ro = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(fsync(ro));
	CHECK_ERR(fsync(-1), EBADF);
	CHECK_ERR(fdatasync(-1), EBADF);
	CHECK_ERR(syncfs(-1), EBADF);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(fsync(p[1]), EINVAL);
}

TEST(fs_access)
{
	write_file("rw", "x", 1, 0640);
	write_file("x", "x", 1, 0711);
	write_file("none", "x", 1, 0);
	CHECK_OK(access("rw", F_OK));
	CHECK_OK(access("rw", R_OK | W_OK));
	CHECK_ERR(access("missing", F_OK), ENOENT);
	/* Root reads and writes anything, but executes only with an x bit. */
	CHECK_OK(access("none", R_OK | W_OK));
	CHECK_ERR(access("rw", X_OK), EACCES);
	CHECK_OK(access("x", X_OK));
	CHECK_OK(access(".", X_OK));
	CHECK_ERR(access("rw", 0x10), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_access, p, F_OK), EFAULT);
	ut_note(NULL);
	AS_USER {
		CHECK_OK(access("x", X_OK));
		CHECK_ERR(access("rw", R_OK), EACCES);
		CHECK_ERR(access("x", W_OK), EACCES);
		CHECK_OK(access("rw", F_OK));
	}
}

/* access checks the real ids; AT_EACCESS the effective ones. */
TEST(fs_faccessat)
{
	write_file("secret", "x", 1, 0600);
	CHECK_OK(mkdir("d", 0755));
	write_file("d/f", "x", 1, 0644);
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(faccessat(dfd, "f", R_OK, 0));
	CHECK_ERR(faccessat(dfd, "f", X_OK, 0), EACCES);
	IN_CHILD {
		CHECK_OK(setresuid(TEST_UID, 0, 0));
		/* Real uid 1000: access refuses; effective uid 0: allowed. */
		CHECK_ERR(faccessat(AT_FDCWD, "secret", R_OK, 0), EACCES);
		CHECK_OK(faccessat(AT_FDCWD, "secret", R_OK, AT_EACCESS));
		CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "secret", R_OK, AT_EACCESS));
	}
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "secret", R_OK, 0x1), EINVAL);
	CHECK_ERR(faccessat(-1, "f", R_OK, 0), EBADF);
	/* faccessat2 may look at a symlink itself. */
	CHECK_OK(symlink("missing", "dangling"));
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0), ENOENT);
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
}

TEST(fs_chmod)
{
	write_file("f", "x", 1, 0644);
	CHECK_OK(chmod("f", 04751));
	CHECK_EQ(mode_of("f") & 07777, 04751);
	CHECK(S_ISREG(mode_of("f")));
	/* chmod follows symlinks. */
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(chmod("l", 0600));
	CHECK_EQ(mode_of("f") & 07777, 0600);
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(fchmod(fd, 0640));
	CHECK_EQ(mode_of("f") & 07777, 0640);
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	write_text("d/g", "y");
	CHECK_OK(fchmodat(dfd, "g", 0400, 0));
	CHECK_EQ(mode_of("d/g") & 07777, 0400);
}

TEST(fs_chmod_errors)
{
	write_file("f", "x", 1, 0644);
	CHECK_ERR(chmod("missing", 0644), ENOENT);
	CHECK_ERR(fchmod(-1, 0644), EBADF);
	CHECK_ERR(fchmodat(AT_FDCWD, "f", 0644, 0x1000000), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_chmod, p, 0644), EFAULT);
	ut_note(NULL);
	AS_USER
		CHECK_ERR(chmod("f", 0666), EPERM);
	CHECK_EQ(mode_of("f") & 07777, 0644);
}

TEST(fs_chmod_by_owner)
{
	write_file("mine", "x", 1, 0644);
	write_file("group0", "x", 1, 0644);
	CHECK_OK(chown("mine", TEST_UID, TEST_GID));
	CHECK_OK(chown("group0", TEST_UID, 0));
	AS_USER {
		CHECK_OK(chmod("mine", 02700));
		/* Set-group-ID on a file of a group the caller is not in is
		 * dropped, silently. */
		CHECK_OK(chmod("group0", 02755));
	}
	CHECK_EQ(mode_of("mine") & 07777, 02700);
	CHECK_EQ(mode_of("group0") & 07777, 0755);
}

TEST(fs_chown)
{
	write_file("f", "x", 1, 06755);
	CHECK_OK(chown("f", 123, 456));
	struct stat st;
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 123);
	CHECK_EQ(st.st_gid, 456);
	/* Changing the owner clears set-user-ID and set-group-ID. */
	CHECK_EQ(st.st_mode & 07777, 0755);
	/* -1 leaves that id alone. */
	CHECK_OK(chown("f", -1, 789));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 123);
	CHECK_EQ(st.st_gid, 789);
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(fchown(fd, 5, 6));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_uid, 5);
}

TEST(fs_lchown)
{
	write_text("f", "x");
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(lchown("l", 77, 88));
	struct stat st;
	CHECK_OK(lstat("l", &st));
	CHECK_EQ(st.st_uid, 77);
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 0);
	CHECK_OK(fchownat(AT_FDCWD, "l", 99, 99, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(lstat("l", &st));
	CHECK_EQ(st.st_uid, 99);
	CHECK_OK(fchownat(AT_FDCWD, "l", 11, 11, 0));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_uid, 11);
	CHECK_ERR(fchownat(AT_FDCWD, "l", 1, 1, 0x40000000), EINVAL);
}

TEST(fs_chown_errors)
{
	write_text("f", "x");
	CHECK_OK(chown("f", TEST_UID, TEST_GID));
	CHECK_ERR(chown("missing", 0, 0), ENOENT);
	CHECK_ERR(fchown(-1, 0, 0), EBADF);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_chown, p, 0, 0), EFAULT);
	ut_note(NULL);
	AS_USER {
		/* Even the owner may not give a file away or pick a group
		 * it is not in. */
		CHECK_ERR(chown("f", 0, -1), EPERM);
		CHECK_ERR(chown("f", -1, 0), EPERM);
		/* "No change" is allowed. */
		CHECK_OK(chown("f", TEST_UID, -1));
	}
}

TEST(fs_utimensat)
{
	write_text("f", "x");
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 5 } };
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	struct stat st;
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK_EQ(st.st_atim.tv_nsec, 123456789);
	CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
	CHECK_EQ(st.st_mtim.tv_nsec, 5);
	/* UTIME_OMIT leaves one alone; UTIME_NOW takes the clock. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct timespec mix[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	CHECK_OK(utimensat(AT_FDCWD, "f", mix, 0));
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK(st.st_mtim.tv_sec >= now.tv_sec - 1);
	/* NULL means both now. */
	CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
	CHECK_OK(stat("f", &st));
	CHECK(st.st_atim.tv_sec >= now.tv_sec - 1);
	/* On a symlink itself, and through a descriptor. */
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(lstat("l", &st));
	CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(futimens(fd, ts));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
}

TEST(fs_utimensat_errors)
{
	write_file("f", "x", 1, 0666);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	CHECK_ERR(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "f", NULL, 0x40000000), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "missing", NULL, 0), ENOENT);
	CHECK_ERR(utimensat(-1, "f", NULL, 0), EBADF);
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", p, 0), EFAULT);
	ut_note(NULL);
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	AS_USER {
		/* Anyone who may write may set "now"; only the owner may set
		 * other times. */
		CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
		CHECK_ERR(utimensat(AT_FDCWD, "f", ts, 0), EPERM);
	}
	CHECK_OK(chmod("f", 0644));
	AS_USER
		CHECK_ERR(utimensat(AT_FDCWD, "f", NULL, 0), EACCES);
}

TEST(fs_umask)
{
	CHECK_EQ(umask(0777), 022);
	CHECK_EQ(umask(0), 0777);
	CHECK_EQ(umask(01777), 0);
	CHECK_EQ(umask(022), 0777);    /* only the permission bits are kept */
	CHECK_OK(mkfifo("fifo", 0666));
	CHECK_EQ(mode_of("fifo") & 0777, 0644);
	/* The mask is per process and inherited. */
	umask(077);
	IN_CHILD {
		CHECK_EQ(umask(0), 077);
	}
	CHECK_EQ(umask(022), 077);
}

TEST(fs_mknod)
{
	CHECK_OK(mknod("fifo", S_IFIFO | 0600, 0));
	CHECK(S_ISFIFO(mode_of("fifo")));
	CHECK_OK(mknod("null", S_IFCHR | 0666, makedev(1, 3)));
	struct stat st;
	CHECK_OK(stat("null", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, makedev(1, 3));
	/* A device node reaches the device: this one is /dev/null. */
	int fd = CHECK_OK(open("null", O_RDWR));
	char c;
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(read(fd, &c, 1), 0);
	CHECK_OK(mknod("regular", S_IFREG | 0600, 0));
	CHECK(S_ISREG(mode_of("regular")));
	CHECK_EQ(file_size("regular"), 0);
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(mknodat(dfd, "f2", S_IFIFO | 0600, 0));
	CHECK(S_ISFIFO(mode_of("d/f2")));
}

TEST(fs_mknod_errors)
{
	write_text("f", "x");
	CHECK_ERR(mknod("f", S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERR(mknod("missing/x", S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERR(mknod("bad", 0170000 | 0600, 0), EINVAL);
	CHECK_ERR(mknodat(-1, "x", S_IFIFO | 0600, 0), EBADF);
	CHECK_OK(mkdir("open", 0777));
	CHECK_OK(chmod("open", 0777));
	AS_USER {
		/* Device nodes need privilege; FIFOs do not. */
		CHECK_ERR(mknod("open/dev", S_IFCHR | 0600, makedev(1, 3)), EPERM);
		CHECK_OK(mknod("open/fifo", S_IFIFO | 0600, 0));
	}
}

TEST(fs_futimens_pipe)
{
	/* A pipe has times of its own, as Linux's pipefs inode: futimens sets
	 * them for its owner, fstat shows them, and another user may not. */
	int p[2];
	struct stat st;
	CHECK_OK(pipe(p));
	struct timespec ts[2] = { { 1100000000, 5 }, { 1200000000, 7 } };
	CHECK_OK(futimens(p[0], ts));
	CHECK_OK(fstat(p[1], &st));
	CHECK_EQ(st.st_atim.tv_sec, 1100000000);
	CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
	CHECK_EQ(st.st_mtim.tv_nsec, 7);
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 5, 0 } };
	CHECK_OK(futimens(p[1], omit));
	CHECK_OK(fstat(p[0], &st));
	CHECK_EQ(st.st_atim.tv_sec, 1100000000);
	CHECK_EQ(st.st_mtim.tv_sec, 5);
	struct timespec bad[2] = { { 0, -1 }, { 0, 0 } };
	CHECK_ERR(futimens(p[0], bad), EINVAL);
	AS_USER {
		CHECK_ERR(futimens(p[0], ts), EPERM);
	}
	CHECK_OK(close(p[1]));
	CHECK_ERR(futimens(p[1], ts), EBADF);
}
