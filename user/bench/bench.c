/* bench: lmbench-style micro-benchmarks of the system-call interface, one
 * source for CosmOS and Linux. Each prints `BENCH name value unit`: the
 * median over several rounds of about 100 ms each (a round repeats the
 * operation as often as fits).
 *
 *     bench [-c cpu] [-d dir] [-e exit0-path] [-m dev:type] [-r rounds] [-t round-ms] [prefix...]
 *
 * The pair_ benchmarks run two processes at once, each doing the operation
 * (1000 or 100000 times per unit) n units, and report the wall time per
 * unit: on two CPUs, compared with one, they show how far independent
 * programs scale.
 *
 * -c pins the benchmark (and its children) to one CPU.
 * -d is where the file benchmarks work (a subdirectory is made and removed;
 * default /tmp); -e is the program fork_exec_wait runs (default /bin/exit0).
 * -m names a device and its file system type (/dev/vda:ext4) for mount_umount
 * and cold_seq_read_32m, which mount it on their own directory (without -m
 * they say they are skipped).
 * The channel_ benchmarks need CosmOS's native calls (elsewhere they say
 * they are skipped).
 */
#define _GNU_SOURCE
#include "channel.h"
#include "out.h"
#include "prefix.h"
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_ROUNDS 31

static const char *work_dir = "/tmp";
static const char *exit0_path = "/bin/exit0";
static char dir[PATH_MAX];          /* our own subdirectory of work_dir */
static int rounds = 5;
static long long round_ns = 100000000;

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static _Noreturn void die(const char *what)
{
	out_printf(2, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A benchmark: setup (may be NULL), then run(n) does the operation n
 * times and returns the nanoseconds that took (so it can leave per-round
 * preparation out), then teardown. */
struct bench {
	const char *name;
	const char *unit;           /* "ns", "us" per operation, "MiB/s" or "files/s" */
	void (*setup)(void);
	long long (*run)(long n);
	void (*teardown)(void);
	double mib_per_op;          /* for "MiB/s": data moved per operation; for
				     * "files/s": files per operation */
};

/* ---- system calls ---- */

static long long run_null_syscall(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return now_ns() - t;
}

static int null_fd, zero_fd;
static void open_devices(void)
{
	null_fd = open("/dev/null", O_WRONLY);
	zero_fd = open("/dev/zero", O_RDONLY);
	if (null_fd < 0 || zero_fd < 0)
		die("open /dev/null or /dev/zero");
}

static void close_devices(void)
{
	close(null_fd);
	close(zero_fd);
}

static long long run_write_devnull(long n)
{
	char c = 0;
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(null_fd, &c, 1) != 1)
			die("write /dev/null");
	return now_ns() - t;
}

static long long run_read_devzero(long n)
{
	static char buf[4096];
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (read(zero_fd, buf, sizeof buf) != sizeof buf)
			die("read /dev/zero");
	return now_ns() - t;
}

static long long run_clock_gettime(long n)
{
	struct timespec ts;
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return now_ns() - t;
}

/* ---- two processes at once (SMP scaling) ---- */

/* Two children each run fn(n) once, started together through a pipe once
 * both are ready; returns the wall time from the start until the later
 * one finished (fork, exit and wait left out). With two CPUs and no
 * shared lock in the way, it is the time one takes alone. */
static long long pair_run(void (*fn)(long n), long n)
{
	int go[2], ready[2];
	pid_t pid[2];
	long long t, last = 0;
	long long *end = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char c;

	if (end == MAP_FAILED || pipe(go) != 0 || pipe(ready) != 0)
		die("pipe or mmap");
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (pid[i] == 0) {
			close(go[1]);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
				_exit(1);
			fn(n);
			end[i] = now_ns();
			_exit(0);
		}
	}
	close(go[0]);
	close(ready[1]);
	for (int i = 0; i < 2; i++)
		if (read(ready[0], &c, 1) != 1)
			die("read ready");
	t = now_ns();
	close(go[1]);      /* end of file: both start */
	for (int i = 0; i < 2; i++)
		if (waitpid(pid[i], NULL, 0) != pid[i])
			die("waitpid");
	close(ready[0]);
	for (int i = 0; i < 2; i++)
		last = end[i] > last ? end[i] : last;
	munmap(end, PAGE);
	return last - t;
}

