/* The character devices in /dev (null, zero, full, random, urandom),
 * ioctl dispatch and sendfile. */
#include "tests.h"

#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <termios.h>

TEST(fs_dev_null)
{
	int fd = CHECK_OK(open("/dev/null", O_RDWR));
	char buf[16];
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	static char big[1 << 20];
	CHECK_EQ(write(fd, big, sizeof big), sizeof big);
	/* /dev/null never looks at the buffer. */
	CHECK_EQ(syscall(SYS_write, fd, NULL, 10), 10);
}

TEST(fs_dev_zero)
{
	int fd = CHECK_OK(open("/dev/zero", O_RDWR));
	static char buf[100000];
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(read(fd, buf, sizeof buf), sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		if (buf[i] != 0)
			UT_FAIL("byte %zu is %d", i, buf[i]);
	CHECK_EQ(write(fd, "x", 1), 1);
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(read(fd, p, 16), EFAULT);
}

TEST(fs_dev_full)
{
	int fd = CHECK_OK(open("/dev/full", O_RDWR));
	char buf[8] = "xxxxxxx";
	CHECK_ERR(write(fd, "a", 1), ENOSPC);
	CHECK_EQ(read(fd, buf, sizeof buf), sizeof buf);
	CHECK_MEM(buf, "\0\0\0\0\0\0\0\0", 8);
}

static bool all_same(const unsigned char *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (b[i] != b[0])
			return false;
	return true;
}

TEST(fs_dev_urandom)
{
	unsigned char a[64], b[64];
	int fd = CHECK_OK(open("/dev/urandom", O_RDONLY));
	CHECK_EQ(read(fd, a, sizeof a), sizeof a);
	CHECK_EQ(read(fd, b, sizeof b), sizeof b);
	CHECK(memcmp(a, b, sizeof a) != 0);
	CHECK(!all_same(a, sizeof a));
	/* Bits are about evenly spread over 64 KiB. */
	static unsigned char big[65536];
	CHECK_EQ(read(fd, big, sizeof big), sizeof big);
	long ones = 0;
	for (size_t i = 0; i < sizeof big; i++)
		ones += __builtin_popcount(big[i]);
	CHECK(ones > 8 * 65536 / 2 - 4000 && ones < 8 * 65536 / 2 + 4000);
	int rfd = CHECK_OK(open("/dev/random", O_RDONLY));
	CHECK_EQ(read(rfd, a, sizeof a), sizeof a);
	CHECK(!all_same(a, sizeof a));
	/* Writing mixes in data; it is allowed for anyone who may open it. */
	int wfd = CHECK_OK(open("/dev/urandom", O_WRONLY));
	CHECK_EQ(write(wfd, "seed", 4), 4);
}

TEST(fs_ioctl)
{
	int p[2];
	CHECK_OK(pipe(p));
	int n = -1;
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 5);
	/* A request the file does not know: ENOTTY. */
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDONLY));
	struct termios t;
	CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
	CHECK_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
	CHECK_ERR(ioctl(-1, FIONREAD, &n), EBADF);
	void *bad;
	FOR_EACH_BAD_PTR(bad)
		CHECK_ERR(ioctl(p[0], FIONREAD, bad), EFAULT);
	/* FIOCLEX and FIONCLEX work on any descriptor. */
	CHECK_OK(ioctl(fd, FIOCLEX));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_OK(ioctl(fd, FIONCLEX));
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
}

TEST(fs_sendfile)
{
	static char data[100000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i % 251);
	write_file("src", data, sizeof data, 0644);
	int in = CHECK_OK(open("src", O_RDONLY));
	int out = CHECK_OK(open("dst", O_WRONLY | O_CREAT, 0644));
	/* With an offset pointer: the input's own offset stays. */
	off_t off = 10;
	CHECK_EQ(sendfile(out, in, &off, 1000), 1000);
	CHECK_EQ(off, 1010);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	/* Without: it reads from the input's offset and moves it. */
	CHECK_EQ(lseek(in, 1010, SEEK_SET), 1010);
	ssize_t total = 1000;
	while (total < (ssize_t)sizeof data - 10) {
		ssize_t n = CHECK_OK(sendfile(out, in, NULL, sizeof data));
		CHECK(n > 0);
		total += n;
	}
	CHECK_EQ(lseek(in, 0, SEEK_CUR), sizeof data);
	CHECK_EQ(sendfile(out, in, NULL, 100), 0);
	static char back[sizeof data];
	CHECK_EQ(read_file("dst", back, sizeof back), sizeof data - 10);
	CHECK_MEM(back, data + 10, sizeof data - 10);
}

TEST(fs_sendfile_to_pipe)
{
	write_text("src", "through a pipe");
	int in = CHECK_OK(open("src", O_RDONLY));
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(sendfile(p[1], in, NULL, 100), 14);
	char buf[32];
	CHECK_EQ(read(p[0], buf, sizeof buf), 14);
	CHECK_MEM(buf, "through a pipe", 14);
}

TEST(fs_sendfile_errors)
{
	write_text("src", "x");
	int in = CHECK_OK(open("src", O_RDONLY));
	int out = CHECK_OK(open("dst", O_WRONLY | O_CREAT, 0644));
	CHECK_ERR(sendfile(out, -1, NULL, 1), EBADF);
	CHECK_ERR(sendfile(-1, in, NULL, 1), EBADF);
	CHECK_ERR(sendfile(in, in, NULL, 1), EBADF);     /* output not writable */
	CHECK_ERR(sendfile(out, out, NULL, 1), EBADF);   /* input not readable */
	off_t neg = -1;
	CHECK_ERR(sendfile(out, in, &neg, 1), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(syscall(SYS_sendfile, out, in, p, 1), EFAULT);
}
