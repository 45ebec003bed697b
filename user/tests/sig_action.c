/* rt_sigaction and handlers: installing and querying, SA_SIGINFO fields,
 * SA_NODEFER, SA_RESETHAND, the mask while a handler runs, what
 * rt_sigreturn restores from the frame (registers, mask, FPU state) and
 * what it refuses to restore. */
#include "tests.h"

#include <ucontext.h>

/* The kernel's struct sigaction for raw rt_sigaction calls. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static volatile int hits;
static volatile int last_sig;
static void count(int sig)
{
	hits++;
	last_sig = sig;
}

TEST(sig_action_install_query)
{
	struct sigaction sa = { 0 }, old;
	sa.sa_handler = count;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_OK(sigaction(SIGUSR1, &sa, &old));
	CHECK(old.sa_handler == SIG_DFL);
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == count);
	CHECK(old.sa_flags & SA_RESTART);
	CHECK(sigismember(&old.sa_mask, SIGUSR2));
	CHECK(!sigismember(&old.sa_mask, SIGTERM));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_sig, SIGUSR1);
	/* SIG_IGN: the signal is discarded. */
	signal(SIGUSR1, SIG_IGN);
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 1);
}

TEST(sig_action_errors)
{
	struct ksigaction ka = { .handler = (void *)count };
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGKILL, &ka, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGSTOP, &ka, NULL, 8), EINVAL);
	ka.handler = SIG_IGN;
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGKILL, &ka, NULL, 8), EINVAL);
	/* Querying them is allowed. */
	struct ksigaction out;
	CHECK_OK(syscall(SYS_rt_sigaction, SIGKILL, NULL, &out, 8));
	CHECK(out.handler == SIG_DFL);
	CHECK_ERR(syscall(SYS_rt_sigaction, 0, NULL, &out, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &out, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &out, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &out, 16), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		if (!p)
			continue;
		CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, p, 8), EFAULT);
	}
	ut_note(NULL);
	/* A failed call changed nothing. */
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &out, 8));
	CHECK(out.handler == SIG_DFL);
}

static sigset_t mask_in_handler;
static void record_mask(int sig)
{
	(void)sig;
	sigprocmask(SIG_SETMASK, NULL, &mask_in_handler);
	hits++;
}

/* While a handler runs, its signal and sa_mask are blocked; afterwards the
 * old mask is back. */
TEST(sig_handler_mask)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = record_mask;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK(sigismember(&mask_in_handler, SIGUSR1));
	CHECK(sigismember(&mask_in_handler, SIGUSR2));
	CHECK(!sigismember(&mask_in_handler, SIGTERM));
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(!sigismember(&now, SIGUSR1));
	CHECK(!sigismember(&now, SIGUSR2));
	/* SA_NODEFER leaves the signal itself unblocked. */
	sa.sa_flags = SA_NODEFER;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK(!sigismember(&mask_in_handler, SIGUSR1));
	CHECK(sigismember(&mask_in_handler, SIGUSR2));
}

static volatile int depth, max_depth, raises_left;
static void nest(int sig)
{
	hits++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (raises_left-- > 0)
		raise(sig);
	depth--;
}

TEST(sig_nodefer_nests)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = nest;
	sa.sa_flags = SA_NODEFER;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	raises_left = 2;
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 3);
	CHECK_EQ(max_depth, 3);
	/* Without it, a raise inside waits until the handler returns. */
	max_depth = 0;
	hits = 0;
	raises_left = 2;
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 3);
	CHECK_EQ(max_depth, 1);
}

TEST(sig_resethand)
{
	struct sigaction sa = { 0 }, now;
	sa.sa_handler = count;
	sa.sa_flags = SA_RESETHAND;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 1);
	CHECK_OK(sigaction(SIGUSR1, NULL, &now));
	CHECK(now.sa_handler == SIG_DFL);
	/* The second one takes the default action. */
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
		raise(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	wait_signal(pid, SIGUSR1);
}

static siginfo_t info;
static void keep_info(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	info = *si;
	hits++;
}

static void use_siginfo(int sig)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = keep_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(sig, &sa, NULL));
}

