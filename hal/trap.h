/* CPU exceptions and interrupts, x86 side: the trap frame the entry stubs
 * build, the one dispatch hook the kernel installs, the register dump, and
 * trap_catch for code that expects it may fault (tests, user copies). */
#ifndef HAL_TRAP_H
#define HAL_TRAP_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

/* Exception vectors (SDM vol. 3A table 6-1). */
#define TRAP_DE  0   /* divide error */
#define TRAP_DB  1   /* debug */
#define TRAP_NMI 2
#define TRAP_BP  3   /* breakpoint (int3) */
#define TRAP_OF  4
#define TRAP_BR  5
#define TRAP_UD  6   /* invalid opcode */
#define TRAP_NM  7
#define TRAP_DF  8   /* double fault */
#define TRAP_TS  10
#define TRAP_NP  11
#define TRAP_SS  12
#define TRAP_GP  13  /* general protection */
#define TRAP_PF  14  /* page fault */
#define TRAP_MF  16
#define TRAP_AC  17
#define TRAP_MC  18  /* machine check */
#define TRAP_XM  19
#define TRAP_VE  20
#define TRAP_CP  21
#define TRAP_EXCEPTIONS 32   /* vectors below this are CPU exceptions */

/* Page-fault error code bits (decoded here and in hal/trap.c only; the
 * layers above read struct trap_page_fault). */
#define PF_PRESENT  (1u << 0)   /* protection violation, not a missing page */
#define PF_WRITE    (1u << 1)
#define PF_USER     (1u << 2)
#define PF_RSVD     (1u << 3)   /* reserved bit set in a paging entry */
#define PF_INSTR    (1u << 4)   /* instruction fetch */
#define PF_PK       (1u << 5)   /* protection key */
#define PF_SS       (1u << 6)   /* shadow stack */
#define PF_SGX      (1u << 15)

/* What the entry stub (hal/isr.S) pushes, lowest address first. The layout
 * is the ABI between isr.S and C: change both together. */
struct trap_frame {
	uint64_t cr2;             /* read at entry for exceptions, 0 for interrupts */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;      /* 0 for vectors without one */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 23 * 8, "isr.S pushes 23 words");

/* The kernel's handler for every vector; it returns to resume the
 * interrupted code (possibly with the frame changed). */
typedef void (*trap_handler_fn)(struct trap_frame *f);
void trap_set_handler(trap_handler_fn fn);

/* Loads GDT, TSS and IDT. Until a handler is set every trap stops the CPU. */
void trap_init(void);

/* A page fault in portable terms, for the kernel's memory manager and the
 * process layer. */
enum trap_access { TRAP_ACCESS_READ, TRAP_ACCESS_WRITE, TRAP_ACCESS_EXEC };
struct trap_page_fault {
	uint64_t addr;            /* the address the access went to */
	enum trap_access access;
	bool user;                /* made by user-mode code */
	bool present;             /* a page is mapped there: its rights refused the access */
};
/* Describes the fault f (a page fault; for a double fault, addr is the
 * address of the fault it escalated from, the rest is meaningless). */
struct trap_page_fault trap_page_fault_info(const struct trap_frame *f);

/* What raised a debug exception (#DB), from DR6: a single step (the
 * TF flag), a hardware breakpoint (DR0-3), or something else. */
enum trap_debug_cause { TRAP_DEBUG_OTHER, TRAP_DEBUG_STEP, TRAP_DEBUG_HWBKPT };
enum trap_debug_cause trap_debug_decode(uint64_t dr6);
/* Reads this CPU's DR6 and resets it, since its bits stay set until
 * cleared: call once per #DB, before interrupts go on. */
uint64_t trap_debug_status_take(void);

const char *trap_name(uint64_t vector);
bool trap_from_user(const struct trap_frame *f);

/* Prints the full register report (and the decoded page-fault error code)
 * with the caller's printf; hal has no console of its own. */
typedef void (*trap_print_fn)(const char *fmt, ...);
void trap_dump(const struct trap_frame *f, trap_print_fn print);

/* Is va inside a guard page of a stack hal owns (boot stack, IST stacks)? */
bool trap_stack_guard_hit(uint64_t va);

/* error_code is the CPU's for the vector (a selector for #GP, 0 if none);
 * pf is filled for page faults, and its addr for double faults. */
struct trap_info {
	uint64_t vector, error_code, rip;
	struct trap_page_fault pf;
};
/* Runs fn(arg); if it raises a CPU exception, returns true and fills *info (execution resumes
   after the call, fn is abandoned). Returns false if fn returned normally. Not reentrant
   across CPUs or interrupt handlers (one armed chain, single CPU); a catch inside fn nests
   (the innermost one gets the fault). NMI and machine checks are never caught. */
bool trap_catch(void (*fn)(void *), void *arg, struct trap_info *info) __must_check;
/* For the kernel's handler: if a trap_catch is armed and f is a kernel
 * exception, records it, disarms, rewrites f to resume after trap_catch
 * and returns true. */
bool trap_catch_claim(struct trap_frame *f) __must_check;

#endif
