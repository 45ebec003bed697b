/* futex: WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE, the
 * PRIVATE flag, timeouts, shared memory between processes, and errors. */
#include "tests.h"

#include <pthread.h>

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts,
		  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

TEST(proc_futex_wait_value_mismatch)
{
	int word = 1;
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0), EAGAIN);
}

TEST(proc_futex_wait_timeout)
{
	int word = 0;
	struct timespec ts = { 0, 50000000 }, start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, &ts, NULL, 0), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	CHECK(ms >= 50);
	/* WAIT_BITSET takes an absolute CLOCK_MONOTONIC time. */
	struct timespec abs = end;
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK(start.tv_sec > abs.tv_sec || (start.tv_sec == abs.tv_sec && start.tv_nsec >= abs.tv_nsec));
	/* A time already past returns at once. */
	abs = (struct timespec){ 0, 0 };
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
}

TEST(proc_futex_wake_nobody)
{
	int word = 0;
	CHECK_EQ(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
}

static volatile int wait_word;
static volatile int woken;

static void *wait_once(void *arg)
{
	int op = (int)(long)arg;
	long r = futex(&wait_word, op, 0, NULL, NULL, 0);
	if (r == 0)
		__atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
	return (void *)r;
}

/* Each WAKE of 1 wakes at most one waiter; three wakes that find a waiter
 * release all three threads. */
static void wake_three(int wait_op, int wake_op)
{
	pthread_t t[3];
	wait_word = 0;
	woken = 0;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, wait_once, (void *)(long)wait_op), 0);
	int total = 0;
	while (total < 3) {
		long n = CHECK_OK(futex(&wait_word, wake_op, 1, NULL, NULL, 0));
		CHECK(n == 0 || n == 1);
		total += (int)n;
		if (n == 0)
			sched_yield();
	}
	for (int i = 0; i < 3; i++) {
		void *r;
		CHECK_EQ(pthread_join(t[i], &r), 0);
		CHECK(r == NULL);
	}
	CHECK_EQ(woken, 3);
}

TEST(proc_futex_wait_wake)
{
	wake_three(FUTEX_WAIT, FUTEX_WAKE);
}

TEST(proc_futex_private)
{
	wake_three(FUTEX_WAIT | FUTEX_PRIVATE_FLAG, FUTEX_WAKE | FUTEX_PRIVATE_FLAG);
}

static volatile int bits_word;
static void *wait_bits(void *arg)
{
	long r = futex(&bits_word, FUTEX_WAIT_BITSET, 0, NULL, NULL, (int)(long)arg);
	return (void *)r;
}

TEST(proc_futex_bitset)
{
	pthread_t t;
	bits_word = 0;
	CHECK_EQ(pthread_create(&t, NULL, wait_bits, (void *)0x1L), 0);
	/* A wake for other bits never wakes it; one for its bit does. */
	for (;;) {
		CHECK_EQ(futex(&bits_word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0x2), 0);
		if (futex(&bits_word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0x3) == 1)
			break;
		sched_yield();
	}
	void *r;
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == NULL);
}

static volatile int req_a, req_b;
static void *wait_on_a(void *arg)
{
	(void)arg;
	long r = futex(&req_a, FUTEX_WAIT, 0, NULL, NULL, 0);
	return (void *)r;
}

/* Requeue moves waiters from one word to another without waking them. */
static void requeue_two(bool cmp)
{
	pthread_t t[2];
	req_a = req_b = 0;
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, wait_on_a, NULL), 0);
	int moved = 0;
	while (moved < 2) {
		long n = cmp ? futex(&req_a, FUTEX_CMP_REQUEUE, 0, (void *)2L, &req_b, 0)
			     : futex(&req_a, FUTEX_REQUEUE, 0, (void *)2L, &req_b, 0);
		CHECK_OK(n);
		moved += (int)n;
		if (n == 0)
			sched_yield();
	}
	CHECK_EQ(moved, 2);
	/* They now wait on b: waking a finds no one. */
	CHECK_EQ(futex(&req_a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
	CHECK_EQ(futex(&req_b, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 2);
	for (int i = 0; i < 2; i++) {
		void *r;
		CHECK_EQ(pthread_join(t[i], &r), 0);
		CHECK(r == NULL);
	}
}

TEST(proc_futex_requeue)
{
	requeue_two(false);
}

TEST(proc_futex_cmp_requeue)
{
	requeue_two(true);
	int a = 5, b = 0;
	CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE, 0, (void *)1L, &b, 4), EAGAIN);
}

/* Without FUTEX_PRIVATE_FLAG a futex in MAP_SHARED memory works between
 * processes. */
TEST(proc_futex_shared_between_processes)
{
	volatile int *word = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	*word = 0;
	pid_t pid = xfork();
	if (pid == 0) {
		while (*word == 0)
			futex(word, FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(*word);
	}
	*word = 7;
	while (futex(word, FUTEX_WAKE, 1, NULL, NULL, 0) == 0) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			CHECK_EQ(status, 7 << 8);
			return;
		}
		sched_yield();
	}
	wait_exit(pid, 7);
}

TEST(proc_futex_errors)
{
	int word = 0, other = 0;
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(futex(p, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	ut_note(NULL);
	/* Not 4-byte aligned. */
	CHECK_ERR(futex((int *)((char *)&word + 1), FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
	bad = (struct timespec){ -1, 0 };
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(&word, FUTEX_CMP_REQUEUE, 0, (void *)-1L, &other, 0), EINVAL);
	/* An operation that does not exist: ENOSYS, as Linux says. */
	CHECK_ERR(futex(&word, 99, 0, NULL, NULL, 0), ENOSYS);
}
