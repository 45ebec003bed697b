/* Host tests for lib/elf_check.c: ELF images built in memory, each broken in
 * one way, must be rejected with the right error and without reading outside
 * the buffer (every buffer is malloc'd at its exact size, so ASan sees it).
 * The real kernel.elf ($COSMOS_KERNEL_ELF) must pass the loader's limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <boot/kernel_limits.h>
#include <lib/elf_check.h>

#define BASE     0xffffffff80000000ULL
#define NSEG     3
#define FILE_SZ  0x3010

/* text R-X, rodata R--, data RW- (bss beyond the file), like the kernel. */
struct image {
	unsigned char bytes[FILE_SZ];
};

static const struct elf_limits lim = {
	.vaddr_min = BASE,
	.vaddr_max = BASE + (16ULL << 20),
	.max_memsz = 1ULL << 20,
};

static Elf64_Ehdr *eh(struct image *im) { return (Elf64_Ehdr *)im->bytes; }
static Elf64_Phdr *ph(struct image *im, int i)
{
	return (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr)) + i;
}

static void make_valid(struct image *im)
{
	static const struct { uint32_t flags; uint64_t off, filesz, memsz; } seg[NSEG] = {
		{ PF_R | PF_X, 0x1000, 0x800, 0x800 },
		{ PF_R,        0x2000, 0x100, 0x100 },
		{ PF_R | PF_W, 0x3000, 0x010, 0x2000 },
	};
	Elf64_Ehdr *e = eh(im);

	memset(im, 0, sizeof(*im));
	memcpy(e->e_ident, "\x7f" "ELF", 4);
	e->e_ident[4] = ELFCLASS64;
	e->e_ident[5] = ELFDATA2LSB;
	e->e_ident[6] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = BASE + 0x1000;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = NSEG;
	for (int i = 0; i < NSEG; i++) {
		Elf64_Phdr *p = ph(im, i);

		p->p_type = PT_LOAD;
		p->p_flags = seg[i].flags;
		p->p_offset = seg[i].off;
		p->p_vaddr = p->p_paddr = BASE + seg[i].off;
		p->p_filesz = seg[i].filesz;
		p->p_memsz = seg[i].memsz;
		p->p_align = 0x1000;
	}
	memset(im->bytes + 0x1000, 0xcc, 0x800);
}

/* Checks a copy of the first len bytes in an exactly sized heap block. */
static int check_len(const void *src, size_t len, const struct elf_limits *l,
		     struct elf_info *info)
{
	void *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, src, len);
	err = elf_check(copy, len, l, info);
	free(copy);
	return err;
}

static int check(const struct image *im)
{
	return check_len(im, FILE_SZ, &lim, NULL);
}

#define EXPECT_ERR(im, want)                                                   \
	do {                                                                   \
		int got_ = check(im);                                          \
		if (got_ != (want))                                            \
			fail_msg("expected %s, got %s (%d)", #want,            \
				 elf_strerror(got_), got_);                    \
	} while (0)

static void test_valid(void **state)
{
	struct image im;
	struct elf_info info;

	(void)state;
	make_valid(&im);
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_true(info.entry == BASE + 0x1000);
	assert_true(info.vaddr_lo == BASE + 0x1000);
	assert_true(info.vaddr_hi == BASE + 0x5000);
	assert_int_equal(info.nload, 3);
	/* Bytes after the last segment are allowed. */
	assert_int_equal(check_len(&im, FILE_SZ, &lim, NULL), ELF_OK);
	assert_ptr_equal(elf_phdr(im.bytes, 2), ph(&im, 2));
}

static void test_every_truncation(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	for (size_t len = 0; len < FILE_SZ; len++) {
		int err = check_len(&im, len, &lim, NULL);

		if (err == ELF_OK)
			fail_msg("a %zu-byte prefix of a %d-byte file was accepted", len, FILE_SZ);
		if (err != ELF_ETRUNC && err != ELF_ESEGFILE)
			fail_msg("%zu-byte prefix: unexpected error %s", len, elf_strerror(err));
	}
	assert_int_equal(elf_check(NULL, FILE_SZ, &lim, NULL), ELF_ETRUNC);
}

