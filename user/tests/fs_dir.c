/* Directories: mkdir, mkdirat, rmdir, getdents64, chdir, fchdir, getcwd,
 * chroot, and directory link counts. */
#include "tests.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long sys_getdents64(int fd, void *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

/* Calls fn for every entry of the open directory fd, with a buffer of the
 * given size; returns the number of entries. */
static int each_entry(int fd, size_t bufsize, void (*fn)(struct linux_dirent64 *, void *), void *arg)
{
	char *buf = malloc(bufsize);
	int n = 0;
	CHECK(buf != NULL);
	for (;;) {
		long got = CHECK_OK(sys_getdents64(fd, buf, bufsize));
		if (got == 0)
			break;
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			size_t head = offsetof(struct linux_dirent64, d_name);
			CHECK(d->d_reclen >= head + 2 && off + d->d_reclen <= got);
			CHECK_EQ(d->d_reclen % 8, 0);
			CHECK(strlen(d->d_name) < d->d_reclen - head);
			fn(d, arg);
			n++;
			off += d->d_reclen;
		}
	}
	free(buf);
	return n;
}

static int nlink(const char *path)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	return (int)st.st_nlink;
}

TEST(fs_mkdir)
{
	CHECK_OK(mkdir("d", 0750));
	struct stat st;
	CHECK_OK(stat("d", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0750);
	CHECK_OK(mkdir("d/e", 0777));
	CHECK_OK(stat("d/e", &st));
	CHECK_EQ(st.st_mode & 0777, 0755);    /* umask 022 */
	CHECK_OK(mkdir("trailing/", 0755));
	CHECK_OK(stat("trailing", &st));
}

TEST(fs_mkdir_errors)
{
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(symlink("d", "l"));
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_ERR(mkdir("f", 0755), EEXIST);
	CHECK_ERR(mkdir("l", 0755), EEXIST);
	CHECK_ERR(mkdir(".", 0755), EEXIST);
	CHECK_ERR(mkdir("missing/d", 0755), ENOENT);
	CHECK_ERR(mkdir("f/d", 0755), ENOTDIR);
	CHECK_ERR(mkdir("", 0755), ENOENT);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_mkdir, p, 0755), EFAULT);
	ut_note(NULL);
	AS_USER
		CHECK_ERR(mkdir("u", 0755), EACCES);
}

TEST(fs_mkdirat)
{
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(mkdirat(dfd, "e", 0755));
	CHECK(exists("d/e"));
	CHECK_OK(mkdirat(AT_FDCWD, "g", 0755));
	CHECK(exists("g"));
	write_text("f", "x");
	int ffd = CHECK_OK(open("f", O_RDONLY));
	CHECK_ERR(mkdirat(ffd, "e", 0755), ENOTDIR);
	CHECK_ERR(mkdirat(-1, "e", 0755), EBADF);
}

TEST(fs_rmdir)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(rmdir("d"));
	CHECK(!exists("d"));
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(rmdir("d/"));
	CHECK(!exists("d"));
}

TEST(fs_rmdir_errors)
{
	CHECK_OK(mkdir("full", 0755));
	write_text("full/f", "x");
	CHECK_OK(mkdir("full2", 0755));
	CHECK_OK(mkdir("full2/sub", 0755));
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(symlink("d", "l"));
	CHECK_ERR(rmdir("full"), ENOTEMPTY);
	CHECK_ERR(rmdir("full2"), ENOTEMPTY);
	CHECK_ERR(rmdir("missing"), ENOENT);
	CHECK_ERR(rmdir("f"), ENOTDIR);
	CHECK_ERR(rmdir("l"), ENOTDIR);
	CHECK_ERR(rmdir("d/."), EINVAL);
	CHECK_ERR(rmdir("d/.."), ENOTEMPTY);
	CHECK_ERR(rmdir(""), ENOENT);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_rmdir, p), EFAULT);
	ut_note(NULL);
	CHECK(exists("full/f"));
	CHECK(exists("d"));
	AS_USER
		CHECK_ERR(rmdir("d"), EACCES);
	CHECK(exists("d"));
}