static void getpid_n(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
}

static void write_devnull_n(long n)
{
	char c = 0;

	for (long i = 0; i < n; i++)
		if (write(null_fd, &c, 1) != 1)
			_exit(1);
}

static void spin_n(long n)
{
	volatile unsigned long x = 1;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ul + (unsigned long)i;
}

/* In thousands, so that a run is long next to a wake-up's latency. */
static long long run_pair_null_syscall(long n) { return pair_run(getpid_n, n * 1000); }
static long long run_pair_write_devnull(long n) { return pair_run(write_devnull_n, n * 1000); }
static long long run_pair_cpu_spin(long n) { return pair_run(spin_n, n * 100000); }

/* ---- processes ---- */

static int to_child[2], from_child[2];
static pid_t echo_pid;

/* The other end of the pipe benchmarks: echoes bytes back (roundtrip) or
 * swallows them (throughput), until end of file. */
static void start_partner(bool echo)
{
	if (pipe(to_child) || pipe(from_child))
		die("pipe");
	echo_pid = fork();
	if (echo_pid < 0)
		die("fork");
	if (echo_pid == 0) {
		static char buf[65536];
		close(to_child[1]);
		close(from_child[0]);
		for (;;) {
			ssize_t got = read(to_child[0], buf, echo ? 1 : sizeof buf);
			if (got <= 0)
				_exit(0);
			if (echo && write(from_child[1], buf, 1) != 1)
				_exit(1);
		}
	}
	close(to_child[0]);
	close(from_child[1]);
}

static void stop_partner(void)
{
	close(to_child[1]);
	close(from_child[0]);
	waitpid(echo_pid, NULL, 0);
}

static void start_echo(void)
{
	start_partner(true);
}

static void start_sink(void)
{
	start_partner(false);
}

static long long run_pipe_roundtrip(long n)
{
	char c = 'x';
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(to_child[1], &c, 1) != 1 || read(from_child[0], &c, 1) != 1)
			die("pipe roundtrip");
	return now_ns() - t;
}

static long long run_pipe_throughput(long n)
{
	static char buf[65536];
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(to_child[1], buf, sizeof buf) != sizeof buf)
			die("pipe write");
	return now_ns() - t;
}

/* ---- AF_UNIX stream sockets: 64-byte round trips to an echoing
 * process, as a program using Unix sockets for requests would ---- */

static int usock[2];
static pid_t usock_pid;

static void start_unix_echo(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, usock))
		die("socketpair");
	usock_pid = fork();
	if (usock_pid < 0)
		die("fork");
	if (usock_pid == 0) {
		char buf[64];
		close(usock[0]);
		for (;;) {
			if (read(usock[1], buf, sizeof buf) != sizeof buf)
				_exit(0);
			if (write(usock[1], buf, sizeof buf) != sizeof buf)
				_exit(1);
		}
	}
	close(usock[1]);
}

static void stop_unix_partner(void)
{
	close(usock[0]);
	waitpid(usock_pid, NULL, 0);
}

static long long run_unix_roundtrip(long n)
{
	char buf[64] = { 0 };
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(usock[0], buf, sizeof buf) != sizeof buf ||
		    read(usock[0], buf, sizeof buf) != sizeof buf)
			die("unix roundtrip");
	return now_ns() - t;
}

/* ---- channels (CosmOS's native IPC; skipped where the calls are
 * missing, as on Linux) ---- */

static int chan[2];
static pid_t chan_pid;

/* Makes the channel, or ends the program where there are no channels. */
static void chan_open(void)
{
	if (chan_create(chan, 0)) {
		if (errno == ENOSYS) {
			out_printf(1, "# no channel calls here: skipped\n");
			_exit(0);
		}
		die("channel_create");
	}
}

/* Makes the channel and forks its other end: true in the child (which
 * has closed chan[0]); the parent has closed chan[1]. */
static bool fork_chan_partner(void)
{
	chan_open();
	chan_pid = fork();
	if (chan_pid < 0)
		die("fork");
	close(chan[chan_pid == 0 ? 0 : 1]);
	return chan_pid == 0;
}

