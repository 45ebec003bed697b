/* mmap and munmap: anonymous private and shared memory, MAP_FIXED and
 * MAP_FIXED_NOREPLACE, private file mappings, the low 64 KiB, and the
 * errors. */
#include "tests.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static char *anon(size_t len, int prot)
{
	return CHECK_OK(mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

static void touch_read(void *p)
{
	(void)*(volatile char *)p;
}

static void touch_write(void *p)
{
	*(volatile char *)p = 1;
}

TEST(mem_mmap_anon)
{
	enum { LEN = 64 * 4096 };
	unsigned char *m = (unsigned char *)anon(LEN, PROT_READ | PROT_WRITE);
	CHECK_EQ((uintptr_t)m % PAGE, 0);
	for (size_t i = 0; i < LEN; i++)
		if (m[i] != 0)
			UT_FAIL("byte %zu of a new mapping is %d", i, m[i]);
	for (size_t i = 0; i < LEN; i++)
		m[i] = (unsigned char)i;
	for (size_t i = 0; i < LEN; i += 999)
		CHECK_EQ(m[i], (unsigned char)i);
	CHECK_OK(munmap(m, LEN));
	/* A length that is not a page multiple rounds up. */
	char *odd = anon(100, PROT_READ | PROT_WRITE);
	odd[PAGE - 1] = 1;
	CHECK_OK(munmap(odd, 100));
}

TEST(mem_mmap_lazy_large)
{
	/* 1 GiB of address space costs nothing until touched. */
	size_t len = 1UL << 30;
	char *m = CHECK_OK(mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	for (size_t off = 0; off < len; off += 64 << 20)
		m[off] = 7;
	CHECK_EQ(m[len - (64 << 20)], 7);
	CHECK_EQ(m[12345], 0);
	CHECK_OK(munmap(m, len));
}

TEST(mem_mmap_shared_anon)
{
	volatile int *shared = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	int *private = (int *)anon(PAGE, PROT_READ | PROT_WRITE);
	shared[0] = 1;
	*private = 1;
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(shared[0], 1);
		shared[0] = 2;
		shared[1] = 3;
		*private = 2;
		_exit(0);
	}
	wait_exit(pid, 0);
	CHECK_EQ(shared[0], 2);
	CHECK_EQ(shared[1], 3);
	CHECK_EQ(*private, 1);
}

/* Copy-on-write over many pages: both sides write every page. */
TEST(mem_mmap_cow_many_pages)
{
	enum { PAGES = 1024 };
	char *m = anon(PAGES * PAGE, PROT_READ | PROT_WRITE);
	for (int i = 0; i < PAGES; i++)
		m[i * PAGE] = 'p';
	pid_t pid = xfork();
	if (pid == 0) {
		for (int i = 0; i < PAGES; i++) {
			CHECK_EQ(m[i * PAGE], 'p');
			m[i * PAGE] = 'c';
		}
		_exit(0);
	}
	for (int i = 0; i < PAGES; i += 2)
		m[i * PAGE] = 'P';
	wait_exit(pid, 0);
	for (int i = 0; i < PAGES; i++)
		CHECK_EQ(m[i * PAGE], i % 2 ? 'p' : 'P');
}

TEST(mem_mmap_fixed)
{
	char *m = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	memset(m, 'a', 4 * PAGE);
	/* MAP_FIXED replaces what was there with fresh zeros. */
	char *f = CHECK_OK(mmap(m + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK(f == m + PAGE);
	CHECK_EQ(m[0], 'a');
	CHECK_EQ(m[PAGE], 0);
	CHECK_EQ(m[3 * PAGE - 1], 0);
	CHECK_EQ(m[3 * PAGE], 'a');
	CHECK_ERR(mmap(m + 100, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
}

TEST(mem_mmap_fixed_noreplace)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	m[0] = 'k';
	CHECK_ERR(mmap(m, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_ERR(mmap(m + PAGE, 4 * PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_EQ(m[0], 'k');
	CHECK_OK(munmap(m, 2 * PAGE));
	char *again = CHECK_OK(mmap(m, PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	CHECK(again == m);
}

TEST(mem_mmap_errors)
{
	write_text("f", "data");
	int ro = CHECK_OK(open("f", O_RDONLY));
	int wo = CHECK_OK(open("f", O_WRONLY));
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 100), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	CHECK_ERR(mmap(NULL, 1UL << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	CHECK_ERR(mmap(NULL, (size_t)-PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0), ENODEV);
	int dir = CHECK_OK(open(".", O_RDONLY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
	/* A fixed range that reaches into the kernel half. */
	CHECK_ERR(mmap((void *)0x7ffffffff000, 2 * PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
}

TEST(mem_mmap_file_private)
{
	static char data[2 * 4096 + 100];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	write_file("f", data, sizeof data, 0644);
	int fd = CHECK_OK(open("f", O_RDONLY));
	char *m = CHECK_OK(mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	CHECK_MEM(m, data, sizeof data);
	/* The rest of the last page reads as zeros. */
	for (size_t i = sizeof data; i < 3 * PAGE; i++)
		CHECK_EQ(m[i], 0);
	/* Private writes stay in memory. */
	m[0] = 'Z';
	char c;
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'a');
	/* An offset of one page. */
	char *o = CHECK_OK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE));
	CHECK_MEM(o, data + PAGE, PAGE);
	/* The mapping outlives the descriptor. */
	CHECK_OK(close(fd));
	CHECK_EQ(o[5], data[PAGE + 5]);
	CHECK_EQ(m[1], 'b');
}

/* A page wholly past the end of the file: SIGBUS with BUS_ADRERR. */
static void read_page_two(void *p)
{
	touch_read((char *)p + 2 * PAGE);
}

TEST(mem_mmap_file_past_eof_sigbus)
{
	write_text("f", "short");
	int fd = CHECK_OK(open("f", O_RDONLY));
	char *m = CHECK_OK(mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK_EQ(m[0], 's');
	struct fault f;
	CHECK(catch_fault(read_page_two, m, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK_EQ(f.code, BUS_ADRERR);
	CHECK(f.addr == m + 2 * PAGE);
}

static void write_it(void *p)
{
	touch_write(p);
}

static void read_it(void *p)
{
	touch_read(p);
}

TEST(mem_munmap)
{
	char *m = anon(3 * PAGE, PROT_READ | PROT_WRITE);
	m[0] = m[PAGE] = m[2 * PAGE] = 1;
	/* Unmapping the middle splits the mapping. */
	CHECK_OK(munmap(m + PAGE, PAGE));
	CHECK_EQ(m[0], 1);
	CHECK_EQ(m[2 * PAGE], 1);
	struct fault f;
	CHECK(catch_fault(read_it, m + PAGE + 8, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK(f.addr == m + PAGE + 8);
	/* Unmapping what is not mapped is no error. */
	CHECK_OK(munmap(m + PAGE, PAGE));
	CHECK_OK(munmap(m, 3 * PAGE));
	CHECK(catch_fault(write_it, m, &f));
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK_ERR(munmap(m + 1, PAGE), EINVAL);
	CHECK_ERR(munmap(m, 0), EINVAL);
	CHECK_ERR(munmap((void *)0xffff800000000000, PAGE), EINVAL);
}

TEST(mem_mmap_many)
{
	static char *maps[1000];
	for (int i = 0; i < 1000; i++) {
		maps[i] = anon(PAGE, PROT_READ | PROT_WRITE);
		maps[i][0] = (char)i;
	}
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(maps[i][0], (char)i);
		CHECK_OK(munmap(maps[i], PAGE));
	}
}

/* Nothing is ever mapped in the first 64 KiB on CosmOS, even for root.
 * Linux refuses below vm.mmap_min_addr (at least one page) to users. */
TEST(mem_mmap_low_addresses)
{
	if (on_cosmos()) {
		for (uintptr_t a = 0; a < 0x10000; a += 0x4000)
			CHECK_ERR(mmap((void *)a, PAGE, PROT_READ,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EPERM);
	}
	AS_USER
		CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EPERM);
	/* A low hint without MAP_FIXED is moved, never honoured below 64 KiB
	 * on CosmOS nor below the minimum on Linux. */
	char *h = CHECK_OK(mmap((void *)0x1000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (on_cosmos())
		CHECK((uintptr_t)h >= 0x10000);
	else
		CHECK((uintptr_t)h >= PAGE);
}
