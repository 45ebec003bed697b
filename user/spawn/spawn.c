/* spawn: process and thread workloads the kernel's tests run and measure.
 *
 *     spawn fork N        N times fork, child exits, parent waits
 *     spawn exec N PATH   N times fork, child execs PATH, parent waits
 *     spawn threads N     N times pthread_create and pthread_join
 *     spawn nosys         calls two numbers CosmOS does not implement,
 *                         twice each (the kernel logs each once)
 *     spawn forkbomb [NPROC]
 *                         every process forks until a fork fails, then
 *                         all wait for their children; prints how fork
 *                         failed (EAGAIN is the success). With NPROC the
 *                         bomb runs as uid 1000 under RLIMIT_NPROC = NPROC,
 *                         and root forks while the bomb holds its limit
 *     spawn clock         reads the real-time and monotonic clocks, the
 *                         time of day and time(), which musl takes from
 *                         the vDSO, then the process's CPU time, which
 *                         takes a system call
 *     spawn leakcheck fork|threads|exec|selfexec N
 *                         runs the workload (exec: fork, the child execs
 *                         /bin/exit0; selfexec: the child execs
 *                         /proc/self/exe, as BusyBox runs an applet,
 *                         which is spawn true) twice and prints how the
 *                         second run changed the kernel's free frames and
 *                         heap objects in use (the native memstat call;
 *                         root only)
 *     spawn true          exits 0 at once, silently
 *     spawn sweep         the allocation sweep's workload: memory, a file
 *                         read and mapped, one written and removed, a pipe
 *                         to a child that execs /bin/exit0; silent, its
 *                         exit code is 0 or the errno that stopped it
 *
 * Prints "spawn: <what> ok" at the end; any error exits non-zero with a
 * line saying what failed. */
#include <cosmos/abi/memstat.h>
#include <cosmos/syscall_native.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
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
				/* "true": spawn run again through /proc/self/exe
				 * exits at once (/bin/exit0 ignores it) */
				char *argv[] = { (char *)exec_path, "true", NULL };
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
	volatile int release;       /* the bomb may unwind */
};

/* Every process forks until the first fork anywhere fails, waits for
 * release, then reaps its children; so the tree grows to the limit, holds
 * it, and unwinds. */
static void bomb(struct bomb *b)
{
	pid_t top = getpid();

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
	while (!b->release)
		sched_yield();
	while (wait(NULL) >= 0)
		;
	if (getpid() != top)
		_exit(0);
}

/* The bomb: in this process as it is (root: up to the kernel's thread
 * ceiling), or with nproc in a child as uid 1000 under RLIMIT_NPROC, while
 * this process checks that root can still fork once the bomb is stopped. */
static struct bomb *forkbomb(long nproc)
{
	struct bomb *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t bomber, pid;
	int status;

	if (b == MAP_FAILED)
		fail("mmap");
	if (!nproc) {
		b->release = 1;
		bomb(b);
		return b;
	}
	bomber = fork();
	if (bomber < 0)
		fail("fork");
	if (bomber == 0) {
		struct rlimit r = { (rlim_t)nproc, (rlim_t)nproc };

		if (setrlimit(RLIMIT_NPROC, &r) || setuid(1000))
			fail("setrlimit or setuid");
		bomb(b);
		_exit(0);
	}
	while (!b->stop)
		sched_yield();
	pid = fork();
	if (pid == 0)
		_exit(0);
	b->release = 1;
	if (pid < 0)
		fail("root's fork during the bomb");
	if (waitpid(pid, &status, 0) != pid || waitpid(bomber, &status, 0) != bomber)
		fail("waitpid");
	say("spawn: root forked while the bomb held its limit\n");
	return b;
}

/* The sweep's exit codes: what an allocation failure may give (fork's
 * EAGAIN included), else 1. */
static int sweep_code(int err)
{
	return err == ENOMEM || err == EAGAIN ? err : 1;
}

/* A child that says hello down the pipe and becomes /bin/exit0; the
 * parent reads the byte and waits. A child the kernel killed for want of
 * memory (SIGKILL) counts as ENOMEM. */
