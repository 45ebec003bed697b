/* The test framework's runner and checks (see ut.h): each case in a child
 * process and process group of its own, in a fresh directory, with a time
 * limit the parent keeps with sigtimedwait on SIGCHLD. */
#define _GNU_SOURCE
#include "ut.h"

#include "ktap.h"
#include "out.h"
#include "prefix.h"
#include "tree.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 20

/* Weak, so a program with no cases or no helpers still links. */
extern const struct ut_case __start_ut_cases[] __attribute__((weak));
extern const struct ut_case __stop_ut_cases[] __attribute__((weak));
extern const struct ut_helper __start_ut_helpers[] __attribute__((weak));
extern const struct ut_helper __stop_ut_helpers[] __attribute__((weak));

/* Set before each case's fork, read by that case's process tree only. */
static char note[256];

void ut_note(const char *fmt, ...)
{
	if (!fmt) {
		note[0] = '\0';
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note, sizeof note, fmt, ap);
	va_end(ap);
}

void ut_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vdiag(fmt, ap);
	va_end(ap);
}

_Noreturn void ut_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ktap_diag("%s:%d: %s%s%s", file, line, msg, note[0] ? " -- " : "", note);
	_exit(1);
}

#define NAME(x) [x] = #x
static const char *const errnames[] = {
	NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EINTR), NAME(EIO),
	NAME(ENXIO), NAME(E2BIG), NAME(ENOEXEC), NAME(EBADF), NAME(ECHILD),
	NAME(EAGAIN), NAME(ENOMEM), NAME(EACCES), NAME(EFAULT), NAME(ENOTBLK),
	NAME(EBUSY), NAME(EEXIST), NAME(EXDEV), NAME(ENODEV), NAME(ENOTDIR),
	NAME(EISDIR), NAME(EINVAL), NAME(ENFILE), NAME(EMFILE), NAME(ENOTTY),
	NAME(ETXTBSY), NAME(EFBIG), NAME(ENOSPC), NAME(ESPIPE), NAME(EROFS),
	NAME(EMLINK), NAME(EPIPE), NAME(EDOM), NAME(ERANGE), NAME(EDEADLK),
	NAME(ENAMETOOLONG), NAME(ENOLCK), NAME(ENOSYS), NAME(ENOTEMPTY),
	NAME(ELOOP), NAME(ENOMSG), NAME(EOVERFLOW), NAME(EBADFD),
	NAME(EOPNOTSUPP), NAME(ETIMEDOUT), NAME(ECANCELED), NAME(ENOTSOCK),
	NAME(ENODATA), NAME(ESTALE), NAME(EDQUOT),
};
static const char *const signames[] = {
	NAME(SIGHUP), NAME(SIGINT), NAME(SIGQUIT), NAME(SIGILL), NAME(SIGTRAP),
	NAME(SIGABRT), NAME(SIGBUS), NAME(SIGFPE), NAME(SIGKILL), NAME(SIGUSR1),
	NAME(SIGSEGV), NAME(SIGUSR2), NAME(SIGPIPE), NAME(SIGALRM),
	NAME(SIGTERM), NAME(SIGSTKFLT), NAME(SIGCHLD), NAME(SIGCONT),
	NAME(SIGSTOP), NAME(SIGTSTP), NAME(SIGTTIN), NAME(SIGTTOU), NAME(SIGURG),
	NAME(SIGXCPU), NAME(SIGXFSZ), NAME(SIGVTALRM), NAME(SIGPROF),
	NAME(SIGWINCH), NAME(SIGIO), NAME(SIGPWR), NAME(SIGSYS),
};
#undef NAME

static const char *lookup(const char *const *table, size_t n, int v, const char *what)
{
	static char buf[4][24];
	static int next;

	if (v >= 0 && (size_t)v < n && table[v])
		return table[v];
	char *b = buf[next++ % 4];
	snprintf(b, sizeof buf[0], "%s %d", what, v);
	return b;
}

const char *ut_errname(int err)
{
	return lookup(errnames, sizeof errnames / sizeof errnames[0], err, "errno");
}

const char *ut_signame(int sig)
{
	return lookup(signames, sizeof signames / sizeof signames[0], sig, "signal");
}

int ut_run_helper(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "-H") != 0)
		return -1;
	/* By the last path component, so a "#!PROG -H" script named after a
	 * helper runs that helper. */
	const char *slash = strrchr(argv[2], '/');
	const char *name = slash ? slash + 1 : argv[2];
	for (const struct ut_helper *h = __start_ut_helpers; h < __stop_ut_helpers; h++)
		if (strcmp(h->name, name) == 0)
			return h->fn(argc - 2, argv + 2);
	out_printf(2, "%s: no helper %s\n", argv[0], argv[2]);
	return 127;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct ut_case *const *)a)->name,
		      (*(const struct ut_case *const *)b)->name);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits for pid until the deadline; SIGCHLD is blocked, so sigtimedwait
 * sleeps until a child changes state. Returns false on timeout. */
