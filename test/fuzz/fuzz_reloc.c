/* Fuzz target for boot/reloc.c (KASLR relocations). Input: a flags byte,
 * 8 bytes choosing the slide (one of the loader's places, or with flag
 * bit 1 any value), then either (flag bit 0) a whole ELF file, or the
 * parts of one the harness assembles (with bit 2, starting with the sizes
 * the text and data section headers claim): a kernel-like file with a text and
 * a data segment (data with bss), a symbol table, relocations for text,
 * data and an unloaded debug section, and the section headers. Like the
 * checksum fixing of the other harnesses, it makes each part plausible
 * unless the part asks to stay raw: symbols land in a known section,
 * relocations get a known type, a place inside their section and a symbol
 * from the table, and the place holds the value the linker would have
 * written, so mutations get past those checks to the ones behind them.
 * Whatever reloc_apply accepts, the harness checks against its own model:
 * every relocation's place lies in its section and in bytes the file gave,
 * held the value the link gives it and holds the one it must after the
 * move; every other byte of the
 * image is unchanged, and with slide 0 nothing changed at all. */
#include "fuzz.h"

#include <boot/kernel_limits.h>
#include <boot/reloc.h>

#define FLAG_RAW_FILE  1
#define FLAG_RAW_SLIDE 2
#define FLAG_RAW_SIZES 4   /* the sections' sizes come from the input */

#define BASE BOOT_KERNEL_BASE
enum { S_NULL, S_TEXT, S_DATA, S_SYMTAB, S_RTEXT, S_RDATA, S_DEBUG, S_RDEBUG, NSEC };
#define SEC_SIZE   0x100
#define MAX_SYMS   8
#define MAX_RELA   24
#define OFF_TEXT   0x1000
#define OFF_DATA   0x2000
#define OFF_DEBUG  0x2100
#define OFF_SYMTAB 0x2200
#define OFF_RELA   0x2400           /* three tables of MAX_RELA entries */
#define OFF_SHDR   (OFF_RELA + 3 * MAX_RELA * 24)
#define FILE_SZ    (OFF_SHDR + NSEC * 64)

static const struct elf_limits limits = LOADER_KERNEL_LIMITS;
static const uint32_t known_types[] = { R_X86_64_NONE, R_X86_64_64, R_X86_64_PC32,
					R_X86_64_PLT32, R_X86_64_32, R_X86_64_32S,
					R_X86_64_PC64 };

static unsigned width_of(uint32_t type)
{
	return type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
}

static int pc_relative(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64;
}

static uint64_t sec_addr(int s) { return s == S_TEXT ? BASE + 0x1000 : s == S_DATA ? BASE + 0x2000 : 0; }
static uint64_t sec_off(int s) { return s == S_TEXT ? OFF_TEXT : s == S_DATA ? OFF_DATA : OFF_DEBUG; }

/* Where the bytes at address p (width w) sit in the assembled file: in
 * text, in data's file part, or nowhere (0). */
static uint64_t file_offset(uint64_t p, unsigned w)
{
	for (int s = S_TEXT; s <= S_DATA; s++)
		if (p >= sec_addr(s) && p - sec_addr(s) <= SEC_SIZE - w)
			return sec_off(s) + (p - sec_addr(s));
	return 0;
}

static void shdr(uint8_t *f, int i, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
		 uint64_t size, uint32_t link, uint32_t info, uint64_t entsize)
{
	Elf64_Shdr h = { .sh_type = type, .sh_flags = flags, .sh_addr = addr, .sh_offset = off,
			 .sh_size = size, .sh_link = link, .sh_info = info, .sh_addralign = 8,
			 .sh_entsize = entsize };

	memcpy(f + OFF_SHDR + i * sizeof(h), &h, sizeof(h));
}