/* The other end: echoes each message back (echo) or takes it and closes
 * the descriptors it carried, until the channel ends. */
static void start_chan_partner(bool echo)
{
	if (fork_chan_partner()) {
		static char buf[CHAN_MSG_MAX];
		struct chan_handle h[CHAN_HANDLES_MAX];
		uint32_t last = 0;
		/* an echo answers each message and takes the next in one call */
		for (bool replied = false;; replied = echo) {
			uint32_t size = sizeof buf, nh = CHAN_HANDLES_MAX;
			int r = chan_reply_recv(chan[1], replied ? buf : NULL, last, buf, &size,
						h, &nh, 0);
			last = size;
			if (r < 0 && errno != EPIPE)
				_exit(1);
			if (r <= 0)
				_exit(0);
			for (uint32_t i = 0; i < nh; i++)
				close(h[i].fd);
		}
	}
}

static void start_chan_echo(void)
{
	start_chan_partner(true);
}

static void start_chan_sink(void)
{
	start_chan_partner(false);
}

/* A register echo (chan_reply_recv_regs): each message back as it came. */
static void start_chan_regs_echo(void)
{
	if (fork_chan_partner()) {
		uint64_t w[CHAN_REG_WORDS];
		uint32_t size = CHAN_REG_NOREPLY;
		while (chan_reply_recv_regs(chan[1], w, &size, 0) == 1)
			;
		_exit(0);
	}
}

static void stop_chan_partner(void)
{
	close(chan[0]);
	waitpid(chan_pid, NULL, 0);
}

/* The same register echo as a thread of this process: the round trip
 * without the switch between address spaces (no CR3 write), so the two
 * figures side by side give that switch's cost (docs/ipc.md). */
static pthread_t chan_thread;

static void *chan_regs_echo_thread(void *arg)
{
	uint64_t w[CHAN_REG_WORDS];
	uint32_t size = CHAN_REG_NOREPLY;
	while (chan_reply_recv_regs(chan[1], w, &size, 0) == 1)
		;
	return arg;
}

static void start_chan_regs_thread(void)
{
	chan_open();
	if (pthread_create(&chan_thread, NULL, chan_regs_echo_thread, NULL) != 0)
		die("pthread_create");
}

static void stop_chan_regs_thread(void)
{
	close(chan[0]);
	pthread_join(chan_thread, NULL);
	close(chan[1]);
}

static long long run_chan_call(long n)
{
	char msg[64] = "x", rep[64];
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		uint32_t len = sizeof rep;
		if (chan_call(chan[0], msg, sizeof msg, rep, &len, -1) != 1 || len != sizeof msg)
			die("channel call");
	}
	return now_ns() - t;
}

static long long run_chan_call_regs(long n)
{
	uint64_t w[CHAN_REG_WORDS] = { 1, 2, 3, 4, 5, 6 };
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		uint32_t size = CHAN_REG_BYTES;
		if (chan_call_regs(chan[0], w, &size) != 1 || size != CHAN_REG_BYTES || w[5] != 6)
			die("channel register call");
	}
	return now_ns() - t;
}

static long long chan_send_n(long n, uint32_t size)
{
	static char buf[CHAN_MSG_MAX];
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (chan_send(chan[0], buf, size, NULL, 0, 0))
			die("channel send");
	return now_ns() - t;
}

static long long run_chan_send_64(long n) { return chan_send_n(n, 64); }
static long long run_chan_send_4k(long n) { return chan_send_n(n, 4096); }
static long long run_chan_send_64k(long n) { return chan_send_n(n, 65536); }

/* A message carrying one descriptor, which the receiver installs and
 * closes. */
static long long run_chan_handle(long n)
{
	struct chan_handle h = { 1, CHAN_RIGHTS_SAME };
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (chan_send(chan[0], "h", 1, &h, 1, 0))
			die("channel send with a handle");
	return now_ns() - t;
}

static long long run_fork_exit_wait(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
	return now_ns() - t;
}

static void check_exit0(void)
{
	if (access(exit0_path, X_OK) != 0)
		die(exit0_path);
}

