/* fuzz: a system-call fuzzer in the spirit of trinity. Worker processes
 * make random calls from the whole table in sys/syscalls.tab with
 * arguments biased towards trouble (args.c), fork now and then (children
 * make a few calls of their own and exit), and are replaced when a call
 * ends them; an interval timer's handler makes calls in the middle of
 * others. The calls follow from the seed: `-s S -p 1` repeats a run up to
 * its first signal.
 *
 *     fuzz [-s seed] [-n calls] [-p processes] [-t]
 *
 * -t prints each call before it is made. Never called: reboot and the
 * calls that change the machine for everyone (mount, time, modules, swap);
 * signals go only to the worker itself or its child, never to pid 1 or a
 * group. At the end it removes its files and prints the calls made, the
 * rate, and the free memory before and after (sysinfo), which the system
 * test compares, and the kernel heap's call sites (/proc/heapsites) whose
 * object counts changed. Exit status 0, or 1 when it could not run. */
#include <cosmos/abi/memstat.h>
#include <cosmos/syscall_native.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "fuzz_calls.h"

#define NCALLS (sizeof(fuzz_calls) / sizeof(fuzz_calls[0]))
#define MAX_PROCS 16
#define CHILD_CALLS 8          /* a forked child's calls before it exits */
#define TRACE_FD 100           /* the console, for -t */

/* Shared by every worker (MAP_SHARED): the calls made so far. */
struct shared {
	volatile long calls;
	volatile long forks;
	volatile long signals;         /* SIGALRM handlers run */
	volatile long handler_calls;   /* calls made inside them */
	volatile long interrupted;     /* calls that returned EINTR */
	volatile long hung;            /* workers killed by the watchdog */
};
static struct shared *sh;
static long target;
static int trace;

/* Any call may be a register-message call (native 1009 and 1010), which
 * hands back rsi, rdx, r10, r8, r9, r12 and r13 changed (docs/ipc.md):
 * all of them are outputs here. */
static uint64_t raw_syscall(long nr, const uint64_t a[6])
{
	register uint64_t r10 __asm__("r10") = a[3], r8 __asm__("r8") = a[4], r9 __asm__("r9") = a[5];
	uint64_t ret = (uint64_t)nr, rdi = a[0], rsi = a[1], rdx = a[2];

	__asm__ volatile("syscall"
			 : "+a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "r12", "r13", "memory");
	return ret;
}

/* vfork's child shares the stack: it may not return from a function, so
 * both calls sit in one asm block and the child leaves at once. */
static long vfork_and_exit(void)
{
	long ret;

	__asm__ volatile("mov $58, %%eax\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret)
			 :
			 : "rcx", "r11", "rdi", "memory");
	return ret;
}

static int named(const struct fuzz_call *c, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(c->name, *names) == 0)
			return 1;
	return 0;
}

/* Calls that would end or reconfigure the whole test machine. */
static const char *const never[] = {
	"reboot", "kexec_load", "kexec_file_load", "mount", "umount2", "pivot_root", "swapon",
	"swapoff", "init_module", "finit_module", "delete_module", "acct", "settimeofday",
	"clock_settime", "adjtimex", "clock_adjtime", "syslog", "vhangup", "quotactl", "nfsservctl",
	"ptrace", "process_vm_writev", 0,
};
/* Calls that act on another process: their pids are the worker's own. */
static const char *const on_others[] = {
	"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal",
	"pidfd_open", "prlimit64", "setpgid", "setpriority", "sched_setaffinity", "sched_setparam",
	"sched_setscheduler", "sched_setattr", "ioprio_set", "migrate_pages", "move_pages",
	"process_madvise", "kcmp", "process_vm_readv", 0,
};
static const char *const mm_calls[] = {
	"mmap", "munmap", "mprotect", "madvise", "msync", "mlock", "munlock", "mlock2", "mincore",
	"remap_file_pages", "pkey_mprotect", 0,
};
static const char *const io_calls[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
	"pwritev2", "sendfile", "splice", "tee", "copy_file_range", 0,
};

/* A descriptor that may be a pipe (or an eventfd, whose inode has no
 * type) is made non-blocking first: a worker waiting forever on its own
 * pipe would stop the run. */
