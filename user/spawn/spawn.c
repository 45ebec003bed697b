/* spawn: process and thread workloads the kernel's tests run and measure.
 *
 *     spawn fork N        N times fork, child exits, parent waits
 *     spawn exec N PATH   N times fork, child execs PATH, parent waits
 *     spawn threads N     N times pthread_create and pthread_join
 *     spawn nosys         calls two numbers CosmOS does not implement,
 *                         twice each (the kernel logs each once)
 *     spawn forkbomb      every process forks until a fork fails, then
 *                         all wait for their children; prints how fork
 *                         failed (EAGAIN is the success)
 *
 * Prints "spawn: <what> ok" at the end; any error exits non-zero with a
 * line saying what failed. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	write(1, line, (size_t)n);
}

static _Noreturn void fail(const char *what)
{
	say("spawn: %s failed: %s\n", what, strerror(errno));
	exit(1);
}

static void forks(long n, const char *exec_path)
{
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			if (exec_path) {
				char *argv[] = { (char *)exec_path, NULL };
				execv(exec_path, argv);
				_exit(126);
			}
			_exit((int)(i & 0x7f));
		}
		if (waitpid(pid, &status, 0) != pid)
			fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != (exec_path ? 0 : (int)(i & 0x7f))) {
			say("spawn: child %ld ended with status %#x\n", i, status);
			exit(1);
		}
	}
}

static void *thread_main(void *arg)
{
	return arg;
}

static void threads(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *ret;
		int err = pthread_create(&t, NULL, thread_main, (void *)i);

		if (err) {
			errno = err;
			fail("pthread_create");
		}
		err = pthread_join(t, &ret);
		if (err || ret != (void *)i) {
			errno = err;
			fail("pthread_join");
		}
	}
}

/* What the processes of the bomb share (MAP_SHARED memory). */
struct bomb {
	volatile int stop;          /* someone's fork failed: nobody forks again */
	volatile int error;         /* that fork's errno */
	volatile int created;
};

/* Every process forks until the first fork anywhere fails, then reaps its
 * children; so the tree grows to the limit and then unwinds. */
static struct bomb *bomb(void)
{
	struct bomb *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t top = getpid();

	if (b == MAP_FAILED)
		fail("mmap");
	while (!b->stop) {
		pid_t pid = fork();

		if (pid == 0) {
			__atomic_add_fetch(&b->created, 1, __ATOMIC_RELAXED);
			continue;           /* the child forks on */
		}
		if (pid < 0) {
			if (!__atomic_exchange_n(&b->stop, 1, __ATOMIC_RELAXED))
				b->error = errno;
			break;
		}
	}
	while (wait(NULL) >= 0)
		;
	if (getpid() != top)
		_exit(0);
	return b;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (strcmp(what, "fork") == 0 && n > 0) {
		forks(n, NULL);
	} else if (strcmp(what, "exec") == 0 && n > 0 && argc > 3) {
		forks(n, argv[3]);
	} else if (strcmp(what, "threads") == 0 && n > 0) {
		threads(n);
	} else if (strcmp(what, "nosys") == 0) {
		/* landlock_create_ruleset, and a number beyond Linux's table */
		for (int i = 0; i < 2; i++)
			if (syscall(444, 0, 0, 0) != -1 || errno != ENOSYS ||
			    syscall(600, 0, 0, 0) != -1 || errno != ENOSYS)
				fail("an unimplemented call");
	} else if (strcmp(what, "forkbomb") == 0) {
		struct bomb *b = bomb();

		say("spawn: forkbomb: %d processes, then fork failed with %s\n", b->created,
		    strerror(b->error));
		if (b->error != EAGAIN)
			return 1;
	} else {
		say("usage: spawn fork N | exec N PATH | threads N | nosys | forkbomb\n");
		return 2;
	}
	say("spawn: %s ok\n", what);
	return 0;
}