static long long run_fork_exec_wait(long n)
{
	char *argv[] = { (char *)exit0_path, NULL };
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(exit0_path, argv, NULL);
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || status != 0)
			die("fork+exec: the child failed");
	}
	return now_ns() - t;
}

static void *nothing(void *arg)
{
	return arg;
}

static long long run_thread_create_join(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t th;
		if (pthread_create(&th, NULL, nothing, NULL) != 0 || pthread_join(th, NULL) != 0)
			die("pthread_create");
	}
	return now_ns() - t;
}

static volatile sig_atomic_t signals_seen;
static void on_usr1(int sig)
{
	(void)sig;
	signals_seen++;
}

static void install_handler(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");
}

static long long run_signal(long n)
{
	pid_t me = getpid();
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_kill, me, SIGUSR1);
	return now_ns() - t;
}

/* ---- memory ---- */

/* Touches n fresh pages, mapped at most 16 MiB at a time so a long round
 * never needs much memory; only the touching is timed. */
static long long run_page_fault(long n)
{
	enum { CHUNK = 4096 };
	long long total = 0;
	for (long done = 0; done < n;) {
		long pages = n - done < CHUNK ? n - done : CHUNK;
		char *m = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			die("mmap");
		long long t = now_ns();
		for (long i = 0; i < pages; i++)
			m[i * PAGE] = 1;
		total += now_ns() - t;
		munmap(m, (size_t)pages * PAGE);
		done += pages;
	}
	return total;
}

static long long run_mmap_munmap(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || munmap(m, 1 << 20))
			die("mmap/munmap");
	}
	return now_ns() - t;
}

/* ---- files ---- */

static void path_in_dir(char *buf, size_t cap, const char *rel)
{
	if ((size_t)snprintf(buf, cap, "%s/%s", dir, rel) >= cap) {
		errno = ENAMETOOLONG;
		die(rel);
	}
}

static void make_tree(void)
{
	char p[PATH_MAX];
	path_in_dir(p, sizeof p, "s1");
	mkdir(p, 0755);
	path_in_dir(p, sizeof p, "s1/s2");
	mkdir(p, 0755);
	path_in_dir(p, sizeof p, "s1/s2/f");
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		die(p);
	close(fd);
	if (chdir(dir))
		die(dir);
}

static long long run_open_close(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open("s1/s2/f", O_RDONLY);
		if (fd < 0)
			die("open");
		close(fd);
	}
	return now_ns() - t;
}

static long long run_stat(long n)
{
	struct stat st;
	long long t = now_ns();
	for (long i = 0; i < n; i++)
		if (stat("s1/s2/f", &st))
			die("stat");
	return now_ns() - t;
}

static long long run_create_write_unlink(long n)
{
	static char buf[4096];
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open("cwu", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf || close(fd) || unlink("cwu"))
			die("create+write+unlink");
	}
	return now_ns() - t;
}

/* Sequential writes of 1 MiB, the run ended by fsync: write throughput
 * to the disk (the file wraps at 32 MiB so the disk need not be large). */
static int wf_fd;
static long long wf_pos;
static void open_write_file(void)
{
	if (chdir(dir))
		die(dir);
	wf_fd = open("wf", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (wf_fd < 0)
		die("wf");
}

static long long run_write_fsync(long n)
{
	static char buf[1 << 20];
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		if (pwrite(wf_fd, buf, sizeof buf, wf_pos) != (ssize_t)sizeof buf)
			die("pwrite");
		wf_pos = (wf_pos + (long long)sizeof buf) % (32LL << 20);
	}
	if (fsync(wf_fd))
		die("fsync");
	return now_ns() - t;
}

static void close_write_file(void)
{
	close(wf_fd);
}

static void make_big_dir(void)
{
	char p[PATH_MAX];
	make_tree();
	if (mkdir("big", 0755))
		die("mkdir big");
	for (int i = 0; i < 1000; i++) {
		snprintf(p, sizeof p, "big/entry-%04d", i);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			die(p);
		close(fd);
	}
}

static long long run_getdents(long n)
{
	static char buf[32768];
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open("big", O_RDONLY | O_DIRECTORY);
		long entries = 0, got;
		if (fd < 0)
			die("open big");
		while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
			for (long off = 0; off < got; off += *(unsigned short *)(buf + off + 16))
				entries++;
		close(fd);
		if (got < 0 || entries != 1002)
			die("getdents64 of big");
	}
	return now_ns() - t;
}