TEST(sig_siginfo_kill)
{
	use_siginfo(SIGUSR1);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(hits, 1);
	CHECK_EQ(info.si_signo, SIGUSR1);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_EQ(info.si_pid, getpid());
	CHECK_EQ(info.si_uid, 0);
	/* From another process and user. */
	pid_t me = getpid();
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(setresuid(TEST_UID, 0, 0));
		CHECK_OK(kill(me, SIGUSR1));
		_exit(0);
	}
	wait_exit(pid, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK_EQ(hits, 2);
	CHECK_EQ(info.si_pid, pid);
	CHECK_EQ(info.si_uid, TEST_UID);     /* the sender's real uid */
}

TEST(sig_siginfo_tgkill)
{
	use_siginfo(SIGUSR2);
	CHECK_OK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2));
	CHECK_EQ(hits, 1);
	CHECK_EQ(info.si_signo, SIGUSR2);
	CHECK_EQ(info.si_code, SI_TKILL);
	CHECK_EQ(info.si_pid, getpid());
}

TEST(sig_siginfo_sigchld)
{
	use_siginfo(SIGCHLD);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	pid_t pid = xfork();
	if (pid == 0)
		_exit(9);
	siginfo_t si;
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK_EQ(hits, 1);
	CHECK_EQ(info.si_signo, SIGCHLD);
	CHECK_EQ(info.si_code, CLD_EXITED);
	CHECK_EQ(info.si_pid, pid);
	CHECK_EQ(info.si_status, 9);
	wait_exit(pid, 9);
}

/* Changing uc_sigmask in the handler changes the mask after sigreturn. */
static void block_usr2_on_return(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	CHECK(!sigismember(&uc->uc_sigmask, SIGUSR1));
	sigaddset(&uc->uc_sigmask, SIGUSR2);
	hits++;
}

TEST(sig_sigreturn_restores_mask_from_frame)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = block_usr2_on_return;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 1);
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR2));
	CHECK(!sigismember(&now, SIGUSR1));
}

/* A handler that moves RIP past a ud2 and sets RAX: the program resumes
 * there with that value. */
static void skip_ud2(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 0x1234;
}

TEST(sig_sigreturn_restores_registers)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = skip_ud2;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGILL, &sa, NULL));
	long rax = 0, rbx = 0x5555, r15 = 0x7777;
	__asm__ volatile("xor %%eax, %%eax\n ud2\n"
			 : "=a"(rax), "+b"(rbx), "+r"(r15) : : "memory");
	CHECK_EQ(rax, 0x1234);
	CHECK_EQ(rbx, 0x5555);
	CHECK_EQ(r15, 0x7777);
}

/* A frame asking for IOPL 3 gains nothing: RFLAGS comes back sanitized. */
static void raise_iopl(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000;
}

TEST(sig_sigreturn_sanitizes_rflags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = raise_iopl;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(raise(SIGUSR1));
	unsigned long flags;
	__asm__ volatile("pushf\n pop %0" : "=r"(flags));
	CHECK_EQ(flags & 0x3000, 0);
}

/* A frame with the kernel's code segment: the process either goes on in
 * user mode (CS forced back to the user selector) or dies of SIGSEGV; it
 * never runs with kernel privilege. */
static void forge_cs(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	uint64_t csgsfs = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS];
	uc->uc_mcontext.gregs[REG_CSGSFS] = (greg_t)((csgsfs & ~0xffffULL) | 0x08);
}

TEST(sig_sigreturn_forged_cs)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { 0 };
		sa.sa_sigaction = forge_cs;
		sa.sa_flags = SA_SIGINFO;
		CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
		raise(SIGUSR1);
		unsigned short cs;
		__asm__ volatile("mov %%cs, %0" : "=r"(cs));
		_exit((cs & 3) == 3 ? 0 : 1);
	}
	int status;
	CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
	CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	      (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV));
}

/* The interrupted code's SSE registers survive a handler that uses them. */
static void clobber_xmm(int sig)
{
	(void)sig;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n pxor %%xmm7, %%xmm7\n"
			 "pcmpeqd %%xmm15, %%xmm15" : : : "xmm0", "xmm7", "xmm15");
}

TEST(sig_fpu_state_preserved)
{
	signal(SIGUSR1, clobber_xmm);
	uint64_t in[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL }, out0[2], out7[2];
	long nr = SYS_kill, pid = getpid(), sig = SIGUSR1;
	__asm__ volatile("movdqu %[in], %%xmm0\n movdqu %[in], %%xmm7\n"
			 "syscall\n"
			 "movdqu %%xmm0, %[o0]\n movdqu %%xmm7, %[o7]\n"
			 : [o0] "=m"(out0), [o7] "=m"(out7), "+a"(nr)
			 : [in] "m"(in), "D"(pid), "S"(sig)
			 : "rcx", "r11", "memory", "xmm0", "xmm7");
	CHECK_EQ(nr, 0);
	CHECK_MEM(out0, in, sizeof in);
	CHECK_MEM(out7, in, sizeof in);
}

