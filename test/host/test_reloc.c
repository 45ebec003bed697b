/* Host tests for boot/reloc.c (KASLR): the places the kernel may go, and
 * relocations applied to a small ELF built in memory (each kind, each way
 * of being broken), then to the real kernel: $COSMOS_KERNEL_ELF relocated
 * by a slide must equal, byte for byte, kernel-moved.elf beside it, the
 * same objects linked at a higher address (kernel/build.mk). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <boot/kernel_limits.h>
#include <boot/reloc.h>

#define BASE   BOOT_KERNEL_BASE
#define MB2    RELOC_ALIGN
#define SLIDE  (37 * MB2)

/* The file: two segments, text R-X at BASE+0x1000 and data RW- at
 * BASE+0x2000 (0x100 bytes in the file, a page in memory: bss), then the
 * symbol table, three relocation tables (text, data, and a debug section
 * that is not loaded) and the section headers. */
enum { S_NULL, S_TEXT, S_DATA, S_SYMTAB, S_RTEXT, S_RDATA, S_DEBUG, S_RDEBUG, NSEC };
enum { SYM_NULL, SYM_TEXT, SYM_VAR, SYM_ABS, SYM_ABS_INSIDE, SYM_WEAK, SYM_DEBUG,
       SYM_END, SYM_ABS_BELOW, NSYM };
#define OFF_TEXT   0x1000
#define OFF_DATA   0x2000
#define OFF_SYMTAB 0x2100
#define OFF_RTEXT  0x2200
#define OFF_RDATA  0x2400
#define OFF_DEBUG  0x2600
#define OFF_RDEBUG 0x2700
#define OFF_SHDR   0x2800
#define FILE_SZ    (OFF_SHDR + NSEC * 64)
#define MAX_RELA   16

struct elf {
	uint8_t b[FILE_SZ];
	unsigned nrela[NSEC];
};

static Elf64_Ehdr *eh(struct elf *f) { return (Elf64_Ehdr *)f->b; }
static Elf64_Phdr *ph(struct elf *f, int i) { return (Elf64_Phdr *)(f->b + 64) + i; }
static Elf64_Shdr *sh(struct elf *f, int i) { return (Elf64_Shdr *)(f->b + OFF_SHDR) + i; }
static Elf64_Sym *sym(struct elf *f, int i) { return (Elf64_Sym *)(f->b + OFF_SYMTAB) + i; }

static void section(struct elf *f, int i, uint32_t type, uint64_t flags, uint64_t addr,
		    uint64_t off, uint64_t size, uint32_t link, uint32_t info, uint64_t entsize)
{
	*sh(f, i) = (Elf64_Shdr){ .sh_type = type, .sh_flags = flags, .sh_addr = addr,
				  .sh_offset = off, .sh_size = size, .sh_link = link,
				  .sh_info = info, .sh_addralign = 8, .sh_entsize = entsize };
}

