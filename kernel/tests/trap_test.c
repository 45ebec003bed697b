/* Exception tests: each fault is raised on purpose under trap_catch and
 * checked for vector, error code and address (RIP or the fault address). */
#include <kernel/ktest.h>
#include <kernel/exception.h>
#include <kernel/interrupts.h>
#include <hal/trap.h>
#include <hal/trap_selftest.h>
#include <cosmos/errno.h>

/* Never mapped: the last page of the direct-map window (see kernel/crash.c). */
#define TEST_UNMAPPED_VA     0xffffbffffffff010ULL

static void read_unmapped(void *arg)
{
	(void)arg;
	(void)*(volatile uint64_t *)TEST_UNMAPPED_VA;
}

/* A function whose first byte the #PF test tries to overwrite. */
static int __attribute__((noinline)) text_target(int x)
{
	return x * 3 + 1;
}

/* Stores the byte that is already there: harmless if text were writable. */
static void write_text(void *arg)
{
	volatile uint8_t *p = arg;

	*p = *p;
}

static void no_fault(void *arg)
{
	*(int *)arg = 42;
}

KTEST(trap_catch_no_fault)
{
	struct trap_info info = { 0 };
	int v = 0;

	KT_EXPECT(t, !trap_catch(no_fault, &v, &info));
	KT_EXPECT_EQ(t, v, 42);
}

KTEST(trap_divide_error)
{
	struct trap_info info = { 0 };
	uint64_t at = 0;

	KT_ASSERT(t, trap_catch(trap_selftest_divide_error, &at, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_DE);
	KT_EXPECT_EQ(t, info.error_code, 0);
	KT_EXPECT_EQ(t, info.rip, at);
}

KTEST(trap_invalid_opcode)
{
	struct trap_info info = { 0 };
	uint64_t at = 0;

	KT_ASSERT(t, trap_catch(trap_selftest_invalid_opcode, &at, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_UD);
	KT_EXPECT_EQ(t, info.rip, at);
}

KTEST(trap_breakpoint)
{
	struct trap_info info = { 0 };
	uint64_t at = 0, before = exception_breakpoint_count();

	/* Caught: a trap, so RIP is past the int3. */
	KT_ASSERT(t, trap_catch(trap_selftest_breakpoint, &at, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_BP);
	KT_EXPECT_EQ(t, info.rip, at + 1);
	KT_EXPECT_EQ(t, exception_breakpoint_count(), before);

	/* Uncaught: logged, and execution continues after the int3. */
	trap_selftest_breakpoint(&at);
	KT_EXPECT_EQ(t, exception_breakpoint_count(), before + 1);
}

KTEST(trap_general_protection)
{
	struct trap_info info = { 0 };
	uint64_t at = 0;

	KT_ASSERT(t, trap_catch(trap_selftest_noncanonical, &at, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_GP);
	KT_EXPECT_EQ(t, info.error_code, 0);
	KT_EXPECT_EQ(t, info.rip, at);

	KT_ASSERT(t, trap_catch(trap_selftest_bad_selector, &at, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_GP);
	KT_EXPECT_EQ(t, info.error_code, TRAP_SELFTEST_BAD_SELECTOR);
	KT_EXPECT_EQ(t, info.rip, at);
}

KTEST(trap_page_fault_unmapped_read)
{
	struct trap_info info = { 0 };

	KT_ASSERT(t, trap_catch(read_unmapped, 0, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_PF);
	KT_EXPECT_EQ(t, info.pf.addr, TEST_UNMAPPED_VA);
	/* not present, read, kernel mode */
	KT_EXPECT_EQ(t, info.pf.access, TRAP_ACCESS_READ);
	KT_EXPECT(t, !info.pf.present && !info.pf.user);
}

KTEST(trap_page_fault_text_write)
{
	struct trap_info info = { 0 };
	uint8_t *text = (uint8_t *)(uintptr_t)text_target;
	uint8_t first = *text;

	KT_ASSERT(t, trap_catch(write_text, text, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_PF);
	KT_EXPECT_EQ(t, info.pf.addr, (uint64_t)text);
	KT_EXPECT_EQ(t, info.pf.access, TRAP_ACCESS_WRITE);
	KT_EXPECT(t, info.pf.present && !info.pf.user);
	KT_EXPECT_EQ(t, *text, first);
	KT_EXPECT_EQ(t, text_target(2), 7);
}

/* Page faults go to the hook first; a claimed fault is retried. */
static volatile uint64_t hook_addr;
static int claim_by_skipping(struct trap_frame *f, const struct trap_page_fault *pf)
{
	hook_addr = pf->addr;
	f->rip += TRAP_SELFTEST_LOAD_LEN;
	return 1;
}

KTEST(trap_page_fault_hook)
{
	struct trap_info info = { 0 };
	exception_page_fault_fn old;

	hook_addr = 0;
	old = exception_set_page_fault_hook(claim_by_skipping);
	KT_EXPECT(t, !trap_catch(trap_selftest_load, (void *)TEST_UNMAPPED_VA, &info));
	KT_EXPECT(t, exception_set_page_fault_hook(old) == claim_by_skipping);
	KT_EXPECT_EQ(t, hook_addr, TEST_UNMAPPED_VA);
}

KTEST(trap_unexpected_vector)
{
	uint64_t before = interrupts_unexpected_count();

	KT_ASSERT(t, trap_selftest_soft_int(200) == 0);
	KT_EXPECT_EQ(t, interrupts_unexpected_count(), before + 1);
}

static volatile uint64_t vector_seen;
static void count_vector(struct trap_frame *f)
{
	vector_seen = f->vector;
}

static void claim_vector_other(struct trap_frame *f)
{
	(void)f;
}

KTEST(trap_vector_handler)
{
	uint64_t before = interrupts_unexpected_count();

	KT_EXPECT_EQ(t, interrupts_set_vector_handler(TRAP_PF, count_vector), -EINVAL);
	KT_ASSERT(t, interrupts_set_vector_handler(201, count_vector) == 0);
	KT_EXPECT_EQ(t, interrupts_set_vector_handler(201, claim_vector_other), -EBUSY);
	vector_seen = 0;
	trap_selftest_soft_int(201);
	KT_EXPECT_EQ(t, vector_seen, 201);
	KT_EXPECT_EQ(t, interrupts_unexpected_count(), before);
	KT_EXPECT_EQ(t, interrupts_set_vector_handler(201, 0), 0);
	trap_selftest_soft_int(201);
	KT_EXPECT_EQ(t, interrupts_unexpected_count(), before + 1);
}

/* Overflows the boot stack: the #PF on the guard page cannot push its frame,
 * so the CPU raises #DF, which runs on its IST stack and is caught. */
static unsigned __attribute__((noinline)) recurse(unsigned depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	if (depth > (1u << 30))
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflow(void *arg)
{
	*(unsigned *)arg = recurse(0);
}

extern uint8_t boot_stack_guard[];

static void read_byte(void *arg)
{
	(void)*(volatile uint8_t *)arg;
}

KTEST(trap_stack_overflow_double_fault)
{
	struct trap_info info = { 0 };
	unsigned sink;

	/* With the guard mapped the recursion would trample whatever lies
	 * below the stack: check it first. */
	KT_ASSERT(t, trap_catch(read_byte, boot_stack_guard + 4095, &info));
	KT_ASSERT(t, trap_catch(overflow, &sink, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_DF);
	KT_EXPECT(t, trap_stack_guard_hit(info.pf.addr));
	KT_EXPECT(t, info.pf.addr >= (uint64_t)boot_stack_guard &&
		     info.pf.addr < (uint64_t)boot_stack_guard + 4096);
}
