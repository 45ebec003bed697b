/* Names: link, linkat, unlink, unlinkat, symlink, symlinkat, readlink,
 * readlinkat; link counts; an unlinked open file keeps its data. */
#include "tests.h"

static nlink_t links_of(const char *path)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	return st.st_nlink;
}

TEST(fs_link)
{
	write_text("a", "shared");
	CHECK_OK(link("a", "b"));
	struct stat sa, sb;
	CHECK_OK(stat("a", &sa));
	CHECK_OK(stat("b", &sb));
	CHECK_EQ(sa.st_ino, sb.st_ino);
	CHECK_EQ(sa.st_nlink, 2);
	/* One file: a write through one name shows through the other. */
	int fd = CHECK_OK(open("b", O_WRONLY | O_APPEND));
	CHECK_EQ(write(fd, "!", 1), 1);
	char buf[16];
	CHECK_STR(read_text("a", buf, sizeof buf), "shared!");
	CHECK_OK(link("b", "c"));
	CHECK_EQ(links_of("a"), 3);
	CHECK_OK(unlink("a"));
	CHECK_EQ(links_of("c"), 2);
	CHECK_STR(read_text("c", buf, sizeof buf), "shared!");
}

TEST(fs_link_errors)
{
	write_text("f", "x");
	write_text("g", "y");
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(link("f", "g"), EEXIST);
	CHECK_ERR(link("missing", "n"), ENOENT);
	CHECK_ERR(link("f", "missing/n"), ENOENT);
	CHECK_ERR(link("f", "g/n"), ENOTDIR);
	CHECK_ERR(link("d", "d2"), EPERM);
	CHECK_ERR(link("f", ""), ENOENT);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_link, p, "n"), EFAULT);
		CHECK_ERR(syscall(SYS_link, "f", p), EFAULT);
	}
	ut_note(NULL);
	CHECK_EQ(links_of("f"), 1);
	/* The user owns the file but may not write the directory. */
	CHECK_OK(chown("f", TEST_UID, TEST_GID));
	AS_USER
		CHECK_ERR(link("f", "d/n"), EACCES);
}

TEST(fs_linkat)
{
	write_text("f", "x");
	CHECK_OK(symlink("f", "l"));
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	/* Without AT_SYMLINK_FOLLOW the link itself gets the new name. */
	CHECK_OK(linkat(AT_FDCWD, "l", dfd, "nofollow", 0));
	struct stat st;
	CHECK_OK(lstat("d/nofollow", &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_OK(linkat(AT_FDCWD, "l", dfd, "follow", AT_SYMLINK_FOLLOW));
	CHECK_OK(lstat("d/follow", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(links_of("f"), 2);
	CHECK_ERR(linkat(AT_FDCWD, "f", dfd, "x", 0x40000000), EINVAL);
	CHECK_ERR(linkat(-1, "f", dfd, "x", 0), EBADF);
}

TEST(fs_unlink)
{
	write_text("f", "x");
	CHECK_OK(unlink("f"));
	CHECK(!exists("f"));
	CHECK_ERR(unlink("f"), ENOENT);
	/* unlink removes a symlink, not its target. */
	write_text("t", "x");
	CHECK_OK(symlink("t", "l"));
	CHECK_OK(unlink("l"));
	CHECK(exists("t"));
	CHECK(!exists("l"));
}

TEST(fs_unlink_errors)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("f", "x");
	write_text("d/g", "y");
	CHECK_ERR(unlink("d"), EISDIR);
	CHECK_ERR(unlink("f/x"), ENOTDIR);
	CHECK_ERR(unlink("missing"), ENOENT);
	CHECK_ERR(unlink(""), ENOENT);
	CHECK_ERR(unlink("f/"), ENOTDIR);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_unlink, p), EFAULT);
	ut_note(NULL);
	AS_USER
		CHECK_ERR(unlink("d/g"), EACCES);
	CHECK(exists("d/g"));
}

TEST(fs_unlinkat)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(mkdir("d/sub", 0755));
	write_text("d/f", "x");
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(unlinkat(dfd, "sub", 0), EISDIR);
	CHECK_ERR(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
	CHECK_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
	CHECK_OK(unlinkat(dfd, "f", 0));
	CHECK(!exists("d/sub") && !exists("d/f"));
	CHECK_ERR(unlinkat(dfd, "x", 0x1), EINVAL);
	CHECK_ERR(unlinkat(-1, "x", 0), EBADF);
}

/* An unlinked file lives on while a descriptor refers to it. */
TEST(fs_unlink_open_file_keeps_data)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	static char data[64 << 10];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 13);
	CHECK_EQ(write(fd, data, sizeof data), sizeof data);
	CHECK_OK(unlink("f"));
	CHECK(!exists("f"));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_size, sizeof data);
	/* Still readable and writable, and a child's copy of the descriptor
	 * keeps it alive after the parent closes its own. */
	CHECK_EQ(pwrite(fd, "tail", 4, sizeof data), 4);
	static char back[sizeof data];
	CHECK_EQ(pread(fd, back, sizeof back, 0), sizeof back);
	CHECK_MEM(back, data, sizeof data);
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(close(p[1]));
		sync_wait(p[0]);
		char t[4];
		CHECK_EQ(pread(fd, t, 4, sizeof data), 4);
		CHECK_MEM(t, "tail", 4);
		_exit(0);
	}
	CHECK_OK(close(fd));
	sync_signal(p[1]);
	wait_exit(pid, 0);
	/* A new file of the same name is a different, empty file. */
	write_text("f", "");
	CHECK_EQ(file_size("f"), 0);
}