static void make(struct elf *f)
{
	Elf64_Ehdr *e = eh(f);

	memset(f, 0, sizeof(*f));
	memcpy(e->e_ident, "\x7f" "ELF", 4);
	e->e_ident[4] = ELFCLASS64;
	e->e_ident[5] = ELFDATA2LSB;
	e->e_ident[6] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = BASE + 0x1000;
	e->e_phoff = 64;
	e->e_ehsize = 64;
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 2;
	e->e_shoff = OFF_SHDR;
	e->e_shentsize = sizeof(Elf64_Shdr);
	e->e_shnum = NSEC;
	*ph(f, 0) = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, OFF_TEXT, BASE + 0x1000, BASE + 0x1000,
				  0x100, 0x100, 0x1000 };
	*ph(f, 1) = (Elf64_Phdr){ PT_LOAD, PF_R | PF_W, OFF_DATA, BASE + 0x2000, BASE + 0x2000,
				  0x100, 0x1000, 0x1000 };
	section(f, S_TEXT, SHT_PROGBITS, SHF_ALLOC, BASE + 0x1000, OFF_TEXT, 0x100, 0, 0, 0);
	section(f, S_DATA, SHT_PROGBITS, SHF_ALLOC, BASE + 0x2000, OFF_DATA, 0x100, 0, 0, 0);
	section(f, S_SYMTAB, SHT_SYMTAB, 0, 0, OFF_SYMTAB, NSYM * sizeof(Elf64_Sym), 0, 0,
		sizeof(Elf64_Sym));
	section(f, S_RTEXT, SHT_RELA, 0, 0, OFF_RTEXT, 0, S_SYMTAB, S_TEXT, sizeof(Elf64_Rela));
	section(f, S_RDATA, SHT_RELA, 0, 0, OFF_RDATA, 0, S_SYMTAB, S_DATA, sizeof(Elf64_Rela));
	section(f, S_DEBUG, SHT_PROGBITS, 0, 0, OFF_DEBUG, 0x100, 0, 0, 0);
	section(f, S_RDEBUG, SHT_RELA, 0, 0, OFF_RDEBUG, 0, S_SYMTAB, S_DEBUG, sizeof(Elf64_Rela));
	*sym(f, SYM_TEXT) = (Elf64_Sym){ .st_shndx = S_TEXT, .st_value = BASE + 0x1000 };
	*sym(f, SYM_VAR) = (Elf64_Sym){ .st_shndx = S_DATA, .st_value = BASE + 0x2010 };
	*sym(f, SYM_ABS) = (Elf64_Sym){ .st_shndx = SHN_ABS, .st_value = 0x1234 };
	*sym(f, SYM_ABS_INSIDE) = (Elf64_Sym){ .st_shndx = SHN_ABS, .st_value = BASE + 0x1010 };
	*sym(f, SYM_WEAK) = (Elf64_Sym){ .st_shndx = SHN_UNDEF, .st_value = 0 };
	*sym(f, SYM_DEBUG) = (Elf64_Sym){ .st_shndx = S_DEBUG, .st_value = 0 };
	/* one past the image, like __kernel_end */
	*sym(f, SYM_END) = (Elf64_Sym){ .st_shndx = S_DATA, .st_value = BASE + 0x3000 };
	/* a fixed address just below the image, within reach of rip-relative */
	*sym(f, SYM_ABS_BELOW) = (Elf64_Sym){ .st_shndx = SHN_ABS, .st_value = BASE - 0x1000 };
}

static uint64_t sec_off(int s)
{
	return s == S_TEXT ? OFF_TEXT : s == S_DATA ? OFF_DATA : OFF_DEBUG;
}

static int rela_sec(int s) { return s == S_TEXT ? S_RTEXT : s == S_DATA ? S_RDATA : S_RDEBUG; }

/* Adds a relocation at offset off of section s and writes the value the
 * linker would have put there (its low `width` bytes). */
static void add(struct elf *f, int s, uint64_t off, uint32_t type, uint32_t symi, int64_t addend)
{
	int rs = rela_sec(s);
	Elf64_Shdr *r = sh(f, rs);
	Elf64_Rela *e = (Elf64_Rela *)(f->b + r->sh_offset) + f->nrela[rs]++;
	uint64_t place = sh(f, s)->sh_addr + off;
	uint64_t v = sym(f, symi)->st_value + (uint64_t)addend;
	int pcrel = type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64;
	int width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;

	assert_true(f->nrela[rs] <= MAX_RELA);
	*e = (Elf64_Rela){ place, (uint64_t)symi << 32 | type, addend };
	r->sh_size += sizeof(*e);
	if (pcrel)
		v -= place;
	memcpy(f->b + sec_off(s) + off, &v, width);
}

/* The loader's copy: each PT_LOAD's file bytes at its place, bss zero. */
static uint8_t *load(const uint8_t *file, const struct elf_info *ei)
{
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)file;
	uint8_t *img = calloc(1, ei->vaddr_hi - ei->vaddr_lo);

	assert_non_null(img);
	for (unsigned i = 0; i < e->e_phnum; i++) {
		const Elf64_Phdr *p = elf_phdr(file, i);

		if (p->p_type == PT_LOAD)
			memcpy(img + (p->p_vaddr - ei->vaddr_lo), file + p->p_offset, p->p_filesz);
	}
	return img;
}

static const struct elf_limits limits = LOADER_KERNEL_LIMITS;

/* Checks f, loads it and applies the relocations for slide; the image is
 * returned in *img (freed by the caller) when img is not NULL. The file is
 * given in an exactly sized heap block, so ASan sees any read past it. */
