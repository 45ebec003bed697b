/* KASLR for the loader: the kernel's places, and its relocations applied for
 * a load slide bytes above its link address. Every header, index, offset
 * and value from the file is checked before use; each place must already
 * hold the value its symbol and addend give, so a relocation the link did
 * not really make (or one that overlaps another) is refused. */
#include "reloc.h"
#include <lib/string.h>

static const char *const messages[RELOC_ERR_COUNT] = {
	[RELOC_OK]       = "ok",
	[RELOC_ENONE]    = "no relocations (not linked with --emit-relocs)",
	[RELOC_ESHDR]    = "malformed section header table",
	[RELOC_ESECTION] = "malformed relocation or symbol table",
	[RELOC_ETYPE]    = "unknown relocation type",
	[RELOC_ESYM]     = "relocation names a bad symbol",
	[RELOC_EABS]     = "absolute symbol inside the image",
	[RELOC_EPLACE]   = "relocation outside its section or the loaded bytes",
	[RELOC_EVALUE]   = "linked value does not match the relocation",
	[RELOC_ERANGE]   = "moved value does not fit its field",
	[RELOC_ESLIDE]   = "bad slide",
};

const char *reloc_strerror(int err)
{
	if (err < 0 || err >= RELOC_ERR_COUNT)
		return "unknown relocation error";
	return messages[err];
}

uint64_t reloc_slots(uint64_t lo, uint64_t hi)
{
	if (lo > hi || hi > RELOC_TOP)
		return 0;
	return (RELOC_TOP - hi) / RELOC_ALIGN + 1;
}

uint64_t reloc_pick(uint64_t lo, uint64_t hi, uint64_t random)
{
	uint64_t n = reloc_slots(lo, hi);

	return n ? random % n * RELOC_ALIGN : 0;
}

/* Is [off, off + len) inside [0, size)? */
static int inside(uint64_t off, uint64_t len, uint64_t size)
{
	return len <= size && off <= size - len;
}

/* A table of n entries of entsize bytes at sh_offset, inside the file and
 * 8-byte aligned (so its entries can be read in place). */
static int table_ok(const Elf64_Shdr *sh, uint64_t entsize, size_t size)
{
	return sh->sh_entsize == entsize && sh->sh_size % entsize == 0 &&
	       sh->sh_offset % 8 == 0 && inside(sh->sh_offset, sh->sh_size, size);
}

struct ctx {
	const uint8_t *file;
	size_t size;
	const struct elf_info *ei;
	const Elf64_Shdr *sh;      /* the section header table */
	unsigned shnum;
	uint8_t *image;
	uint64_t slide;
};

/* Is [place, place + width) in the file-backed bytes of one PT_LOAD (the
 * bytes the loader copied; relocations never apply to bss)? */
static int place_loaded(const struct ctx *c, uint64_t place, unsigned width)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c->file;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(c->file, i);

		if (ph->p_type == PT_LOAD && place >= ph->p_vaddr &&
		    inside(place - ph->p_vaddr, width, ph->p_filesz))
			return 1;
	}
	return 0;
}

static int fits_s32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v == v; }
static int fits_u32(uint64_t v) { return v <= UINT32_MAX; }

/* One relocation of the section tgt; its symbol table is syms[0..nsyms). */
static int apply_one(struct ctx *c, const Elf64_Rela *r, const Elf64_Shdr *tgt,
		     const Elf64_Sym *syms, uint64_t nsyms, struct reloc_result *res)
{
	uint32_t type = ELF64_R_TYPE(r->r_info), symi = ELF64_R_SYM(r->r_info);
	uint64_t place = r->r_offset, sv, v, linked, moved, stored = 0;
	const Elf64_Sym *s;
	unsigned width;
	int rel;

	switch (type) {
	case R_X86_64_NONE:
		return RELOC_OK;
	case R_X86_64_64: case R_X86_64_PC64:
		width = 8;
		break;
	case R_X86_64_32: case R_X86_64_32S: case R_X86_64_PC32: case R_X86_64_PLT32:
		width = 4;
		break;
	default:
		return RELOC_ETYPE;
	}
	if (symi >= nsyms)
		return RELOC_ESYM;
	s = &syms[symi];
	sv = s->st_value;
	if (s->st_shndx == SHN_ABS || s->st_shndx == SHN_UNDEF) {
		/* an undefined symbol is a weak one the link left at 0 */
		if (s->st_shndx == SHN_UNDEF && sv != 0)
			return RELOC_ESYM;
		/* a value inside the image may be meant to move: refuse to guess */
		if (sv >= c->ei->vaddr_lo && sv <= c->ei->vaddr_hi)
			return RELOC_EABS;
		rel = 0;
	} else if (s->st_shndx < c->shnum && (c->sh[s->st_shndx].sh_flags & SHF_ALLOC) &&
		   sv >= c->ei->vaddr_lo && sv <= c->ei->vaddr_hi) {
		rel = 1;       /* moves with the image */
	} else {
		return RELOC_ESYM;
	}
	if (place < tgt->sh_addr || !inside(place - tgt->sh_addr, width, tgt->sh_size) ||
	    !place_loaded(c, place, width))
		return RELOC_EPLACE;
	memcpy(&stored, c->image + (place - c->ei->vaddr_lo), width);

	v = sv + (uint64_t)r->r_addend;   /* S + A, modulo 2^64 like the linker */
	switch (type) {
	case R_X86_64_64:
		linked = v;
		moved = rel ? v + c->slide : v;
		break;
	case R_X86_64_PC64:
		linked = v - place;
		moved = rel ? linked : v - (place + c->slide);
		break;
	case R_X86_64_32S:
		linked = v;
		moved = rel ? v + c->slide : v;
		if (!fits_s32(linked))
			return RELOC_EVALUE;
		if (!fits_s32(moved))
			return RELOC_ERANGE;
		break;
	case R_X86_64_32:
		linked = v;
		moved = rel ? v + c->slide : v;
		if (!fits_u32(linked))
			return RELOC_EVALUE;
		if (!fits_u32(moved))
			return RELOC_ERANGE;
		break;
	default: /* PC32, PLT32: the same place-relative 32-bit field */
		linked = v - place;
		moved = rel ? linked : v - (place + c->slide);
		if (!fits_s32(linked))
			return RELOC_EVALUE;
		if (!fits_s32(moved))
			return RELOC_ERANGE;
		break;
	}
	if (width == 4) {
		linked &= UINT32_MAX;
		moved &= UINT32_MAX;
	}
	if (stored != linked)
		return RELOC_EVALUE;
	if (moved != linked) {
		memcpy(c->image + (place - c->ei->vaddr_lo), &moved, width);   /* little-endian */
		res->changed++;
	}
	return RELOC_OK;
}

