/* The CPU side of ring 3 (see usermode.h): the syscall MSRs, fresh and
 * checked user frames, and the per-thread kernel stack and TLS bases. */
#include <hal/usermode.h>
#include <hal/cpu.h>
#include <hal/gdt.h>
#include <hal/percpu.h>
#include <hal/rflags.h>
#include <lib/string.h>

#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE           (1ull << 0)
#define CR0_AM             (1ull << 18)

void syscall_entry(void);

/* Read by hal/syscall.S; set once by the boot CPU's usermode_init. */
usermode_syscall_fn usermode_syscall_handler;

void usermode_init(usermode_syscall_fn handler)
{
	usermode_syscall_handler = handler;
	usermode_init_cpu();
}

void usermode_init_cpu(void)
{
	struct percpu *pc = percpu_self();

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* a program that sets RFLAGS.AC gets alignment checks (#AC), as on
	 * Linux; in ring 0 AC only opens SMAP's window */
	write_cr0(read_cr0() | CR0_AM);
	/* syscall: CS = 0x08, SS = 0x10. sysret: SS = 0x18 + 8, CS = 0x18 + 16,
	 * both with RPL 3 (hal/gdt.h keeps the entries in that order). */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_USER_CS32 | 3) << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
	/* Nothing is known to be loaded: the first switch writes both. */
	pc->user_fs = ~0ull;
	pc->user_gs = ~0ull;
}

void usermode_frame_init(struct trap_frame *f, uint64_t ip, uint64_t sp)
{
	memset(f, 0, sizeof(*f));
	f->rip = ip;
	f->rsp = sp;
	f->cs = GDT_USER_CS | 3;
	f->ss = GDT_USER_DS | 3;
	f->rflags = RFLAGS_IF | RFLAGS_RSV1;
}

bool usermode_frame_valid(const struct trap_frame *f)
{
	return f->cs == (GDT_USER_CS | 3) && f->ss == (GDT_USER_DS | 3) &&
	       f->rip < USERMODE_TOP && f->rsp < USERMODE_TOP &&
	       (f->rflags & RFLAGS_IF) && (f->rflags & RFLAGS_RSV1) &&
	       !(f->rflags & ~(RFLAGS_USER | RFLAGS_IF | RFLAGS_RSV1));
}

static void load_bases(struct percpu *pc, const struct usermode_tls *tls)
{
	/* Writing an MSR is slow (a VM exit, or a helper call under TCG):
	 * only when the value changes. While the kernel runs, the program's
	 * GS base waits in KERNEL_GS_BASE for the swapgs on the way out. */
	if (pc->user_fs != tls->fs_base) {
		wrmsr(MSR_FS_BASE, tls->fs_base);
		pc->user_fs = tls->fs_base;
	}
	if (pc->user_gs != tls->gs_base) {
		wrmsr(MSR_KERNEL_GS_BASE, tls->gs_base);
		pc->user_gs = tls->gs_base;
	}
}

void usermode_switch(void *kstack_top, const struct usermode_tls *tls)
{
	struct percpu *pc = percpu_self();

	pc->kstack_top = (uint64_t)kstack_top;
	gdt_set_kernel_stack((uint64_t)kstack_top);
	load_bases(pc, tls);
}

void usermode_load_tls(const struct usermode_tls *tls)
{
	uint64_t f = cpu_irq_save();

	load_bases(percpu_self(), tls);
	cpu_irq_restore(f);
}
