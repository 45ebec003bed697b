/* open, openat, creat, close, close_range: path resolution, flags and their
 * errors. */
#include "tests.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

TEST(fs_open_create_rw)
{
	char buf[8] = { 0 };
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0640));

	CHECK_EQ(write(fd, "hello", 5), 5);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 5);
	CHECK_STR(buf, "hello");
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0640);
	CHECK_EQ(st.st_uid, 0);
	CHECK_OK(close(fd));
}

TEST(fs_open_umask)
{
	CHECK_EQ(umask(027), 022);
	CHECK_OK(close(CHECK_OK(open("f", O_CREAT | O_WRONLY, 0777))));
	CHECK_EQ(umask(0), 027);
	CHECK_OK(close(CHECK_OK(open("g", O_CREAT | O_WRONLY, 0777))));
	struct stat st;
	CHECK_OK(stat("f", &st));
	CHECK_EQ(st.st_mode & 0777, 0750);
	CHECK_OK(stat("g", &st));
	CHECK_EQ(st.st_mode & 0777, 0777);
}

TEST(fs_open_lowest_free_fd)
{
	int a = CHECK_OK(open(".", O_RDONLY));
	int b = CHECK_OK(open(".", O_RDONLY));
	int c = CHECK_OK(open(".", O_RDONLY));

	CHECK_EQ(b, a + 1);
	CHECK_OK(close(a));
	CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), a);
	CHECK_OK(close(b));
	CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), b);
	CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), c + 1);
}

