/* Faults in ring 3 become signals with the right si_code and si_addr:
 * page faults (unmapped, kernel, non-canonical, NULL), #UD, #DE, #BP,
 * #DB from the trap flag,
 * #GP from privileged instructions, #AC and SSE exceptions; unhandled,
 * they end the process and its parent sees the signal. */
#include "tests.h"

/* The faulting instructions, each at a known address. */
__asm__(".text\n"
	".globl fault_ud2\n"
	"fault_ud2: ud2\n ret\n"
	".globl fault_int3\n"
	"fault_int3: int3\n ret\n"
	".globl fault_div0, fault_div0_insn\n"
	"fault_div0: xor %ecx, %ecx\n mov $1, %eax\n cltd\n"
	"fault_div0_insn: idiv %ecx\n ret\n"
	".globl fault_hlt\n"
	"fault_hlt: hlt\n ret\n"
	".globl fault_cli\n"
	"fault_cli: cli\n ret\n"
	".globl fault_inb\n"
	"fault_inb: in $0x80, %al\n ret\n"
	".globl fault_wrmsr\n"
	"fault_wrmsr: xor %eax, %eax\n xor %edx, %edx\n mov $0x10, %ecx\n wrmsr\n ret\n"
	/* TF set by popf traps after the instruction that follows */
	".globl fault_single_step, fault_step_ip\n"
	"fault_single_step: pushfq\n orq $0x100, (%rsp)\n popfq\n nop\n"
	"fault_step_ip: nop\n ret\n");

void fault_ud2(void), fault_int3(void), fault_div0(void), fault_hlt(void);
void fault_cli(void), fault_inb(void), fault_wrmsr(void), fault_single_step(void);
extern const char fault_div0_insn[], fault_step_ip[];

static void call(void *fn)
{
	((void (*)(void))fn)();
}

static void read_at(void *p)
{
	(void)*(volatile char *)p;
}

static void write_at(void *p)
{
	*(volatile char *)p = 1;
}