static void test_bad_magic(void **state)
{
	struct image im;

	(void)state;
	for (int i = 0; i < 4; i++) {
		make_valid(&im);
		im.bytes[i] ^= 0x20;
		EXPECT_ERR(&im, ELF_EMAGIC);
	}
	/* An all-zero file of full size, and a text file. */
	memset(&im, 0, sizeof(im));
	EXPECT_ERR(&im, ELF_EMAGIC);
	memset(&im, 'A', sizeof(im));
	EXPECT_ERR(&im, ELF_EMAGIC);
}

static void test_class_data_version(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	im.bytes[4] = 1; /* ELFCLASS32 */
	EXPECT_ERR(&im, ELF_ECLASS);
	make_valid(&im);
	im.bytes[4] = 0;
	EXPECT_ERR(&im, ELF_ECLASS);
	make_valid(&im);
	im.bytes[5] = 2; /* big-endian */
	EXPECT_ERR(&im, ELF_ECLASS);
	make_valid(&im);
	im.bytes[6] = 0;
	EXPECT_ERR(&im, ELF_ECLASS);
	make_valid(&im);
	eh(&im)->e_version = 2;
	EXPECT_ERR(&im, ELF_ECLASS);
}

static void test_machine_and_type(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	eh(&im)->e_machine = 3; /* i386 */
	EXPECT_ERR(&im, ELF_EMACHINE);
	make_valid(&im);
	eh(&im)->e_machine = 183; /* aarch64 */
	EXPECT_ERR(&im, ELF_EMACHINE);
	make_valid(&im);
	eh(&im)->e_type = 3; /* ET_DYN */
	EXPECT_ERR(&im, ELF_ETYPE);
	make_valid(&im);
	eh(&im)->e_type = 1; /* ET_REL */
	EXPECT_ERR(&im, ELF_ETYPE);
	make_valid(&im);
	eh(&im)->e_type = 4; /* ET_CORE */
	EXPECT_ERR(&im, ELF_ETYPE);
}

static void test_absurd_program_headers(void **state)
{
	static const uint16_t bad_entsize[] = { 0, 1, 55, 57, 112, 0xffff };
	struct image im;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_entsize) / sizeof(bad_entsize[0]); i++) {
		make_valid(&im);
		eh(&im)->e_phentsize = bad_entsize[i];
		EXPECT_ERR(&im, ELF_EPHDR);
	}
	make_valid(&im);
	eh(&im)->e_phnum = 0;
	EXPECT_ERR(&im, ELF_EPHDR);
	make_valid(&im);
	eh(&im)->e_phnum = 0xffff;
	EXPECT_ERR(&im, ELF_EPHDR);
	make_valid(&im);
	eh(&im)->e_phnum = ELF_MAX_PHNUM + 1;
	EXPECT_ERR(&im, ELF_EPHDR);
	make_valid(&im);
	eh(&im)->e_ehsize = 0;
	EXPECT_ERR(&im, ELF_EPHDR);
	/* The table may not overlap the ELF header or be misaligned. */
	make_valid(&im);
	eh(&im)->e_phoff = 0;
	EXPECT_ERR(&im, ELF_EPHDR);
	make_valid(&im);
	eh(&im)->e_phoff = 65;
	EXPECT_ERR(&im, ELF_EPHDR);
	/* A table that runs past the end of the file, or whose end wraps. */
	make_valid(&im);
	eh(&im)->e_phoff = FILE_SZ - 8;
	EXPECT_ERR(&im, ELF_ETRUNC);
	make_valid(&im);
	eh(&im)->e_phoff = UINT64_MAX - 7;
	EXPECT_ERR(&im, ELF_ETRUNC);
	make_valid(&im);
	eh(&im)->e_phoff = FILE_SZ - NSEG * sizeof(Elf64_Phdr) + 8; /* 8 bytes too far */
	EXPECT_ERR(&im, ELF_ETRUNC);
	/* The maximum count is allowed (the extra entries are PT_NULL). */
	make_valid(&im);
	eh(&im)->e_phnum = ELF_MAX_PHNUM;
	EXPECT_ERR(&im, ELF_OK);
}

