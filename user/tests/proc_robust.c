/* Robust futexes (set_robust_list): a lock whose owner dies holding it
 * goes to the next locker with EOWNERDEAD, whether the owner was a thread
 * that ended or a whole process; the kernel's walk of the list survives a
 * list that loops or points nowhere. The owners end with the raw exit
 * calls, so the kernel, not musl's pthread_exit, gives the locks up. */
#include "tests.h"

#include <pthread.h>

#define FUTEX_OWNER_DIED 0x40000000

/* A lock in memory shared with a child, robust and process-shared. */
static pthread_mutex_t *shared_robust_mutex(void)
{
	pthread_mutex_t *m = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	pthread_mutexattr_t a;
	CHECK_EQ(pthread_mutexattr_init(&a), 0);
	CHECK_EQ(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0);
	CHECK_EQ(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED), 0);
	CHECK_EQ(pthread_mutex_init(m, &a), 0);
	return m;
}

/* Locks m with a deadline 10 s away, so a lock nobody gives up fails the
 * case with ETIMEDOUT instead of hanging it. */
static int lock_within_10s(pthread_mutex_t *m)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return pthread_mutex_timedlock(m, &ts);
}

/* musl's count of lockers asleep on the mutex (its _m_waiters word). */
static int waiters(pthread_mutex_t *m)
{
	return __atomic_load_n(&((volatile int *)m)[2], __ATOMIC_SEQ_CST);
}

static pthread_mutex_t *thread_mutex;

/* Takes the lock, waits until the main thread sleeps on it, and ends
 * with the raw exit call, still holding it. */
static void *hold_and_die(void *arg)
{
	(void)arg;
	if (pthread_mutex_lock(thread_mutex) != 0)
		abort();
	while (waiters(thread_mutex) == 0)
		sched_yield();
	syscall(SYS_exit, 0);
	return NULL;
}

/* A thread ends holding a robust lock the main thread is waiting for:
 * the kernel marks the lock and wakes the waiter, which gets EOWNERDEAD.
 * (musl keeps the kernel's list for process-shared robust locks only;
 * a private one it gives up in pthread_exit itself.) */
TEST(proc_robust_thread_exit_owner_died)
{
	thread_mutex = shared_robust_mutex();
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, hold_and_die, NULL), 0);
	CHECK_EQ(pthread_detach(t), 0);
	while (pthread_mutex_trylock(thread_mutex) == 0)
		CHECK_EQ(pthread_mutex_unlock(thread_mutex), 0);   /* until it has it */
	CHECK_EQ(lock_within_10s(thread_mutex), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(thread_mutex), 0);
	CHECK_EQ(pthread_mutex_unlock(thread_mutex), 0);
	CHECK_EQ(lock_within_10s(thread_mutex), 0);
	CHECK_EQ(pthread_mutex_unlock(thread_mutex), 0);
}

/* A process ends holding a process-shared robust lock: the next locker,
 * in another process, gets EOWNERDEAD, once only. */
TEST(proc_robust_process_exit_owner_died)
{
	pthread_mutex_t *m = shared_robust_mutex();
	int sync[2];
	CHECK_OK(pipe(sync));
	pid_t pid = xfork();
	if (pid == 0) {
		if (pthread_mutex_lock(m) != 0)
			_exit(1);
		sync_signal(sync[1]);
		while (waiters(m) == 0)
			sched_yield();
		syscall(SYS_exit_group, 0);
	}
	sync_wait(sync[0]);
	CHECK_EQ(lock_within_10s(m), EOWNERDEAD);
	wait_exit(pid, 0);
	CHECK_EQ(pthread_mutex_consistent(m), 0);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
	CHECK_EQ(pthread_mutex_trylock(m), 0);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
}

/* struct robust_list_head as the kernel reads it. */
struct robust_head {
	void *list;
	long futex_offset;
	void *list_op_pending;
};

/* A list that never comes back to its head (an entry pointing at itself)
 * and lists of bad pointers: each child still ends, and the looping one's
 * lock word is marked once. */
TEST(proc_robust_bad_lists_do_not_hang_exit)
{
	/* entry at offset 0 of the page, its futex word at offset 64 */
	volatile uint64_t *page = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
						MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	for (int kind = 0; kind < 4; kind++) {
		pid_t pid = xfork();
		if (pid == 0) {
			static struct robust_head h;
			volatile uint32_t *word = (volatile uint32_t *)(page + 8);
			page[0] = (uint64_t)page;        /* next: itself */
			*word = (uint32_t)syscall(SYS_gettid);
			h.list = (void *)page;
			h.futex_offset = 64;
			h.list_op_pending = NULL;
			if (kind == 1) {         /* pointers into the kernel half */
				h.list = (void *)0xffff800000000000UL;
				h.list_op_pending = (void *)0xffffffff80000000UL;
			} else if (kind == 2) {  /* unmapped, and a misaligned word */
				h.list = bad_ptr(3);
				h.list_op_pending = (char *)page + 1;
			} else if (kind == 3) {  /* an offset that wraps around */
				h.futex_offset = -(long)(uintptr_t)page - 8;
				h.list_op_pending = edge_ptr(0);
			}
			if (syscall(SYS_set_robust_list, &h, sizeof h) != 0)
				_exit(2);
			_exit(0);
		}
		wait_exit(pid, 0);
		uint32_t w = *(volatile uint32_t *)(page + 8);
		if (kind == 0)
			CHECK_EQ(w, FUTEX_OWNER_DIED);
		else
			CHECK_NE(w, FUTEX_OWNER_DIED);
	}
}
