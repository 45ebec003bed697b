/* The syscall fuzzer's parts (user/fuzz): the call table generated from
 * sys/syscalls.tab, the random source, and the argument generators. */
#ifndef USER_FUZZ_FUZZ_H
#define USER_FUZZ_FUZZ_H

#include <stdint.h>

/* Argument kinds, as sys/syscalls.tab names them (0: no argument). */
enum kind {
	K_NONE, K_INT, K_UINT, K_LONG, K_ULONG, K_SIZE, K_OFF, K_UPTR, K_USTR, K_FD,
	K_MODE, K_OFLAGS, K_FLAGS, K_PID, K_SIG, K_UID,
};

struct fuzz_call {
	long nr;
	const char *name;
	int impl;                  /* CosmOS implements it (else -ENOSYS) */
	int nargs;
	unsigned char kind[6];
};

/* xorshift64*, one state per process: a worker's calls follow from its seed. */
uint64_t rnd(void);
void rnd_seed(uint64_t seed);
static inline uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }
static inline int chance(unsigned percent) { return rnd_below(100) < percent; }

/* The worker's memory, made by args_setup: a scratch buffer and an arena
 * for the mm calls, each between inaccessible guard pages, a read-only
 * page, and a page that was unmapped. */
struct arena {
	char *scratch;             /* SCRATCH_SIZE bytes, read-write */
	char *ro;                  /* one page, read-only */
	char *guard;               /* one page, PROT_NONE */
	char *gone;                /* one page, unmapped */
	char *arena;               /* ARENA_SIZE bytes for mmap, munmap, mprotect ... */
};
#define SCRATCH_SIZE (16 * 4096)
#define ARENA_SIZE   (64 * 4096)
extern struct arena mem;

/* Opens the worker's descriptors and maps its memory; 0 or -1. */
int args_setup(void);
/* One argument of this kind, biased towards trouble. */
uint64_t arg_of(enum kind k);
/* An address for the mm calls: inside the arena, or plainly bad. */
uint64_t arg_mm_addr(void);
/* A length that keeps an mm call at addr inside the arena when addr is. */
uint64_t arg_mm_len(uint64_t addr, uint64_t len);
/* A pid a signal may be sent to: the worker itself or its last child. */
uint64_t arg_own_pid(void);
/* Pointers to valid objects the calls need for some paths. */
uint64_t arg_zero_timespec(void);
/* A zero timespec or one of WAIT_MS, for the waiting calls. */
#define WAIT_MS 5
uint64_t arg_wait_timespec(void);
uint64_t arg_exec_path(void);
uint64_t arg_exec_argv(void);

/* The worker's last child (for pids), set by the caller after forks. */
extern int last_child;

#endif