TEST(fs_rmdir_cwd)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(chdir("d"));
	CHECK_OK(rmdir("../d"));
	char buf[PATH_MAX];
	CHECK_ERR(syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
	/* Nothing can be made in a removed directory. */
	CHECK_ERR(open("f", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_ERR(mkdir("e", 0755), ENOENT);
	struct stat st;
	CHECK_OK(stat(".", &st));
	CHECK_EQ(st.st_nlink, 0);
}

TEST(fs_dir_link_counts)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_EQ(nlink("d"), 2);
	CHECK_OK(mkdir("d/a", 0755));
	CHECK_OK(mkdir("d/b", 0755));
	CHECK_EQ(nlink("d"), 4);
	write_text("d/file", "x");
	CHECK_EQ(nlink("d"), 4);     /* files do not count */
	CHECK_OK(rmdir("d/a"));
	CHECK_EQ(nlink("d"), 3);
	/* Moving a subdirectory moves its "..". */
	CHECK_OK(mkdir("e", 0755));
	CHECK_OK(rename("d/b", "e/b"));
	CHECK_EQ(nlink("d"), 2);
	CHECK_EQ(nlink("e"), 3);
}

struct seen {
	int dot, dotdot, names[100], other;
	ino_t dot_ino;
};

static void note_entry(struct linux_dirent64 *d, void *arg)
{
	struct seen *s = arg;
	int n;

	if (strcmp(d->d_name, ".") == 0) {
		s->dot++;
		s->dot_ino = d->d_ino;
		CHECK_EQ(d->d_type, DT_DIR);
	} else if (strcmp(d->d_name, "..") == 0) {
		s->dotdot++;
		CHECK_EQ(d->d_type, DT_DIR);
	} else if (sscanf(d->d_name, "entry-%d", &n) == 1 && n >= 0 && n < 100) {
		s->names[n]++;
		CHECK_EQ(d->d_type, n % 10 == 0 ? DT_DIR : DT_REG);
		struct stat st;
		CHECK_OK(lstat(d->d_name, &st));
		CHECK_EQ(st.st_ino, d->d_ino);
	} else {
		s->other++;
	}
}

/* Makes directory d, enters it and fills it with entry-0 .. entry-99
 * (every tenth a directory, the rest empty files). */
static void make_hundred_entries(void)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(chdir("d"));
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "entry-%d", i);
		if (i % 10 == 0)
			CHECK_OK(mkdir(name, 0755));
		else
			write_text(name, "");
	}
}

/* "." and ".." appear once each, and every name exactly once, however
 * small the buffer. */
TEST(fs_getdents64)
{
	static const size_t sizes[] = { 64, 100, 512, 32768 };
	make_hundred_entries();
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct seen s = { 0 };
		ut_note("buffer of %zu bytes", sizes[k]);
		int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
		CHECK_EQ(each_entry(fd, sizes[k], note_entry, &s), 102);
		CHECK_EQ(s.dot, 1);
		CHECK_EQ(s.dotdot, 1);
		CHECK_EQ(s.other, 0);
		for (int i = 0; i < 100; i++)
			CHECK_EQ(s.names[i], 1);
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		CHECK_EQ(s.dot_ino, st.st_ino);
		/* Rewinding lists it all again. */
		CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
		struct seen again = { 0 };
		CHECK_EQ(each_entry(fd, sizes[k], note_entry, &again), 102);
		CHECK_OK(close(fd));
	}
}

/* A buffer that runs into an unmapped page part way: the call returns
 * the whole records that fit in what is mapped (EFAULT if none does),
 * and the next call goes on right after the last one returned, nothing
 * lost or repeated, whether the fault comes in the kernel's first batch
 * of records or a later one. */
TEST(fs_getdents64_fault_resumes)
{
	static const size_t valid[] = { 8, 1000, 2000, 3000 };
	make_hundred_entries();
	for (size_t k = 0; k < sizeof valid / sizeof valid[0]; k++) {
		struct seen s = { 0 };
		ut_note("%zu bytes mapped", valid[k]);
		int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
		char *edge = edge_ptr(valid[k]);
		int n = 0;
		if (valid[k] < 24) {
			CHECK_ERR(sys_getdents64(fd, edge, 8192), EFAULT);
		} else {
			long got = CHECK_OK(sys_getdents64(fd, edge, 8192));
			CHECK(got > 0 && (size_t)got <= valid[k]);
			for (long off = 0; off < got; n++) {
				struct linux_dirent64 *d = (void *)(edge + off);
				CHECK(d->d_reclen >= 24 && off + d->d_reclen <= got);
				note_entry(d, &s);
				off += d->d_reclen;
			}
		}
		n += each_entry(fd, 4096, note_entry, &s);
		CHECK_EQ(n, 102);
		CHECK_EQ(s.dot, 1);
		CHECK_EQ(s.dotdot, 1);
		CHECK_EQ(s.other, 0);
		for (int i = 0; i < 100; i++)
			CHECK_EQ(s.names[i], 1);
		CHECK_OK(close(fd));
	}
}

static void count_only(struct linux_dirent64 *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
}