static void test_segment_outside_file(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	ph(&im, 1)->p_filesz = FILE_SZ - 0x2000 + 1;
	ph(&im, 1)->p_memsz = 0x2000;
	EXPECT_ERR(&im, ELF_ESEGFILE);
	make_valid(&im);
	ph(&im, 2)->p_offset = 0x4000;
	ph(&im, 2)->p_vaddr = BASE + 0x4000;
	EXPECT_ERR(&im, ELF_ESEGFILE);
	/* Exactly up to the end is fine. */
	make_valid(&im);
	ph(&im, 2)->p_filesz = FILE_SZ - 0x3000;
	EXPECT_ERR(&im, ELF_OK);
}

static void test_sizes(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	ph(&im, 0)->p_filesz = 0x801; /* > memsz */
	EXPECT_ERR(&im, ELF_ESEGSIZE);
	make_valid(&im);
	ph(&im, 1)->p_memsz = 0;
	ph(&im, 1)->p_filesz = 0;
	EXPECT_ERR(&im, ELF_ESEGSIZE);
	/* offset + filesz wraps around 2^64 */
	make_valid(&im);
	ph(&im, 1)->p_offset = UINT64_MAX - 0xfff;
	ph(&im, 1)->p_vaddr = BASE + 0x2000;
	ph(&im, 1)->p_filesz = 0x2000;
	ph(&im, 1)->p_memsz = 0x2000;
	EXPECT_ERR(&im, ELF_ESEGSIZE);
	/* vaddr + memsz wraps */
	make_valid(&im);
	ph(&im, 2)->p_vaddr = 0xfffffffffffff000ULL;
	ph(&im, 2)->p_memsz = 0x2000;
	EXPECT_ERR(&im, ELF_ESEGSIZE);
	make_valid(&im);
	ph(&im, 2)->p_memsz = UINT64_MAX;
	EXPECT_ERR(&im, ELF_ESEGSIZE);
}

static void test_alignment(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	ph(&im, 1)->p_vaddr += 0x10;
	EXPECT_ERR(&im, ELF_ESEGALIGN);
}

static void test_overlap(void **state)
{
	struct image im;

	(void)state;
	/* The same addresses twice. */
	make_valid(&im);
	ph(&im, 1)->p_vaddr = BASE + 0x1000;
	EXPECT_ERR(&im, ELF_EOVERLAP);
	/* Disjoint bytes, but one shared page (rodata right after text). */
	make_valid(&im);
	ph(&im, 1)->p_offset = 0x2800;
	ph(&im, 1)->p_vaddr = BASE + 0x1800;
	EXPECT_ERR(&im, ELF_EOVERLAP);
	/* A later segment inside an earlier one's bss. */
	make_valid(&im);
	ph(&im, 0)->p_vaddr = BASE + 0x4000;
	eh(&im)->e_entry = BASE + 0x4000;
	EXPECT_ERR(&im, ELF_EOVERLAP);
	/* Adjacent pages are fine. */
	make_valid(&im);
	ph(&im, 1)->p_offset = 0x2000;
	ph(&im, 1)->p_vaddr = BASE + 0x2000;
	EXPECT_ERR(&im, ELF_OK);
}

static void test_entry(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0x10000; /* in no segment */
	EXPECT_ERR(&im, ELF_EENTRY);
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0x2000; /* in rodata: not executable */
	EXPECT_ERR(&im, ELF_EENTRY);
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0x3008; /* in data */
	EXPECT_ERR(&im, ELF_EENTRY);
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0x1800; /* one past the end of text */
	EXPECT_ERR(&im, ELF_EENTRY);
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0xfff; /* one before text */
	EXPECT_ERR(&im, ELF_EENTRY);
	make_valid(&im);
	eh(&im)->e_entry = BASE + 0x17ff; /* last byte of text */
	EXPECT_ERR(&im, ELF_OK);
	make_valid(&im);
	eh(&im)->e_entry = 0;
	EXPECT_ERR(&im, ELF_EENTRY);
}

static void test_write_and_execute(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	ph(&im, 0)->p_flags = PF_R | PF_W | PF_X;
	EXPECT_ERR(&im, ELF_EWX);
	make_valid(&im);
	ph(&im, 2)->p_flags = PF_W | PF_X;
	EXPECT_ERR(&im, ELF_EWX);
}