/* Does the CPU have AVX, and has the kernel enabled its state (XCR0)? */
static bool have_avx(void)
{
	unsigned a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)) || !(c & (1u << 28)))     /* OSXSAVE, AVX */
		return false;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;                           /* SSE and AVX state */
}

static void clobber_ymm(int sig)
{
	(void)sig;
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n vpcmpeqd %%ymm7, %%ymm7, %%ymm7\n"
			 "vpcmpeqd %%ymm15, %%ymm15, %%ymm15" : : : "xmm0", "xmm7", "xmm15");
}

static const uint64_t ymm_in[4] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
				    0x1122334455667788ULL, 0x99aabbccddeeff00ULL };

/* The upper halves of the ymm registers survive a handler that sets them
 * all to ones. */
TEST(sig_avx_state_preserved)
{
	if (!have_avx())
		ut_skip("no AVX");
	signal(SIGUSR1, clobber_ymm);
	uint64_t out0[4], out15[4];
	long nr = SYS_kill, pid = getpid(), sig = SIGUSR1;
	__asm__ volatile("vmovdqu %[in], %%ymm0\n vmovdqu %[in], %%ymm15\n"
			 "syscall\n"
			 "vmovdqu %%ymm0, %[o0]\n vmovdqu %%ymm15, %[o15]\n"
			 : [o0] "=m"(out0), [o15] "=m"(out15), "+a"(nr)
			 : [in] "m"(ymm_in), "D"(pid), "S"(sig)
			 : "rcx", "r11", "memory", "xmm0", "xmm15");
	signal(SIGUSR1, SIG_DFL);
	CHECK_EQ(nr, 0);
	CHECK_MEM(out0, ymm_in, sizeof ymm_in);
	CHECK_MEM(out15, ymm_in, sizeof ymm_in);
}

/* ... and a switch to another process that sets them to ones, many times
 * over: each sched_yield may run the child in between. */
TEST(sig_avx_state_across_switch)
{
	if (!have_avx())
		ut_skip("no AVX");
	volatile int *stop = CHECK_OK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	int ready[2];
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_signal(ready[1]);
		while (!*stop) {
			clobber_ymm(0);
			sched_yield();
		}
		_exit(0);
	}
	sync_wait(ready[0]);
	uint64_t out0[4], out15[4];
	long rounds = 500;
	__asm__ volatile("vmovdqu %[in], %%ymm0\n vmovdqu %[in], %%ymm15\n"
			 "1: mov %[yield], %%eax\n syscall\n dec %[n]\n jnz 1b\n"
			 "vmovdqu %%ymm0, %[o0]\n vmovdqu %%ymm15, %[o15]\n"
			 : [o0] "=m"(out0), [o15] "=m"(out15), [n] "+r"(rounds)
			 : [in] "m"(ymm_in), [yield] "i"(SYS_sched_yield)
			 : "rax", "rcx", "r11", "memory", "xmm0", "xmm15");
	*stop = 1;
	wait_exit(pid, 0);
	CHECK_MEM(out0, ymm_in, sizeof ymm_in);
	CHECK_MEM(out15, ymm_in, sizeof ymm_in);
}

static int no_restorer_pipe = -1;
static void note_handler_ran(int sig)
{
	(void)sig;
	if (write(no_restorer_pipe, "h", 1) != 1)
		_exit(3);
}

/* x86-64 has no kernel-made way back from a handler: one installed
 * without SA_RESTORER through the raw call ends the process with SIGSEGV
 * when its signal comes (Linux refuses to build the frame, so the
 * handler never runs). */
TEST(sig_no_restorer_segv)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		no_restorer_pipe = p[1];
		struct ksigaction ka = { .handler = (void *)note_handler_ran, .flags = 0 };
		if (syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) != 0)
			_exit(2);
		raise(SIGUSR1);
		_exit(0);
	}
	CHECK_OK(close(p[1]));
	wait_signal(pid, SIGSEGV);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 0);
}