TEST(fs_getdents64_empty_and_removed)
{
	CHECK_OK(mkdir("d", 0755));
	int fd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	int n = 0;
	CHECK_EQ(each_entry(fd, 4096, count_only, &n), 2);
	/* Reading a removed directory fails. */
	CHECK_OK(rmdir("d"));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	char buf[4096];
	CHECK_ERR(sys_getdents64(fd, buf, sizeof buf), ENOENT);
}

TEST(fs_getdents64_errors)
{
	char buf[4096];
	write_text("f", "x");
	int ffd = CHECK_OK(open("f", O_RDONLY));
	int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(sys_getdents64(ffd, buf, sizeof buf), ENOTDIR);
	CHECK_ERR(sys_getdents64(-1, buf, sizeof buf), EBADF);
	/* Too small for even one entry. */
	CHECK_ERR(sys_getdents64(dfd, buf, 8), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(sys_getdents64(dfd, p, sizeof buf), EFAULT);
	ut_note(NULL);
	int path = CHECK_OK(open(".", O_PATH));
	CHECK_ERR(sys_getdents64(path, buf, sizeof buf), EBADF);
}

TEST(fs_chdir)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("d/f", "inner");
	CHECK_OK(chdir("d"));
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "inner");
	CHECK_OK(chdir(".."));
	CHECK(exists("d/f"));
	/* The working directory is per process: a child's chdir stays there. */
	IN_CHILD
		CHECK_OK(chdir("d"));
	CHECK(exists("d/f"));
}

TEST(fs_chdir_errors)
{
	write_text("f", "x");
	CHECK_OK(mkdir("closed", 0700));
	CHECK_ERR(chdir("missing"), ENOENT);
	CHECK_ERR(chdir("f"), ENOTDIR);
	CHECK_ERR(chdir(""), ENOENT);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_chdir, p), EFAULT);
	ut_note(NULL);
	AS_USER
		CHECK_ERR(chdir("closed"), EACCES);
}

TEST(fs_fchdir)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("d/f", "x");
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(fchdir(dfd));
	CHECK(exists("f"));
	write_text("g", "y");
	int ffd = CHECK_OK(open("g", O_RDONLY));
	CHECK_ERR(fchdir(ffd), ENOTDIR);
	CHECK_ERR(fchdir(-1), EBADF);
	CHECK_OK(fchdir(CHECK_OK(open("..", O_PATH))));
	CHECK(exists("d/g"));
}

TEST(fs_getcwd)
{
	char start[PATH_MAX], buf[PATH_MAX], want[PATH_MAX];
	CHECK(getcwd(start, sizeof start) != NULL);
	CHECK_EQ(start[0], '/');
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(mkdir("d/e", 0755));
	CHECK_OK(symlink("d/e", "l"));
	CHECK_OK(chdir("l"));
	/* The physical path, not the symlink's. */
	snprintf(want, sizeof want, "%.4000s/d/e", start);
	CHECK_STR(getcwd(buf, sizeof buf), want);
	long len = CHECK_OK(syscall(SYS_getcwd, buf, sizeof buf));
	CHECK_EQ(len, strlen(want) + 1);
	CHECK_ERR(syscall(SYS_getcwd, buf, strlen(want)), ERANGE);
	CHECK_ERR(syscall(SYS_getcwd, buf, 0), ERANGE);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_getcwd, p, sizeof buf), EFAULT);
	ut_note(NULL);
	CHECK_OK(chdir("/"));
	CHECK_STR(getcwd(buf, sizeof buf), "/");
}

TEST(fs_chroot)
{
	CHECK_OK(mkdir("jail", 0755));
	CHECK_OK(mkdir("jail/sub", 0755));
	write_text("jail/marker", "inside");
	write_text("outside", "x");
	IN_CHILD {
		CHECK_OK(chroot("jail"));
		CHECK_OK(chdir("/"));
		char buf[16];
		CHECK_STR(read_text("/marker", buf, sizeof buf), "inside");
		/* ".." at the new root stays there. */
		CHECK_STR(read_text("/../../marker", buf, sizeof buf), "inside");
		CHECK_STR(getcwd(buf, sizeof buf), "/");
		CHECK_OK(chdir("sub"));
		CHECK_STR(getcwd(buf, sizeof buf), "/sub");
		CHECK(!exists("/outside"));
	}
	/* The parent's root did not change. */
	CHECK(exists("outside"));
}

TEST(fs_chroot_errors)
{
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(chroot("missing"), ENOENT);
	CHECK_ERR(chroot("f"), ENOTDIR);
	AS_USER
		CHECK_ERR(chroot("d"), EPERM);
}
