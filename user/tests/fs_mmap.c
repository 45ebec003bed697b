/* File mappings against the file's other views: MAP_SHARED writes seen by
 * read(2) and kept after munmap and msync, MAP_PRIVATE copies that the
 * file never sees, writes through read() seen by a mapping, a hole filled
 * through a shared mapping, SIGBUS past the end, and truncations while
 * mapped (pages touched or not, shared or private, in two processes). The system case cosmfs_usertests runs them on cosmfs (with
 * MMAP_KEEP_DIR set, where fs_mmap_shared_msync leaves a file for the
 * host to read off the disk after the power cut). */
#include "tests.h"

static void fill(char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + (size_t)seed) % 26);
}

TEST(fs_mmap_shared_write_reaches_file)
{
	static char data[3 * 4096], back[3 * 4096];
	fill(data, sizeof data, 0);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *m = CHECK_OK(mmap(NULL, sizeof data, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	CHECK_MEM(m, data, sizeof data);
	/* a store shows in read(2) at once, through another descriptor too */
	m[5] = 'X';
	m[PAGE + 7] = 'Y';
	int fd2 = CHECK_OK(open("f", O_RDONLY));
	CHECK_EQ(pread(fd2, back, sizeof back, 0), (ssize_t)sizeof back);
	CHECK_EQ(back[5], 'X');
	CHECK_EQ(back[PAGE + 7], 'Y');
	/* and a write(2) shows in the mapping */
	CHECK_EQ(pwrite(fd, "Q", 1, 2 * PAGE + 1), 1);
	CHECK_EQ(m[2 * PAGE + 1], 'Q');
	CHECK_OK(msync(m, sizeof data, MS_SYNC));
	CHECK_OK(munmap(m, sizeof data));
	/* after munmap and close, still there */
	CHECK_OK(close(fd));
	CHECK_EQ(pread(fd2, back, sizeof back, 0), (ssize_t)sizeof back);
	CHECK_EQ(back[5], 'X');
	CHECK_EQ(back[PAGE + 7], 'Y');
	CHECK_EQ(back[2 * PAGE + 1], 'Q');
	CHECK_EQ(back[6], data[6]);
	CHECK_OK(close(fd2));
}

TEST(fs_mmap_shared_fills_hole)
{
	/* the usual pattern: size the file, map it, write through the map */
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(ftruncate(fd, 4 * PAGE));
	char *m = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	for (size_t i = 0; i < 4 * PAGE; i++)
		if (m[i])
			UT_FAIL("byte %zu of a hole is %d", i, m[i]);
	for (size_t i = 0; i < 4 * PAGE; i++)
		m[i] = (char)(i % 251);
	CHECK_OK(fsync(fd));
	CHECK_OK(munmap(m, 4 * PAGE));
	static char back[4 * 4096];
	CHECK_EQ(pread(fd, back, sizeof back, 0), (ssize_t)sizeof back);
	for (size_t i = 0; i < sizeof back; i++)
		if (back[i] != (char)(i % 251))
			UT_FAIL("byte %zu reads %d after the mapping wrote %d", i, back[i], (char)(i % 251));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4 * PAGE);
	CHECK(st.st_blocks >= (blkcnt_t)(4 * PAGE / 512));
	CHECK_OK(close(fd));
}

TEST(fs_mmap_private_copy_on_write)
{
	static char data[2 * 4096];
	fill(data, sizeof data, 3);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *p = CHECK_OK(mmap(NULL, sizeof data, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	char *s = CHECK_OK(mmap(NULL, sizeof data, PROT_READ, MAP_SHARED, fd, 0));
	CHECK_EQ(p[1], data[1]);
	p[1] = '#';
	/* neither the file nor a shared mapping sees a private write */
	char c;
	CHECK_EQ(pread(fd, &c, 1, 1), 1);
	CHECK_EQ(c, data[1]);
	CHECK_EQ(s[1], data[1]);
	/* a page the private mapping never wrote follows the file */
	CHECK_EQ(pwrite(fd, "W", 1, PAGE + 3), 1);
	CHECK_EQ(s[PAGE + 3], 'W');
	CHECK_OK(fsync(fd));
	CHECK_EQ(pread(fd, &c, 1, 1), 1);
	CHECK_EQ(c, data[1]);
	CHECK_EQ(p[1], '#');
	CHECK_OK(munmap(p, sizeof data));
	CHECK_OK(munmap(s, sizeof data));
	CHECK_OK(close(fd));
}

static void touch(void *p)
{
	(void)*(volatile char *)p;
}

TEST(fs_mmap_past_eof_sigbus)
{
	static char data[PAGE + 10];
	fill(data, sizeof data, 5);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *m = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	/* the last partial page: the file's bytes, then zeros */
	CHECK_EQ(m[PAGE + 9], data[PAGE + 9]);
	CHECK_EQ(m[PAGE + 10], 0);
	CHECK_EQ(m[2 * PAGE - 1], 0);
	struct fault f;
	CHECK(catch_fault(touch, m + 2 * PAGE, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK_EQ(f.code, BUS_ADRERR);
	CHECK(f.addr == m + 2 * PAGE);
	/* the mapping did not grow the file */
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, (off_t)sizeof data);
	CHECK_OK(munmap(m, 4 * PAGE));
	CHECK_OK(close(fd));
}

TEST(fs_mmap_truncate_while_mapped)
{
	static char data[4 * 4096];
	fill(data, sizeof data, 9);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *m = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	CHECK_EQ(m[0], data[0]);
	/* pages not touched before the truncation are gone with it */
	CHECK_OK(ftruncate(fd, PAGE));
	struct fault f;
	CHECK(catch_fault(touch, m + 3 * PAGE, &f));
	CHECK_EQ(f.sig, SIGBUS);
	/* the page still inside the file keeps working both ways */
	m[1] = '!';
	char c;
	CHECK_EQ(pread(fd, &c, 1, 1), 1);
	CHECK_EQ(c, '!');
	/* grown again: the new part reads as zeros, through the map too */
	CHECK_OK(ftruncate(fd, 3 * PAGE));
	CHECK_EQ(m[2 * PAGE + 5], 0);
	CHECK_EQ(pread(fd, &c, 1, 2 * PAGE + 5), 1);
	CHECK_EQ(c, 0);
	CHECK_OK(munmap(m, 4 * PAGE));
	CHECK_OK(close(fd));
}

/* Truncated below pages every mapping has touched, in this process and in
 * a child (its own address space): past the last partial page they raise
 * SIGBUS everywhere, the rest of the partial page reads zeros, and grown
 * again the file reads zeros through the mapping, not the old bytes. */
TEST(fs_mmap_truncate_unmaps_touched_shared)
{
	static char data[4 * 4096];
	fill(data, sizeof data, 11);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *m = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	for (size_t i = 0; i < 4; i++)
		CHECK_EQ(m[i * PAGE + 3], data[i * PAGE + 3]);
	m[3 * PAGE + 8] = '%';               /* a written page too */
	int go[2], done[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(done));
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		struct fault f;
		/* the child maps the pages too, then waits for the truncation */
		for (size_t i = 0; i < 4; i++)
			touch(m + i * PAGE);
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		if (!catch_fault(touch, m + 2 * PAGE, &f) || f.sig != SIGBUS)
			_exit(3);
		if (!catch_fault(touch, m + 3 * PAGE + 8, &f) || f.sig != SIGBUS)
			_exit(4);
		_exit(m[PAGE + 100] == 0 && m[PAGE + 99] == data[PAGE + 99] ? 0 : 5);
	}
	char c;
	CHECK_EQ(read(done[0], &c, 1), 1);
	CHECK_OK(ftruncate(fd, PAGE + 100));
	CHECK_EQ(write(go[1], "g", 1), 1);
	wait_exit(pid, 0);
	struct fault f;
	CHECK(catch_fault(touch, m + 2 * PAGE, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK(catch_fault(touch, m + 3 * PAGE + 8, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK(f.addr == m + 3 * PAGE + 8);
	CHECK_EQ(m[PAGE + 99], data[PAGE + 99]);
	CHECK_EQ(m[PAGE + 100], 0);
	CHECK_EQ(m[2 * PAGE - 1], 0);
	/* grown again: zeros where the old bytes were */
	CHECK_OK(ftruncate(fd, 4 * PAGE));
	CHECK_EQ(m[PAGE + 100], 0);
	CHECK_EQ(m[2 * PAGE + 3], 0);
	CHECK_EQ(m[3 * PAGE + 8], 0);
	CHECK_EQ(pread(fd, &c, 1, 3 * PAGE + 8), 1);
	CHECK_EQ(c, 0);
	CHECK_OK(munmap(m, 4 * PAGE));
	CHECK_OK(close(fd));
	CHECK_OK(close(go[0]));
	CHECK_OK(close(go[1]));
	CHECK_OK(close(done[0]));
	CHECK_OK(close(done[1]));
}

/* A private mapping loses its pages past the new end as well, the pages
 * it copied on write included (as Linux's truncate does), and reads the
 * file's zeros once it grows again. */
TEST(fs_mmap_truncate_unmaps_private_copies)
{
	static char data[4 * 4096];
	fill(data, sizeof data, 13);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDWR));
	char *p = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	CHECK_EQ(p[2 * PAGE + 1], data[2 * PAGE + 1]);   /* read: the file's page */
	p[3 * PAGE + 1] = '@';                           /* written: a private copy */
	CHECK_OK(ftruncate(fd, 2 * PAGE));
	struct fault f;
	CHECK(catch_fault(touch, p + 2 * PAGE + 1, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK(catch_fault(touch, p + 3 * PAGE + 1, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK_EQ(p[PAGE + 1], data[PAGE + 1]);
	CHECK_OK(ftruncate(fd, 4 * PAGE));
	CHECK_EQ(p[2 * PAGE + 1], 0);
	CHECK_EQ(p[3 * PAGE + 1], 0);
	CHECK_OK(munmap(p, 4 * PAGE));
	CHECK_OK(close(fd));
}

TEST(fs_mmap_shared_msync)
{
	/* written only through the mapping, then msync: with MMAP_KEEP_DIR
	 * the file is left there for a check after the power goes */
	const char *keep = getenv("MMAP_KEEP_DIR");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/mmap-msync.dat", keep ? keep : ".");
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(ftruncate(fd, 8 * PAGE));
	char *m = CHECK_OK(mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	CHECK_OK(close(fd));
	/* twice: the second round changes blocks already written once */
	memset(m, 'z', 8 * PAGE);
	CHECK_OK(msync(m, 8 * PAGE, MS_SYNC));
	for (size_t i = 0; i < 8 * PAGE; i++)
		m[i] = (char)('A' + i % 23);
	CHECK_OK(msync(m, 8 * PAGE, MS_SYNC));
	CHECK_OK(munmap(m, 8 * PAGE));
	static char back[8 * 4096];
	CHECK_EQ((long)read_file(path, back, sizeof back), (long)sizeof back);
	for (size_t i = 0; i < sizeof back; i++)
		if (back[i] != (char)('A' + i % 23))
			UT_FAIL("byte %zu reads %d", i, back[i]);
}