static int run(struct elf *f, uint64_t slide, uint8_t **img, struct reloc_result *res)
{
	uint8_t *copy = malloc(FILE_SZ);
	struct elf_info ei;
	struct reloc_result r;
	uint8_t *image;
	int err;

	assert_non_null(copy);
	memcpy(copy, f->b, FILE_SZ);
	assert_int_equal(elf_check(copy, FILE_SZ, &limits, &ei), ELF_OK);
	image = load(copy, &ei);
	err = reloc_apply(copy, FILE_SZ, &ei, image, slide, res ? res : &r);
	free(copy);
	if (img)
		*img = image;
	else
		free(image);
	return err;
}

#define EXPECT(f, slide, want)                                                 \
	do {                                                                   \
		struct reloc_result r_;                                        \
		int got_ = run(f, slide, NULL, &r_);                           \
		if (got_ != (want))                                            \
			fail_msg("expected %s, got %s (%d) at relocation %llu of section %u", \
				 #want, reloc_strerror(got_), got_,            \
				 (unsigned long long)r_.bad_index, r_.bad_section); \
	} while (0)

static uint64_t rd(const uint8_t *img, uint64_t va, int width)
{
	uint64_t v = 0;

	memcpy(&v, img + (va - (BASE + 0x1000)), width);
	return v;
}

static void test_slots(void **state)
{
	uint64_t lo = BASE, hi = BASE + 0x8a000;
	uint64_t n = reloc_slots(lo, hi);

	(void)state;
	/* the whole top 2 GiB less the last 2 MiB, for an image under 2 MiB */
	assert_int_equal(n, 1023);
	assert_int_equal(reloc_pick(lo, hi, 0), 0);
	assert_int_equal(reloc_pick(lo, hi, n), 0);
	assert_int_equal(reloc_pick(lo, hi, 5), 5 * MB2);
	/* the highest place still ends at or below the top */
	assert_true(hi + reloc_pick(lo, hi, n - 1) <= RELOC_TOP);
	assert_true(hi + reloc_pick(lo, hi, n - 1) + MB2 > RELOC_TOP);
	for (uint64_t r = 0; r < 5000; r += 7) {
		uint64_t s = reloc_pick(lo, hi, r * 0x9e3779b97f4a7c15ULL);

		assert_int_equal(s % MB2, 0);
		assert_true(lo + s >= BASE && hi + s <= RELOC_TOP);
	}
	/* an image ending exactly at the top has one place; past it none */
	assert_int_equal(reloc_slots(RELOC_TOP - MB2, RELOC_TOP), 1);
	assert_int_equal(reloc_slots(lo, RELOC_TOP + 0x1000), 0);
	assert_int_equal(reloc_pick(lo, RELOC_TOP + 0x1000, 12345), 0);
	assert_int_equal(reloc_slots(hi, lo), 0);
}

