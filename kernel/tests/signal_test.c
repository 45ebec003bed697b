/* The x86-64 signal frame (hal/sigframe.h): where it goes on the stack,
 * that registers survive a save and restore, and that rt_sigreturn's
 * restore refuses forged segments and strips the RFLAGS bits a program
 * may not hold; the FPU state taken from a program is made loadable. */
#include <hal/fpu.h>
#include <hal/gdt.h>
#include <hal/sigframe.h>
#include <hal/usermode.h>
#include <kernel/ktest.h>
#include <lib/string.h>

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)
#define IOPL3   0x3000ull
#define NT      (1ull << 14)
#define VM      (1ull << 17)
#define IF      (1ull << 9)
#define CF      1ull

static void user_frame(struct trap_frame *f)
{
	usermode_frame_init(f, 0x401000, 0x7fff0000);
	f->rax = 1;
	f->rbx = 2;
	f->r15 = 15;
	f->rflags |= CF;
}

KTEST(sigframe_placement_is_aligned_below_sp)
{
	uint64_t sp = 0x7fffffffe123, fp, frame = sigframe_place(sp, &fp);

	KT_EXPECT_EQ(t, fp % 64, 0);
	KT_EXPECT(t, fp + sigframe_fpstate_size() <= sp);
	KT_EXPECT_EQ(t, (frame + 8) % 16, 0);
	KT_EXPECT(t, frame + sizeof(struct sigframe) <= fp);
}

KTEST(sigframe_registers_round_trip)
{
	struct trap_frame f, g;
	struct sigframe fr;

	user_frame(&f);
	memset(&fr, 0, sizeof(fr));
	sigframe_save_regs(&fr.uc, &f);
	KT_EXPECT_EQ(t, fr.uc.mc.cs, USER_CS);
	sigframe_enter(&f, 0x402000, 10, 0x7ffe0000);
	KT_EXPECT_EQ(t, f.rip, 0x402000);
	KT_EXPECT_EQ(t, f.rdi, 10);
	KT_EXPECT_EQ(t, f.rsi, 0x7ffe0000 + 312);   /* siginfo */
	KT_EXPECT_EQ(t, f.rdx, 0x7ffe0000 + 8);     /* ucontext */
	KT_ASSERT(t, sigframe_restore_regs(&f, &fr.uc));
	user_frame(&g);
	KT_EXPECT_EQ(t, f.rip, g.rip);
	KT_EXPECT_EQ(t, f.rsp, g.rsp);
	KT_EXPECT_EQ(t, f.rax, g.rax);
	KT_EXPECT_EQ(t, f.rbx, g.rbx);
	KT_EXPECT_EQ(t, f.r15, g.r15);
	KT_EXPECT_EQ(t, f.rflags, g.rflags);
	KT_EXPECT(t, usermode_frame_valid(&f));
}

KTEST(sigreturn_refuses_forged_segments)
{
	struct trap_frame f, before;
	struct sigframe fr;

	user_frame(&f);
	memset(&fr, 0, sizeof(fr));
	sigframe_save_regs(&fr.uc, &f);
	before = f;
	fr.uc.mc.cs = GDT_KERNEL_CS;
	KT_EXPECT(t, !sigframe_restore_regs(&f, &fr.uc));
	fr.uc.mc.cs = USER_CS;
	fr.uc.mc.ss = GDT_KERNEL_DS;
	KT_EXPECT(t, !sigframe_restore_regs(&f, &fr.uc));
	fr.uc.mc.ss = USER_DS;
	fr.uc.mc.rip = 0x0000800000000000ull;   /* non-canonical: iretq would fault in ring 0 */
	KT_EXPECT(t, !sigframe_restore_regs(&f, &fr.uc));
	fr.uc.mc.rip = 0xffffffff80000000ull;
	KT_EXPECT(t, !sigframe_restore_regs(&f, &fr.uc));
	KT_EXPECT(t, memcmp(&f, &before, sizeof(f)) == 0);
}

KTEST(sigreturn_sanitizes_rflags)
{
	struct trap_frame f;
	struct sigframe fr;

	user_frame(&f);
	memset(&fr, 0, sizeof(fr));
	sigframe_save_regs(&fr.uc, &f);
	fr.uc.mc.eflags = IOPL3 | NT | VM | CF;   /* and IF clear */
	KT_ASSERT(t, sigframe_restore_regs(&f, &fr.uc));
	KT_EXPECT_EQ(t, f.rflags & (IOPL3 | NT | VM), 0);
	KT_EXPECT(t, f.rflags & IF);
	KT_EXPECT(t, f.rflags & CF);
	KT_EXPECT_EQ(t, f.cs, USER_CS);
	KT_EXPECT_EQ(t, f.ss, USER_DS);
	KT_EXPECT(t, usermode_frame_valid(&f));
}

KTEST(sigreturn_fpstate_made_loadable)
{
	static uint8_t area[4096] __attribute__((aligned(64)));
	size_t n = fpu_state_size();
	uint32_t mxcsr = 0xffffffff, magic;
	uint64_t bv = ~0ull;

	KT_ASSERT(t, n + 4 <= sizeof(area));
	memset(area, 0xa5, sizeof(area));
	memcpy(area + 24, &mxcsr, 4);
	sigframe_fpstate_sanitize(area, 0xffbf);
	memcpy(&mxcsr, area + 24, 4);
	KT_EXPECT_EQ(t, mxcsr, 0xffbf);
	if (fpu_uses_xsave()) {
		static const uint8_t zero[56];

		memcpy(&bv, area + 512, 8);
		KT_EXPECT_EQ(t, bv & ~fpu_xcr0(), 0);
		KT_EXPECT(t, memcmp(area + 520, zero, sizeof(zero)) == 0);
		sigframe_fpstate_mark(area);
		memcpy(&magic, area + 464, 4);
		KT_EXPECT_EQ(t, magic, 0x46505853);
		memcpy(&magic, area + n, 4);
		KT_EXPECT_EQ(t, magic, 0x46505845);
	}
}
