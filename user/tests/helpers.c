/* Helpers the usertests cases share (declared in tests.h). */
#include "tests.h"

#include <grp.h>
#include <setjmp.h>
#include <sys/utsname.h>
#include <ucontext.h>

bool on_cosmos(void)
{
	static int cached = -1;

	if (cached < 0) {
		struct utsname u;
		cached = uname(&u) == 0 && strcmp(u.sysname, "CosmOS") == 0;
	}
	return cached;
}

/* Two pages at a high user address no allocator hands out by itself; the
 * first stays mapped, the second is unmapped. Made once per case process. */
static char *edge_pages(void)
{
	static char *pages;

	for (uintptr_t a = 0x100000000000; !pages && a < 0x140000000000; a += 0x1000000000) {
		void *p = mmap((void *)a, 2 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if (p != (void *)a) {   /* a kernel that ignores the flag */
			munmap(p, 2 * PAGE);
			continue;
		}
		CHECK_OK(munmap((char *)p + PAGE, PAGE));
		pages = p;
	}
	if (!pages)
		UT_FAIL("no room for the edge pages");
	return pages;
}

void *bad_ptr(int i)
{
	static const char *const names[N_BAD_PTRS] = {
		"NULL", "kernel address", "non-canonical address", "unmapped page",
	};
	void *p = NULL;

	switch (i) {
	case 1: p = (void *)0xffff800000000000UL; break;
	case 2: p = (void *)0x0000800000000010UL; break;
	case 3: p = edge_pages() + PAGE; break;
	}
	ut_note("bad pointer %d: %s %p", i, names[i], p);
	return p;
}

void *edge_ptr(size_t valid)
{
	char *end = edge_pages() + PAGE;

	if (valid > PAGE)
		UT_FAIL("edge_ptr: %zu bytes do not fit in a page", valid);
	memset(end - valid, 'x', valid);
	return end - valid;
}

void become_user(void)
{
	CHECK_OK(setgroups(0, NULL));
	CHECK_OK(setresgid(TEST_GID, TEST_GID, TEST_GID));
	CHECK_OK(setresuid(TEST_UID, TEST_UID, TEST_UID));
}

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
static sigjmp_buf fault_env;
static struct fault last_fault;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	last_fault.sig = sig;
	last_fault.code = si->si_code;
	last_fault.addr = si->si_addr;
	last_fault.rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(fault_env, 1);
}

bool catch_fault(void (*fn)(void *), void *arg, struct fault *f)
{
	static char altstack[64 << 10];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	struct sigaction sa = { 0 };
	size_t n = sizeof fault_signals / sizeof fault_signals[0];
	volatile bool faulted = false;

	CHECK_OK(sigaltstack(&ss, NULL));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	for (size_t i = 0; i < n; i++)
		CHECK_OK(sigaction(fault_signals[i], &sa, NULL));
	memset(&last_fault, 0, sizeof last_fault);
	if (sigsetjmp(fault_env, 1) == 0)
		fn(arg);
	else
		faulted = true;
	for (size_t i = 0; i < n; i++)
		signal(fault_signals[i], SIG_DFL);
	*f = last_fault;
	return faulted;
}

pid_t xfork(void)
{
	return CHECK_OK(fork());
}

void wait_exit(pid_t pid, int code)
{
	int status;

	CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
	if (WIFSIGNALED(status))
		UT_FAIL("child %d killed by %s, expected exit %d", pid,
			ut_signame(WTERMSIG(status)), code);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		UT_FAIL("child %d: status %#x, expected exit %d", pid, status, code);
}

void wait_signal(pid_t pid, int sig)
{
	int status;

	CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
	if (WIFEXITED(status))
		UT_FAIL("child %d exited %d, expected %s", pid, WEXITSTATUS(status),
			ut_signame(sig));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		UT_FAIL("child %d: status %#x, expected %s", pid, status, ut_signame(sig));
}

int child_begin(bool as_user)
{
	pid_t pid = xfork();

	if (pid == 0) {
		if (as_user)
			become_user();
		return 1;
	}
	wait_exit(pid, 0);
	return 0;
}

void private_mounts(void)
{
	if (on_cosmos())
		return;
	CHECK_OK(unshare(CLONE_NEWNS));
	CHECK_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

void mount_tmpfs(const char *dir, const char *opts)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		UT_FAIL("mkdir %s: %s", dir, ut_errname(errno));
	CHECK_OK(mount("tmpfs", dir, "tmpfs", 0, opts));
}

void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		UT_FAIL("open %s: %s", path, ut_errname(errno));
	CHECK_OK(fchmod(fd, mode));
	CHECK_EQ(CHECK_OK(write(fd, data, len)), len);
	CHECK_OK(close(fd));
}

void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0644);
}

size_t read_file(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		UT_FAIL("open %s: %s", path, ut_errname(errno));
	size_t got = 0;
	while (got < cap) {
		ssize_t n = CHECK_OK(read(fd, (char *)buf + got, cap - got));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	CHECK_OK(close(fd));
	return got;
}

const char *read_text(const char *path, char *buf, size_t cap)
{
	size_t n = read_file(path, buf, cap - 1);
	buf[n] = '\0';
	return buf;
}

off_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		UT_FAIL("stat %s: %s", path, ut_errname(errno));
	return st.st_size;
}

bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void copy_file(const char *src, const char *dst, mode_t mode)
{
	static char buf[65536];
	int in = open(src, O_RDONLY);
	if (in < 0)
		UT_FAIL("open %s: %s", src, ut_errname(errno));
	int out = CHECK_OK(open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode));
	for (ssize_t n; (n = CHECK_OK(read(in, buf, sizeof buf))) > 0;)
		CHECK_EQ(write(out, buf, n), n);
	CHECK_OK(fchmod(out, mode));
	CHECK_OK(close(out));
	CHECK_OK(close(in));
}

int run_capture(const char *path, char *const argv[], char *const envp[], bool as_user,
		char *out, size_t cap)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		if (as_user)
			become_user();
		CHECK_OK(dup2(p[1], 1));
		execve(path, argv, envp);
		_exit(127);
	}
	CHECK_OK(close(p[1]));
	size_t got = 0;
	for (ssize_t n; got < cap - 1 && (n = CHECK_OK(read(p[0], out + got, cap - 1 - got))) > 0;)
		got += (size_t)n;
	out[got] = '\0';
	CHECK_OK(close(p[0]));
	int status;
	CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
	if (WIFSIGNALED(status))
		UT_FAIL("%s killed by %s", path, ut_signame(WTERMSIG(status)));
	return WEXITSTATUS(status);
}

static char self_path[PATH_MAX];

void set_self_exe(const char *argv0)
{
	if (!realpath(argv0, self_path)) {
		ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
		self_path[n > 0 ? n : 0] = '\0';
	}
}

const char *self_exe(void)
{
	if (!self_path[0])
		UT_FAIL("the path of the test binary is unknown");
	return self_path;
}

void sync_signal(int fd)
{
	CHECK_EQ(CHECK_OK(write(fd, "s", 1)), 1);
}

void sync_wait(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		UT_FAIL("sync_wait: %s", n == 0 ? "end of file" : ut_errname(errno));
}