/* Every kind of relocation, moved and not moved as it must be. */
static void test_each_kind(void **state)
{
	struct elf f;
	struct reloc_result r;
	uint8_t *img;

	(void)state;
	make(&f);
	add(&f, S_DATA, 0x00, R_X86_64_64, SYM_VAR, 8);          /* pointer: moves */
	add(&f, S_DATA, 0x08, R_X86_64_64, SYM_ABS, 0);          /* constant: stays */
	add(&f, S_DATA, 0x18, R_X86_64_64, SYM_WEAK, 0);         /* weak undefined: stays */
	add(&f, S_DATA, 0x20, R_X86_64_64, SYM_END, 0);          /* end of image: moves */
	add(&f, S_TEXT, 0x10, R_X86_64_32S, SYM_TEXT, 0x40);     /* mov $sym: moves */
	add(&f, S_TEXT, 0x14, R_X86_64_32, SYM_ABS, 4);          /* small constant: stays */
	add(&f, S_TEXT, 0x18, R_X86_64_PC32, SYM_VAR, -4);       /* rip-relative inside: stays */
	add(&f, S_TEXT, 0x1c, R_X86_64_PLT32, SYM_TEXT, -4);     /* call inside: stays */
	add(&f, S_TEXT, 0x20, R_X86_64_PC32, SYM_ABS_BELOW, -4); /* rip-relative to outside: moves */
	add(&f, S_TEXT, 0x28, R_X86_64_PC64, SYM_ABS, 0);        /* same, 64-bit */
	add(&f, S_TEXT, 0x30, R_X86_64_PC64, SYM_VAR, 0);        /* inside: stays */
	add(&f, S_TEXT, 0x38, R_X86_64_NONE, SYM_NULL, 0);
	add(&f, S_DEBUG, 0x00, R_X86_64_64, SYM_TEXT, 0);        /* not loaded: skipped */
	if (run(&f, SLIDE, &img, &r) != RELOC_OK)
		fail_msg("relocation %llu of section %u refused", (unsigned long long)r.bad_index,
			 r.bad_section);
	assert_int_equal(r.sections, 2);
	assert_int_equal(r.count, 12);
	assert_int_equal(r.changed, 5);
	assert_true(rd(img, BASE + 0x2000, 8) == BASE + 0x2018 + SLIDE);
	assert_true(rd(img, BASE + 0x2008, 8) == 0x1234);
	assert_true(rd(img, BASE + 0x2018, 8) == 0);
	assert_true(rd(img, BASE + 0x2020, 8) == BASE + 0x3000 + SLIDE);
	assert_true(rd(img, BASE + 0x1010, 4) == (uint32_t)(BASE + 0x1040 + SLIDE));
	assert_true(rd(img, BASE + 0x1014, 4) == 0x1238);
	assert_true(rd(img, BASE + 0x1018, 4) == (uint32_t)(0x2010 - 0x1018 - 4));
	assert_true(rd(img, BASE + 0x101c, 4) == (uint32_t)(0x1000 - 0x101c - 4));
	assert_true(rd(img, BASE + 0x1020, 4) ==
		    (uint32_t)(BASE - 0x1000 - 4 - (BASE + 0x1020 + SLIDE)));
	assert_true(rd(img, BASE + 0x1028, 8) == 0x1234 - (BASE + 0x1028 + SLIDE));
	assert_true(rd(img, BASE + 0x1030, 8) == 0x2010 - 0x1030);
	free(img);

	/* slide 0 checks everything and changes nothing */
	assert_int_equal(run(&f, 0, &img, &r), RELOC_OK);
	assert_int_equal(r.changed, 0);
	assert_int_equal(memcmp(img, f.b + OFF_TEXT, 0x100), 0);
	assert_int_equal(memcmp(img + 0x1000, f.b + OFF_DATA, 0x100), 0);
	free(img);
}

static void test_unknown_type(void **state)
{
	static const uint32_t bad[] = { 3, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 22, 23, 41, 42, 255 };
	struct elf f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reloc_result r;

		make(&f);
		add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
		add(&f, S_DATA, 8, R_X86_64_64, SYM_VAR, 0);
		((Elf64_Rela *)(f.b + OFF_RDATA))[1].r_info = (uint64_t)SYM_VAR << 32 | bad[i];
		assert_int_equal(run(&f, SLIDE, NULL, &r), RELOC_ETYPE);
		assert_int_equal(r.bad_type, bad[i]);
		assert_int_equal(r.bad_index, 1);
		assert_int_equal(r.bad_section, S_RDATA);
		assert_true(r.bad_place == BASE + 0x2008);
	}
}

static void test_bad_symbols(void **state)
{
	struct elf f;

	(void)state;
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, NSYM, 0);           /* past the table */
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_DEBUG, 0);      /* in a section not loaded */
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	sym(&f, SYM_VAR)->st_value = BASE + 0x4000;          /* in a loaded section, outside the image */
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	sym(&f, SYM_VAR)->st_shndx = NSEC;                   /* section index past the table */
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	sym(&f, SYM_VAR)->st_shndx = 0xfff2;                 /* SHN_COMMON */
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	sym(&f, SYM_WEAK)->st_value = 0x1000;                /* undefined with a value */
	add(&f, S_DATA, 0, R_X86_64_64, SYM_WEAK, 0);
	EXPECT(&f, SLIDE, RELOC_ESYM);
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_ABS_INSIDE, 0);  /* absolute, yet inside */
	EXPECT(&f, SLIDE, RELOC_EABS);
	EXPECT(&f, 0, RELOC_EABS);
}

