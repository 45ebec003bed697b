/* The fuzzer's arguments: for each kind in sys/syscalls.tab, values that
 * find bugs (NULL, kernel-half, non-canonical, unmapped and read-only
 * pointers, huge and negative sizes, random and closed descriptors,
 * random flags) mixed with valid ones, so calls also get deep. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#define PAGE 4096ull

struct arena mem;
int last_child;

static uint64_t state = 1;

uint64_t rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

void rnd_seed(uint64_t seed)
{
	/* splitmix64 of the seed: nearby seeds give unrelated streams */
	seed += 0x9e3779b97f4a7c15ull;
	seed = (seed ^ seed >> 30) * 0xbf58476d1ce4e5b9ull;
	seed = (seed ^ seed >> 27) * 0x94d049bb133111ebull;
	state = (seed ^ seed >> 31) | 1;
}

/* The paths the worker's calls may name: its own files under /tmp, places
 * it may only read, names that do not exist, and malformed ones. Never
 * the console or the programs the machine runs on. */
static const char *const paths[] = {
	"/tmp/fz0", "/tmp/fz1", "/tmp/fz2", "/tmp/fz3", "/tmp/fzd", "/tmp/fzd/x", "/tmp/fz0/",
	"/tmp/fzd/../fz1", "/", ".", "..", "", "/proc/self/status", "/proc/self/fd/3",
	"/proc/self/maps", "/sys", "/nonexistent/x", "/tmp/fz0/x/y", "//tmp///fz2",
};
static char long_path[5000];

static int fds[12];
static unsigned nfds;
static int closed_fd = -1;

int args_setup(void)
{
	/* [guard][scratch][guard][ro][guard][gone][arena][guard] */
	uint64_t total = PAGE + SCRATCH_SIZE + PAGE + PAGE + PAGE + PAGE + ARENA_SIZE + PAGE;
	char *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int p[2], fd;

	if (m == MAP_FAILED)
		return -1;
	mem.scratch = m + PAGE;
	mem.ro = mem.scratch + SCRATCH_SIZE + PAGE;
	mem.guard = mem.ro + PAGE;
	mem.gone = mem.guard + PAGE;
	mem.arena = mem.gone + PAGE;
	memset(mem.ro, 0x5a, PAGE);
	if (mprotect(m, PAGE, PROT_NONE) || mprotect(mem.scratch + SCRATCH_SIZE, PAGE, PROT_NONE) ||
	    mprotect(mem.ro, PAGE, PROT_READ) || mprotect(mem.guard, PAGE, PROT_NONE) ||
	    munmap(mem.gone, PAGE) || mprotect(mem.arena + ARENA_SIZE, PAGE, PROT_NONE))
		return -1;
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	mkdir("/tmp/fzd", 0755);
	nfds = 0;
	if ((fd = open("/tmp/fz0", O_CREAT | O_RDWR, 0644)) >= 0)
		fds[nfds++] = fd;
	if ((fd = open("/tmp/fz1", O_CREAT | O_RDWR | O_APPEND, 0600)) >= 0)
		fds[nfds++] = fd;
	if ((fd = open("/tmp/fzd", O_RDONLY | O_DIRECTORY)) >= 0)
		fds[nfds++] = fd;
	if ((fd = open("/dev/zero", O_RDWR)) >= 0)
		fds[nfds++] = fd;
	if ((fd = open("/proc/self/status", O_RDONLY)) >= 0)
		fds[nfds++] = fd;
	if ((fd = open("/", O_RDONLY | O_DIRECTORY)) >= 0)
		fds[nfds++] = fd;
	/* non-blocking: a read of an empty pipe must not stop the worker */
	if (pipe2(p, O_NONBLOCK) == 0) {
		fds[nfds++] = p[0];
		fds[nfds++] = p[1];
	}
	if (nfds && (fd = dup(fds[0])) >= 0)
		fds[nfds++] = fd;
	if ((closed_fd = open("/tmp/fz2", O_CREAT | O_RDWR, 0644)) >= 0)
		close(closed_fd);
	return nfds ? 0 : -1;
}

