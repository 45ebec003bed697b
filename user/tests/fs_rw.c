/* read, write, readv, writev, pread64, pwrite64, preadv, pwritev, lseek:
 * data, offsets and errors. */
#include "tests.h"

#include <sys/vfs.h>

static int make_file(const char *name, const char *text)
{
	write_text(name, text);
	return CHECK_OK(open(name, O_RDWR));
}

TEST(fs_rw_roundtrip)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(write(fd, "", 0), 0);
	CHECK_EQ(write(fd, "defg", 4), 4);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
	CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
	char buf[16] = { 0 };
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK_STR(buf, "bcd");
	CHECK_EQ(read(fd, buf, sizeof buf), 3);
	CHECK_MEM(buf, "efg", 3);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
}

TEST(fs_rw_large)
{
	enum { SIZE = 1 << 20 };
	unsigned char *out = malloc(SIZE), *in = malloc(SIZE);
	CHECK(out && in);
	for (int i = 0; i < SIZE; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 12));
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, out, SIZE), SIZE);
	CHECK_EQ(pread(fd, in, SIZE, 0), SIZE);
	CHECK_MEM(in, out, SIZE);
	/* An unaligned read across page boundaries. */
	CHECK_EQ(pread(fd, in, 10000, 4093), 10000);
	CHECK_MEM(in, out + 4093, 10000);
}

TEST(fs_rw_overwrite_middle)
{
	int fd = make_file("f", "0123456789");
	CHECK_EQ(pwrite(fd, "ab", 2, 4), 2);
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "0123ab6789");
	CHECK_EQ(file_size("f"), 10);
}

TEST(fs_rw_sparse)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(lseek(fd, 1 << 20, SEEK_SET), 1 << 20);
	CHECK_EQ(write(fd, "z", 1), 1);
	CHECK_EQ(file_size("f"), (1 << 20) + 1);
	static char buf[1 << 16];
	memset(buf, 0x55, sizeof buf);
	CHECK_EQ(pread(fd, buf, sizeof buf, 12345), sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		if (buf[i] != 0)
			UT_FAIL("byte %zu of the hole is %d", 12345 + i, buf[i]);
	CHECK_EQ(pread(fd, buf, 4, (1 << 20) - 2), 3);
	CHECK_MEM(buf, "\0\0z", 3);
}

/* On a tmpfs (a hole takes no memory there, on CosmOS and Linux). */
TEST(fs_rw_sparse_blocks)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	int fd = CHECK_OK(open("t/f", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(pwrite(fd, "z", 1, 64 << 20), 1);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, (64 << 20) + 1);
	CHECK(st.st_blocks <= 16);
	char c = 1;
	CHECK_EQ(pread(fd, &c, 1, 32 << 20), 1);
	CHECK_EQ(c, 0);
}

/* On a tmpfs, a file of one page at offset 0 (kept without an index node
 * there), grown to a far page and back: every page reads what was
 * written, the hole between reads zeros, SEEK_DATA and SEEK_HOLE see the
 * pages, a mapping sees page 0, and truncating frees the blocks. */