/* The file the parts describe; returns its length (always FILE_SZ). */
static size_t assemble(struct fuzz_in *in, uint8_t *f, uint8_t flags)
{
	Elf64_Ehdr e = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			 .e_entry = BASE + 0x1000, .e_phoff = 64, .e_shoff = OFF_SHDR,
			 .e_ehsize = 64, .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
			 .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = NSEC };
	Elf64_Phdr ph[2] = {
		{ PT_LOAD, PF_R | PF_X, OFF_TEXT, BASE + 0x1000, BASE + 0x1000, SEC_SIZE, SEC_SIZE, 0x1000 },
		{ PT_LOAD, PF_R | PF_W, OFF_DATA, BASE + 0x2000, BASE + 0x2000, SEC_SIZE, 0x1000, 0x1000 },
	};
	uint64_t text_size = SEC_SIZE, data_size = SEC_SIZE;
	unsigned nsyms = 1 + fuzz_u8(in) % MAX_SYMS;
	Elf64_Sym *syms = (Elf64_Sym *)(f + OFF_SYMTAB);
	size_t got;

	if (flags & FLAG_RAW_SIZES) {
		text_size = fuzz_u16(in);
		data_size = fuzz_u16(in);
	}
	memset(f, 0, FILE_SZ);
	memcpy(e.e_ident, "\x7f" "ELF", 4);
	e.e_ident[4] = ELFCLASS64;
	e.e_ident[5] = ELFDATA2LSB;
	e.e_ident[6] = EV_CURRENT;
	memcpy(f, &e, sizeof(e));
	memcpy(f + 64, ph, sizeof(ph));
	memcpy(f + OFF_TEXT, fuzz_bytes(in, SEC_SIZE, &got), got);
	memcpy(f + OFF_DATA, fuzz_bytes(in, SEC_SIZE, &got), got);
	/* symbols: st_other bit 7 keeps one raw */
	for (unsigned i = 1; i < nsyms; i++) {
		static const uint16_t where[] = { SHN_UNDEF, S_TEXT, S_DATA, SHN_ABS, S_DEBUG };
		Elf64_Sym s;

		memcpy(&s, fuzz_bytes(in, sizeof(s), &got), got);
		memset((uint8_t *)&s + got, 0, sizeof(s) - got);
		if (!(s.st_other & 0x80)) {
			s.st_shndx = where[s.st_shndx % 5];
			if (s.st_shndx == SHN_UNDEF)
				s.st_value = 0;
			else if (s.st_shndx == S_TEXT || s.st_shndx == S_DATA)
				s.st_value = sec_addr(s.st_shndx) + s.st_value % (SEC_SIZE + 1);
			else if (s.st_shndx == SHN_ABS && s.st_value >= BASE - 0x10000000)
				s.st_value = BASE - 0x1000 - s.st_value % 0x10000000;  /* reachable below */
		}
		syms[i] = s;
	}
	/* relocations of text, data and debug: bits of the input's type field
	 * keep parts raw (8: the symbol index, 11: the type, 12: the place),
	 * put the place anywhere in the image rather than in its section (9),
	 * or (10) leave the place holding whatever the input put there */
	for (int k = 0; k < 3; k++) {
		int tgt = k == 0 ? S_TEXT : k == 1 ? S_DATA : S_DEBUG;
		unsigned n = fuzz_u8(in) % (MAX_RELA + 1);
		Elf64_Rela *rs = (Elf64_Rela *)(f + OFF_RELA + k * MAX_RELA * 24);

		for (unsigned i = 0; i < n; i++) {
			Elf64_Rela r;
			uint32_t type, symi, raw;
			uint64_t v, at;

			memcpy(&r, fuzz_bytes(in, sizeof(r), &got), got);
			memset((uint8_t *)&r + got, 0, sizeof(r) - got);
			raw = ELF64_R_TYPE(r.r_info);
			type = raw & 0x800 ? raw : known_types[raw % 7];
			symi = raw & 0x100 ? ELF64_R_SYM(r.r_info) : ELF64_R_SYM(r.r_info) % nsyms;
			if (raw & 0x200)
				r.r_offset = BASE + 0x1000 + r.r_offset % 0x2000;
			else if (!(raw & 0x1000))
				r.r_offset = sec_addr(tgt) + r.r_offset % (SEC_SIZE - width_of(type) + 1);
			r.r_info = (uint64_t)symi << 32 | type;
			at = file_offset(r.r_offset, width_of(type));
			if (!(raw & 0x400) && at && type != R_X86_64_NONE && symi < nsyms) {
				v = syms[symi].st_value + (uint64_t)r.r_addend;
				if (pc_relative(type))
					v -= r.r_offset;
				memcpy(f + at, &v, width_of(type));
			}
			rs[i] = r;
		}
		shdr(f, S_RTEXT + (k == 1) + 3 * (k == 2), SHT_RELA, 0, 0,
		     OFF_RELA + k * MAX_RELA * 24, n * sizeof(Elf64_Rela), S_SYMTAB, tgt,
		     sizeof(Elf64_Rela));
	}
	shdr(f, S_TEXT, SHT_PROGBITS, SHF_ALLOC, BASE + 0x1000, OFF_TEXT, text_size, 0, 0, 0);
	shdr(f, S_DATA, SHT_PROGBITS, SHF_ALLOC, BASE + 0x2000, OFF_DATA, data_size, 0, 0, 0);
	shdr(f, S_DEBUG, SHT_PROGBITS, 0, 0, OFF_DEBUG, SEC_SIZE, 0, 0, 0);
	shdr(f, S_SYMTAB, SHT_SYMTAB, 0, 0, OFF_SYMTAB, nsyms * sizeof(Elf64_Sym), 0, 0,
	     sizeof(Elf64_Sym));
	return FILE_SZ;
}

