/* Resource limits: getrlimit, setrlimit, prlimit64, and their effect:
 * RLIMIT_NPROC contains a fork bomb, RLIMIT_AS refuses mappings,
 * RLIMIT_STACK bounds the stack, RLIMIT_NOFILE the descriptors. */
#include "tests.h"

/* The uid the fork bomb runs as: no other process may have it. */
#define BOMB_UID 4243

TEST(proc_rlimit_get_set)
{
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK(rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max);
	/* CosmOS starts programs with 1024 descriptors. */
	if (on_cosmos())
		CHECK_EQ(rl.rlim_cur, 1024);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 100, 200 }));
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK(rl.rlim_cur == 100 && rl.rlim_max == 200);
	/* Inherited by children. */
	IN_CHILD {
		CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
		CHECK(rl.rlim_cur == 100 && rl.rlim_max == 200);
	}
	CHECK_OK(getrlimit(RLIMIT_STACK, &rl));
	CHECK(rl.rlim_cur >= 128 << 10);
}

TEST(proc_rlimit_errors)
{
	struct rlimit rl;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 300, 200 }), EINVAL);
	CHECK_ERR(syscall(SYS_getrlimit, 99, &rl), EINVAL);
	CHECK_ERR(syscall(SYS_setrlimit, 99, &rl), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, p), EFAULT);
		CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, p), EFAULT);
	}
	ut_note(NULL);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 50, 100 }));
	AS_USER {
		/* Lowering is fine; raising the hard limit needs privilege. */
		CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 60, 90 }));
		CHECK_ERR(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 60, 100 }), EPERM);
		CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 90, 90 }));
	}
}

TEST(proc_prlimit64)
{
	struct rlimit old, new = { 64, 128 };
	CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &new, &old));
	CHECK_OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old));
	CHECK(old.rlim_cur == 64 && old.rlim_max == 128);
	/* Another process's limits, as root. */
	int go[2];
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_wait(go[0]);
		struct rlimit rl;
		CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
		_exit(rl.rlim_cur == 32 ? 0 : 1);
	}
	new = (struct rlimit){ 32, 128 };
	CHECK_OK(syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &new, NULL));
	sync_signal(go[1]);
	wait_exit(pid, 0);
	CHECK_ERR(syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &old), ESRCH);
	CHECK_ERR(syscall(SYS_prlimit64, 0, 99, NULL, &old), EINVAL);
	/* An unprivileged caller may not touch a root process. */
	pid_t parent = getpid();
	AS_USER
		CHECK_ERR(syscall(SYS_prlimit64, parent, RLIMIT_NOFILE, NULL, &old), EPERM);
}

/* A fork bomb under RLIMIT_NPROC: forks fail with EAGAIN at the limit, the
 * bomb ends when killed, and the system (root) can still fork. */
TEST_TIMEOUT(proc_rlimit_nproc_fork_bomb, 60)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t bomb = xfork();
	if (bomb == 0) {
		CHECK_OK(setrlimit(RLIMIT_NPROC, &(struct rlimit){ 30, 30 }));
		CHECK_OK(setgroups(0, NULL));
		CHECK_OK(setresgid(BOMB_UID, BOMB_UID, BOMB_UID));
		CHECK_OK(setresuid(BOMB_UID, BOMB_UID, BOMB_UID));
		/* Every process forks until it is refused, then reports and
		 * waits to be killed. */
		for (;;) {
			pid_t pid = fork();
			if (pid < 0) {
				char e = errno == EAGAIN ? 'A' : 'X';
				write(p[1], &e, 1);
				for (;;)
					pause();
			}
		}
	}
	CHECK_OK(close(p[1]));
	char e;
	CHECK_EQ(read(p[0], &e, 1), 1);
	CHECK_EQ(e, 'A');
	/* Root is not bound by the bomb's limit. */
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	wait_exit(pid, 0);
	/* Kill every process of the bomb's uid; the runner's group kill
	 * catches them too, but the count must come back to zero here. */
	IN_CHILD {
		CHECK_OK(setresuid(BOMB_UID, BOMB_UID, 0));
		CHECK_OK(kill(-1, SIGKILL));
	}
	int status;
	CHECK_EQ(CHECK_OK(waitpid(bomb, &status, 0)), bomb);
	/* Now the uid may fork again. */
	IN_CHILD {
		CHECK_OK(setrlimit(RLIMIT_NPROC, &(struct rlimit){ 30, 30 }));
		CHECK_OK(setresuid(BOMB_UID, BOMB_UID, BOMB_UID));
		for (int tries = 0;; tries++) {
			pid_t kid = fork();
			if (kid == 0)
				_exit(0);
			if (kid > 0) {
				wait_exit(kid, 0);
				break;
			}
			/* Killed processes may take a moment to be reaped. */
			CHECK_EQ(errno, EAGAIN);
			CHECK(tries < 100000);
			sched_yield();
		}
	}
}

TEST(proc_rlimit_as)
{
	void *m = mmap(NULL, 64 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK_OK(munmap(m, 64 << 20));
	IN_CHILD {
		CHECK_OK(setrlimit(RLIMIT_AS, &(struct rlimit){ 256 << 20, 256 << 20 }));
		CHECK_ERR(mmap(NULL, 512 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
		m = CHECK_OK(mmap(NULL, 16 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		CHECK(malloc(1 << 30) == NULL);
	}
}

/* Deep enough (4 GiB of frames) that only a stack limit stops it. */
static volatile int max_depth = 1 << 20;

static int recurse(int depth)
{
	volatile char pad[4096];
	pad[0] = (char)depth;
	if (depth >= max_depth)
		return 0;
	return recurse(depth + 1) + pad[0];
}

/* The stack grows on demand up to RLIMIT_STACK; past it, SIGSEGV. */
TEST(proc_rlimit_stack)
{
	pid_t pid = xfork();
	if (pid == 0) {
		/* 1 MiB of stack in use is well inside the default. */
		volatile char big[1 << 20];
		for (size_t i = 0; i < sizeof big; i += 4096)
			big[i] = 1;
		_exit(big[4096] == 1 ? 0 : 1);
	}
	wait_exit(pid, 0);
	pid = xfork();
	if (pid == 0) {
		CHECK_OK(setrlimit(RLIMIT_STACK, &(struct rlimit){ 1 << 20, 1 << 20 }));
		recurse(0);
		_exit(0);
	}
	wait_signal(pid, SIGSEGV);
}