TEST(fs_rw_small_file_grows_and_shrinks)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	int fd = CHECK_OK(open("t/f", O_RDWR | O_CREAT, 0644));
	static char page[4096], back[4096];
	struct stat st;
	memset(page, 'a', sizeof page);
	CHECK_EQ(pwrite(fd, page, sizeof page, 0), sizeof page);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 8);
	CHECK_EQ(lseek(fd, 0, SEEK_DATA), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 4096);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK_EQ(m[100], 'a');
	m[101] = 'm';
	memset(page, 'b', sizeof page);
	CHECK_EQ(pwrite(fd, page, sizeof page, 1000 * 4096), sizeof page);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 16);
	CHECK_EQ(pread(fd, back, 4096, 0), 4096);
	CHECK_EQ(back[100], 'a');
	CHECK_EQ(back[101], 'm');                     /* the same page as mapped */
	CHECK_EQ(pread(fd, back, 4096, 1000 * 4096), 4096);
	CHECK_MEM(back, page, 4096);
	CHECK_EQ(pread(fd, back, 4096, 500 * 4096), 4096);
	for (int i = 0; i < 4096; i++)
		if (back[i])
			UT_FAIL("byte %d of the hole is %d", i, back[i]);
	CHECK_EQ(lseek(fd, 4096, SEEK_DATA), 1000 * 4096);
	CHECK_OK(munmap(m, 4096));
	CHECK_OK(ftruncate(fd, 4096));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 8);
	CHECK_OK(ftruncate(fd, 0));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 0);
	CHECK_EQ(pwrite(fd, "c", 1, 0), 1);
	CHECK_OK(ftruncate(fd, 4096));
	CHECK_EQ(pread(fd, back, 4096, 0), 4096);
	CHECK_EQ(back[0], 'c');
	CHECK_EQ(back[1], 0);
	CHECK_EQ(back[101], 0);
	CHECK_OK(close(fd));
	/* one page only, truncated away and grown again: zeros, no blocks */
	fd = CHECK_OK(open("t/g", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(pwrite(fd, page, sizeof page, 0), sizeof page);
	CHECK_OK(ftruncate(fd, 0));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 0);
	CHECK_OK(ftruncate(fd, 4096));
	CHECK_EQ(pread(fd, back, 4096, 0), 4096);
	CHECK_EQ(back[0], 0);
	CHECK_EQ(back[4095], 0);
	CHECK_OK(close(fd));
}

TEST(fs_rw_ebadf)
{
	char c = 'c';
	write_text("f", "x");
	int ro = CHECK_OK(open("f", O_RDONLY));
	int wo = CHECK_OK(open("f", O_WRONLY));
	CHECK_ERR(write(ro, &c, 1), EBADF);
	CHECK_ERR(read(wo, &c, 1), EBADF);
	CHECK_ERR(pwrite(ro, &c, 1, 0), EBADF);
	CHECK_ERR(pread(wo, &c, 1, 0), EBADF);
	CHECK_OK(close(ro));
	CHECK_ERR(read(ro, &c, 1), EBADF);
	CHECK_ERR(write(-1, &c, 1), EBADF);
	CHECK_ERR(read(100000, &c, 1), EBADF);
}

TEST(fs_rw_eisdir)
{
	char buf[16];
	int fd = CHECK_OK(open(".", O_RDONLY));
	CHECK_ERR(read(fd, buf, sizeof buf), EISDIR);
	CHECK_ERR(pread(fd, buf, sizeof buf, 0), EISDIR);
}

TEST(fs_read_efault)
{
	int fd = make_file("f", "0123456789abcdef");
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(pread(fd, p, 4, 0), EFAULT);
		CHECK_ERR(read(fd, p, 4), EFAULT);
	}
	ut_note(NULL);
	/* The failed reads did not move the offset. */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	/* A zero-length read touches nothing. */
	CHECK_EQ(read(fd, NULL, 0), 0);
}

/* A buffer that runs off its mapping takes the bytes that fit: read
 * returns the short count (as Linux does), never more. */
TEST(fs_read_edge)
{
	int fd = make_file("f", "0123456789abcdef");
	char *p = edge_ptr(8);
	CHECK_EQ(read(fd, p, 16), 8);
	CHECK_MEM(p, "01234567", 8);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
}

TEST(fs_write_efault)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(write(fd, p, 4), EFAULT);
	ut_note(NULL);
	CHECK_EQ(file_size("f"), 0);
	CHECK_EQ(write(fd, NULL, 0), 0);
}

TEST(fs_write_edge)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	char *p = edge_ptr(8);
	memcpy(p, "ABCDEFGH", 8);
	CHECK_EQ(write(fd, p, 16), 8);
	CHECK_EQ(file_size("f"), 8);
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "ABCDEFGH");
}