TEST(fs_symlink)
{
	CHECK_OK(symlink("some/where", "l"));
	char buf[64];
	CHECK_EQ(readlink("l", buf, sizeof buf), 10);
	CHECK_MEM(buf, "some/where", 10);
	struct stat st;
	CHECK_OK(lstat("l", &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0777);
	CHECK_EQ(st.st_size, 10);
	/* Any bytes but NUL make a target, even one no path could resolve. */
	static char long_target[PATH_MAX];
	memset(long_target, 'a', PATH_MAX - 1);
	CHECK_OK(symlink(long_target, "long"));
	CHECK_EQ(lstat("long", &st), 0);
	CHECK_EQ(st.st_size, PATH_MAX - 1);
}

TEST(fs_symlink_errors)
{
	write_text("f", "x");
	CHECK_ERR(symlink("t", "f"), EEXIST);
	CHECK_ERR(symlink("", "empty"), ENOENT);
	CHECK_ERR(symlink("t", "missing/l"), ENOENT);
	CHECK_ERR(symlink("t", "f/l"), ENOTDIR);
	static char too_long[PATH_MAX + 1];
	memset(too_long, 'a', PATH_MAX);
	CHECK_ERR(symlink(too_long, "l"), ENAMETOOLONG);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_symlink, p, "l"), EFAULT);
		CHECK_ERR(syscall(SYS_symlink, "t", p), EFAULT);
	}
	ut_note(NULL);
	CHECK(!exists("l"));
	AS_USER
		CHECK_ERR(symlink("t", "l"), EACCES);
}

TEST(fs_symlinkat)
{
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(symlinkat("target", dfd, "l"));
	char buf[16];
	CHECK_EQ(readlink("d/l", buf, sizeof buf), 6);
	CHECK_ERR(symlinkat("target", -1, "l"), EBADF);
}

TEST(fs_readlink)
{
	CHECK_OK(symlink("0123456789", "l"));
	char buf[32];
	memset(buf, '#', sizeof buf);
	/* No NUL is added, and a short buffer gets a truncated target. */
	CHECK_EQ(readlink("l", buf, sizeof buf), 10);
	CHECK_EQ(buf[10], '#');
	CHECK_EQ(readlink("l", buf, 4), 4);
	CHECK_MEM(buf, "0123", 4);
	CHECK_EQ(buf[4], '4');
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(symlinkat("../x", dfd, "up"));
	CHECK_EQ(readlinkat(dfd, "up", buf, sizeof buf), 4);
	CHECK_MEM(buf, "../x", 4);
}

TEST(fs_readlink_errors)
{
	char buf[16];
	write_text("f", "x");
	CHECK_OK(symlink("f", "l"));
	CHECK_ERR(readlink("f", buf, sizeof buf), EINVAL);
	CHECK_ERR(readlink(".", buf, sizeof buf), EINVAL);
	CHECK_ERR(readlink("missing", buf, sizeof buf), ENOENT);
	/* Raw: musl's readlink swaps a zero size for a one-byte buffer. */
	CHECK_ERR(syscall(SYS_readlink, "l", buf, 0), EINVAL);
	CHECK_ERR(readlink("l/", buf, sizeof buf), ENOTDIR);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_readlink, "l", p, sizeof buf), EFAULT);
		CHECK_ERR(syscall(SYS_readlink, p, buf, sizeof buf), EFAULT);
	}
	ut_note(NULL);
	CHECK_ERR(readlinkat(-1, "l", buf, sizeof buf), EBADF);
}

TEST(fs_link_counts_many)
{
	write_text("f", "x");
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		CHECK_OK(link("f", name));
	}
	CHECK_EQ(links_of("f"), 51);
	for (int i = 0; i < 50; i += 2) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		CHECK_OK(unlink(name));
	}
	CHECK_EQ(links_of("n1"), 26);
}
