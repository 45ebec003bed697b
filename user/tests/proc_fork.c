/* fork, vfork, exit and exit_group, getpid, getppid, gettid: process
 * creation and the copy-on-write address space. */
#include "tests.h"

#include <pthread.h>

TEST(proc_fork_returns)
{
	pid_t parent = getpid();
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(getppid(), parent);
		CHECK(getpid() != parent);
		pid_t me = getpid();
		CHECK_EQ(write(p[1], &me, sizeof me), sizeof me);
		_exit(0);
	}
	CHECK(pid > 0);
	pid_t reported;
	CHECK_EQ(read(p[0], &reported, sizeof reported), sizeof reported);
	CHECK_EQ(reported, pid);
	wait_exit(pid, 0);
}

/* The child's memory is a copy: writes on either side stay on that side. */
TEST(proc_fork_copies_memory)
{
	static int global = 1;
	int local = 2;
	int *heap = malloc(sizeof *heap);
	CHECK(heap != NULL);
	*heap = 3;
	char *anon = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	anon[0] = 4;
	int go[2];
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(global + local + *heap + anon[0], 10);
		global = local = *heap = 100;
		anon[0] = 100;
		sync_wait(go[0]);
		/* The parent's writes did not reach us either. */
		CHECK_EQ(global, 100);
		CHECK_EQ(anon[100], 0);
		_exit(0);
	}
	anon[100] = 9;
	sync_signal(go[1]);
	wait_exit(pid, 0);
	CHECK_EQ(global, 1);
	CHECK_EQ(local, 2);
	CHECK_EQ(*heap, 3);
	CHECK_EQ(anon[0], 4);
}

TEST(proc_fork_many)
{
	for (int i = 0; i < 100; i++) {
		pid_t pid = xfork();
		if (pid == 0)
			_exit(i);
		wait_exit(pid, i);
	}
}

TEST(proc_fork_nested)
{
	/* Each generation forks the next; statuses come back up the chain. */
	int depth = 0;
	for (; depth < 20; depth++) {
		pid_t pid = xfork();
		if (pid != 0) {
			int status;
			CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
			if (depth == 0) {
				CHECK(WIFEXITED(status));
				CHECK_EQ(WEXITSTATUS(status), 20);
				return;
			}
			_exit(WEXITSTATUS(status));
		}
	}
	_exit(depth);
}

TEST(proc_exit_status)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(256 + 42);    /* only the low 8 bits count */
	wait_exit(pid, 42);
	pid = xfork();
	if (pid == 0)
		syscall(SYS_exit_group, 7);
	wait_exit(pid, 7);
	pid = xfork();
	if (pid == 0)
		syscall(SYS_exit, 255);
	wait_exit(pid, 255);
}

static void *spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* exit_group ends every thread; exit ends only the caller, and the
 * process lives while another thread does. */
TEST(proc_exit_group_ends_threads)
{
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, spin_forever, NULL), 0);
		syscall(SYS_exit_group, 3);
		_exit(99);
	}
	wait_exit(pid, 3);
}

static int p_thread_out[2];
/* Cleared by the kernel when the main thread exits (set_tid_address). */
static volatile int main_alive = 1;

static void *write_after_main_exit(void *arg)
{
	(void)arg;
	while (main_alive)
		syscall(SYS_futex, &main_alive, FUTEX_WAIT, 1, NULL, NULL, 0);
	write(p_thread_out[1], "T", 1);
	syscall(SYS_exit_group, 5);
	return NULL;
}

TEST(proc_exit_main_thread_only)
{
	CHECK_OK(pipe(p_thread_out));
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, write_after_main_exit, NULL), 0);
		syscall(SYS_set_tid_address, &main_alive);
		syscall(SYS_exit, 0);
	}
	CHECK_OK(close(p_thread_out[1]));
	char c = 0;
	CHECK_EQ(read(p_thread_out[0], &c, 1), 1);
	CHECK_EQ(c, 'T');
	wait_exit(pid, 5);
}

/* vfork: the parent waits until the child exits or execs, and the child
 * runs in the parent's memory. */
TEST(proc_vfork)
{
	static volatile int shared = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		shared = 42;
		_exit(3);
	}
	CHECK(pid > 0);
	CHECK_EQ(shared, 42);
	wait_exit(pid, 3);
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "usertests", "-H", "exit_with", "9", NULL };
		execve(self_exe(), argv, NULL);
		_exit(127);
	}
	wait_exit(pid, 9);
}

static void on_alarm_note(int sig)
{
	(void)sig;
}

/* A vfork parent waiting for its child is killable: SIGKILL ends it while
 * the child still runs (blocked on a pipe), and the child goes on. */
TEST(proc_vfork_parent_killable)
{
	int up[2], hold[2];
	CHECK_OK(pipe(up));
	CHECK_OK(pipe(hold));
	pid_t v = xfork();
	if (v == 0) {
		pid_t c = vfork();
		if (c == 0) {
			/* raw calls only: this runs on the parent's stack */
			pid_t me = (pid_t)syscall(SYS_getpid);
			char b;
			syscall(SYS_write, up[1], &me, sizeof(me));
			syscall(SYS_read, hold[0], &b, 1);
			syscall(SYS_exit, 0);
		}
		_exit(0);
	}
	pid_t c;
	CHECK_EQ(read(up[0], &c, sizeof(c)), (ssize_t)sizeof(c));
	CHECK_OK(kill(v, SIGKILL));
	/* A wait that is not killable would hang: SIGALRM ends waitpid then. */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm_note;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(10);
	int status;
	pid_t r = waitpid(v, &status, 0);
	int err = errno;
	alarm(0);
	/* The child is still there, blocked on the pipe: let it end. */
	CHECK_OK(kill(c, 0));
	CHECK_EQ(write(hold[1], "x", 1), 1);
	if (r < 0)
		UT_FAIL("waitpid: %s (the vfork parent did not end)", ut_errname(err));
	CHECK_EQ(r, v);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGKILL);
}

TEST(proc_ids)
{
	pid_t pid = getpid();
	CHECK(pid > 0);
	CHECK_EQ(syscall(SYS_getpid), pid);
	/* The main thread's id is the process id. */
	CHECK_EQ(syscall(SYS_gettid), pid);
	CHECK(getppid() > 0);
	CHECK(getppid() != pid);
}

static void *report_tid(void *arg)
{
	*(long *)arg = syscall(SYS_gettid);
	return NULL;
}

TEST(proc_thread_ids)
{
	long tid = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, report_tid, &tid), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(tid > 0);
	CHECK(tid != getpid());
}

/* An orphan gets a new parent (init or a subreaper), and the old parent's
 * pid no longer names it. */
TEST(proc_orphan_reparented)
{
	int p[2], go[2];
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(go));
	pid_t middle = xfork();
	if (middle == 0) {
		pid_t first = getpid();
		pid_t grandchild = xfork();
		if (grandchild == 0) {
			sync_wait(go[0]);
			while (getppid() == first)
				sched_yield();
			pid_t now = getppid();
			CHECK_EQ(write(p[1], &now, sizeof now), sizeof now);
			_exit(0);
		}
		_exit(0);
	}
	wait_exit(middle, 0);
	sync_signal(go[1]);
	pid_t adopted;
	CHECK_EQ(read(p[0], &adopted, sizeof adopted), sizeof adopted);
	CHECK(adopted != middle);
	CHECK(adopted > 0);
}
