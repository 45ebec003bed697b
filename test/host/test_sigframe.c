/* Host tests of hal/sigframe.c, the signal frame and rt_sigreturn's checks
 * of it: a saved frame restores to the same registers; kernel segments,
 * non-canonical rip and rsp are refused with the registers left alone;
 * IOPL, NT and VM never come from a frame and IF always stays set; the
 * FPU save area is sanitized (MXCSR reserved bits, the XSAVE header) and
 * the frame is placed with the handler's alignment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fpu_stub.h"
#include <hal/gdt.h>
#include <hal/rflags.h>
#include <hal/sigframe.h>
#include <hal/usermode.h>

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)

static struct trap_frame user_frame(void)
{
	struct trap_frame f;

	memset(&f, 0, sizeof(f));
	f.rip = 0x401000;
	f.rsp = 0x7ffffff000;
	f.rax = 1, f.rbx = 2, f.rcx = 3, f.rdx = 4, f.rsi = 5, f.rdi = 6, f.rbp = 7;
	f.r8 = 8, f.r9 = 9, f.r10 = 10, f.r11 = 11, f.r12 = 12, f.r13 = 13, f.r14 = 14, f.r15 = 15;
	f.cs = USER_CS;
	f.ss = USER_DS;
	f.rflags = RFLAGS_IF | RFLAGS_RSV1 | RFLAGS_CF;
	return f;
}

static void saved_frame_restores_the_same_registers(void **state)
{
	struct trap_frame f = user_frame(), g;
	struct sigframe_ucontext uc;

	(void)state;
	memset(&uc, 0, sizeof(uc));
	sigframe_save_regs(&uc, &f);
	memset(&g, 0, sizeof(g));
	g.rflags = RFLAGS_IF | RFLAGS_RSV1;
	assert_true(sigframe_restore_regs(&g, &uc));
	f.vector = g.vector, f.error_code = g.error_code, f.cr2 = g.cr2;
	assert_memory_equal(&f, &g, sizeof(f));
}

/* Each forgery is refused and leaves the registers as they were. */
static void forged_frames_refused(void **state)
{
	static const struct { uint16_t cs, ss; uint64_t rip, rsp; } bad[] = {
		{ GDT_KERNEL_CS, USER_DS, 0x401000, 0x7ffff000 },          /* ring 0 code */
		{ GDT_USER_CS, USER_DS, 0x401000, 0x7ffff000 },            /* RPL 0 */
		{ GDT_USER_CS32 | 3, USER_DS, 0x401000, 0x7ffff000 },      /* 32-bit code */
		{ USER_CS, GDT_KERNEL_DS, 0x401000, 0x7ffff000 },          /* kernel stack segment */
		{ USER_CS, USER_DS, USERMODE_TOP, 0x7ffff000 },            /* non-canonical rip */
		{ USER_CS, USER_DS, 0xffffffff80000000ull, 0x7ffff000 },   /* kernel rip */
		{ USER_CS, USER_DS, 0x401000, 0x8000000000001000ull },     /* non-canonical rsp */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trap_frame f = user_frame(), before = f;
		struct sigframe_ucontext uc;

		memset(&uc, 0, sizeof(uc));
		sigframe_save_regs(&uc, &f);
		uc.mc.cs = bad[i].cs, uc.mc.ss = bad[i].ss, uc.mc.rip = bad[i].rip, uc.mc.rsp = bad[i].rsp;
		uc.mc.rax = 99;
		assert_false(sigframe_restore_regs(&f, &uc));
		assert_memory_equal(&f, &before, sizeof(f));
	}
}

static void privileged_flags_never_restored(void **state)
{
	struct trap_frame f = user_frame();
	struct sigframe_ucontext uc;

	(void)state;
	memset(&uc, 0, sizeof(uc));
	sigframe_save_regs(&uc, &f);
	uc.mc.ss = 0;   /* Linux takes a zero ss (old programs) as the user's */
	uc.mc.eflags = ~0ull & ~RFLAGS_IF;
	assert_true(sigframe_restore_regs(&f, &uc));
	assert_int_equal(f.ss, USER_DS);
	assert_int_equal(f.rflags & (3ull << 12), 0);          /* IOPL */
	assert_int_equal(f.rflags & RFLAGS_NT, 0);
	assert_int_equal(f.rflags & (1ull << 17), 0);          /* VM */
	assert_int_equal(f.rflags & (3ull << 19), 0);          /* VIF, VIP */
	assert_true(f.rflags & RFLAGS_IF);
	assert_true(f.rflags & RFLAGS_DF && f.rflags & RFLAGS_AC);   /* the program's own */
}

static void fpstate_sanitized(void **state)
{
	uint8_t area[1024];
	uint32_t mxcsr = 0xffffffff, v;
	uint64_t bv = ~0ull, comp = 1ull << 63;

	(void)state;
	stub_fpu_xsave = true;
	stub_fpu_size = sizeof(area);
	stub_fpu_xcr0 = 7;
	memset(area, 0xaa, sizeof(area));
	memcpy(area + 24, &mxcsr, 4);
	memcpy(area + 512, &bv, 8);
	memcpy(area + 520, &comp, 8);
	sigframe_fpstate_sanitize(area, 0xffbf);
	memcpy(&v, area + 24, 4);
	assert_int_equal(v, 0xffbf);
	memcpy(&bv, area + 512, 8);
	assert_int_equal(bv, 7);
	for (int i = 520; i < 576; i++)
		assert_int_equal(area[i], 0);
	assert_int_equal(area[576], 0xaa);
	assert_int_equal(area[0], 0xaa);

	/* FXSAVE: no header to clean (bytes 512 on are not the area's) */
	stub_fpu_xsave = false;
	stub_fpu_size = 512;
	memset(area, 0xaa, sizeof(area));
	sigframe_fpstate_sanitize(area, 0xffff);
	assert_int_equal(area[512], 0xaa);
	assert_int_equal(sigframe_mxcsr_mask(area), 0xffff);   /* the mask it stored */
	memset(area + 28, 0, 4);
	assert_int_equal(sigframe_mxcsr_mask(area), 0xffbf);   /* 0 means the default */
}

static void frame_placed_below_the_stack(void **state)
{
	(void)state;
	for (int x = 0; x < 2; x++) {
		stub_fpu_xsave = x;
		stub_fpu_size = x ? 2688 : 512;
		for (uint64_t sp = 0x7fff0000; sp > 0x7ffeff00; sp -= 8) {
			uint64_t fp, frame = sigframe_place(sp, &fp);

			assert_int_equal(fp % 64, 0);
			assert_true(fp + sigframe_fpstate_size() <= sp);
			assert_true(frame + sizeof(struct sigframe) <= fp);
			assert_int_equal((frame + 8) % 16, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(saved_frame_restores_the_same_registers),
		cmocka_unit_test(forged_frames_refused),
		cmocka_unit_test(privileged_flags_never_restored),
		cmocka_unit_test(fpstate_sanitized),
		cmocka_unit_test(frame_placed_below_the_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
