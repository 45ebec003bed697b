/* Complete validation of an ELF64 executable before anything is loaded from
 * it: shared by the UEFI loader (the kernel), the kernel's exec (user
 * programs) and the host tests. Nothing in the file is trusted until
 * elf_check says so. */
#ifndef LIB_ELF_CHECK_H
#define LIB_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <lib/elf.h>

#define ELF_MAX_PHNUM   64            /* more program headers is absurd for us */
#define ELF_PAGE_SIZE   4096ULL

/* Where the caller allows the image to live. */
struct elf_limits {
	uint64_t vaddr_min;               /* lowest allowed virtual address */
	uint64_t vaddr_max;               /* one past the highest */
	uint64_t max_memsz;               /* bound on the whole image's span */
	int allow_dyn;                    /* also ET_DYN (a static PIE: addresses
					     relative to a load base) */
};

struct elf_info {
	uint64_t entry;
	uint64_t vaddr_lo;                /* page-rounded span of all PT_LOADs */
	uint64_t vaddr_hi;
	unsigned nload;                   /* number of PT_LOAD segments */
	uint16_t type;                    /* ET_EXEC or ET_DYN */
	int exec_stack;                   /* PT_GNU_STACK asks for an executable stack
					     (no PT_GNU_STACK: not either) */
	uint64_t phdr_vaddr;              /* where the program headers are in memory
					     (PT_PHDR, or the PT_LOAD holding them); 0: nowhere */
};

/* Error codes, each with a message from elf_strerror(). */
enum elf_err {
	ELF_OK = 0,
	ELF_ETRUNC,        /* file smaller than its headers say */
	ELF_EMAGIC,        /* not an ELF file */
	ELF_ECLASS,        /* not 64-bit little-endian version 1 */
	ELF_ETYPE,         /* not an executable */
	ELF_EMACHINE,      /* not x86-64 */
	ELF_EPHDR,         /* program header table malformed or absurd */
	ELF_ESEGFILE,      /* a segment's bytes lie outside the file */
	ELF_ESEGSIZE,      /* filesz > memsz, or a size that wraps */
	ELF_ESEGALIGN,     /* vaddr and offset not congruent modulo the page size */
	ELF_ESEGRANGE,     /* a segment outside the allowed address range */
	ELF_EOVERLAP,      /* two segments share a page */
	ELF_EWX,           /* a segment both writable and executable */
	ELF_ENOLOAD,       /* no loadable segment */
	ELF_EENTRY,        /* entry point not inside an executable segment */
	ELF_ETOOBIG,       /* the image spans more than the limit */
	ELF_EINTERP,       /* dynamically linked: names an interpreter */
	ELF_ERR_COUNT
};

int elf_check(const void *file, size_t size, const struct elf_limits *lim,
	      struct elf_info *info);
/* The same from the first head_len bytes of a file of file_size bytes
 * (exec reads only the headers): the program header table must lie in
 * the head, the segments in the file. */
int elf_check_head(const void *head, size_t head_len, uint64_t file_size,
		   const struct elf_limits *lim, struct elf_info *info);
const char *elf_strerror(int err);

/* The i-th program header of a file (or head) that passed elf_check. */
const Elf64_Phdr *elf_phdr(const void *file, unsigned i);

#endif
