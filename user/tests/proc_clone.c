/* clone with each supported flag (VM, FS, FILES, SIGHAND, THREAD, SETTLS,
 * PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID), invalid combinations,
 * threads through musl's pthreads, set_tid_address and set_robust_list. */
#include "tests.h"

#include <pthread.h>

#define STACK_SIZE (64 << 10)

static char *new_stack(void)
{
	char *s = CHECK_OK(mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	return s + STACK_SIZE;
}

static pid_t spawn(int (*fn)(void *), unsigned long flags, void *arg)
{
	return CHECK_OK(clone(fn, new_stack(), (int)flags | SIGCHLD, arg));
}

static int set_to_42(void *arg)
{
	*(volatile int *)arg = 42;
	return 0;
}

TEST(proc_clone_vm)
{
	static volatile int shared;
	pid_t pid = spawn(set_to_42, CLONE_VM, (void *)&shared);
	wait_exit(pid, 0);
	CHECK_EQ(shared, 42);
	/* Without CLONE_VM the child writes its own copy. */
	shared = 0;
	pid = spawn(set_to_42, 0, (void *)&shared);
	wait_exit(pid, 0);
	CHECK_EQ(shared, 0);
}

static int open_a_file(void *arg)
{
	return open((const char *)arg, O_RDONLY) < 0 ? 1 : 0;
}

TEST(proc_clone_files)
{
	write_text("f", "x");
	int probe = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(close(probe));
	/* The child's open lands in the shared table at the lowest free. */
	pid_t pid = spawn(open_a_file, CLONE_VM | CLONE_FILES, "f");
	wait_exit(pid, 0);
	CHECK_OK(fcntl(probe, F_GETFD));
	CHECK_OK(close(probe));
	pid = spawn(open_a_file, CLONE_VM, "f");
	wait_exit(pid, 0);
	CHECK_ERR(fcntl(probe, F_GETFD), EBADF);
}

static int chdir_and_umask(void *arg)
{
	umask(077);
	return chdir((const char *)arg) < 0 ? 1 : 0;
}

TEST(proc_clone_fs)
{
	CHECK_OK(mkdir("d", 0755));
	write_text("d/inside", "x");
	pid_t pid = spawn(chdir_and_umask, CLONE_VM, "d");
	wait_exit(pid, 0);
	CHECK(!exists("inside"));
	CHECK_EQ(umask(022), 022);
	pid = spawn(chdir_and_umask, CLONE_VM | CLONE_FS, "d");
	wait_exit(pid, 0);
	CHECK(exists("inside"));
	CHECK_EQ(umask(022), 077);
}

static void on_usr2(int sig)
{
	(void)sig;
}

static int install_handler(void *arg)
{
	(void)arg;
	return signal(SIGUSR2, on_usr2) == SIG_ERR;
}

TEST(proc_clone_sighand)
{
	struct sigaction sa;
	pid_t pid = spawn(install_handler, CLONE_VM | CLONE_SIGHAND, NULL);
	wait_exit(pid, 0);
	CHECK_OK(sigaction(SIGUSR2, NULL, &sa));
	CHECK(sa.sa_handler == on_usr2);
	signal(SIGUSR2, SIG_DFL);
	pid = spawn(install_handler, CLONE_VM, NULL);
	wait_exit(pid, 0);
	CHECK_OK(sigaction(SIGUSR2, NULL, &sa));
	CHECK(sa.sa_handler == SIG_DFL);
}

/* CLONE_PARENT_SETTID writes the new tid into the parent's memory,
 * CLONE_CHILD_SETTID into the child's, and CLONE_CHILD_CLEARTID zeroes
 * that word and wakes a futex on it when the child exits. */
static volatile pid_t child_tid_seen;
static volatile pid_t ctid_word;

static int report_ctid(void *arg)
{
	(void)arg;
	child_tid_seen = ctid_word;
	return 0;
}

TEST(proc_clone_tid_words)
{
	pid_t ptid = 0;
	ctid_word = 0;
	pid_t pid = CHECK_OK(clone(report_ctid, new_stack(),
				   CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
				   NULL, &ptid, NULL, &ctid_word));
	wait_exit(pid, 0);
	CHECK_EQ(ptid, pid);
	CHECK_EQ(child_tid_seen, pid);
	CHECK_EQ(ctid_word, pid);
	/* CHILD_CLEARTID: wait on the word until the kernel clears it. */
	ctid_word = 12345;
	pid = CHECK_OK(clone(report_ctid, new_stack(),
			     CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
			     NULL, NULL, NULL, &ctid_word));
	for (pid_t v; (v = ctid_word) != 0;)
		syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, NULL, NULL, 0);
	CHECK_EQ(ctid_word, 0);
	wait_exit(pid, 0);
}

/* CLONE_SETTLS sets the child's FS base: %fs:0 reads the first word of the
 * block given (which musl, like glibc, makes point to itself). */
static uint64_t tls_block[64] __attribute__((aligned(64)));
static volatile uint64_t tls_seen;

static int read_fs0(void *arg)
{
	(void)arg;
	uint64_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	tls_seen = v;
	return 0;
}

TEST(proc_clone_settls)
{
	tls_block[0] = (uint64_t)tls_block;
	pid_t pid = CHECK_OK(clone(read_fs0, new_stack(), CLONE_VM | CLONE_SETTLS | SIGCHLD,
				   NULL, NULL, tls_block, NULL));
	wait_exit(pid, 0);
	CHECK_EQ(tls_seen, (uint64_t)tls_block);
}

TEST(proc_clone_invalid_flags)
{
	/* Raw: a wrongly accepted flag set would run the child on our stack,
	 * so each of these must fail before any child exists. */
	CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_VM | SIGCHLD, new_stack(), NULL, NULL, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, new_stack(), NULL, NULL, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_FS | CLONE_NEWNS | SIGCHLD, new_stack(), NULL, NULL, 0), EINVAL);
	CHECK_ERR(wait(NULL), ECHILD);
}

static void *add_one(void *arg)
{
	__atomic_fetch_add((int *)arg, 1, __ATOMIC_SEQ_CST);
	return arg;
}

TEST(proc_threads_create_join)
{
	int counter = 0;
	for (int round = 0; round < 10; round++) {
		pthread_t t[10];
		for (int i = 0; i < 10; i++)
			CHECK_EQ(pthread_create(&t[i], NULL, add_one, &counter), 0);
		for (int i = 0; i < 10; i++) {
			void *ret;
			CHECK_EQ(pthread_join(t[i], &ret), 0);
			CHECK(ret == &counter);
		}
	}
	CHECK_EQ(counter, 100);
}

static void *same_pid(void *arg)
{
	*(pid_t *)arg = getpid();
	return NULL;
}

TEST(proc_threads_share_process)
{
	pid_t seen = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, same_pid, &seen), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(seen, getpid());
}

TEST(proc_set_tid_address)
{
	static int word;
	long tid = CHECK_OK(syscall(SYS_set_tid_address, &word));
	CHECK_EQ(tid, syscall(SYS_gettid));
}

TEST(proc_set_robust_list)
{
	struct { void *next; long offset; void *pending; } head = { &head, 0, NULL };
	CHECK_OK(syscall(SYS_set_robust_list, &head, sizeof head));
	CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head + 1), EINVAL);
	void *got;
	size_t len;
	CHECK_OK(syscall(SYS_get_robust_list, 0, &got, &len));
	CHECK(got == &head);
	CHECK_EQ(len, sizeof head);
}