TEST(fs_open_enoent)
{
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("missing/f", O_RDONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
	CHECK_ERR(open("", O_RDONLY | O_CREAT, 0644), ENOENT);
	CHECK(!exists("missing"));
}

TEST(fs_open_enotdir)
{
	write_text("file", "x");
	CHECK_ERR(open("file/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("file/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	CHECK_ERR(open("file/", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(openat(AT_FDCWD, "file/.", O_RDONLY), ENOTDIR);
}

/* A pipe has no place in the tree: nothing is relative to it, but
 * AT_EMPTY_PATH names it. */
TEST(fs_openat_pipe_dirfd)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(openat(p[0], "x", O_RDONLY), ENOTDIR);
	CHECK_ERR(mkdirat(p[0], "d", 0755), ENOTDIR);
	struct stat st;
	CHECK_ERR(fstatat(p[0], "x", &st, 0), ENOTDIR);
	CHECK_OK(fstatat(p[0], "", &st, AT_EMPTY_PATH));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_OK(syscall(SYS_newfstatat, p[0], "", &st, AT_EMPTY_PATH));
	CHECK(S_ISFIFO(st.st_mode));
}

TEST(fs_open_excl)
{
	write_text("file", "x");
	CHECK_OK(symlink("nowhere", "dangling"));
	CHECK_ERR(open("file", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR(open(".", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
	/* O_EXCL never follows a symlink, even a dangling one. */
	CHECK_ERR(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK(!exists("nowhere"));
	CHECK_OK(close(CHECK_OK(open("new", O_CREAT | O_EXCL | O_WRONLY, 0644))));
}

/* Ten processes race O_CREAT|O_EXCL for each of 20 names: exactly one
 * wins each. */
TEST(fs_open_excl_race)
{
	int p[2];
	CHECK_OK(pipe(p));
	for (int i = 0; i < 10; i++) {
		if (xfork() == 0) {
			for (int n = 0; n < 20; n++) {
				char name[16];
				snprintf(name, sizeof name, "n%d", n);
				int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
				if (fd >= 0) {
					CHECK_EQ(write(p[1], "w", 1), 1);
					close(fd);
				} else if (errno != EEXIST) {
					UT_FAIL("open %s: %s", name, ut_errname(errno));
				}
			}
			_exit(0);
		}
	}
	CHECK_OK(close(p[1]));
	for (int i = 0; i < 10; i++) {
		int status;
		CHECK_OK(wait(&status));
		CHECK_EQ(status, 0);
	}
	char wins[64];
	CHECK_EQ(read(p[0], wins, sizeof wins), 20);
}

TEST(fs_open_trunc)
{
	write_text("f", "0123456789");
	int fd = CHECK_OK(open("f", O_WRONLY | O_TRUNC));
	CHECK_EQ(file_size("f"), 0);
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_OK(close(fd));
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "ab");
	/* Without O_TRUNC the old bytes beyond the write stay. */
	write_text("g", "0123456789");
	fd = CHECK_OK(open("g", O_WRONLY));
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_OK(close(fd));
	CHECK_STR(read_text("g", buf, sizeof buf), "ab23456789");
}

TEST(fs_open_append)
{
	write_text("f", "abc");
	int fd = CHECK_OK(open("f", O_WRONLY | O_APPEND));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "de", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFL)) & O_APPEND, O_APPEND);
	CHECK_OK(close(fd));
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "abcde");
}

/* Two processes append 1,000 records each through their own descriptions:
 * no record is lost or torn. */
TEST(fs_open_append_atomic)
{
	enum { RECORDS = 1000, LEN = 16 };
	CHECK_OK(close(CHECK_OK(open("log", O_CREAT | O_WRONLY, 0644))));
	for (int w = 0; w < 2; w++) {
		if (xfork() == 0) {
			int fd = CHECK_OK(open("log", O_WRONLY | O_APPEND));
			char rec[LEN + 1];
			for (int i = 0; i < RECORDS; i++) {
				snprintf(rec, sizeof rec, "%c%014d\n", 'a' + w, i);
				CHECK_EQ(write(fd, rec, LEN), LEN);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < 2; w++) {
		int status;
		CHECK_OK(wait(&status));
		CHECK_EQ(status, 0);
	}
	static char data[2 * RECORDS * LEN + 1];
	CHECK_EQ(read_file("log", data, sizeof data), 2 * RECORDS * LEN);
	int next[2] = { 0, 0 };
	for (int r = 0; r < 2 * RECORDS; r++) {
		char *rec = data + r * LEN;
		int w = rec[0] - 'a';
		CHECK(w == 0 || w == 1);
		CHECK_EQ(rec[LEN - 1], '\n');
		CHECK_EQ(atoi(rec + 1), next[w]);
		next[w]++;
	}
}

TEST(fs_open_cloexec_flag)
{
	int a = CHECK_OK(open(".", O_RDONLY | O_CLOEXEC));
	int b = CHECK_OK(open(".", O_RDONLY));
	CHECK_EQ(CHECK_OK(fcntl(a, F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(b, F_GETFD)), 0);
	/* Close-on-exec belongs to the descriptor, not the status flags. */
	CHECK_EQ(CHECK_OK(fcntl(a, F_GETFL)) & O_CLOEXEC, 0);
}

TEST(fs_open_status_flags)
{
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDWR | O_NONBLOCK));
	int fl = CHECK_OK(fcntl(fd, F_GETFL));
	CHECK_EQ(fl & O_ACCMODE, O_RDWR);
	CHECK_EQ(fl & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(fl & (O_CREAT | O_TRUNC | O_EXCL), 0);
	fd = CHECK_OK(open("f", O_WRONLY));
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFL)) & (O_ACCMODE | O_NONBLOCK | O_APPEND), O_WRONLY);
}

TEST(fs_open_directory)
{
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(close(CHECK_OK(open("d", O_RDONLY | O_DIRECTORY))));
	CHECK_OK(close(CHECK_OK(open("d/", O_RDONLY))));
	CHECK_OK(close(CHECK_OK(open("d/.", O_RDONLY))));
	CHECK_ERR(open("d", O_WRONLY), EISDIR);
	CHECK_ERR(open("d", O_RDWR), EISDIR);
	CHECK_ERR(open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERR(open("new/", O_WRONLY | O_CREAT, 0644), EISDIR);
	CHECK(!exists("new"));
	/* O_CREAT with O_DIRECTORY is refused outright (Linux 6.4 and later). */
	CHECK_ERR(open("new2", O_RDONLY | O_CREAT | O_DIRECTORY, 0755), EINVAL);
	CHECK(!exists("new2"));
}

TEST(fs_open_nofollow)
{
	write_text("file", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(symlink("file", "link"));
	CHECK_OK(symlink("d", "dlink"));
	CHECK_ERR(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
	/* With O_DIRECTORY the link itself is checked, and it is no directory. */
	CHECK_ERR(open("dlink", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
	/* Only the last component is not followed. */
	write_text("d/inner", "y");
	CHECK_OK(close(CHECK_OK(open("dlink/inner", O_RDONLY | O_NOFOLLOW))));
	CHECK_OK(close(CHECK_OK(open("file", O_RDONLY | O_NOFOLLOW))));
}

TEST(fs_open_o_path)
{
	char c;
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_PATH));
	CHECK_ERR(read(fd, &c, 1), EBADF);
	CHECK_ERR(write(fd, &c, 1), EBADF);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 1);
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFL)) & O_PATH, O_PATH);
	/* A directory opened with O_PATH still works as a dirfd. */
	CHECK_OK(mkdir("d", 0755));
	write_text("d/g", "yz");
	int dfd = CHECK_OK(open("d", O_PATH | O_DIRECTORY));
	int g = CHECK_OK(openat(dfd, "g", O_RDONLY));
	char buf[2];
	CHECK_EQ(read(g, buf, 2), 2);
	/* O_PATH|O_NOFOLLOW opens the symlink itself. */
	CHECK_OK(symlink("f", "l"));
	int l = CHECK_OK(open("l", O_PATH | O_NOFOLLOW));
	CHECK_OK(fstat(l, &st));
	CHECK(S_ISLNK(st.st_mode));
}

TEST(fs_open_trailing_slash)
{
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(symlink("d", "dl"));
	CHECK_ERR(open("f/", O_RDONLY), ENOTDIR);
	CHECK_OK(close(CHECK_OK(open("d//", O_RDONLY))));
	CHECK_OK(close(CHECK_OK(open("dl/", O_RDONLY))));
	CHECK_OK(close(CHECK_OK(open(".//d/.//", O_RDONLY))));
}

static void make_name(char *buf, size_t len)
{
	memset(buf, 'n', len);
	buf[len] = '\0';
}

TEST(fs_open_name_max)
{
	char name[300];
	make_name(name, 255);
	CHECK_OK(close(CHECK_OK(open(name, O_CREAT | O_WRONLY, 0644))));
	CHECK(exists(name));
	make_name(name, 256);
	CHECK_ERR(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_ERR(open(name, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR(mkdir(name, 0755), ENAMETOOLONG);
}

TEST(fs_open_path_max)
{
	/* 4,096 bytes with the NUL is too long: "./" 2,047 times and "ff",
	 * so that every component is short. */
	static char path[PATH_MAX + 16];
	for (int i = 0; i < PATH_MAX - 2; i += 2)
		memcpy(path + i, "./", 2);
	memcpy(path + PATH_MAX - 2, "ff", 3);
	CHECK_EQ(strlen(path), PATH_MAX);
	write_text("ff", "x");
	CHECK_ERR(open(path, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR(stat(path, &(struct stat){ 0 }), ENAMETOOLONG);
	/* Two bytes shorter fits. */
	CHECK_OK(close(CHECK_OK(open(path + 2, O_RDONLY))));
}

TEST(fs_open_eloop)
{
	CHECK_OK(symlink("b", "a"));
	CHECK_OK(symlink("a", "b"));
	CHECK_OK(symlink("self", "self"));
	CHECK_ERR(open("a", O_RDONLY), ELOOP);
	CHECK_ERR(open("self", O_RDONLY), ELOOP);
	CHECK_ERR(open("a/x", O_RDONLY), ELOOP);
	CHECK_ERR(open("self", O_RDWR | O_CREAT, 0644), ELOOP);
}

/* 40 symlinks in a chain resolve; 41 are too many. */
TEST(fs_open_symlink_limit)
{
	char from[16], to[16];
	write_text("target", "t");
	for (int i = 0; i <= 40; i++) {
		snprintf(from, sizeof from, "l%d", i);
		if (i == 0)
			snprintf(to, sizeof to, "target");
		else
			snprintf(to, sizeof to, "l%d", i - 1);
		CHECK_OK(symlink(to, from));
	}
	CHECK_OK(close(CHECK_OK(open("l39", O_RDONLY))));
	CHECK_ERR(open("l40", O_RDONLY), ELOOP);
}

TEST(fs_open_efault)
{
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_open, p, O_RDONLY), EFAULT);
		CHECK_ERR(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY), EFAULT);
		CHECK_ERR(syscall(SYS_creat, p, 0644), EFAULT);
	}
	ut_note(NULL);
	/* A name that runs into an unmapped page before its NUL. */
	CHECK_ERR(syscall(SYS_open, edge_ptr(8), O_RDONLY | O_CREAT, 0644), EFAULT);
	CHECK(!exists("xxxxxxxx"));
}

TEST(fs_open_eacces_user)
{
	write_file("secret", "s", 1, 0600);
	write_file("public", "p", 1, 0644);
	CHECK_OK(mkdir("closed", 0700));
	write_text("closed/f", "x");
	AS_USER {
		CHECK_ERR(open("secret", O_RDONLY), EACCES);
		CHECK_ERR(open("public", O_WRONLY), EACCES);
		CHECK_ERR(open("public", O_RDWR | O_TRUNC), EACCES);
		CHECK_OK(close(CHECK_OK(open("public", O_RDONLY))));
		/* Search permission on every directory of the path. */
		CHECK_ERR(open("closed/f", O_RDONLY), EACCES);
		/* Write permission on the directory to create. */
		CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), EACCES);
		CHECK(!exists("new"));
	}
}

TEST(fs_open_root_overrides_modes)
{
	write_file("f", "x", 1, 0);
	CHECK_OK(mkdir("d", 0));
	CHECK_OK(close(CHECK_OK(open("f", O_RDWR))));
	CHECK_OK(close(CHECK_OK(open("d/new", O_CREAT | O_WRONLY, 0644))));
}

TEST(fs_openat_dirfd)
{
	CHECK_OK(mkdir("d", 0755));
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
	int fd = CHECK_OK(openat(dfd, "f", O_CREAT | O_WRONLY, 0644));
	CHECK_OK(close(fd));
	CHECK(exists("d/f"));
	CHECK_OK(close(CHECK_OK(openat(dfd, "../d/f", O_RDONLY))));
	CHECK_OK(close(CHECK_OK(openat(AT_FDCWD, "d/f", O_RDONLY))));
	/* An absolute path ignores the dirfd, even a bad one. */
	char abs[PATH_MAX];
	CHECK(getcwd(abs, sizeof abs - 8) != NULL);
	strcat(abs, "/d/f");
	CHECK_OK(close(CHECK_OK(openat(-1, abs, O_RDONLY))));
}

TEST(fs_openat_errors)
{
	write_text("file", "x");
	int ffd = CHECK_OK(open("file", O_RDONLY));
	CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
	CHECK_ERR(openat(-1, "x", O_RDONLY), EBADF);
	CHECK_ERR(openat(1000, "file", O_RDONLY), EBADF);
	CHECK_ERR(openat(AT_FDCWD, "", O_RDONLY), ENOENT);
	int dfd = CHECK_OK(open(".", O_RDONLY));
	CHECK_ERR(openat(dfd, "", O_RDONLY), ENOENT);
}

TEST(fs_creat)
{
	write_text("f", "old contents");
	int fd = CHECK_OK(creat("f", 0600));
	char c;
	CHECK_EQ(file_size("f"), 0);
	CHECK_ERR(read(fd, &c, 1), EBADF);
	CHECK_EQ(write(fd, "n", 1), 1);
	CHECK_EQ(CHECK_OK(fcntl(fd, F_GETFL)) & O_ACCMODE, O_WRONLY);
	CHECK_OK(close(CHECK_OK(creat("g", 0600))));
	CHECK_EQ(file_size("g"), 0);
}

TEST(fs_close_ebadf)
{
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_OK(close(fd));
	CHECK_ERR(close(fd), EBADF);
	CHECK_ERR(close(-1), EBADF);
	CHECK_ERR(close(100000), EBADF);
	CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
}

TEST(fs_close_range)
{
	int base = CHECK_OK(open(".", O_RDONLY));
	for (int i = 1; i < 6; i++)
		CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), base + i);
	CHECK_OK(syscall(SYS_close_range, base + 1, base + 3, 0));
	CHECK_OK(fcntl(base, F_GETFD));
	CHECK_ERR(fcntl(base + 1, F_GETFD), EBADF);
	CHECK_ERR(fcntl(base + 3, F_GETFD), EBADF);
	CHECK_OK(fcntl(base + 4, F_GETFD));
	/* CLOSE_RANGE_CLOEXEC marks instead of closing. */
	CHECK_OK(syscall(SYS_close_range, base + 4, ~0U, CLOSE_RANGE_CLOEXEC));
	CHECK_EQ(CHECK_OK(fcntl(base + 4, F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(base + 5, F_GETFD)), FD_CLOEXEC);
	CHECK_EQ(CHECK_OK(fcntl(base, F_GETFD)), 0);
	/* A range with nothing open is fine; a reversed one is not. */
	CHECK_OK(syscall(SYS_close_range, 5000, 6000, 0));
	CHECK_ERR(syscall(SYS_close_range, base + 5, base + 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_close_range, base, base, 0x80), EINVAL);
	CHECK_OK(syscall(SYS_close_range, base, ~0U, 0));
	CHECK_ERR(fcntl(base + 5, F_GETFD), EBADF);
	CHECK_OK(fcntl(2, F_GETFD));
}