static void test_no_load_segment(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	for (int i = 0; i < NSEG; i++)
		ph(&im, i)->p_type = PT_NULL;
	EXPECT_ERR(&im, ELF_ENOLOAD);
	/* Non-load segments are not loaded, so their fields do not matter. */
	make_valid(&im);
	ph(&im, 1)->p_type = 4; /* PT_NOTE */
	ph(&im, 1)->p_offset = UINT64_MAX;
	ph(&im, 1)->p_filesz = UINT64_MAX;
	EXPECT_ERR(&im, ELF_OK);
}

static void test_limits(void **state)
{
	struct image im;
	struct elf_limits l = lim;

	(void)state;
	make_valid(&im);
	l.vaddr_min = BASE + 0x2000; /* text lies below */
	assert_int_equal(check_len(&im, FILE_SZ, &l, NULL), ELF_ESEGRANGE);
	l = lim;
	l.vaddr_max = BASE + 0x4fff; /* bss ends one byte later */
	assert_int_equal(check_len(&im, FILE_SZ, &l, NULL), ELF_ESEGRANGE);
	l.vaddr_max = BASE + 0x5000;
	assert_int_equal(check_len(&im, FILE_SZ, &l, NULL), ELF_OK);
	/* A user program in the kernel half, or a kernel in the user half. */
	make_valid(&im);
	ph(&im, 0)->p_vaddr = 0x401000;
	EXPECT_ERR(&im, ELF_ESEGRANGE);
}

static void test_too_big(void **state)
{
	struct image im;
	struct elf_limits l = lim;

	(void)state;
	make_valid(&im);
	l.max_memsz = 0x3000; /* the span is 0x4000 */
	assert_int_equal(check_len(&im, FILE_SZ, &l, NULL), ELF_ETOOBIG);
	l.max_memsz = 0x4000;
	assert_int_equal(check_len(&im, FILE_SZ, &l, NULL), ELF_OK);
	make_valid(&im);
	ph(&im, 2)->p_memsz = 2ULL << 20; /* 2 MiB of bss, 1 MiB allowed */
	EXPECT_ERR(&im, ELF_ETOOBIG);
}

/* A static PIE (ET_DYN) only where the caller allows one. */
static void test_dyn(void **state)
{
	struct image im;
	struct elf_limits l = lim;
	struct elf_info info;

	(void)state;
	make_valid(&im);
	eh(&im)->e_type = ET_DYN;
	EXPECT_ERR(&im, ELF_ETYPE);
	l.allow_dyn = 1;
	assert_int_equal(check_len(&im, FILE_SZ, &l, &info), ELF_OK);
	assert_int_equal(info.type, ET_DYN);
	make_valid(&im);
	assert_int_equal(check_len(&im, FILE_SZ, &l, &info), ELF_OK);
	assert_int_equal(info.type, ET_EXEC);
}

/* One more program header after the three PT_LOADs. */
static Elf64_Phdr *extra_phdr(struct image *im, uint32_t type, uint32_t flags)
{
	Elf64_Phdr *p = ph(im, NSEG);

	eh(im)->e_phnum = NSEG + 1;
	memset(p, 0, sizeof(*p));
	p->p_type = type;
	p->p_flags = flags;
	return p;
}

static void test_interp(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	extra_phdr(&im, PT_INTERP, PF_R);
	EXPECT_ERR(&im, ELF_EINTERP);
	make_valid(&im);
	extra_phdr(&im, PT_NULL, 0);
	EXPECT_ERR(&im, ELF_OK);
}

static void test_gnu_stack(void **state)
{
	struct image im;
	struct elf_info info;

	(void)state;
	make_valid(&im);
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_int_equal(info.exec_stack, 0);           /* none: not executable */
	extra_phdr(&im, PT_GNU_STACK, PF_R | PF_W);
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_int_equal(info.exec_stack, 0);
	extra_phdr(&im, PT_GNU_STACK, PF_R | PF_W | PF_X);
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_int_equal(info.exec_stack, 1);
}

