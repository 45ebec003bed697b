/* The C side of trap entry: dispatch to the kernel's handler, the register
 * report, guard-page lookup and trap_catch. Policy (panic or go on) is the
 * kernel's (kernel/exception.c); this file only knows x86. */
#include <hal/trap.h>
#include <hal/cpu.h>
#include <hal/gdt.h>
#include <hal/idt.h>

#define PAGE 4096

void trap_dispatch(struct trap_frame *f);
int trap_catch_run(void *ctx, void (*fn)(void *), void *arg);

/* Set once at init, before interrupts are enabled. */
static trap_handler_fn trap_handler;

/* Layout shared with trap_catch_run in hal/isr.S. */
struct trap_catch_ctx {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
	struct trap_info *info;
	struct trap_catch_ctx *outer;
};

/* The armed catch, innermost first. Single CPU, interrupts off while
 * tests run; per-CPU once SMP arrives. */
static struct trap_catch_ctx *catch_current;

extern uint8_t boot_stack_guard[];

static const struct {
	const char *mnemonic, *name;
} exceptions[TRAP_EXCEPTIONS] = {
	[0] = { "#DE", "divide error" },
	[1] = { "#DB", "debug" },
	[2] = { "NMI", "non-maskable interrupt" },
	[3] = { "#BP", "breakpoint" },
	[4] = { "#OF", "overflow" },
	[5] = { "#BR", "bound range exceeded" },
	[6] = { "#UD", "invalid opcode" },
	[7] = { "#NM", "device not available" },
	[8] = { "#DF", "double fault" },
	[9] = { "#09", "coprocessor segment overrun" },
	[10] = { "#TS", "invalid TSS" },
	[11] = { "#NP", "segment not present" },
	[12] = { "#SS", "stack-segment fault" },
	[13] = { "#GP", "general protection fault" },
	[14] = { "#PF", "page fault" },
	[15] = { "#15", "reserved exception 15" },
	[16] = { "#MF", "x87 floating-point error" },
	[17] = { "#AC", "alignment check" },
	[18] = { "#MC", "machine check" },
	[19] = { "#XM", "SIMD floating-point exception" },
	[20] = { "#VE", "virtualization exception" },
	[21] = { "#CP", "control protection exception" },
	[22] = { "#22", "reserved exception 22" },
	[23] = { "#23", "reserved exception 23" },
	[24] = { "#24", "reserved exception 24" },
	[25] = { "#25", "reserved exception 25" },
	[26] = { "#26", "reserved exception 26" },
	[27] = { "#27", "reserved exception 27" },
	[28] = { "#HV", "hypervisor injection exception" },
	[29] = { "#VC", "VMM communication exception" },
	[30] = { "#SX", "security exception" },
	[31] = { "#31", "reserved exception 31" },
};

const char *trap_name(uint64_t vector)
{
	return vector < TRAP_EXCEPTIONS ? exceptions[vector].name : "interrupt";
}

bool trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == GDT_RPL_USER;
}

void trap_set_handler(trap_handler_fn fn)
{
	trap_handler = fn;
}

void trap_dispatch(struct trap_frame *f)
{
	if (trap_handler) {
		trap_handler(f);
		return;
	}
	/* No kernel handler yet and no console to report on: stop here rather
	 * than return into an instruction that will fault again. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool in_guard(uint64_t va, const uint8_t *guard)
{
	return va >= (uint64_t)guard && va < (uint64_t)guard + PAGE;
}

bool trap_stack_guard_hit(uint64_t va)
{
	return in_guard(va, boot_stack_guard) || in_guard(va, ist_df_guard) ||
	       in_guard(va, ist_nmi_guard) || in_guard(va, ist_mce_guard);
}

void trap_init(void)
{
	gdt_init();
	idt_init();
	/* The guard pages (trap_stack_guard_hit) become unmapped when mm
	 * moves onto the kernel's own page tables (kernel/mm/vmm.c). */
}

struct trap_page_fault trap_page_fault_info(const struct trap_frame *f)
{
	uint64_t e = f->error_code;

	return (struct trap_page_fault){
		.addr = f->cr2,
		.access = e & PF_INSTR ? TRAP_ACCESS_EXEC : e & PF_WRITE ? TRAP_ACCESS_WRITE : TRAP_ACCESS_READ,
		.user = (e & PF_USER) != 0,
		.present = (e & PF_PRESENT) != 0,
	};
}

