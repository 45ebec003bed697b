/* The ELF loader: a minimal static program written at run time from a
 * template (it exits 42), and variants of it that must be refused with
 * ENOEXEC: truncated, wrong class, machine or type, bad program headers, a
 * PT_INTERP, overlapping segments, an entry outside the segments. Where
 * CosmOS checks more than Linux does, the case says so. */
#include "tests.h"

#include <elf.h>

#define BASE 0x400000UL

/* mov $60, %eax; mov $42, %edi; syscall  (exit(42)) */
static const unsigned char exit42[] = {
	0xb8, 0x3c, 0, 0, 0, 0xbf, 0x2a, 0, 0, 0, 0x0f, 0x05,
};

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	unsigned char code[32];
	char interp[32];
};

/* The template: one read+execute PT_LOAD holding the whole file at BASE,
 * and a PT_GNU_STACK without execute. ph[2] is spare for variants. */
static void template(struct image *im)
{
	memset(im, 0, sizeof *im);
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = BASE + offsetof(struct image, code);
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 2;
	im->ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
		.p_vaddr = BASE, .p_paddr = BASE, .p_filesz = sizeof *im,
		.p_memsz = sizeof *im, .p_align = 0x1000,
	};
	im->ph[1] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16 };
	memcpy(im->code, exit42, sizeof exit42);
}

static void write_image(const char *path, const struct image *im, size_t len)
{
	write_file(path, im, len, 0755);
}

/* Wait statuses. */
#define EXITED(code) ((code) << 8)
#define KILLED(sig) (sig)

/* Runs path in a child; returns its wait status. */
static int run(const char *path)
{
	pid_t pid = xfork();
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };
		execve(path, argv, NULL);
		_exit(errno == ENOEXEC ? 100 : 101);
	}
	int status;
	CHECK_EQ(CHECK_OK(waitpid(pid, &status, 0)), pid);
	return status;
}

static void expect_enoexec(const struct image *im, size_t len)
{
	write_image("bad", im, len);
	char *argv[] = { "bad", NULL };
	/* In this process: a refused image leaves the caller running. */
	CHECK_ERR(execve("bad", argv, NULL), ENOEXEC);
}

/* For an image CosmOS refuses and Linux accepts: ENOEXEC on CosmOS; on
 * Linux the image runs and its wait status is linux_status. */
static void refused_on_cosmos(const struct image *im, int linux_status)
{
	if (on_cosmos()) {
		expect_enoexec(im, sizeof *im);
		return;
	}
	write_image("accepted", im, sizeof *im);
	CHECK_EQ(run("accepted"), linux_status);
}

TEST(exec_elf_template_runs)
{
	struct image im;
	template(&im);
	write_image("good", &im, sizeof im);
	CHECK_EQ(run("good"), EXITED(42));
}

/* The same program as a static PIE (ET_DYN, no interpreter), loaded at a
 * base the kernel picks. */
TEST(exec_elf_static_pie_runs)
{
	struct image im;
	template(&im);
	im.eh.e_type = ET_DYN;
	im.ph[0].p_vaddr = im.ph[0].p_paddr = 0;
	im.eh.e_entry = offsetof(struct image, code);
	write_image("pie", &im, sizeof im);
	CHECK_EQ(run("pie"), EXITED(42));
}

TEST(exec_elf_truncated)
{
	struct image im;
	template(&im);
	expect_enoexec(&im, 4);
	expect_enoexec(&im, 40);          /* inside the ELF header */
	expect_enoexec(&im, 0);
}

TEST(exec_elf_bad_magic)
{
	struct image im;
	template(&im);
	im.eh.e_ident[EI_MAG1] = 'X';
	expect_enoexec(&im, sizeof im);
}

/* A 32-bit class byte on a 64-bit header: CosmOS checks it (ENOEXEC);
 * Linux's 64-bit loader looks only at the machine and runs it. */
