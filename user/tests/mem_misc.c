/* brk, madvise, mremap and msync. */
#include "tests.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#endif

static char *anon(size_t len, int prot)
{
	return CHECK_OK(mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

static uintptr_t brk_call(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

TEST(mem_brk)
{
	uintptr_t start = brk_call(0);
	CHECK(start != 0);
	/* The query asks again and gets the same. */
	CHECK_EQ(brk_call(0), start);
	uintptr_t want = start + (1 << 20);
	CHECK_EQ(brk_call(want), want);
	char *heap = (char *)start;
	/* New heap memory is zeroed and writable. */
	for (uintptr_t off = 0; off < (1 << 20); off += PAGE) {
		CHECK_EQ(heap[off], 0);
		heap[off] = 'h';
	}
	/* Shrinking gives memory back; growing again gives zeros. */
	CHECK_EQ(brk_call(start + PAGE), start + PAGE);
	CHECK_EQ(brk_call(want), want);
	CHECK_EQ(heap[2 * PAGE], 0);
	CHECK_EQ(heap[0], 'h');
}

TEST(mem_brk_refusals)
{
	uintptr_t start = brk_call(0);
	/* A failed brk returns the current break, not -1. */
	CHECK_EQ(brk_call(0x1000), start);
	CHECK_EQ(brk_call(0xffff800000000000), start);
	CHECK_EQ(brk_call(start + (1UL << 46)), start);
	/* The heap may not grow over another mapping. */
	uintptr_t next = (start + 16 * PAGE + PAGE - 1) & ~(PAGE - 1);
	CHECK_OK(mmap((void *)next, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	CHECK_EQ(brk_call(next + 2 * PAGE), start);
	IN_CHILD {
		CHECK_OK(setrlimit(RLIMIT_DATA, &(struct rlimit){ 1 << 20, 1 << 20 }));
		CHECK_EQ(brk_call(start + (64 << 20)), start);
	}
}

TEST(mem_madvise_dontneed)
{
	char *m = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	memset(m, 'x', 4 * PAGE);
	CHECK_OK(madvise(m + PAGE, 2 * PAGE, MADV_DONTNEED));
	/* Private anonymous pages read as zeros afterwards. */
	CHECK_EQ(m[0], 'x');
	CHECK_EQ(m[PAGE], 0);
	CHECK_EQ(m[3 * PAGE - 1], 0);
	CHECK_EQ(m[3 * PAGE], 'x');
	/* Shared anonymous memory keeps its contents. */
	char *s = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	s[0] = 's';
	CHECK_OK(madvise(s, PAGE, MADV_DONTNEED));
	CHECK_EQ(s[0], 's');
	/* Other advice is accepted. */
	CHECK_OK(madvise(m, 4 * PAGE, MADV_NORMAL));
	CHECK_OK(madvise(m, 4 * PAGE, MADV_WILLNEED));
}

TEST(mem_madvise_errors)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK_ERR(madvise(m + 1, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_ERR(madvise(m, PAGE, 12345), EINVAL);
	CHECK_OK(munmap(m + PAGE, PAGE));
	CHECK_ERR(madvise(m, 2 * PAGE, MADV_NORMAL), ENOMEM);
}

TEST(mem_mremap_grow)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	memset(m, 'g', 2 * PAGE);
	char *n = CHECK_OK(mremap(m, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE));
	CHECK_EQ(n[0], 'g');
	CHECK_EQ(n[2 * PAGE - 1], 'g');
	CHECK_EQ(n[2 * PAGE], 0);
	n[64 * PAGE - 1] = 1;
	/* If it moved, the old range is gone. */
	if (n != m)
		CHECK_ERR(msync(m, PAGE, MS_ASYNC), ENOMEM);
}

TEST(mem_mremap_shrink_and_fixed)
{
	char *m = anon(8 * PAGE, PROT_READ | PROT_WRITE);
	memset(m, 's', 8 * PAGE);
	CHECK(mremap(m, 8 * PAGE, 2 * PAGE, 0) == m);
	CHECK_ERR(msync(m + 2 * PAGE, PAGE, MS_ASYNC), ENOMEM);
	/* Growing in place fails without MAYMOVE when the next page is taken. */
	char *block = CHECK_OK(mmap(m + 2 * PAGE, PAGE, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK(block == m + 2 * PAGE);
	CHECK_ERR(mremap(m, 2 * PAGE, 4 * PAGE, 0), ENOMEM);
	/* MREMAP_FIXED moves it where asked. */
	char *dst = anon(4 * PAGE, PROT_NONE);
	char *moved = CHECK_OK(mremap(m, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
	CHECK(moved == dst);
	CHECK_EQ(moved[PAGE], 's');
	CHECK_ERR(msync(m, PAGE, MS_ASYNC), ENOMEM);
}

TEST(mem_mremap_errors)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK_ERR(mremap(m + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR(mremap(m, PAGE, 2 * PAGE, 0x80), EINVAL);
	CHECK_ERR(mremap(m, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR(mremap(m, PAGE, PAGE, MREMAP_FIXED, m + PAGE), EINVAL);
	CHECK_OK(munmap(m, 2 * PAGE));
	CHECK_ERR(mremap(m, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
}

TEST(mem_msync)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK_OK(msync(m, 2 * PAGE, MS_SYNC));
	CHECK_OK(msync(m, PAGE, MS_ASYNC | MS_INVALIDATE));
	CHECK_ERR(msync(m + 1, PAGE, MS_SYNC), EINVAL);
	CHECK_ERR(msync(m, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(msync(m, PAGE, 0x100), EINVAL);
	CHECK_OK(munmap(m + PAGE, PAGE));
	CHECK_ERR(msync(m, 2 * PAGE, MS_SYNC), ENOMEM);
}
