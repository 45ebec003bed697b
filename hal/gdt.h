/* The GDT and the 64-bit TSS: flat kernel/user segments in the order
 * syscall/sysret require, and the IST stacks for the faults that must not
 * trust the current stack (double fault, NMI, machine check). */
#ifndef HAL_GDT_H
#define HAL_GDT_H

/* Selectors. STAR[47:32] = GDT_KERNEL_CS: syscall loads CS from it and SS
 * from it + 8. STAR[63:48] = GDT_USER_CS32 | 3: sysret (64-bit) loads SS
 * from it + 8 and CS from it + 16, so the user entries must stay in this
 * order (SDM vol. 2B, SYSCALL/SYSRET). */
#define GDT_KERNEL_CS  0x08
#define GDT_KERNEL_DS  0x10
#define GDT_USER_CS32  0x18   /* placeholder for sysret's layout; not used */
#define GDT_USER_DS    0x20
#define GDT_USER_CS    0x28
#define GDT_TSS        0x30   /* 16-byte system descriptor: two slots */

#define GDT_RPL_USER   3

/* IST slots (1-based, as the IDT gate's IST field counts them). */
#define IST_DOUBLE_FAULT   1
#define IST_NMI            2
#define IST_MACHINE_CHECK  3

#define IST_STACK_SIZE     (16 * 1024)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Guard pages directly below each IST stack; they must stay unmapped. */
extern uint8_t ist_df_guard[], ist_nmi_guard[], ist_mce_guard[];

/* Loads the boot CPU's GDT and TSS (IST stacks in the kernel image) and
 * reloads every segment register. */
void gdt_init(void);
/* The same for CPU cpu (< PERCPU_MAX), run on that CPU, with its IST
 * stacks' tops: double fault, NMI, machine check. */
void gdt_init_cpu(unsigned cpu, const uint64_t ist_top[3]);
/* The stack the running CPU switches to on a ring 3 -> ring 0 transition. */
void gdt_set_kernel_stack(uint64_t rsp0);

#endif /* __ASSEMBLER__ */
#endif
