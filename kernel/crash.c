/* crash=KIND: raises a real, uncaught kernel fault after boot, for the
 * system tests of the trap reports (test/system/trap_cases.py). */
#include <kernel/crash.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <kernel/panic.h>
#include <lib/string.h>

/* The last page of the direct-map window (64 TiB of physical space): never
 * RAM here, never mapped. */
#define CRASH_UNMAPPED_VA 0xffffbffffffff008ULL
#define CRASH_NONCANONICAL_VA 0x8000000000000000ULL

/* Each crash lives in its own function so the report's RIP names it. The
 * barrier after each fault keeps the compiler from popping the frame early
 * or ending in a tail call, so the backtrace shows every caller. */
#define CRASH_KEEP_FRAME() __asm__ volatile("" ::: "memory")

static void __attribute__((noinline)) crash_de(void)
{
	volatile unsigned zero = 0, one = 1;

	log_info("crash: dividing by zero");
	log_info("crash: %u", one / zero);
	CRASH_KEEP_FRAME();
}

static void __attribute__((noinline)) crash_ud(void)
{
	log_info("crash: executing ud2");
	cpu_raise_invalid_opcode();
	CRASH_KEEP_FRAME();
}

static void __attribute__((noinline)) crash_gp(void)
{
	log_info("crash: reading non-canonical address %#llx", CRASH_NONCANONICAL_VA);
	(void)*(volatile uint64_t *)CRASH_NONCANONICAL_VA;
	CRASH_KEEP_FRAME();
}

static void __attribute__((noinline)) crash_pf(void)
{
	log_info("crash: reading unmapped address %#llx", CRASH_UNMAPPED_VA);
	(void)*(volatile uint64_t *)CRASH_UNMAPPED_VA;
	CRASH_KEEP_FRAME();
}

static void __attribute__((noinline)) crash_pf_text(void)
{
	volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)crash_pf_text;

	log_info("crash: writing kernel text at %p", (void *)text);
	*text = *text;   /* the same byte: harmless should text be writable */
	CRASH_KEEP_FRAME();
}

static void __attribute__((noinline)) crash_bp(void)
{
	log_info("crash: executing int3");
	cpu_raise_breakpoint();
	log_info("crash: breakpoint returned; boot continues");
	CRASH_KEEP_FRAME();
}

/* Recurses until the stack runs into its guard page. The frame is kept
 * large and used after the call so the compiler can neither shrink nor
 * flatten the recursion. */
static unsigned __attribute__((noinline)) crash_recurse(unsigned depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	if (depth > (1u << 30))   /* never reached; keeps it finite for the compiler */
		return 0;
	return crash_recurse(depth + 1) + frame[0];
}

static void __attribute__((noinline)) crash_stack_overflow(void)
{
	log_info("crash: overflowing the kernel stack");
	log_info("crash: %u", crash_recurse(0));
	CRASH_KEEP_FRAME();
}

/* Runs 8 bytes over a stack buffer, into the canary the stack protector
 * puts right above it (-fstack-protector-strong) but short of the saved
 * frame pointer, so the check on return panics with a whole backtrace.
 * The pointer and the length are volatile: the compiler may not see the
 * overflow coming. */
static void __attribute__((noinline)) crash_stack_smash(void)
{
	char buf[16];
	char *volatile p = buf;
	volatile size_t n = sizeof(buf) + sizeof(uintptr_t);

	log_info("crash: writing %zu bytes into a %zu-byte stack buffer", (size_t)n, sizeof(buf));
	for (size_t i = 0; i < n; i++)
		p[i] = 'A';
	CRASH_KEEP_FRAME();
}

static void panic_here(void *arg)
{
	(void)arg;
	panic("crash: CPU %u panics", percpu_self()->cpu_id);
}

/* Every other CPU panics at once, in an IPI; this one waits for calls that
 * never finish until the winner's NMI stops it. One report must come out. */
static void __attribute__((noinline)) crash_panic_others(void)
{
	log_info("crash: every other CPU panics at once");
	ipi_call_others(panic_here, 0);
	log_info("crash: no other CPU panicked");
	CRASH_KEEP_FRAME();
}

static const struct {
	const char *name;
	void (*fn)(void);
} crashes[] = {
	{ "de", crash_de },
	{ "ud", crash_ud },
	{ "gp", crash_gp },
	{ "pf", crash_pf },
	{ "pf-text", crash_pf_text },
	{ "bp", crash_bp },
	{ "stack-overflow", crash_stack_overflow },
	{ "stack-smash", crash_stack_smash },
	{ "panic-others", crash_panic_others },
};

void crash_from_cmdline(void)
{
	const char *kind = cmdline_get(boot_cmdline(), "crash");

	if (!kind)
		return;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
		if (strcmp(kind, crashes[i].name) == 0) {
			crashes[i].fn();
			CRASH_KEEP_FRAME();
			return;
		}
	}
	log_warn("crash: unknown kind \"%s\" (de, ud, gp, pf, pf-text, bp, stack-overflow, "
		 "stack-smash, panic-others)", kind);
}
