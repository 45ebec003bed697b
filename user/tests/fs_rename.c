/* rename, renameat, renameat2: replacing atomically, moving directories,
 * RENAME_NOREPLACE and RENAME_EXCHANGE, and the errors. */
#include "tests.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static long renameat2_call(int olddfd, const char *old, int newdfd, const char *new, unsigned flags)
{
	return syscall(SYS_renameat2, olddfd, old, newdfd, new, flags);
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	return st.st_ino;
}

TEST(fs_rename_file)
{
	write_text("a", "contents");
	ino_t ino = ino_of("a");
	CHECK_OK(rename("a", "b"));
	CHECK(!exists("a"));
	CHECK_EQ(ino_of("b"), ino);
	char buf[16];
	CHECK_STR(read_text("b", buf, sizeof buf), "contents");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(rename("b", "d/c"));
	CHECK_EQ(ino_of("d/c"), ino);
}

TEST(fs_rename_replaces)
{
	write_text("new", "new");
	write_text("old", "old");
	ino_t ino = ino_of("new");
	/* An open descriptor of the replaced file still reads the old data. */
	int fd = CHECK_OK(open("old", O_RDONLY));
	CHECK_OK(rename("new", "old"));
	CHECK(!exists("new"));
	CHECK_EQ(ino_of("old"), ino);
	char buf[16];
	CHECK_STR(read_text("old", buf, sizeof buf), "new");
	CHECK_EQ(read(fd, buf, sizeof buf), 3);
	CHECK_MEM(buf, "old", 3);
}

/* While one process renames two versions over a name 500 times, another
 * opening the name always finds a complete file, one version or the other. */
TEST(fs_rename_atomic)
{
	write_text("target", "AAAA");
	pid_t pid = xfork();
	if (pid == 0) {
		for (int i = 0; i < 500; i++) {
			write_text("tmp", i % 2 ? "AAAA" : "BBBB");
			CHECK_OK(rename("tmp", "target"));
		}
		_exit(0);
	}
	int status = 0, reads = 0;
	while (waitpid(pid, &status, WNOHANG) == 0 || reads < 100) {
		char buf[8];
		int fd = open("target", O_RDONLY);
		if (fd < 0)
			UT_FAIL("open target: %s after %d reads", ut_errname(errno), reads);
		ssize_t n = read(fd, buf, sizeof buf);
		close(fd);
		CHECK_EQ(n, 4);
		CHECK(memcmp(buf, "AAAA", 4) == 0 || memcmp(buf, "BBBB", 4) == 0);
		reads++;
	}
	CHECK_EQ(status, 0);
}

TEST(fs_rename_directory)
{
	CHECK_OK(mkdir("a", 0755));
	CHECK_OK(mkdir("a/sub", 0755));
	write_text("a/sub/f", "x");
	CHECK_OK(mkdir("b", 0755));
	CHECK_OK(rename("a", "b/moved"));
	CHECK(exists("b/moved/sub/f"));
	/* ".." of the moved directory is its new parent. */
	struct stat up, b;
	CHECK_OK(stat("b/moved/..", &up));
	CHECK_OK(stat("b", &b));
	CHECK_EQ(up.st_ino, b.st_ino);
	/* An empty directory may be replaced by a directory. */
	CHECK_OK(mkdir("empty", 0755));
	CHECK_OK(rename("b/moved", "empty"));
	CHECK(exists("empty/sub/f"));
}

TEST(fs_rename_same_file)
{
	write_text("a", "x");
	CHECK_OK(link("a", "b"));
	/* Two names of one file: rename does nothing and succeeds. */
	CHECK_OK(rename("a", "b"));
	CHECK(exists("a") && exists("b"));
	CHECK_OK(rename("a", "a"));
	CHECK(exists("a"));
}