TEST(exec_elf_wrong_class)
{
	struct image im;
	template(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	refused_on_cosmos(&im, EXITED(42));
}

TEST(exec_elf_wrong_machine)
{
	struct image im;
	template(&im);
	im.eh.e_machine = EM_AARCH64;
	expect_enoexec(&im, sizeof im);
	im.eh.e_machine = EM_386;
	expect_enoexec(&im, sizeof im);
}

TEST(exec_elf_wrong_type)
{
	struct image im;
	template(&im);
	im.eh.e_type = ET_REL;
	expect_enoexec(&im, sizeof im);
	im.eh.e_type = ET_CORE;
	expect_enoexec(&im, sizeof im);
}

TEST(exec_elf_bad_program_headers)
{
	struct image im;
	template(&im);
	im.eh.e_phentsize = 40;
	expect_enoexec(&im, sizeof im);
	template(&im);
	im.eh.e_phnum = 0;
	expect_enoexec(&im, sizeof im);
	template(&im);
	im.eh.e_phnum = 0xffff;       /* far more than fits in 64 KiB */
	expect_enoexec(&im, sizeof im);
}

/* A dynamically linked program: CosmOS has no dynamic loader and refuses
 * PT_INTERP with ENOEXEC. Linux looks for the interpreter (here a path that
 * does not exist) and fails with ENOENT. */
TEST(exec_elf_pt_interp)
{
	struct image im;
	template(&im);
	static const char path[] = "/nonexistent/ld.so";
	memcpy(im.interp, path, sizeof path);
	im.ph[2] = im.ph[1];
	im.ph[1] = (Elf64_Phdr){
		.p_type = PT_INTERP, .p_flags = PF_R, .p_offset = offsetof(struct image, interp),
		.p_vaddr = BASE + offsetof(struct image, interp), .p_filesz = sizeof path,
		.p_memsz = sizeof path, .p_align = 1,
	};
	im.eh.e_phnum = 3;
	write_image("dyn", &im, sizeof im);
	char *argv[] = { "dyn", NULL };
	CHECK_ERR(execve("dyn", argv, NULL), on_cosmos() ? ENOEXEC : ENOENT);
}

/* Two PT_LOADs whose memory overlaps: CosmOS refuses with ENOEXEC. Linux
 * maps the later one over the earlier and runs the program. */
TEST(exec_elf_overlapping_segments)
{
	struct image im;
	template(&im);
	im.ph[0].p_memsz = 0x1800;          /* into the next page ... */
	im.ph[2] = im.ph[0];
	im.ph[2].p_vaddr = im.ph[2].p_paddr = BASE + 0x1000;   /* ... where this one starts */
	im.ph[2].p_memsz = im.ph[2].p_filesz;
	im.ph[2].p_flags = PF_R;
	im.eh.e_phnum = 3;
	refused_on_cosmos(&im, EXITED(42));
}

/* An entry point outside every PT_LOAD: CosmOS refuses with ENOEXEC. Linux
 * starts the program, which faults at once (SIGSEGV). */
TEST(exec_elf_entry_outside_segments)
{
	struct image im;
	template(&im);
	im.eh.e_entry = BASE + 0x100000;
	refused_on_cosmos(&im, KILLED(SIGSEGV));
}

/* A segment whose file range lies past the end of the file: CosmOS refuses
 * it; Linux maps it (the page holding the code is in the file) and runs. */
TEST(exec_elf_segment_past_eof)
{
	struct image im;
	template(&im);
	im.ph[0].p_filesz = im.ph[0].p_memsz = 0x10000;
	refused_on_cosmos(&im, EXITED(42));
}

/* A segment with p_filesz > p_memsz: CosmOS refuses it (ENOEXEC); Linux
 * gets past the point of no return and kills the new program with
 * SIGSEGV. */
TEST(exec_elf_filesz_over_memsz)
{
	struct image im;
	template(&im);
	im.ph[0].p_memsz = 16;
	refused_on_cosmos(&im, KILLED(SIGSEGV));
}

/* The segment's bss (memsz beyond filesz) reads as zeros. */
/* A PT_GNU_STACK asking for an executable stack: CosmOS keeps W^X and
 * refuses the image with EACCES; Linux runs it. */
TEST(exec_elf_exec_stack_refused)
{
	struct image im;
	template(&im);
	im.ph[1].p_flags = PF_R | PF_W | PF_X;
	write_image("xstack", &im, sizeof im);
	if (!on_cosmos()) {
		CHECK_EQ(run("xstack"), EXITED(42));
		return;
	}
	char *argv[] = { "xstack", NULL };
	CHECK_ERR(execve("xstack", argv, NULL), EACCES);
}

TEST(exec_elf_bss_zeroed)
{
	/* movabs $BASE+0x1800, %rsi; movzbl (%rsi), %edi; add $42, %edi;
	 * mov $60, %eax; syscall: exits 42 only if that bss byte is 0. */
	static const unsigned char code[] = {
		0x48, 0xbe, 0x00, 0x18, 0x40, 0, 0, 0, 0, 0,
		0x0f, 0xb6, 0x3e, 0x83, 0xc7, 0x2a, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05,
	};
	struct image im;
	template(&im);
	memcpy(im.code, code, sizeof code);
	im.ph[0].p_memsz = 0x2000;
	write_image("bss", &im, sizeof im);
	CHECK_EQ(run("bss"), EXITED(42));
}