static int sweep_pipe_exec(void)
{
	int fds[2], status, r = 0;
	char c;
	pid_t pid;

	if (pipe(fds) < 0)
		return sweep_code(errno);
	pid = fork();
	if (pid < 0) {
		r = sweep_code(errno);
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		char *argv[] = { "/bin/exit0", NULL };

		close(fds[0]);
		if (write(fds[1], "x", 1) != 1)
			_exit(sweep_code(errno));
		close(fds[1]);
		execv(argv[0], argv);
		_exit(sweep_code(errno));
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		r = 1;          /* the child failed first: its status says why */
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return sweep_code(errno);
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGKILL ? ENOMEM : 1;
	return WEXITSTATUS(status) ? WEXITSTATUS(status) : r;
}

static int sweep(void)
{
	static char buf[5000];
	char *m;
	int fd, err;
	ssize_t n;

	/* private memory, touched and given back */
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return sweep_code(errno);
	memset(m, 1, 3 * 4096);
	if (munmap(m, 3 * 4096) < 0)
		return sweep_code(errno);
	/* a file read, then mapped */
	if ((fd = open("/etc/passwd", O_RDONLY)) < 0)
		return sweep_code(errno);
	n = read(fd, buf, 64);
	err = n < 0 ? errno : EIO;
	m = n > 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (n > 0 && m == MAP_FAILED)
		err = errno;
	close(fd);
	if (m == MAP_FAILED)
		return sweep_code(err);
	n = m[0] == buf[0];
	munmap(m, 4096);
	if (!n)
		return 1;
	/* a file written and removed. Only one allocation fails in a run, so
	 * a second unlink (after a failed open too: O_CREAT may have made the
	 * file) leaves nothing behind for the next run. */
	fd = open("/tmp/sweep", O_CREAT | O_TRUNC | O_RDWR, 0600);
	err = fd < 0 ? errno : 0;
	memset(buf, 'a', sizeof(buf));
	if (fd >= 0) {
		/* tmpfs stops a write short when it gets no page for the rest */
		n = write(fd, buf, sizeof(buf));
		err = n < 0 ? errno : n < (ssize_t)sizeof(buf) ? ENOMEM : 0;
	}
	if (fd >= 0)
		close(fd);
	if (unlink("/tmp/sweep") < 0) {
		if (!err)
			err = errno;
		unlink("/tmp/sweep");
	}
	if (err)
		return sweep_code(err);
	return sweep_pipe_exec();
}

/* The kernel's memory counts (the native memstat call): free frames, with
 * the heap's idle slabs counted as free (the heap keeps one per size class
 * to absorb churn), and heap objects in use. */
static struct cosmos_memstat counts(void)
{
	struct cosmos_memstat m;

	if (syscall(COSMOS_SYS_memstat, &m))
		fail("memstat");
	m.free_frames += m.idle_heap_frames;
	m.idle_heap_frames = 0;
	return m;
}

static void workload(const char *what, long n)
{
	if (strcmp(what, "fork") == 0)
		forks(n, NULL);
	else if (strcmp(what, "exec") == 0)
		forks(n, "/bin/exit0");
	else if (strcmp(what, "selfexec") == 0)
		forks(n, "/proc/self/exe");
	else
		threads(n);
}

/* Dead threads' kernel stacks are freed by the idle thread once they are
 * off the CPU, so the counts may take a moment to come back: look again,
 * 10 ms apart, for 2 s at most. */
static void leakcheck(const char *what, long n)
{
	struct timespec gap = { 0, 10000000 };
	struct cosmos_memstat before, after;

	workload(what, n);          /* warms the caches */
	before = counts();
	workload(what, n);
	for (int tries = 0; tries < 200; tries++) {
		after = counts();
		if (after.free_frames == before.free_frames && after.heap_objects == before.heap_objects)
			break;
		nanosleep(&gap, NULL);
	}
	say("spawn: %s %ld: free frames %+ld, heap objects %+ld\n", what, n,
	    (long)(after.free_frames - before.free_frames),
	    (long)(after.heap_objects - before.heap_objects));
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (strcmp(what, "true") == 0)
		return 0;
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
	} else if (strcmp(what, "sweep") == 0) {
		return sweep();
	} else if (strcmp(what, "clock") == 0) {
		struct timespec real, mono, cpu;
		struct timeval tv;

		if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_MONOTONIC, &mono) ||
		    gettimeofday(&tv, NULL) || time(NULL) < real.tv_sec ||
		    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu))
			fail("a clock");
	} else if (strcmp(what, "leakcheck") == 0 && argc > 3 && atol(argv[3]) > 0 &&
		   (strcmp(argv[2], "fork") == 0 || strcmp(argv[2], "threads") == 0 ||
		    strcmp(argv[2], "exec") == 0 || strcmp(argv[2], "selfexec") == 0)) {
		leakcheck(argv[2], atol(argv[3]));
	} else if (strcmp(what, "forkbomb") == 0 && n >= 0) {
		struct bomb *b = forkbomb(n);

		say("spawn: forkbomb: %d processes, then fork failed with %s\n", b->created,
		    strerror(b->error));
		if (b->error != EAGAIN)
			return 1;
	} else {
		say("usage: spawn fork N | exec N PATH | threads N | nosys | forkbomb [NPROC] |"
		    " sweep | clock | true | leakcheck fork|threads|exec|selfexec N\n");
		return 2;
	}
	say("spawn: %s ok\n", what);
	return 0;
}