#define DR6_B0_3  0xfull          /* breakpoint condition 0-3 met */
#define DR6_BS    (1ull << 14)     /* single step */
#define DR6_RESET 0xffff0ff0ull    /* its value with nothing reported */

enum trap_debug_cause trap_debug_decode(uint64_t dr6)
{
	if (dr6 & DR6_BS)
		return TRAP_DEBUG_STEP;
	if (dr6 & DR6_B0_3)
		return TRAP_DEBUG_HWBKPT;
	return TRAP_DEBUG_OTHER;
}

uint64_t trap_debug_status_take(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
	return v;
}

static void dump_page_fault(const struct trap_frame *f, trap_print_fn print)
{
	uint64_t e = f->error_code;

	print("page fault at %016llx: %s, %s, %s mode%s%s%s%s\n", (unsigned long long)f->cr2,
	      e & PF_PRESENT ? "protection violation (present)" : "not-present page",
	      e & PF_INSTR ? "instruction fetch" : e & PF_WRITE ? "write" : "read",
	      e & PF_USER ? "user" : "kernel",
	      e & PF_RSVD ? ", reserved bit set in a paging entry" : "",
	      e & PF_PK ? ", protection key" : "",
	      e & PF_SS ? ", shadow stack" : "",
	      e & PF_SGX ? ", SGX" : "");
}

void trap_dump(const struct trap_frame *f, trap_print_fn print)
{
	unsigned long long v = f->vector;

	if (v < TRAP_EXCEPTIONS)
		print("%s %s (vector %llu), error code %#llx, in %s mode\n", exceptions[v].mnemonic,
		      exceptions[v].name, v, (unsigned long long)f->error_code,
		      trap_from_user(f) ? "user" : "kernel");
	else
		print("interrupt vector %llu\n", v);
	if (v == TRAP_PF)
		dump_page_fault(f, print);
	print("RIP: %04llx:%016llx  RFLAGS: %016llx\n", (unsigned long long)f->cs,
	      (unsigned long long)f->rip, (unsigned long long)f->rflags);
	print("RSP: %04llx:%016llx\n", (unsigned long long)f->ss, (unsigned long long)f->rsp);
	print("RAX: %016llx  RBX: %016llx  RCX: %016llx\n", (unsigned long long)f->rax,
	      (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	print("RDX: %016llx  RSI: %016llx  RDI: %016llx\n", (unsigned long long)f->rdx,
	      (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	print("RBP: %016llx  R8:  %016llx  R9:  %016llx\n", (unsigned long long)f->rbp,
	      (unsigned long long)f->r8, (unsigned long long)f->r9);
	print("R10: %016llx  R11: %016llx  R12: %016llx\n", (unsigned long long)f->r10,
	      (unsigned long long)f->r11, (unsigned long long)f->r12);
	print("R13: %016llx  R14: %016llx  R15: %016llx\n", (unsigned long long)f->r13,
	      (unsigned long long)f->r14, (unsigned long long)f->r15);
	print("CR0: %016llx  CR2: %016llx  CR3: %016llx  CR4: %016llx\n",
	      (unsigned long long)read_cr0(), (unsigned long long)f->cr2,
	      (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

bool trap_catch(void (*fn)(void *), void *arg, struct trap_info *info)
{
	struct trap_catch_ctx ctx = { .info = info, .outer = catch_current };
	bool faulted;

	catch_current = &ctx;
	faulted = trap_catch_run(&ctx, fn, arg) != 0;
	catch_current = ctx.outer;
	return faulted;
}

bool trap_catch_claim(struct trap_frame *f)
{
	struct trap_catch_ctx *c = catch_current;

	/* NMI and machine check are not caused by the code under test. */
	if (!c || f->vector >= TRAP_EXCEPTIONS || f->vector == TRAP_NMI ||
	    f->vector == TRAP_MC || trap_from_user(f))
		return false;
	catch_current = c->outer;   /* disarm before anything else can fault */
	if (c->info)
		*c->info = (struct trap_info){ f->vector, f->error_code, f->rip,
					       f->vector == TRAP_PF || f->vector == TRAP_DF
						       ? trap_page_fault_info(f)
								    : (struct trap_page_fault){ 0 } };
	f->rbx = c->rbx;
	f->rbp = c->rbp;
	f->r12 = c->r12;
	f->r13 = c->r13;
	f->r14 = c->r14;
	f->r15 = c->r15;
	f->rsp = c->rsp;
	f->rip = c->rip;
	f->rflags = c->rflags;
	f->cs = GDT_KERNEL_CS;
	f->ss = GDT_KERNEL_DS;
	return true;
}