static uint8_t *load(const uint8_t *file, const struct elf_info *ei)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	uint8_t *img = calloc(1, ei->vaddr_hi - ei->vaddr_lo);

	if (!img)
		abort();
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = elf_phdr(file, i);

		if (p->p_type == PT_LOAD)
			memcpy(img + (p->p_vaddr - ei->vaddr_lo), file + p->p_offset, p->p_filesz);
	}
	return img;
}

static int in_file_bytes(const uint8_t *file, uint64_t p, unsigned w)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(file, i);

		if (ph->p_type == PT_LOAD && p >= ph->p_vaddr && p - ph->p_vaddr <= ph->p_filesz &&
		    w <= ph->p_filesz - (p - ph->p_vaddr))
			return 1;
	}
	return 0;
}

/* The model: after an accepted move, each relocated place holds the moved
 * value and nothing else changed. Reads the tables reloc_apply accepted. */
static void check_moved(const uint8_t *file, const struct elf_info *ei, const uint8_t *before,
			const uint8_t *after, uint64_t slide, const struct reloc_result *res)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(file + eh->e_shoff);
	uint64_t span = ei->vaddr_hi - ei->vaddr_lo, count = 0;
	uint8_t *touched = calloc(1, span);

	if (!touched)
		abort();
	FUZZ_CHECK(res->sections > 0 && res->changed <= res->count, "%u sections, %llu of %llu changed",
		   res->sections, (unsigned long long)res->changed, (unsigned long long)res->count);
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const Elf64_Shdr *tgt;
		const Elf64_Rela *rs;
		const Elf64_Sym *syms;

		/* reloc_apply checked the indices of every relocation table, and
		 * the tables themselves when they apply to a loaded section */
		if (sh[i].sh_type != SHT_RELA || !(sh[sh[i].sh_info].sh_flags & SHF_ALLOC))
			continue;
		tgt = &sh[sh[i].sh_info];
		rs = (const Elf64_Rela *)(file + sh[i].sh_offset);
		syms = (const Elf64_Sym *)(file + sh[sh[i].sh_link].sh_offset);
		for (uint64_t j = 0; j < sh[i].sh_size / sizeof(Elf64_Rela); j++, count++) {
			uint32_t type = ELF64_R_TYPE(rs[j].r_info);
			const Elf64_Sym *s;
			uint64_t p = rs[j].r_offset, off = p - ei->vaddr_lo, v, linked, want, have = 0;
			unsigned w = width_of(type);
			int moves;

			if (type == R_X86_64_NONE)
				continue;   /* its symbol is never looked at */
			s = &syms[ELF64_R_SYM(rs[j].r_info)];
			moves = s->st_shndx != SHN_ABS && s->st_shndx != SHN_UNDEF;
			v = s->st_value + (uint64_t)rs[j].r_addend;
			FUZZ_CHECK(off < span && w <= span - off, "place %#llx outside the image",
				   (unsigned long long)p);
			FUZZ_CHECK(p >= tgt->sh_addr && p - tgt->sh_addr <= tgt->sh_size &&
				   w <= tgt->sh_size - (p - tgt->sh_addr),
				   "place %#llx outside its section", (unsigned long long)p);
			FUZZ_CHECK(in_file_bytes(file, p, w), "place %#llx not in a segment's file bytes",
				   (unsigned long long)p);
			linked = pc_relative(type) ? v - p : v;
			memcpy(&have, before + off, w);
			FUZZ_CHECK(have == (w == 4 ? linked & UINT32_MAX : linked),
				   "type %u at %#llx held %#llx before, not the linked %#llx", type,
				   (unsigned long long)p, (unsigned long long)have, (unsigned long long)linked);
			if (pc_relative(type))
				want = moves ? v - p : v - (p + slide);
			else
				want = moves ? v + slide : v;
			memcpy(&have, after + off, w);
			if (w == 4)
				want &= UINT32_MAX;
			FUZZ_CHECK(have == want, "type %u at %#llx holds %#llx, not %#llx", type,
				   (unsigned long long)p, (unsigned long long)have, (unsigned long long)want);
			memset(touched + off, 1, w);
		}
	}
	FUZZ_CHECK(count == res->count, "%llu relocations, reloc_apply says %llu",
		   (unsigned long long)count, (unsigned long long)res->count);
	for (uint64_t i = 0; i < span; i++)
		FUZZ_CHECK(touched[i] || before[i] == after[i], "byte at %#llx changed",
			   (unsigned long long)(ei->vaddr_lo + i));
	if (slide == 0)
		FUZZ_CHECK(memcmp(before, after, span) == 0 && res->changed == 0, "slide 0 changed bytes");
	free(touched);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = fuzz_u8(&in);
	uint64_t pick = fuzz_u64(&in), slide, len;
	uint8_t *file, *before, *after;
	struct elf_info ei;
	struct reloc_result res;
	int err;

	if (flags & FLAG_RAW_FILE) {
		len = in.left;
		file = fuzz_dup(in.p, len);   /* exactly len bytes: ASan sees a read past */
	} else {
		uint8_t *f = malloc(FILE_SZ);

		if (!f)
			abort();
		len = assemble(&in, f, flags);
		file = f;
	}
	if (elf_check(file, len, &limits, &ei) != ELF_OK) {
		free(file);
		return 0;
	}
	slide = flags & FLAG_RAW_SLIDE ? pick : reloc_pick(ei.vaddr_lo, ei.vaddr_hi, pick);
	before = load(file, &ei);
	after = load(file, &ei);
	err = reloc_apply(file, len, &ei, after, slide, &res);
	FUZZ_CHECK(err >= 0 && err < RELOC_ERR_COUNT, "error %d outside the enum", err);
	FUZZ_CHECK(reloc_strerror(err) != NULL, "no message for %d", err);
	if (err == RELOC_OK)
		check_moved(file, &ei, before, after, slide, &res);
	if (err == RELOC_ENONE)
		FUZZ_CHECK(memcmp(before, after, ei.vaddr_hi - ei.vaddr_lo) == 0, "ENONE changed bytes");
	free(before);
	free(after);
	free(file);
	return 0;
}