TEST(mem_fault_unmapped)
{
	struct fault f;
	void *p = bad_ptr(3);
	CHECK(catch_fault(read_at, (char *)p + 123, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK(f.addr == (char *)p + 123);
	CHECK(catch_fault(write_at, (char *)p + 8, &f));
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK(f.addr == (char *)p + 8);
}

TEST(mem_fault_null)
{
	struct fault f;
	CHECK(catch_fault(read_at, NULL, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK(f.addr == NULL);
	/* Jumping to NULL: the fault is at address 0 and so is RIP. */
	CHECK(catch_fault(call, NULL, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SEGV_MAPERR);
	CHECK(f.addr == NULL);
	CHECK_EQ(f.rip, 0);
}

/* A kernel address is a page fault on that address, reported as "not
 * mapped" (nothing of the kernel is visible to a program). */
TEST(mem_fault_kernel_address)
{
	struct fault f;
	void *k = (void *)0xffff800000000000UL;
	CHECK(catch_fault(write_at, k, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK(f.addr == k);
	CHECK_EQ(f.code, SEGV_MAPERR);
	void *top = (void *)0xffffffff80000000UL;   /* where kernels live */
	CHECK(catch_fault(read_at, top, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK(f.addr == top);
}

/* A non-canonical address is a #GP, not a page fault: SIGSEGV with
 * SI_KERNEL and no address. */
TEST(mem_fault_noncanonical)
{
	struct fault f;
	CHECK(catch_fault(read_at, (void *)0x0000800000000010UL, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK_EQ(f.code, SI_KERNEL);
	CHECK(f.addr == NULL);
	CHECK(catch_fault(call, (void *)0x8000000000000000UL, &f));
	CHECK_EQ(f.sig, SIGSEGV);
}

TEST(mem_fault_ud2)
{
	struct fault f;
	CHECK(catch_fault(call, (void *)fault_ud2, &f));
	CHECK_EQ(f.sig, SIGILL);
	CHECK_EQ(f.code, ILL_ILLOPN);
	CHECK(f.addr == (void *)fault_ud2);
	CHECK_EQ(f.rip, (uintptr_t)fault_ud2);
}

TEST(mem_fault_int3)
{
	struct fault f;
	CHECK(catch_fault(call, (void *)fault_int3, &f));
	CHECK_EQ(f.sig, SIGTRAP);
	CHECK_EQ(f.code, SI_KERNEL);
	/* A trap: RIP is already past the one-byte instruction. Linux sends
	 * it as a plain signal: no address. */
	CHECK_EQ(f.rip, (uintptr_t)fault_int3 + 1);
	CHECK(f.addr == NULL);
}

/* The trap flag: #DB after one instruction, SIGTRAP with TRAP_TRACE at
 * the next instruction; the handler runs with the flag cleared. */
TEST(mem_fault_single_step)
{
	struct fault f;
	CHECK(catch_fault(call, (void *)fault_single_step, &f));
	CHECK_EQ(f.sig, SIGTRAP);
	CHECK_EQ(f.code, TRAP_TRACE);
	CHECK(f.addr == (void *)fault_step_ip);
	CHECK_EQ(f.rip, (uintptr_t)fault_step_ip);
}

TEST(mem_fault_divide_by_zero)
{
	struct fault f;
	CHECK(catch_fault(call, (void *)fault_div0, &f));
	CHECK_EQ(f.sig, SIGFPE);
	CHECK_EQ(f.code, FPE_INTDIV);
	CHECK(f.addr == (void *)fault_div0_insn);
	CHECK_EQ(f.rip, (uintptr_t)fault_div0_insn);
}

/* Privileged instructions and port I/O are #GP in ring 3. */
TEST(mem_fault_privileged)
{
	void (*const insns[])(void) = { fault_hlt, fault_cli, fault_inb, fault_wrmsr };
	for (size_t i = 0; i < sizeof insns / sizeof insns[0]; i++) {
		struct fault f;
		ut_note("instruction %zu", i);
		CHECK(catch_fault(call, (void *)insns[i], &f));
		CHECK_EQ(f.sig, SIGSEGV);
		CHECK_EQ(f.code, SI_KERNEL);
	}
}

static void misaligned_with_ac(void *p)
{
	__asm__ volatile("pushf\n orl $0x40000, (%%rsp)\n popf\n"
			 "movl (%0), %%eax\n"
			 "pushf\n andl $~0x40000, (%%rsp)\n popf\n"
			 : : "r"(p) : "eax", "memory", "cc");
}

/* With EFLAGS.AC set, a misaligned access is #AC: SIGBUS BUS_ADRALN. */
TEST(mem_fault_alignment_check)
{
	static char buf[16] __attribute__((aligned(16)));
	struct fault f;
	CHECK(catch_fault(misaligned_with_ac, buf + 1, &f));
	CHECK_EQ(f.sig, SIGBUS);
	CHECK_EQ(f.code, BUS_ADRALN);
}

static void sse_divide_by_zero(void *arg)
{
	(void)arg;
	unsigned mxcsr;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	mxcsr &= ~(1u << 9);            /* unmask divide-by-zero */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	volatile double one = 1.0, zero = 0.0;
	volatile double r = one / zero;
	(void)r;
}

/* An unmasked SSE exception is #XM: SIGFPE with FPE_FLTDIV. */
TEST(mem_fault_sse_exception)
{
	struct fault f;
	CHECK(catch_fault(sse_divide_by_zero, NULL, &f));
	CHECK_EQ(f.sig, SIGFPE);
	CHECK_EQ(f.code, FPE_FLTDIV);
}

/* Unhandled, each fault ends the process with its signal, which the
 * parent sees in the wait status; the rest of the system goes on. */
TEST(mem_fault_unhandled_kills)
{
	static const struct { void (*fn)(void *); void *arg; int sig; } cases[] = {
		{ write_at, (void *)0xffff800000000000UL, SIGSEGV },
		{ call, NULL, SIGSEGV },
		{ call, (void *)fault_ud2, SIGILL },
		{ call, (void *)fault_div0, SIGFPE },
		{ call, (void *)fault_int3, SIGTRAP },
		{ call, (void *)fault_hlt, SIGSEGV },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ut_note("fault %zu", i);
		pid_t pid = xfork();
		if (pid == 0) {
			cases[i].fn(cases[i].arg);
			_exit(0);
		}
		wait_signal(pid, cases[i].sig);
	}
}

/* A fault with the signal blocked or ignored still kills: the kernel
 * cannot return to the faulting instruction. */
TEST(mem_fault_blocked_still_kills)
{
	pid_t pid = xfork();
	if (pid == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		write_at(NULL);
		_exit(0);
	}
	wait_signal(pid, SIGSEGV);
	pid = xfork();
	if (pid == 0) {
		signal(SIGILL, SIG_IGN);
		fault_ud2();
		_exit(0);
	}
	wait_signal(pid, SIGILL);
}

/* A stack overflow is caught on an alternate signal stack. */
static volatile int overflow_depth;
static int overflow(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	overflow_depth = n;
	if (n > 1 << 30)
		return 0;
	return overflow(n + 1) + pad[0];
}

static void run_overflow(void *arg)
{
	(void)arg;
	overflow(0);
}

TEST(mem_fault_stack_overflow_altstack)
{
	CHECK_OK(setrlimit(RLIMIT_STACK, &(struct rlimit){ 1 << 20, 1 << 20 }));
	struct fault f;
	CHECK(catch_fault(run_overflow, NULL, &f));
	CHECK_EQ(f.sig, SIGSEGV);
	CHECK(overflow_depth > 100);
}