static void unblock(uint64_t fd)
{
	struct stat st;
	int fl;

	if (fd > 0x7fffffff || fstat((int)fd, &st) != 0 ||
	    (!S_ISFIFO(st.st_mode) && (st.st_mode & S_IFMT) != 0))
		return;
	fl = fcntl((int)fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl((int)fd, F_SETFL, fl | O_NONBLOCK);
}

/* Builds the arguments of c, with the few rules that keep the worker (and
 * the machine) going. Returns 0 when c must not be called now. */
static int make_args(const struct fuzz_call *c, uint64_t a[6], int child)
{
	for (int i = 0; i < 6; i++)
		a[i] = i < c->nargs ? arg_of(c->kind[i]) : rnd();
	if (named(c, never))
		return 0;
	if (!child && (!strcmp(c->name, "exit") || !strcmp(c->name, "exit_group")))
		return 0;
	if (named(c, on_others))
		for (int i = 0; i < c->nargs; i++)
			if (c->kind[i] == K_PID)
				a[i] = arg_own_pid();
	if (named(c, mm_calls) || !strcmp(c->name, "mremap")) {
		a[0] = arg_mm_addr();
		a[1] = arg_mm_len(a[0], a[1]);
		if (!strcmp(c->name, "mmap") && !(a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && chance(50))
			a[0] = 0;
		if (!strcmp(c->name, "mremap")) {
			a[2] = arg_mm_len(a[0], a[2]);
			a[4] = arg_mm_addr();
			a[2] = arg_mm_len(a[4], a[2]);
		}
	}
	if (!strcmp(c->name, "brk"))
		a[0] = chance(50) ? 0 : a[0];
	if (named(c, io_calls))
		unblock(a[0]);
	if (!strcmp(c->name, "wait4"))
		a[2] |= WNOHANG;
	if (!strcmp(c->name, "waitid"))
		a[3] |= WNOHANG;
	/* Waits end at once or after a few ms (long enough for the worker's
	 * interval timer to interrupt them now and then), and locks do not
	 * wait. */
	if (!strcmp(c->name, "futex"))
		a[3] = arg_wait_timespec();
	if (!strcmp(c->name, "poll"))
		a[2] = chance(50) ? 0 : WAIT_MS;
	if (!strcmp(c->name, "epoll_wait") || !strcmp(c->name, "epoll_pwait"))
		a[3] = chance(50) ? 0 : WAIT_MS;
	/* an eventfd is made non-blocking (eventfd has no flags: eventfd2
	 * stands for it), as a read of one at 0 or a sendfile from it would
	 * wait forever */
	if (!strcmp(c->name, "eventfd"))
		return 0;
	if (!strcmp(c->name, "eventfd2"))
		a[1] |= O_NONBLOCK;
	if (!strcmp(c->name, "ppoll"))
		a[2] = arg_wait_timespec();
	if (!strcmp(c->name, "select") || !strcmp(c->name, "pselect6"))
		a[4] = arg_wait_timespec();   /* read as a timeval too: fewer ms, still short */
	if (!strcmp(c->name, "flock"))
		a[1] |= 4;                    /* LOCK_NB */
	if (!strcmp(c->name, "arch_prctl") && (a[0] == 0x1001 || a[0] == 0x1002))
		a[0] = 0x1003;                /* the worker keeps its TLS */
	if (!strcmp(c->name, "execve")) {
		a[0] = arg_exec_path();
		a[1] = arg_exec_argv();
		a[2] = chance(50) ? 0 : a[2];
	}
	if (!strcmp(c->name, "execveat")) {
		a[1] = arg_exec_path();
		a[2] = arg_exec_argv();
	}
	if (!strcmp(c->name, "clone")) {
		/* a new process on the same stack: never a thread or a shared space */
		a[0] &= ~(uint64_t)(0x100 | 0x4000 | 0x10000 | 0x800 | 0x80000 | 0x8000);
		a[1] = 0;
	}
	return 1;
}

static void trace_call(const struct fuzz_call *c, const uint64_t a[6], int w)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "fuzz: w%d %s(", w, c->name);

	for (int i = 0; i < c->nargs && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, "%s%#llx", i ? ", " : "",
			      (unsigned long long)a[i]);
	if (n < (int)sizeof(line) - 2)
		n += snprintf(line + n, sizeof(line) - n, ")\n");
	write(TRACE_FD, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static const struct fuzz_call *pick(void)
{
	/* calls CosmOS implements, mostly; now and then any number at all */
	for (;;) {
		const struct fuzz_call *c = &fuzz_calls[rnd_below(NCALLS)];

		if (c->impl || chance(5))
			return c;
	}
}

/* Signals mid-call: each worker runs an interval timer of 1 to 4 ms whose
 * SIGALRM handler makes a few calls of its own, so blocking calls are
 * interrupted (with or without SA_RESTART) and calls run inside a handler.
 * Calls that would leave the handler's frame behind are not made there.
 * The worker's own calls may change all this (sigaction, sigprocmask,
 * setitimer are in the table): a variation, not a fault. Where a signal
 * lands depends on timing, so a run with handlers repeats its calls from
 * the seed only until the first signal. */
static const char *const not_in_handler[] = {
	"fork", "vfork", "clone", "clone3", "execve", "execveat", "exit", "exit_group",
	"rt_sigreturn", 0,
};

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	__atomic_add_fetch(&sh->signals, 1, __ATOMIC_RELAXED);
	for (int n = 1 + (int)rnd_below(3); n > 0; n--) {
		const struct fuzz_call *c = pick();
		uint64_t a[6];

		if (named(c, not_in_handler) || !make_args(c, a, 0))
			continue;
		if (trace)
			trace_call(c, a, -1);
		(void)raw_syscall(c->nr, a);
		__atomic_add_fetch(&sh->handler_calls, 1, __ATOMIC_RELAXED);
	}
	errno = saved;
}

static void arm_signals(void)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* SA_NODEFER: a call in the handler that waits (pause, sigsuspend)
	 * is interrupted by the next tick as one in the worker's loop is */
	sa.sa_flags = SA_NODEFER | (chance(50) ? SA_RESTART : 0);
	sigaction(SIGALRM, &sa, 0);
	it.it_value = it.it_interval = (struct timeval){ 0, 1000 + (long)rnd_below(3000) };
	setitimer(ITIMER_REAL, &it, 0);
}