/* The relocation section sh (index idx); skipped unless it applies to a
 * loaded section. */
static int apply_section(struct ctx *c, unsigned idx, struct reloc_result *res)
{
	const Elf64_Shdr *sh = &c->sh[idx], *tgt, *symtab;
	const Elf64_Rela *rela;
	const Elf64_Sym *syms;
	uint64_t n, nsyms;

	if (sh->sh_info == 0 || sh->sh_info >= c->shnum)
		return RELOC_ESECTION;
	tgt = &c->sh[sh->sh_info];
	if (!(tgt->sh_flags & SHF_ALLOC))
		return RELOC_OK;   /* debug information: not loaded */
	if (tgt->sh_type != SHT_PROGBITS || tgt->sh_addr + tgt->sh_size < tgt->sh_addr ||
	    sh->sh_link == 0 || sh->sh_link >= c->shnum)
		return RELOC_ESECTION;
	symtab = &c->sh[sh->sh_link];
	if (symtab->sh_type != SHT_SYMTAB || !table_ok(symtab, sizeof(Elf64_Sym), c->size) ||
	    !table_ok(sh, sizeof(Elf64_Rela), c->size))
		return RELOC_ESECTION;
	rela = (const Elf64_Rela *)(c->file + sh->sh_offset);
	syms = (const Elf64_Sym *)(c->file + symtab->sh_offset);
	n = sh->sh_size / sizeof(Elf64_Rela);
	nsyms = symtab->sh_size / sizeof(Elf64_Sym);
	res->sections++;
	for (uint64_t i = 0; i < n; i++) {
		int err = apply_one(c, &rela[i], tgt, syms, nsyms, res);

		res->count++;
		if (err) {
			res->bad_index = i;
			res->bad_type = ELF64_R_TYPE(rela[i].r_info);
			res->bad_place = rela[i].r_offset;
			return err;
		}
	}
	return RELOC_OK;
}

int reloc_apply(const void *file, size_t size, const struct elf_info *ei, uint8_t *image,
		uint64_t slide, struct reloc_result *res)
{
	const Elf64_Ehdr *eh = file;
	struct ctx c = { file, size, ei, 0, 0, image, slide };

	memset(res, 0, sizeof(*res));
	/* the image moves up, and not past the end of the address space */
	if (slide % ELF_PAGE_SIZE || ei->vaddr_hi + slide < ei->vaddr_hi)
		return RELOC_ESLIDE;
	if (eh->e_shoff == 0 || eh->e_shnum == 0)
		return RELOC_ENONE;
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum >= SHN_LORESERVE ||
	    eh->e_shoff % 8 || !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
		return RELOC_ESHDR;
	c.sh = (const Elf64_Shdr *)((const uint8_t *)file + eh->e_shoff);
	c.shnum = eh->e_shnum;
	for (unsigned i = 1; i < c.shnum; i++) {
		int err = 0;

		if (c.sh[i].sh_type == SHT_REL)
			err = RELOC_ESECTION;   /* x86-64 relocations carry addends */
		else if (c.sh[i].sh_type == SHT_RELA)
			err = apply_section(&c, i, res);
		if (err) {
			res->bad_section = i;
			return err;
		}
	}
	return res->sections ? RELOC_OK : RELOC_ENONE;
}