static void test_bad_places(void **state)
{
	struct elf f;

	(void)state;
	make(&f);
	add(&f, S_DATA, 0xfc, R_X86_64_32S, SYM_VAR, 0);     /* the last 4 bytes: fine */
	EXPECT(&f, SLIDE, RELOC_OK);
	make(&f);
	add(&f, S_DATA, 0xf8, R_X86_64_64, SYM_VAR, 0);
	((Elf64_Rela *)(f.b + OFF_RDATA))[0].r_offset += 4;  /* crosses the section end */
	EXPECT(&f, SLIDE, RELOC_EPLACE);
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	((Elf64_Rela *)(f.b + OFF_RDATA))[0].r_offset = BASE + 0x1000;  /* in another section */
	EXPECT(&f, SLIDE, RELOC_EPLACE);
	make(&f);
	/* a data section that claims bss: its bytes are not in the file */
	sh(&f, S_DATA)->sh_size = 0x1000;
	add(&f, S_DATA, 0x200, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_EPLACE);
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	((Elf64_Rela *)(f.b + OFF_RDATA))[0].r_offset = (uint64_t)-4;   /* wraps */
	EXPECT(&f, SLIDE, RELOC_EPLACE);
}

static void test_value_mismatch(void **state)
{
	struct elf f;

	(void)state;
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	f.b[OFF_DATA] ^= 1;                                  /* not what the link wrote */
	EXPECT(&f, SLIDE, RELOC_EVALUE);
	EXPECT(&f, 0, RELOC_EVALUE);
	/* two relocations of one place: the second sees the first's work */
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_EVALUE);
	EXPECT(&f, 0, RELOC_OK);
	/* overlapping places of different widths */
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	add(&f, S_DATA, 4, R_X86_64_32S, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_EVALUE);
	/* a 32-bit field whose symbol+addend never fitted it */
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_32, SYM_VAR, 0);
	EXPECT(&f, 0, RELOC_EVALUE);
}

static void test_range(void **state)
{
	struct elf f;

	(void)state;
	/* 32S: up to the highest slide the image allows */
	make(&f);
	add(&f, S_TEXT, 0, R_X86_64_32S, SYM_TEXT, 0);
	add(&f, S_DATA, 0, R_X86_64_32S, SYM_END, 0);
	EXPECT(&f, 0x7fffc000, RELOC_OK);
	/* PC32 to an absolute symbol: the distance grows with the slide */
	make(&f);
	*sym(&f, SYM_ABS) = (Elf64_Sym){ .st_shndx = SHN_ABS, .st_value = BASE - 0x7ffff000 };
	add(&f, S_TEXT, 0, R_X86_64_PC32, SYM_ABS, 0);
	EXPECT(&f, 0, RELOC_OK);
	EXPECT(&f, MB2, RELOC_ERANGE);
}

static void test_slide(void **state)
{
	struct elf f;

	(void)state;
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, 0x800, RELOC_ESLIDE);
	EXPECT(&f, 0x80000000, RELOC_ESLIDE);                /* the image would wrap */
	EXPECT(&f, (uint64_t)0 - BASE, RELOC_ESLIDE);
	EXPECT(&f, 0x1000, RELOC_OK);
	EXPECT(&f, 0x7fffc000, RELOC_OK);                    /* ends a page below 2^64 */
	EXPECT(&f, 0x7fffd000, RELOC_ESLIDE);                /* ends at 2^64: wraps to 0 */
}

static void test_tables(void **state)
{
	struct elf f;

	(void)state;
	make(&f);
	eh(&f)->e_shnum = 0;
	EXPECT(&f, SLIDE, RELOC_ENONE);
	make(&f);
	eh(&f)->e_shoff = 0;
	EXPECT(&f, SLIDE, RELOC_ENONE);
	make(&f);                      /* only debug relocations: none that matter */
	add(&f, S_DEBUG, 0, R_X86_64_64, SYM_TEXT, 0);
	sh(&f, S_RTEXT)->sh_type = sh(&f, S_RDATA)->sh_type = 0;
	EXPECT(&f, SLIDE, RELOC_ENONE);
	make(&f);
	add(&f, S_DATA, 0, R_X86_64_64, SYM_VAR, 0);
	EXPECT(&f, SLIDE, RELOC_OK);
	eh(&f)->e_shentsize = 40;
	EXPECT(&f, SLIDE, RELOC_ESHDR);
	eh(&f)->e_shentsize = sizeof(Elf64_Shdr);
	eh(&f)->e_shnum = NSEC + 1;                          /* one header past the file */
	EXPECT(&f, SLIDE, RELOC_ESHDR);
	eh(&f)->e_shnum = NSEC;
	eh(&f)->e_shoff = OFF_SHDR + 4;
	EXPECT(&f, SLIDE, RELOC_ESHDR);
	eh(&f)->e_shoff = OFF_SHDR;
	sh(&f, S_RDATA)->sh_size = 0x1000 * sizeof(Elf64_Rela);   /* past the file */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_size = sizeof(Elf64_Rela) + 1;
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_size = sizeof(Elf64_Rela);
	sh(&f, S_RDATA)->sh_entsize = 16;
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_entsize = sizeof(Elf64_Rela);
	sh(&f, S_RDATA)->sh_link = S_TEXT;                   /* not a symbol table */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_link = NSEC;
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_link = S_SYMTAB;
	sh(&f, S_SYMTAB)->sh_offset = FILE_SZ - 8;           /* symbols past the file */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_SYMTAB)->sh_offset = OFF_SYMTAB;
	sh(&f, S_RDATA)->sh_info = NSEC;                     /* target past the table */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_info = 0;
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDATA)->sh_info = S_DATA;
	sh(&f, S_DATA)->sh_type = SHT_NOBITS;                /* relocations in bss */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_DATA)->sh_type = SHT_PROGBITS;
	sh(&f, S_RDEBUG)->sh_type = SHT_REL;                 /* no addends: not x86-64 */
	EXPECT(&f, SLIDE, RELOC_ESECTION);
	sh(&f, S_RDEBUG)->sh_type = SHT_RELA;
	EXPECT(&f, SLIDE, RELOC_OK);
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(n > 0);
	b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return b;
}

