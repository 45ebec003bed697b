/* Moving the kernel (KASLR): where it may be placed, and applying the
 * relocations its link kept (--emit-relocs) to an image loaded at another
 * address than the one it was linked at. Plain C on a buffer and a length,
 * so the host tests and a fuzz target run it on crafted files. */
#ifndef BOOT_RELOC_H
#define BOOT_RELOC_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/boot_info.h>
#include <lib/elf_check.h>

/* The kernel's places (include/cosmos/boot_info.h says why these). */
#define RELOC_ALIGN BOOT_KASLR_ALIGN
#define RELOC_TOP   BOOT_KASLR_TOP

/* How many places an image spanning [lo, hi) of link addresses can go:
 * lo + k * RELOC_ALIGN for k in [0, slots). 0 if it does not fit at all. */
uint64_t reloc_slots(uint64_t lo, uint64_t hi);
/* The slide (a multiple of RELOC_ALIGN) for a random number: place
 * random % slots. 0 when there is no choice. */
uint64_t reloc_pick(uint64_t lo, uint64_t hi, uint64_t random);

enum reloc_err {
	RELOC_OK = 0,
	RELOC_ENONE,       /* no relocations for the loaded sections */
	RELOC_ESHDR,       /* section header table malformed */
	RELOC_ESECTION,    /* a relocation or symbol table malformed */
	RELOC_ETYPE,       /* a relocation type this code does not know */
	RELOC_ESYM,        /* symbol index out of range, or a symbol in no loaded section */
	RELOC_EABS,        /* an absolute symbol whose value lies inside the image */
	RELOC_EPLACE,      /* a place outside its section or the loaded bytes */
	RELOC_EVALUE,      /* the linked value is not what symbol and addend give */
	RELOC_ERANGE,      /* the moved value does not fit its field */
	RELOC_ESLIDE,      /* the slide is not a page multiple, or the image would
			      move past the end of the address space */
	RELOC_ERR_COUNT
};

/* What was done, and where the first error was found. */
struct reloc_result {
	unsigned sections;        /* relocation sections for loaded sections */
	uint64_t count;           /* relocations checked */
	uint64_t changed;         /* places rewritten */
	unsigned bad_section;     /* on error: section header index */
	uint64_t bad_index;       /* relocation index within it */
	uint32_t bad_type;
	uint64_t bad_place;       /* its r_offset */
};

/* file[0..size) passed elf_check, which filled *ei; image holds its PT_LOAD
 * segments as the loader copies them: image[0] is link address
 * ei->vaddr_lo, ei->vaddr_hi - ei->vaddr_lo bytes. Checks every relocation
 * of every loaded section (type, symbol, place, the linked value) and
 * rewrites each place as it must read once the image runs slide bytes
 * higher. Relocations of sections that are not loaded (debug information)
 * are skipped. Returns RELOC_OK, or the first error (the image is then
 * partly rewritten and must not run). */
int reloc_apply(const void *file, size_t size, const struct elf_info *ei, uint8_t *image,
		uint64_t slide, struct reloc_result *res);
const char *reloc_strerror(int err);

#endif