/* AT_PHDR: PT_PHDR's address, else the PT_LOAD holding the table, else 0. */
static void test_phdr_address(void **state)
{
	struct image im;
	struct elf_info info;

	(void)state;
	make_valid(&im);
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_true(info.phdr_vaddr == 0);             /* no segment maps offset 64 */
	ph(&im, 0)->p_offset = 0;
	ph(&im, 0)->p_vaddr = BASE;
	ph(&im, 0)->p_filesz = ph(&im, 0)->p_memsz = 0x1800;
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_true(info.phdr_vaddr == BASE + sizeof(Elf64_Ehdr));
	extra_phdr(&im, PT_PHDR, PF_R)->p_vaddr = BASE + 0x40;
	assert_int_equal(check_len(&im, FILE_SZ, &lim, &info), ELF_OK);
	assert_true(info.phdr_vaddr == BASE + 0x40);
}

/* exec reads only the head: the table must be in it, the segments in the file. */
static void test_head(void **state)
{
	struct image im;

	(void)state;
	make_valid(&im);
	assert_int_equal(elf_check_head(&im, 0x1000, FILE_SZ, &lim, NULL), ELF_OK);
	assert_int_equal(elf_check_head(&im, 0x100, FILE_SZ, &lim, NULL), ELF_OK);
	assert_int_equal(elf_check_head(&im, sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr), FILE_SZ,
				       &lim, NULL), ELF_ETRUNC);
	assert_int_equal(elf_check_head(&im, 0x1000, 0x3008, &lim, NULL), ELF_ESEGFILE);
	assert_int_equal(elf_check_head(&im, 0x1000, 0x800, &lim, NULL), ELF_ETRUNC);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int i = 0; i < ELF_ERR_COUNT; i++) {
		assert_non_null(elf_strerror(i));
		assert_string_not_equal(elf_strerror(i), "unknown ELF error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(elf_strerror(i), elf_strerror(j));
	}
	assert_string_equal(elf_strerror(-1), "unknown ELF error");
	assert_string_equal(elf_strerror(ELF_ERR_COUNT), "unknown ELF error");
}

/* The kernel the build just made must pass the loader's own checks; any
 * prefix that cuts into a loadable segment must not (what follows the last
 * segment, section headers and symbols, is not needed for loading). */
static void test_real_kernel(void **state)
{
	static const struct elf_limits kernel_limits = LOADER_KERNEL_LIMITS;
	static unsigned char whole[16 << 20];
	const char *path = getenv("COSMOS_KERNEL_ELF");
	struct elf_info info;
	uint64_t needed = 0;
	size_t size;
	FILE *f;
	int err;

	(void)state;
	if (!path)
		fail_msg("COSMOS_KERNEL_ELF is not set (test/run.py sets it to the built kernel.elf)");
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size = fread(whole, 1, sizeof(whole), f);
	fclose(f);
	assert_true(size > 0 && size < sizeof(whole));

	err = check_len(whole, size, &kernel_limits, &info);
	if (err)
		fail_msg("%s: %s", path, elf_strerror(err));
	assert_true(info.entry >= BOOT_KERNEL_BASE);
	assert_true(info.vaddr_lo == BOOT_KERNEL_BASE);
	assert_true(info.nload >= 2);
	for (unsigned i = 0; i < ((Elf64_Ehdr *)whole)->e_phnum; i++) {
		const Elf64_Phdr *p = elf_phdr(whole, i);

		if (p->p_type == PT_LOAD && p->p_offset + p->p_filesz > needed)
			needed = p->p_offset + p->p_filesz;
	}
	assert_true(needed > 0 && needed <= size);
	for (size_t len = 0; len < needed; len += len < 4096 ? 1 : 509)
		if (check_len(whole, len, &kernel_limits, NULL) == ELF_OK)
			fail_msg("%zu-byte prefix of %s accepted (segments end at %llu)",
				 len, path, (unsigned long long)needed);
	assert_int_equal(check_len(whole, needed - 1, &kernel_limits, NULL), ELF_ESEGFILE);
	assert_int_equal(check_len(whole, needed, &kernel_limits, NULL), ELF_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_class_data_version),
		cmocka_unit_test(test_machine_and_type),
		cmocka_unit_test(test_absurd_program_headers),
		cmocka_unit_test(test_segment_outside_file),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_write_and_execute),
		cmocka_unit_test(test_no_load_segment),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_dyn),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_gnu_stack),
		cmocka_unit_test(test_phdr_address),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests_name("elf_check", tests, NULL, NULL);
}