TEST(fs_rename_errors)
{
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(mkdir("full", 0755));
	write_text("full/x", "x");
	CHECK_OK(mkdir("d/sub", 0755));
	CHECK_ERR(rename("missing", "n"), ENOENT);
	CHECK_ERR(rename("f", "missing/n"), ENOENT);
	CHECK_ERR(rename("f", "d"), EISDIR);
	CHECK_ERR(rename("d", "f"), ENOTDIR);
	CHECK_ERR(rename("d", "full"), ENOTEMPTY);
	CHECK_ERR(rename("d", "d/sub/inside"), EINVAL);
	CHECK_ERR(rename("d", "d/inside"), EINVAL);
	CHECK_ERR(rename("f/", "g"), ENOTDIR);
	CHECK_ERR(rename("f", "g/"), ENOTDIR);
	CHECK_ERR(rename("", "g"), ENOENT);
	CHECK_ERR(rename("d/.", "e"), EBUSY);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_rename, p, "n"), EFAULT);
		CHECK_ERR(syscall(SYS_rename, "f", p), EFAULT);
	}
	ut_note(NULL);
	CHECK(exists("f") && exists("d/sub") && exists("full/x"));
	AS_USER
		CHECK_ERR(rename("f", "g"), EACCES);
	CHECK(exists("f"));
}

TEST(fs_renameat)
{
	CHECK_OK(mkdir("a", 0755));
	CHECK_OK(mkdir("b", 0755));
	write_text("a/f", "x");
	int fa = CHECK_OK(open("a", O_RDONLY | O_DIRECTORY));
	int fb = CHECK_OK(open("b", O_RDONLY | O_DIRECTORY));
	CHECK_OK(renameat(fa, "f", fb, "g"));
	CHECK(exists("b/g") && !exists("a/f"));
	CHECK_OK(renameat(fb, "g", AT_FDCWD, "h"));
	CHECK(exists("h"));
	CHECK_ERR(renameat(-1, "h", fa, "x"), EBADF);
}

TEST(fs_renameat2_noreplace)
{
	write_text("a", "a");
	write_text("b", "b");
	CHECK_ERR(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
	char buf[8];
	CHECK_STR(read_text("b", buf, sizeof buf), "b");
	CHECK_OK(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
	CHECK(!exists("a") && exists("c"));
}

TEST(fs_renameat2_exchange)
{
	write_text("a", "first");
	CHECK_OK(mkdir("d", 0755));
	write_text("d/inner", "x");
	ino_t ia = ino_of("a"), id = ino_of("d");
	/* A file and a directory trade places. */
	CHECK_OK(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "d", RENAME_EXCHANGE));
	CHECK_EQ(ino_of("a"), id);
	CHECK_EQ(ino_of("d"), ia);
	CHECK(exists("a/inner"));
	char buf[16];
	CHECK_STR(read_text("d", buf, sizeof buf), "first");
	CHECK_ERR(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
}

TEST(fs_renameat2_errors)
{
	write_text("a", "a");
	write_text("b", "b");
	CHECK_ERR(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR(renameat2_call(AT_FDCWD, "a", AT_FDCWD, "b", 0x100), EINVAL);
	CHECK(exists("a") && exists("b"));
}

/* In a sticky directory (like /tmp) only a file's owner, the directory's
 * owner or root may remove or rename it. */
TEST(fs_rename_sticky_dir)
{
	CHECK_OK(mkdir("tmp", 0777));
	CHECK_OK(chmod("tmp", 01777));
	write_text("tmp/roots", "r");
	CHECK_OK(chmod("tmp/roots", 0666));
	AS_USER {
		write_text("tmp/mine", "m");
		CHECK_ERR(unlink("tmp/roots"), EPERM);
		CHECK_ERR(rename("tmp/roots", "tmp/stolen"), EPERM);
		CHECK_OK(rename("tmp/mine", "tmp/mine2"));
		CHECK_OK(unlink("tmp/mine2"));
	}
	CHECK(exists("tmp/roots"));
	/* Root may. */
	CHECK_OK(unlink("tmp/roots"));
}