static const uint64_t bad_pointers[] = {
	0, 1, 0xfff, 0xffffffff80000000ull, 0xffffffffff600000ull, 0xffff800000000000ull,
	0xffff888000001000ull, 0x0000800000000000ull, 0x00007ffffffff000ull, 0x8000000000000000ull,
	0xdead000000000000ull, 0xffffffffffffffffull, 0xfffffffffffff000ull,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t scratch_ptr(void)
{
	char *s = mem.scratch;

	switch (rnd_below(4)) {
	case 0: return (uint64_t)s;
	case 1: return (uint64_t)(s + SCRATCH_SIZE - 1 - rnd_below(64));   /* runs into a guard */
	case 2: return (uint64_t)(s + (rnd_below(SCRATCH_SIZE / 8) & ~7ull));
	default: return (uint64_t)(s + rnd_below(SCRATCH_SIZE));
	}
}

/* Sometimes what a pointer points to looks like the structure a call
 * expects (an iovec array, a timespec, a descriptor array), made of the
 * same troublesome values. */
static void fill_scratch(void)
{
	uint64_t *w = (uint64_t *)mem.scratch;

	for (int i = 0; i < 32; i += 2) {
		w[i] = chance(50) ? scratch_ptr() : bad_pointers[rnd_below(COUNT(bad_pointers))];
		w[i + 1] = chance(70) ? rnd_below(8192) : rnd();
	}
}

static uint64_t pointer(void)
{
	unsigned r = rnd_below(100);

	if (r < 5)
		fill_scratch();
	if (r < 40)
		return scratch_ptr();
	if (r < 60)
		return bad_pointers[rnd_below(COUNT(bad_pointers))];
	if (r < 67)
		return (uint64_t)mem.ro + rnd_below(PAGE);
	if (r < 74)
		return (uint64_t)mem.guard + rnd_below(PAGE);
	if (r < 81)
		return (uint64_t)mem.gone + rnd_below(PAGE);
	if (r < 86)
		return (uint64_t)(uintptr_t)&args_setup;      /* program text */
	if (r < 93)
		return (uint64_t)mem.arena + rnd_below(ARENA_SIZE);
	return rnd();
}

static uint64_t path(void)
{
	unsigned r = rnd_below(100);

	if (r < 65)
		return (uint64_t)(uintptr_t)paths[rnd_below(COUNT(paths))];
	if (r < 70)
		return (uint64_t)(uintptr_t)long_path;
	if (r < 75) {
		/* no NUL before the guard page */
		char *p = mem.scratch + SCRATCH_SIZE - 8;

		memcpy(p, "/tmp/fzz", 8);
		return (uint64_t)p;
	}
	return pointer();
}

static uint64_t number(void)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 7, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		0xffffffffffffffffull, 0xfffffffffffff000ull, 0xffffffffffffff00ull,
	};
	unsigned r = rnd_below(100);

	if (r < 45)
		return edge[rnd_below(COUNT(edge))];
	if (r < 75)
		return rnd_below(64);
	if (r < 85)
		return -(uint64_t)rnd_below(4097);
	return rnd();
}

static uint64_t size(void)
{
	unsigned r = rnd_below(100);

	if (r < 40)
		return rnd_below(256);
	if (r < 60)
		return rnd_below(3 * SCRATCH_SIZE);
	return number();
}

static uint64_t fd(void)
{
	unsigned r = rnd_below(100);

	if (r < 60 && nfds)
		return (uint64_t)fds[rnd_below(nfds)];
	if (r < 70)
		return rnd_below(3);
	if (r < 80)
		return rnd_below(64);
	if (r < 85)
		return (uint64_t)closed_fd;
	if (r < 90)
		return (uint64_t)-1;
	if (r < 95)
		return chance(50) ? 1u << 30 : 0x7fffffff;
	return rnd();
}

static uint64_t flags(void)
{
	unsigned r = rnd_below(100);

	if (r < 30)
		return 0;
	if (r < 60)
		return 1ull << rnd_below(32);
	if (r < 80)
		return rnd() & rnd() & 0xffffffff;     /* a few bits */
	return rnd();
}

uint64_t arg_own_pid(void)
{
	return last_child > 0 && chance(50) ? (uint64_t)last_child : (uint64_t)getpid();
}

uint64_t arg_of(enum kind k)
{
	switch (k) {
	case K_UPTR: return pointer();
	case K_USTR: return path();
	case K_FD: return fd();
	case K_SIZE: return size();
	case K_MODE: return chance(70) ? rnd() & 07777 : rnd();
	case K_OFLAGS:
	case K_FLAGS: return flags();
	case K_SIG: return chance(80) ? rnd_below(66) : number();
	case K_PID: {
		static const int64_t pids[] = { 0, -1, 1, 2, -2, 0x7fffffff, -0x7fffffff - 1, 4194304 };

		return chance(50) ? arg_own_pid() : (uint64_t)pids[rnd_below(COUNT(pids))];
	}
	case K_UID: return chance(50) ? rnd_below(2) * 1000 : number();
	case K_INT:
	case K_UINT:
	case K_LONG:
	case K_ULONG:
	case K_OFF:
	default: return number();
	}
}

uint64_t arg_mm_addr(void)
{
	unsigned r = rnd_below(100);

	if (r < 75)
		return (uint64_t)mem.arena + rnd_below(ARENA_SIZE / PAGE) * PAGE;
	if (r < 80)
		return (uint64_t)mem.arena + rnd_below(ARENA_SIZE);   /* unaligned */
	return bad_pointers[rnd_below(COUNT(bad_pointers))];
}

uint64_t arg_mm_len(uint64_t addr, uint64_t len)
{
	uint64_t a = (uint64_t)mem.arena;

	if (addr >= a && addr < a + ARENA_SIZE && (len > a + ARENA_SIZE - addr))
		return rnd_below(a + ARENA_SIZE - addr + 1);
	return len;
}

uint64_t arg_zero_timespec(void)
{
	static const struct timespec zero;

	return (uint64_t)(uintptr_t)&zero;
}

uint64_t arg_wait_timespec(void)
{
	static const struct timespec some = { 0, WAIT_MS * 1000000L };

	return chance(50) ? arg_zero_timespec() : (uint64_t)(uintptr_t)&some;
}

uint64_t arg_exec_path(void)
{
	static const char *const progs[] = { "/bin/exit0", "/nonexistent", "/tmp/fz0", "/", "/tmp" };

	return chance(70) ? (uint64_t)(uintptr_t)progs[rnd_below(COUNT(progs))]
			  : bad_pointers[rnd_below(COUNT(bad_pointers))];
}

uint64_t arg_exec_argv(void)
{
	static const char *const argv[] = { "/bin/exit0", NULL };

	return chance(50) ? (uint64_t)(uintptr_t)argv : pointer();
}