/* Makes the next directory <letter><number> of our directory (the
 * working directory) in p and returns its number. */
static long new_dir(char *p, size_t cap, char letter)
{
	static long made;
	long k = made++;
	snprintf(p, cap, "%c%ld", letter, k);
	if (mkdir(p, 0755))
		die(p);
	return k;
}

/* An untar-like small-file workload: UNTAR_FILES files of 1-8 KiB written
 * one directory after another into UNTAR_DIRS new directories as tar does
 * (create, write, set the mode and times, close; no fsync), then one
 * sync(). One operation is one whole tree, reported in files per second;
 * each tree is removed and synced outside the timing. */
enum { UNTAR_DIRS = 20, UNTAR_FILES = 1000 };

static long long run_untar(long n)
{
	static char buf[8192];
	static const struct timespec times[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char p[64];
	long long spent = 0;
	memset(buf, 0x5a, sizeof buf);
	if (chdir(dir))
		die(dir);
	for (long i = 0; i < n; i++) {
		long long t = now_ns();
		long tree = new_dir(p, sizeof p, 'u');
		for (int f = 0; f < UNTAR_FILES; f++) {
			int d = f / (UNTAR_FILES / UNTAR_DIRS);
			/* 1,024 to 8,192 bytes, spread by a multiplicative hash */
			size_t size = 1024 + (size_t)((unsigned)f * 2654435761u % 7169u);
			if (f % (UNTAR_FILES / UNTAR_DIRS) == 0) {
				snprintf(p, sizeof p, "u%ld/d%02d", tree, d);
				if (mkdir(p, 0755))
					die(p);
			}
			snprintf(p, sizeof p, "u%ld/d%02d/f%04d", tree, d, f);
			int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
			if (fd < 0 || write(fd, buf, size) != (ssize_t)size || fchmod(fd, 0644) ||
			    futimens(fd, times) || close(fd))
				die(p);
		}
		sync();
		spent += now_ns() - t;
		snprintf(p, sizeof p, "u%ld", tree);
		remove_tree(p);
		sync();
	}
	return spent;
}

/* 1,000 empty files created in a new directory, then each stat'ed; one
 * operation is the whole directory (files/s), removed outside the timing. */
enum { CS_FILES = 1000 };

static long long run_create_stat(long n)
{
	char p[64];
	struct stat st;
	long long spent = 0;
	if (chdir(dir))
		die(dir);
	for (long i = 0; i < n; i++) {
		long long t = now_ns();
		long d = new_dir(p, sizeof p, 'c');
		for (int f = 0; f < CS_FILES; f++) {
			snprintf(p, sizeof p, "c%ld/f%04d", d, f);
			int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || close(fd))
				die(p);
		}
		for (int f = 0; f < CS_FILES; f++) {
			snprintf(p, sizeof p, "c%ld/f%04d", d, f);
			if (stat(p, &st) || st.st_size != 0)
				die(p);
		}
		spent += now_ns() - t;
		snprintf(p, sizeof p, "c%ld", d);
		remove_tree(p);
	}
	return spent;
}

/* ---- a whole file system on a device (-m DEV:TYPE), mounted on a
 * directory of our own: nothing else may have DEV mounted ---- */

static const char *mount_dev, *mount_type;
static char mnt[PATH_MAX];

static void mount_it(void)
{
	if (mount(mount_dev, mnt, mount_type, 0, NULL))
		die(mnt);
}

static void unmount_it(void)
{
	if (umount(mnt))
		die("umount");
}

static void make_mount_point(void)
{
	if (!mount_dev) {
		out_printf(1, "# no -m DEV:TYPE: skipped\n");
		_exit(0);
	}
	path_in_dir(mnt, sizeof mnt, "m");
	if (mkdir(mnt, 0755))
		die(mnt);
}

/* mount(2) then umount(2) of the file system on DEV: the mount time */
static long long run_mount_umount(long n)
{
	long long t = now_ns();
	for (long i = 0; i < n; i++) {
		mount_it();
		unmount_it();
	}
	return now_ns() - t;
}

