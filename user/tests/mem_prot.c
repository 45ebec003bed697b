/* mprotect and page rights: read-only and no-access pages fault with
 * SEGV_ACCERR, rights change per page, code runs only from executable
 * pages, and W^X (CosmOS refuses write+execute with EACCES). */
#include "tests.h"

static char *anon(size_t len, int prot)
{
	return CHECK_OK(mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

static void write_it(void *p)
{
	*(volatile char *)p = 1;
}

static void read_it(void *p)
{
	(void)*(volatile char *)p;
}

static void call_it(void *p)
{
	((void (*)(void))p)();
}

TEST(mem_mprotect_readonly)
{
	char *m = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	m[0] = 'a';
	m[PAGE] = 'b';
	CHECK_OK(mprotect(m, PAGE, PROT_READ));
	struct fault f;
	CHECK(catch_fault(write_it, m + 10, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_ACCERR);
	CHECK(f.addr == m + 10);
	CHECK_EQ(m[0], 'a');
	/* The second page kept its rights. */
	m[PAGE] = 'c';
	CHECK_OK(mprotect(m, PAGE, PROT_READ | PROT_WRITE));
	m[0] = 'd';
	CHECK_EQ(m[0], 'd');
}

TEST(mem_mprotect_none)
{
	char *m = anon(PAGE, PROT_READ | PROT_WRITE);
	m[0] = 'x';
	CHECK_OK(mprotect(m, PAGE, PROT_NONE));
	struct fault f;
	CHECK(catch_fault(read_it, m, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_ACCERR);
	CHECK(f.addr == m);
	/* The contents survive. */
	CHECK_OK(mprotect(m, PAGE, PROT_READ));
	CHECK_EQ(m[0], 'x');
}

TEST(mem_mprotect_errors)
{
	char *m = anon(2 * PAGE, PROT_READ);
	/* Raw: musl's mprotect rounds the start down to a page itself. */
	CHECK_ERR(syscall(SYS_mprotect, m + 1, PAGE, PROT_READ), EINVAL);
	CHECK_ERR(mprotect(m, PAGE, 0x100), EINVAL);
	CHECK_OK(munmap(m + PAGE, PAGE));
	/* Part of the range is not mapped. */
	CHECK_ERR(mprotect(m, 2 * PAGE, PROT_READ), ENOMEM);
	CHECK_ERR(mprotect((void *)0xffff800000000000, PAGE, PROT_READ), ENOMEM);
	CHECK_OK(mprotect(m, 0, PROT_READ));
	/* A private file mapping of a read-only descriptor may become
	 * writable; a shared one may not. */
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDONLY));
	char *priv = CHECK_OK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK_OK(mprotect(priv, PAGE, PROT_READ | PROT_WRITE));
	char *shared = CHECK_OK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
	CHECK_ERR(mprotect(shared, PAGE, PROT_READ | PROT_WRITE), EACCES);
}

/* mov $42, %eax; ret */
static const unsigned char ret42[] = { 0xb8, 42, 0, 0, 0, 0xc3 };

/* Code written while writable, then made read+execute, runs (what a JIT
 * does under W^X). */
TEST(mem_exec_after_mprotect)
{
	char *m = anon(PAGE, PROT_READ | PROT_WRITE);
	memcpy(m, ret42, sizeof ret42);
	CHECK_OK(mprotect(m, PAGE, PROT_READ | PROT_EXEC));
	CHECK_EQ(((int (*)(void))m)(), 42);
}

TEST(mem_exec_needs_prot_exec)
{
	char *m = anon(PAGE, PROT_READ | PROT_WRITE);
	memcpy(m, ret42, sizeof ret42);
	struct fault f;
	CHECK(catch_fault(call_it, m, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_ACCERR);
	CHECK(f.addr == m);
	CHECK_EQ(f.rip, (uintptr_t)m);
	/* The stack is not executable either. */
	unsigned char onstack[16];
	memcpy(onstack, ret42, sizeof ret42);
	CHECK(catch_fault(call_it, onstack, &f));
	CHECK_EQ(f.code, SEGV_ACCERR);
	CHECK(f.addr == onstack);
}

/* W^X: CosmOS refuses a mapping or mprotect asking for write and execute
 * together with EACCES (as OpenBSD does); Linux allows it. */
TEST(mem_wx_refused_on_cosmos)
{
	int rwx = PROT_READ | PROT_WRITE | PROT_EXEC;
	void *m = mmap(NULL, PAGE, rwx, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *rw = anon(PAGE, PROT_READ | PROT_WRITE);
	if (on_cosmos()) {
		CHECK(m == MAP_FAILED);
		CHECK_EQ(errno, EACCES);
		CHECK_ERR(mprotect(rw, PAGE, rwx), EACCES);
		CHECK_ERR(mmap(NULL, PAGE, PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0), EACCES);
		/* The refused mprotect changed nothing. */
		rw[0] = 1;
	} else {
		CHECK(m != MAP_FAILED);
		memcpy(m, ret42, sizeof ret42);
		CHECK_EQ(((int (*)(void))m)(), 42);
		CHECK_OK(mprotect(rw, PAGE, rwx));
	}
}

/* Rights also hold for the kernel: a read into a read-only buffer fails. */
TEST(mem_prot_respected_by_syscalls)
{
	write_text("f", "data");
	int fd = CHECK_OK(open("f", O_RDONLY));
	char *ro = anon(PAGE, PROT_READ);
	CHECK_ERR(read(fd, ro, 4), EFAULT);
	char *none = anon(PAGE, PROT_NONE);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(write(p[1], none, 4), EFAULT);
	/* Raw: musl would answer from the vDSO, in user space. */
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro), EFAULT);
}