static void reap(void)
{
	while (waitpid(-1, 0, WNOHANG) > 0)
		;
}

static _Noreturn void worker(int w, uint64_t seed)
{
	int child = 0, left = CHILD_CALLS;

	rnd_seed(seed);
	/* the console is no target: the worker's own files take 0, 1 and 2 */
	if (trace)
		dup2(1, TRACE_FD);
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	if (args_setup() < 0)
		_exit(3);
	arm_signals();
	while (__atomic_add_fetch(&sh->calls, 1, __ATOMIC_RELAXED) <= target) {
		const struct fuzz_call *c = pick();
		uint64_t a[6], r;

		if (child && --left <= 0)
			_exit(0);
		if (!strcmp(c->name, "vfork")) {
			if (vfork_and_exit() > 0)
				__atomic_add_fetch(&sh->forks, 1, __ATOMIC_RELAXED);
			reap();
			continue;
		}
		if (chance(2)) {
			/* a sleep longer than the timer's interval: a blocking
			 * call for the signal to interrupt */
			static const struct timespec nap = { 0, 2 * WAIT_MS * 1000000L };

			if (nanosleep(&nap, 0) != 0 && errno == EINTR)
				__atomic_add_fetch(&sh->interrupted, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (!make_args(c, a, child))
			continue;
		if (trace)
			trace_call(c, a, w);
		r = raw_syscall(c->nr, a);
		if ((int64_t)r == -EINTR)
			__atomic_add_fetch(&sh->interrupted, 1, __ATOMIC_RELAXED);
		if (!strcmp(c->name, "fork") || !strcmp(c->name, "clone")) {
			if (r == 0) {
				child = 1;   /* a few calls of its own, then out */
				last_child = 0;
				rnd_seed(rnd() ^ 0xc41d);   /* not the parent's calls */
				continue;
			}
			if ((int64_t)r > 0) {
				last_child = (int)r;
				__atomic_add_fetch(&sh->forks, 1, __ATOMIC_RELAXED);
			}
		}
		if (!strcmp(c->name, "pipe") || !strcmp(c->name, "pipe2"))
			reap();
		if (rnd_below(16) == 0)
			reap();
	}
	while (wait(0) > 0)
		;
	_exit(0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long free_kib(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return -1;
	return (long)(si.freeram * si.mem_unit / 1024);
}

/* The kernel's own counts (root only; zeros elsewhere): heap objects in
 * use, and free frames with the heap's idle slabs counted free. */
static struct cosmos_memstat kernel_counts(void)
{
	struct cosmos_memstat m = { 0 };

	if (syscall(COSMOS_SYS_memstat, &m) == 0) {
		m.free_frames += m.idle_heap_frames;
		m.idle_heap_frames = 0;
	}
	return m;
}

/* The kernel heap by allocating call site (/proc/heapsites: root and
 * heapdebug=on only; an empty census elsewhere), taken before and after
 * the run, so that a heap count that did not come back says where the
 * objects came from. The name cache is emptied first (vm/drop_caches):
 * it keeps up to thousands of unused dentries, among them one for every
 * name a worker looked up and did not find, and random pointers into
 * memory full of random bytes name a new file at every offset. As pid 1
 * the fuzzer finds no /proc mounted: it mounts one for this and unmounts
 * it again, so the workers' paths into /proc (args.c) fail as they did
 * before. */
#define SITES 512
struct sites {
	int n;
	struct site {
		char name[80];
		long objects, bytes;
	} s[SITES];
};
static struct sites sites_before, sites_after;

static void heap_sites(struct sites *c)
{
	static char buf[64 * 1024];
	size_t len = 0;
	ssize_t got;
	int mounted = mount("proc", "/proc", "proc", 0, NULL) == 0;
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		write(fd, "2\n", 2);
		close(fd);
	}
	fd = open("/proc/heapsites", O_RDONLY);
	c->n = 0;
	while (fd >= 0 && len < sizeof(buf) - 1 && (got = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)got;
	if (fd >= 0)
		close(fd);
	if (mounted)
		umount2("/proc", 0);
	buf[len] = 0;
	for (char *line = strtok(buf, "\n"); line && c->n < SITES; line = strtok(NULL, "\n")) {
		struct site *st = &c->s[c->n];

		if (sscanf(line, "%ld %ld %79s", &st->objects, &st->bytes, st->name) == 3)
			c->n++;
	}
}

static const struct site *site_named(const struct sites *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	return NULL;
}

static void print_site(const char *name, long before, long after, long bytes)
{
	printf("fuzz: heap site %s: %+ld objects (%ld before, %ld after), %+ld bytes\n", name,
	       after - before, before, after, bytes);
}

/* The sites whose object counts differ from a to b. */
static void print_heap_changes(const struct sites *a, const struct sites *b)
{
	for (int i = 0; i < b->n; i++) {
		const struct site *o = site_named(a, b->s[i].name);
		long objects = o ? o->objects : 0, bytes = o ? o->bytes : 0;

		if (objects != b->s[i].objects)
			print_site(b->s[i].name, objects, b->s[i].objects, b->s[i].bytes - bytes);
	}
	for (int i = 0; i < a->n; i++)
		if (!site_named(b, a->s[i].name))
			print_site(a->s[i].name, a->s[i].objects, 0, -a->s[i].bytes);
}

/* The files the workers' paths can make, deepest first. */
static void cleanup(void)
{
	static const char *const names[] = {
		"/tmp/fz0/x/y", "/tmp/fz0/x", "/tmp/fzd/x", "/tmp/fz0", "/tmp/fz1", "/tmp/fz2",
		"/tmp/fz3", "/tmp/fzd",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (unlink(names[i]) != 0)
			rmdir(names[i]);
}

/* The runner's watchdog: a worker may block itself for good (SIGALRM
 * blocked or ignored, then pause). When no worker made a call for
 * WATCHDOG_S seconds, the ones left are killed. */
#define WATCHDOG_S 5
static void on_watchdog(int sig)
{
	(void)sig;
}

/* Runs `calls` calls in `procs` workers; returns the worker deaths (ends
 * other than a normal exit, replaced while calls remain). */
static long run(long calls, int procs, uint64_t seed)
{
	int pids[MAX_PROCS] = { 0 }, live = 0;
	long deaths = 0, gen = 0, last_calls = -1, stuck = 0, seen = -1;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;   /* no SA_RESTART: wait returns EINTR */
	sigaction(SIGALRM, &sa, 0);

	sh->calls = 0;
	target = calls;
	for (int w = 0; w < procs; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			worker(w, seed ^ (uint64_t)w << 32 ^ (uint64_t)gen++ << 48);
		live += pids[w] > 0;
	}
	while (live > 0) {
		int status, w;
		pid_t pid;

		alarm(WATCHDOG_S);
		pid = wait(&status);
		alarm(0);
		if (pid < 0 && errno == EINTR) {
			if (sh->calls == seen)
				for (w = 0; w < procs; w++)
					if (pids[w] > 0 && kill(pids[w], SIGKILL) == 0)
						sh->hung++;
			seen = sh->calls;
			continue;
		}
		if (pid < 0)
			break;
		for (w = 0; w < procs && pids[w] != pid; w++)
			;
		if (w == procs)
			continue;       /* an orphan of a worker, passed to us */
		live--;
		pids[w] = 0;            /* reaped: its pid may be reused */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			deaths++;
		/* workers that end before any call would be replaced forever */
		stuck = sh->calls == last_calls ? stuck + 1 : 0;
		last_calls = sh->calls;
		if (stuck > 100) {
			printf("fuzz: workers end without making calls (status %#x)\n", status);
			exit(1);
		}
		if (sh->calls < target) {
			pids[w] = fork();
			if (pids[w] == 0)
				worker(w, seed ^ (uint64_t)w << 32 ^ (uint64_t)gen++ << 48);
			live += pids[w] > 0;
		}
	}
	/* the workers' children left over, which we would wait for for ever
	 * when stopped: the kernel hangs up and continues a stopped group
	 * only when an exit orphans it, not one that was orphaned already
	 * (a worker's child left in our own group) nor one stopped after
	 * (SIGSTOP stops an orphaned group too) */
	kill(-1, SIGKILL);
	while (wait(0) > 0)
		;
	return deaths;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	long calls = 100000, deaths, t0, ms, before, after;
	struct cosmos_memstat kbefore, kafter;
	int procs = 4, opt;

	while ((opt = getopt(argc, argv, "s:n:p:t")) != -1) {
		if (opt == 's')
			seed = strtoull(optarg, 0, 0);
		else if (opt == 'n')
			calls = atol(optarg);
		else if (opt == 'p')
			procs = atoi(optarg);
		else if (opt == 't')
			trace = 1;
		else
			goto usage;
	}
	if (calls <= 0 || procs <= 0 || procs > MAX_PROCS)
		goto usage;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("fuzz: mmap");
		return 1;
	}
	printf("fuzz: seed %llu, %ld calls from %u in the table, %d processes\n",
	       (unsigned long long)seed, calls, (unsigned)NCALLS, procs);
	fflush(stdout);
	/* a short round first, so caches the kernel keeps are warm before
	 * the free memory is taken */
	run(calls / 20 + 1, procs, ~seed);
	cleanup();
	heap_sites(&sites_before);
	before = free_kib();
	kbefore = kernel_counts();
	t0 = now_ms();
	deaths = run(calls, procs, seed);
	ms = now_ms() - t0;
	cleanup();
	heap_sites(&sites_after);
	after = free_kib();
	kafter = kernel_counts();
	printf("fuzz: %ld calls in %ld ms (%ld calls/s), %ld forks, %ld workers replaced\n",
	       calls, ms, ms ? calls * 1000 / ms : 0, sh->forks, deaths);
	printf("fuzz: %ld signals handled mid-run, %ld calls made in handlers, %ld calls interrupted\n",
	       sh->signals, sh->handler_calls, sh->interrupted);
	printf("fuzz: %ld workers killed by the watchdog\n", sh->hung);
	printf("fuzz: free memory %ld KiB before, %ld KiB after\n", before, after);
	printf("fuzz: kernel heap objects %llu before, %llu after; free frames %llu before, %llu after\n",
	       (unsigned long long)kbefore.heap_objects, (unsigned long long)kafter.heap_objects,
	       (unsigned long long)kbefore.free_frames, (unsigned long long)kafter.free_frames);
	print_heap_changes(&sites_before, &sites_after);
	return 0;
usage:
	fprintf(stderr, "usage: fuzz [-s seed] [-n calls] [-p processes (1-%d)] [-t]\n", MAX_PROCS);
	return 1;
}