static bool wait_until(pid_t pid, int *status, long long deadline_ms)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return true;
		long long left = deadline_ms - now_ms();
		if (left <= 0)
			return false;
		struct timespec ts = { left / 1000, (left % 1000) * 1000000 };
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* The exit status of a skipped case (automake's), and its reason: the
 * case leaves it in a file in its directory, so it holds no descriptor
 * of the runner's while it runs. */
#define SKIP_STATUS 77
#define SKIP_FILE ".ut-skip"
static char skip_path[PATH_MAX + 16];

_Noreturn void ut_skip(const char *reason)
{
	int fd = open(skip_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0) {
		out_printf(fd, "%s", reason);
		close(fd);
	}
	_exit(SKIP_STATUS);
}

static _Noreturn void case_child(const struct ut_case *c, const char *dir)
{
	sigset_t none;

	setpgid(0, 0);
	if (chdir(dir) != 0)
		UT_FAIL("cannot enter %s: %s", dir, ut_errname(errno));
	snprintf(skip_path, sizeof skip_path, "%s/%s", dir, SKIP_FILE);
	umask(022);
	/* A crashing case must not leave core files behind (the core file
	 * cases raise the soft limit again, up to the hard one kept here). */
	struct rlimit core;
	if (getrlimit(RLIMIT_CORE, &core) == 0) {
		core.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &core);
	}
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	c->fn();
	_exit(0);
}

/* Runs one case; returns true if it passed. */
static bool run_case(const struct ut_case *c, int number, const char *base, int timeout_s)
{
	char dir[PATH_MAX];
	int status = 0;

	if (snprintf(dir, sizeof dir, "%s/%s", base, c->name) >= (int)sizeof dir) {
		ktap_diag("the case's directory name is too long");
		ktap_result(false, number, c->name);
		return false;
	}
	/* A mount a case left there (where mounts cannot be private to it)
	 * is detached with the rest. */
	remove_tree(dir);
	if (mkdir(dir, 0755) != 0) {
		ktap_diag("cannot make %s: %s", dir, ut_errname(errno));
		ktap_result(false, number, c->name);
		return false;
	}
	note[0] = '\0';
	if (c->timeout_s > 0)
		timeout_s = c->timeout_s > timeout_s ? c->timeout_s : timeout_s;

	pid_t pid = fork();
	if (pid == 0)
		case_child(c, dir);
	bool passed = false, skipped = false;
	char reason[200] = "";
	if (pid < 0) {
		ktap_diag("fork: %s", ut_errname(errno));
	} else {
		setpgid(pid, pid);
		bool done = wait_until(pid, &status, now_ms() + timeout_s * 1000LL);
		/* Whatever the case left running in its group goes too. */
		kill(-pid, SIGKILL);
		if (!done) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ktap_diag("timed out after %d s", timeout_s);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			passed = true;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_STATUS) {
			char path[PATH_MAX + 16];
			snprintf(path, sizeof path, "%s/%s", dir, SKIP_FILE);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n = fd >= 0 ? read(fd, reason, sizeof reason - 1) : -1;
			if (fd >= 0)
				close(fd);
			reason[n > 0 ? n : 0] = '\0';
			passed = skipped = n > 0;
			if (!skipped)
				ktap_diag("exit status %d", SKIP_STATUS);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) != 1) {
			/* 1 is a failed check, which has said what failed. */
			ktap_diag("exit status %d", WEXITSTATUS(status));
		} else if (WIFSIGNALED(status)) {
			ktap_diag("killed by %s", ut_signame(WTERMSIG(status)));
		}
	}
	remove_tree(dir);
	if (skipped)
		ktap_skipped(number, c->name, reason);
	else
		ktap_result(passed, number, c->name);
	return passed;
}

int ut_main(int argc, char **argv)
{
	int timeout_s = DEFAULT_TIMEOUT_S;
	bool list = false;
	int opt;

	while ((opt = getopt(argc, argv, "t:l")) != -1) {
		if (opt == 't' && atoi(optarg) > 0) {
			timeout_s = atoi(optarg);
		} else if (opt == 'l') {
			list = true;
		} else {
			out_printf(2, "usage: %s [-l] [-t seconds] [name-prefix...]\n", argv[0]);
			return 2;
		}
	}
	char **prefixes = argv + optind;
	int nprefixes = argc - optind;

	/* The selected cases, sorted by name so related cases run together
	 * and the numbering is stable. */
	size_t total = (size_t)(__stop_ut_cases - __start_ut_cases);
	const struct ut_case **cases = calloc(total + 1, sizeof *cases);
	int count = 0;
	if (!cases)
		return 1;
	for (const struct ut_case *c = __start_ut_cases; c < __stop_ut_cases; c++)
		if (name_selected(c->name, prefixes, nprefixes))
			cases[count++] = c;
	qsort(cases, (size_t)count, sizeof *cases, by_name);
	if (list) {
		for (int i = 0; i < count; i++)
			out_printf(1, "%s\n", cases[i]->name);
		return 0;
	}

	char base[PATH_MAX];
	if (!getcwd(base, sizeof base)) {
		out_printf(2, "%s: getcwd: %s\n", argv[0], ut_errname(errno));
		return 1;
	}
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal(SIGCHLD, SIG_DFL);

	ktap_header(count);
	int passed = 0;
	long long start = now_ms();
	for (int i = 0; i < count; i++)
		passed += run_case(cases[i], i + 1, base, timeout_s);
	const char *slash = strrchr(argv[0], '/');
	ktap_diag("%s: %d passed, %d failed in %lld ms",
		  slash ? slash + 1 : argv[0], passed, count - passed, now_ms() - start);
	return passed == count ? 0 : 1;
}