/* The real kernel, relocated by the distance to kernel-moved.elf, is that
 * kernel byte for byte; and it can go to its first and last places. */
static void test_real_kernel(void **state)
{
	const char *path = getenv("COSMOS_KERNEL_ELF");
	char moved_path[4096];
	uint8_t *file, *moved, *img, *want;
	size_t size, msize;
	struct elf_info ei, mei;
	struct reloc_result r;
	uint64_t span, last, slide;
	int err;

	(void)state;
	if (!path)
		fail_msg("COSMOS_KERNEL_ELF is not set (test/run.py sets it to the built kernel.elf)");
	snprintf(moved_path, sizeof(moved_path), "%.*s/kernel-moved.elf",
		 (int)(strrchr(path, '/') ? strrchr(path, '/') - path : 1),
		 strrchr(path, '/') ? path : ".");
	file = read_file(path, &size);
	moved = read_file(moved_path, &msize);
	assert_int_equal(elf_check(file, size, &limits, &ei), ELF_OK);
	assert_int_equal(elf_check(moved, msize, &limits, &mei), ELF_OK);
	span = ei.vaddr_hi - ei.vaddr_lo;
	slide = mei.vaddr_lo - ei.vaddr_lo;
	assert_true(slide != 0 && slide % MB2 == 0 && mei.vaddr_lo > ei.vaddr_lo);
	assert_true(mei.vaddr_hi - mei.vaddr_lo == span);

	img = load(file, &ei);
	err = reloc_apply(file, size, &ei, img, slide, &r);
	if (err)
		fail_msg("%s: %s at relocation %llu (type %u, place %#llx) of section %u", path,
			 reloc_strerror(err), (unsigned long long)r.bad_index, r.bad_type,
			 (unsigned long long)r.bad_place, r.bad_section);
	assert_true(r.sections >= 3 && r.count > 1000 && r.changed > 1000);
	want = load(moved, &mei);
	for (uint64_t i = 0; i < span; i++)
		if (img[i] != want[i])
			fail_msg("relocated byte at %#llx is %#x; linked there it is %#x",
				 (unsigned long long)(ei.vaddr_lo + i), img[i], want[i]);
	free(img);
	free(want);

	/* the first and the last place */
	last = reloc_pick(ei.vaddr_lo, ei.vaddr_hi, reloc_slots(ei.vaddr_lo, ei.vaddr_hi) - 1);
	assert_true(reloc_slots(ei.vaddr_lo, ei.vaddr_hi) >= 1000);
	for (int k = 0; k < 2; k++) {
		img = load(file, &ei);
		assert_int_equal(reloc_apply(file, size, &ei, img, k ? last : 0, &r), RELOC_OK);
		assert_true(k ? r.changed > 1000 : r.changed == 0);
		free(img);
	}
	free(file);
	free(moved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_each_kind),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_bad_symbols),
		cmocka_unit_test(test_bad_places),
		cmocka_unit_test(test_value_mismatch),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_slide),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_real_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