TEST(fs_open_emfile)
{
	struct rlimit rl = { 16, 16 };
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	int last = -1, n = 0;
	for (;;) {
		int fd = open(".", O_RDONLY);
		if (fd < 0) {
			CHECK_EQ(errno, EMFILE);
			break;
		}
		CHECK(fd < 16);
		last = fd;
		n++;
		CHECK(n <= 16);
	}
	CHECK_EQ(last, 15);
	CHECK_ERR(dup(0), EMFILE);
	CHECK_ERR(open("f", O_CREAT | O_WRONLY, 0644), EMFILE);
	CHECK(!exists("f"));
	CHECK_ERR(fcntl(0, F_DUPFD, 16), EINVAL);
	CHECK_OK(close(last));
	CHECK_EQ(CHECK_OK(open(".", O_RDONLY)), last);
}

TEST(fs_open_dotdot_at_root)
{
	struct stat root, up;
	CHECK_OK(stat("/", &root));
	CHECK_OK(stat("/..", &up));
	CHECK_EQ(root.st_ino, up.st_ino);
	CHECK_EQ(root.st_dev, up.st_dev);
	CHECK_OK(stat("/../../..", &up));
	CHECK_EQ(root.st_ino, up.st_ino);
}

TEST(fs_open_dot_and_dotdot)
{
	struct stat a, b;
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(mkdir("d/e", 0755));
	write_text("d/f", "x");
	CHECK_OK(stat("d/e/../f", &a));
	CHECK_OK(stat("d/./f", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_OK(stat("d/e/..", &a));
	CHECK_OK(stat("d", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
}

TEST(fs_open_symlink_relative)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("d/f", "inner");
	write_text("f", "outer");
	/* A relative target resolves from the link's directory. */
	CHECK_OK(symlink("f", "d/l"));
	char buf[16];
	CHECK_STR(read_text("d/l", buf, sizeof buf), "inner");
	CHECK_OK(symlink("../f", "d/up"));
	CHECK_STR(read_text("d/up", buf, sizeof buf), "outer");
	/* Through a symlinked directory. */
	CHECK_OK(symlink("d", "dl"));
	CHECK_STR(read_text("dl/f", buf, sizeof buf), "inner");
}

TEST(fs_open_creat_through_dangling_symlink)
{
	CHECK_OK(symlink("target", "link"));
	int fd = CHECK_OK(open("link", O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_OK(close(fd));
	CHECK_EQ(file_size("target"), 1);
}