/* Cold sequential read: a COLD_MIB MiB file written and fsync'ed once;
 * each operation mounts the file system afresh (so no cached block of it
 * is left), reads the file in 1 MiB reads (timed) and unmounts again. */
enum { COLD_MIB = 32 };
static char cold_path[PATH_MAX + 8];
static char mib_buf[1 << 20];

static void write_cold_file(void)
{
	make_mount_point();
	snprintf(cold_path, sizeof cold_path, "%s/cold", mnt);
	mount_it();
	int fd = open(cold_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(cold_path);
	memset(mib_buf, 0x3c, sizeof mib_buf);
	for (int i = 0; i < COLD_MIB; i++)
		if (write(fd, mib_buf, sizeof mib_buf) != (ssize_t)sizeof mib_buf)
			die("write cold");
	if (fsync(fd) || close(fd))
		die("fsync cold");
	unmount_it();
}

static long long run_cold_read(long n)
{
	long long spent = 0;
	for (long i = 0; i < n; i++) {
		mount_it();
		long long t = now_ns();
		int fd = open(cold_path, O_RDONLY);
		long long total = 0;
		ssize_t got;
		if (fd < 0)
			die(cold_path);
		while ((got = read(fd, mib_buf, sizeof mib_buf)) > 0)
			total += got;
		close(fd);
		spent += now_ns() - t;
		if (got < 0 || total != (long long)COLD_MIB << 20)
			die("read cold");
		unmount_it();
	}
	return spent;
}

static void remove_cold_file(void)
{
	mount_it();
	if (unlink(cold_path))
		die(cold_path);
	unmount_it();
}

static const struct bench benches[] = {
	{ "null_syscall", "ns", NULL, run_null_syscall, NULL, 0 },
	{ "write_devnull_1b", "ns", open_devices, run_write_devnull, close_devices, 0 },
	{ "read_devzero_4k", "ns", open_devices, run_read_devzero, close_devices, 0 },
	{ "clock_gettime", "ns", NULL, run_clock_gettime, NULL, 0 },
	{ "signal_roundtrip", "ns", install_handler, run_signal, NULL, 0 },
	{ "pipe_roundtrip", "us", start_echo, run_pipe_roundtrip, stop_partner, 0 },
	{ "pipe_throughput_64k", "MiB/s", start_sink, run_pipe_throughput, stop_partner, 1.0 / 16 },
	{ "unix_stream_roundtrip_64b", "us", start_unix_echo, run_unix_roundtrip, stop_unix_partner, 0 },
	{ "channel_call_64b", "us", start_chan_echo, run_chan_call, stop_chan_partner, 0 },
	{ "channel_call_regs_48b", "us", start_chan_regs_echo, run_chan_call_regs, stop_chan_partner, 0 },
	{ "channel_call_regs_thread_48b", "us", start_chan_regs_thread, run_chan_call_regs, stop_chan_regs_thread, 0 },
	{ "channel_send_64b", "MiB/s", start_chan_sink, run_chan_send_64, stop_chan_partner, 64.0 / 1048576 },
	{ "channel_send_4k", "MiB/s", start_chan_sink, run_chan_send_4k, stop_chan_partner, 1.0 / 256 },
	{ "channel_send_64k", "MiB/s", start_chan_sink, run_chan_send_64k, stop_chan_partner, 1.0 / 16 },
	{ "channel_handle_transfer", "us", start_chan_sink, run_chan_handle, stop_chan_partner, 0 },
	{ "pair_null_syscall_1000", "us", NULL, run_pair_null_syscall, NULL, 0 },
	{ "pair_write_devnull_1b_1000", "us", open_devices, run_pair_write_devnull, close_devices, 0 },
	{ "pair_cpu_spin_100000", "us", NULL, run_pair_cpu_spin, NULL, 0 },
	{ "fork_exit_wait", "us", NULL, run_fork_exit_wait, NULL, 0 },
	{ "fork_exec_wait", "us", check_exit0, run_fork_exec_wait, NULL, 0 },
	{ "thread_create_join", "us", NULL, run_thread_create_join, NULL, 0 },
	{ "page_fault_anon", "ns", NULL, run_page_fault, NULL, 0 },
	{ "mmap_munmap_1m", "us", NULL, run_mmap_munmap, NULL, 0 },
	{ "open_close", "ns", make_tree, run_open_close, NULL, 0 },
	{ "stat_3_components", "ns", make_tree, run_stat, NULL, 0 },
	{ "create_write_unlink_4k", "us", make_tree, run_create_write_unlink, NULL, 0 },
	{ "getdents_1000", "us", make_big_dir, run_getdents, NULL, 0 },
	{ "write_fsync_1m", "MiB/s", open_write_file, run_write_fsync, close_write_file, 1.0 },
	{ "untar_1000_files", "files/s", NULL, run_untar, NULL, UNTAR_FILES },
	{ "create_stat_1000", "files/s", NULL, run_create_stat, NULL, CS_FILES },
	{ "mount_umount", "us", make_mount_point, run_mount_umount, NULL, 0 },
	{ "cold_seq_read_32m", "MiB/s", write_cold_file, run_cold_read, remove_cold_file, COLD_MIB },
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Runs one benchmark in a child of its own, so a crash or a leftover
 * (children, handlers, directories) stays there. */
static void measure(const struct bench *b)
{
	if (b->setup)
		b->setup();
	/* Calibrate: double n until a run takes 10 ms, then aim for a round
	 * of round_ns. */
	long n = 1;
	long long took;
	while ((took = b->run(n)) < round_ns / 10 && n < (1L << 40))
		n *= 2;
	if (took > 0 && took < round_ns)
		n = (long)((double)n * round_ns / took) + 1;
	double per_op[MAX_ROUNDS];
	for (int r = 0; r < rounds; r++)
		per_op[r] = (double)b->run(n) / n;
	if (b->teardown)
		b->teardown();
	qsort(per_op, (size_t)rounds, sizeof per_op[0], by_value);
	double median = per_op[rounds / 2];
	double value;
	if (strcmp(b->unit, "MiB/s") == 0 || strcmp(b->unit, "files/s") == 0)
		value = b->mib_per_op / (median / 1e9);
	else if (strcmp(b->unit, "us") == 0)
		value = median / 1000;
	else
		value = median;
	out_printf(1, "BENCH %s %.*f %s\n", b->name, value < 10 ? 2 : 1, value, b->unit);
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "c:d:e:m:r:t:")) != -1) {
		switch (opt) {
		case 'c': {
			cpu_set_t one;

			CPU_ZERO(&one);
			CPU_SET(atoi(optarg), &one);
			if (sched_setaffinity(0, sizeof one, &one) != 0)
				die("sched_setaffinity");
			break;
		}
		case 'd': work_dir = optarg; break;
		case 'e': exit0_path = optarg; break;
		case 'm': {
			char *colon = strchr(optarg, ':');
			if (!colon || colon == optarg || !colon[1]) {
				out_printf(2, "bench: -m wants DEV:TYPE\n");
				return 2;
			}
			*colon = 0;
			mount_dev = optarg;
			mount_type = colon + 1;
			break;
		}
		case 'r': rounds = atoi(optarg); break;
		case 't': round_ns = atoll(optarg) * 1000000LL; break;
		default:
			out_printf(2, "usage: %s [-c cpu] [-d dir] [-e exit0] [-m dev:type] [-r rounds] [-t round-ms] [prefix...]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || round_ns <= 0) {
		out_printf(2, "bench: rounds must be 1..%d and the round time positive\n", MAX_ROUNDS);
		return 2;
	}
	if ((size_t)snprintf(dir, sizeof dir, "%s/bench.%d", work_dir, getpid()) >= sizeof dir) {
		out_printf(2, "bench: directory name too long\n");
		return 2;
	}
	int failed = 0;
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		if (!name_selected(benches[i].name, argv + optind, argc - optind))
			continue;
		if (mkdir(dir, 0755))
			die(dir);
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			measure(&benches[i]);
			_exit(0);
		}
		int status;
		waitpid(pid, &status, 0);
		if (status != 0) {
			out_printf(1, "# %s failed (status %#x)\n", benches[i].name, status);
			failed = 1;
		}
		remove_tree(dir);
	}
	return failed;
}