TEST(fs_readv_writev)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	struct iovec out[3] = {
		{ "ab", 2 }, { "", 0 }, { "cdefg", 5 },
	};
	CHECK_EQ(writev(fd, out, 3), 7);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	char a[3] = { 0 }, b[5] = { 0 };
	struct iovec in[2] = { { a, 2 }, { b, 4 } };
	CHECK_EQ(readv(fd, in, 2), 6);
	CHECK_STR(a, "ab");
	CHECK_STR(b, "cdef");
	CHECK_EQ(readv(fd, in, 2), 1);
	CHECK_EQ(a[0], 'g');
	CHECK_EQ(writev(fd, out, 0), 0);
}

TEST(fs_readv_errors)
{
	int fd = make_file("f", "data");
	char c;
	struct iovec iov = { &c, 1 };
	CHECK_ERR(readv(fd, &iov, -1), EINVAL);
	CHECK_ERR(readv(fd, &iov, 1025), EINVAL);
	CHECK_ERR(writev(fd, &iov, 1025), EINVAL);
	/* The iovec array itself, then a bad base inside it. */
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(readv(fd, p, 1), EFAULT);
		struct iovec bad = { p, 4 };
		CHECK_ERR(preadv(fd, &bad, 1, 0), EFAULT);
		CHECK_ERR(writev(fd, &bad, 1), EFAULT);
	}
	ut_note(NULL);
	/* A length that does not fit in ssize_t. */
	struct iovec big[2] = { { &c, 1 }, { &c, (size_t)SSIZE_MAX + 1 } };
	CHECK_ERR(readv(fd, big, 2), EINVAL);
	CHECK_ERR(readv(-1, &iov, 1), EBADF);
}

TEST(fs_pread_pwrite)
{
	int fd = make_file("f", "0123456789");
	char buf[8] = { 0 };
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(pread(fd, buf, 3, 5), 3);
	CHECK_STR(buf, "567");
	CHECK_EQ(pwrite(fd, "XY", 2, 8), 2);
	CHECK_EQ(pwrite(fd, "Z", 1, 12), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
	CHECK_EQ(file_size("f"), 13);
	char all[16];
	CHECK_EQ(pread(fd, all, sizeof all, 0), 13);
	CHECK_MEM(all, "01234567XY\0\0Z", 13);
	CHECK_EQ(pread(fd, buf, 4, 100), 0);
	CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
	CHECK_ERR(pwrite(fd, buf, 1, -1), EINVAL);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERR(pwrite(p[1], buf, 1, 0), ESPIPE);
}

TEST(fs_preadv_pwritev)
{
	int fd = make_file("f", "0123456789");
	char a[2], b[3];
	struct iovec in[2] = { { a, 2 }, { b, 3 } };
	CHECK_EQ(preadv(fd, in, 2, 4), 5);
	CHECK_MEM(a, "45", 2);
	CHECK_MEM(b, "678", 3);
	struct iovec out[2] = { { "ab", 2 }, { "c", 1 } };
	CHECK_EQ(pwritev(fd, out, 2, 1), 3);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	char buf[16];
	CHECK_STR(read_text("f", buf, sizeof buf), "0abc456789");
	CHECK_ERR(preadv(fd, in, 2, -5), EINVAL);
}

TEST(fs_lseek)
{
	int fd = make_file("f", "0123456789");
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(lseek(fd, 2, SEEK_CUR), 5);
	CHECK_EQ(lseek(fd, -1, SEEK_CUR), 4);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
	CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
	CHECK_EQ(lseek(fd, 100, SEEK_END), 110);
	char c;
	CHECK_EQ(read(fd, &c, 1), 0);
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(lseek(fd, -200, SEEK_END), EINVAL);
	CHECK_ERR(lseek(fd, 0, 17), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 110);
	CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
}

TEST(fs_lseek_past_end_then_write)
{
	int fd = make_file("f", "ab");
	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
	CHECK_EQ(file_size("f"), 2);
	CHECK_EQ(write(fd, "c", 1), 1);
	char buf[8];
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 7);
	CHECK_MEM(buf, "ab\0\0\0\0c", 7);
}

/* dup'd descriptors and forked children share one offset; two opens do not. */
TEST(fs_offset_shared)
{
	int fd = make_file("f", "0123456789");
	int d = CHECK_OK(dup(fd));
	int other = CHECK_OK(open("f", O_RDONLY));
	char buf[4];
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3);
	CHECK_EQ(lseek(other, 0, SEEK_CUR), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(read(fd, buf, 4), 4);
		CHECK_MEM(buf, "3456", 4);
		_exit(0);
	}
	wait_exit(pid, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
}

TEST(fs_write_file_grows_with_offset)
{
	int fd = CHECK_OK(open("f", O_WRONLY | O_CREAT, 0644));
	for (int i = 0; i < 100; i++)
		CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(file_size("f"), 1000);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1000);
}

TEST(fs_rw_efbig_rlimit_fsize)
{
	int fd = CHECK_OK(open("f", O_WRONLY | O_CREAT, 0644));
	signal(SIGXFSZ, SIG_IGN);
	CHECK_OK(setrlimit(RLIMIT_FSIZE, &(struct rlimit){ 100, 100 }));
	char buf[150] = { 0 };
	/* A write that would cross the limit is cut short at it... */
	CHECK_EQ(write(fd, buf, sizeof buf), 100);
	/* ...and one that starts there fails. */
	CHECK_ERR(write(fd, buf, 1), EFBIG);
	CHECK_EQ(file_size("f"), 100);
	/* Unignored, SIGXFSZ ends the process. */
	pid_t pid = xfork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_DFL);
		write(fd, buf, 1);
		_exit(0);
	}
	wait_signal(pid, SIGXFSZ);
}

static volatile int xfsz_count;
static void on_xfsz(int sig) { (void)sig; xfsz_count++; }

TEST(fs_rw_rlimit_fsize_edges)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	int pfd[2];
	signal(SIGXFSZ, on_xfsz);
	/* prlimit64 on the caller sets it as setrlimit does */
	CHECK_OK(prlimit(0, RLIMIT_FSIZE, &(struct rlimit){ 100, 100 }, NULL));
	struct rlimit got;
	CHECK_OK(getrlimit(RLIMIT_FSIZE, &got));
	CHECK_EQ(got.rlim_cur, 100);
	/* writev crossing the limit stops there, in its second buffer */
	char a[80], b[80];
	memset(a, 'a', sizeof a);
	memset(b, 'b', sizeof b);
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	CHECK_EQ(writev(fd, iov, 2), 100);
	CHECK_EQ(xfsz_count, 0);
	char back[101] = { 0 };
	CHECK_EQ(pread(fd, back, sizeof back, 0), 100);
	CHECK_EQ(back[79], 'a');
	CHECK_EQ(back[80], 'b');
	CHECK_EQ(back[99], 'b');
	/* pwrite below the limit is cut short too, one at the limit fails */
	CHECK_EQ(pwrite(fd, a, 20, 90), 10);
	CHECK_ERR(pwrite(fd, a, 1, 100), EFBIG);
	CHECK_EQ(xfsz_count, 1);
	/* O_APPEND starts at the size, which is at the limit */
	int ap = CHECK_OK(open("f", O_WRONLY | O_APPEND));
	CHECK_ERR(write(ap, a, 1), EFBIG);
	CHECK_EQ(xfsz_count, 2);
	CHECK_OK(close(ap));
	/* truncating: shrinking and growing up to the limit work, beyond fails */
	CHECK_OK(ftruncate(fd, 50));
	CHECK_OK(ftruncate(fd, 100));
	CHECK_ERR(ftruncate(fd, 101), EFBIG);
	CHECK_ERR(truncate("f", 4096), EFBIG);
	CHECK_EQ(xfsz_count, 4);
	CHECK_EQ(file_size("f"), 100);
	/* an empty write at the limit is no error; a pipe has no size limit */
	CHECK_EQ(write(fd, a, 0), 0);
	CHECK_OK(pipe(pfd));
	static char big[300];
	CHECK_EQ(write(pfd[1], big, sizeof big), (ssize_t)sizeof big);
	CHECK_EQ(xfsz_count, 4);
	/* the limit is inherited */
	pid_t pid = xfork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_DFL);
		pwrite(fd, a, 1, 200);
		_exit(0);
	}
	wait_signal(pid, SIGXFSZ);
}
