/* ELF64 validation. Every offset, size and count is checked against the file
 * size and the caller's limits, with overflow-safe arithmetic, before use. */
#include <lib/elf_check.h>

static const char *const messages[ELF_ERR_COUNT] = {
	[ELF_OK]        = "ok",
	[ELF_ETRUNC]    = "file is truncated",
	[ELF_EMAGIC]    = "bad ELF magic",
	[ELF_ECLASS]    = "not a 64-bit little-endian ELF version 1 file",
	[ELF_ETYPE]     = "not an executable (ET_EXEC, or ET_DYN where allowed)",
	[ELF_EMACHINE]  = "not an x86-64 file",
	[ELF_EPHDR]     = "malformed program header table",
	[ELF_ESEGFILE]  = "segment data lies outside the file",
	[ELF_ESEGSIZE]  = "segment sizes are inconsistent",
	[ELF_ESEGALIGN] = "segment is not page-congruent",
	[ELF_ESEGRANGE] = "segment outside the allowed address range",
	[ELF_EOVERLAP]  = "segments overlap",
	[ELF_EWX]       = "segment is both writable and executable",
	[ELF_ENOLOAD]   = "no loadable segment",
	[ELF_EENTRY]    = "entry point is not in an executable segment",
	[ELF_ETOOBIG]   = "image is too large",
	[ELF_EINTERP]   = "dynamically linked (PT_INTERP)",
};

const char *elf_strerror(int err)
{
	if (err < 0 || err >= ELF_ERR_COUNT)
		return "unknown ELF error";
	return messages[err];
}

/* a + b without wrapping; returns nonzero on overflow. */
static int add_overflows(uint64_t a, uint64_t b, uint64_t *sum)
{
	*sum = a + b;
	return *sum < a;
}

const Elf64_Phdr *elf_phdr(const void *file, unsigned i)
{
	const Elf64_Ehdr *eh = file;

	return (const Elf64_Phdr *)((const char *)file + eh->e_phoff +
				    (uint64_t)i * sizeof(Elf64_Phdr));
}

static int check_header(const Elf64_Ehdr *eh, size_t size, const struct elf_limits *lim)
{
	uint64_t table_end;

	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
		return ELF_EMAGIC;
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return ELF_ECLASS;
	if (eh->e_type != ET_EXEC && !(eh->e_type == ET_DYN && lim->allow_dyn))
		return ELF_ETYPE;
	if (eh->e_machine != EM_X86_64)
		return ELF_EMACHINE;
	if (eh->e_ehsize != sizeof(Elf64_Ehdr) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM ||
	    eh->e_phoff % 8 != 0 || eh->e_phoff < sizeof(Elf64_Ehdr))
		return ELF_EPHDR;
	if (add_overflows(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
			  &table_end) || table_end > size)
		return ELF_ETRUNC;
	return ELF_OK;
}

static int check_segment(const Elf64_Phdr *ph, uint64_t size,
			 const struct elf_limits *lim)
{
	uint64_t file_end, mem_end;

	if (ph->p_filesz > ph->p_memsz || ph->p_memsz == 0)
		return ELF_ESEGSIZE;
	if (add_overflows(ph->p_offset, ph->p_filesz, &file_end))
		return ELF_ESEGSIZE;
	if (file_end > size)
		return ELF_ESEGFILE;
	if (add_overflows(ph->p_vaddr, ph->p_memsz, &mem_end))
		return ELF_ESEGSIZE;
	if (ph->p_vaddr % ELF_PAGE_SIZE != ph->p_offset % ELF_PAGE_SIZE)
		return ELF_ESEGALIGN;
	if (ph->p_vaddr < lim->vaddr_min || mem_end > lim->vaddr_max)
		return ELF_ESEGRANGE;
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return ELF_EWX;
	return ELF_OK;
}

/* Segments are mapped page by page with their own rights, so two segments
 * may not even share a page. */
static int pages_overlap(const Elf64_Phdr *a, const Elf64_Phdr *b)
{
	uint64_t a_lo = a->p_vaddr & ~(ELF_PAGE_SIZE - 1);
	uint64_t b_lo = b->p_vaddr & ~(ELF_PAGE_SIZE - 1);
	uint64_t a_hi = a->p_vaddr + a->p_memsz; /* checked not to wrap */
	uint64_t b_hi = b->p_vaddr + b->p_memsz;

	return a_lo < b_hi && b_lo < a_hi;
}

/* Where the program header table [off, off + len) is in memory: inside a
 * PT_LOAD's file bytes, or nowhere (0). */
static uint64_t phdr_address(const void *head, unsigned phnum, uint64_t off, uint64_t len)
{
	for (unsigned i = 0; i < phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(head, i);

		/* sizes checked not to wrap by check_segment */
		if (ph->p_type == PT_LOAD && off >= ph->p_offset &&
		    off + len <= ph->p_offset + ph->p_filesz)
			return ph->p_vaddr + (off - ph->p_offset);
	}
	return 0;
}

int elf_check_head(const void *head, size_t head_len, uint64_t file_size,
		   const struct elf_limits *lim, struct elf_info *info)
{
	const Elf64_Ehdr *eh = head;
	uint64_t lo = UINT64_MAX, hi = 0, phdr_vaddr = 0;
	unsigned nload = 0;
	int entry_ok = 0, exec_stack = 0, err;

	if (!head || head_len < sizeof(Elf64_Ehdr) || head_len > file_size)
		return ELF_ETRUNC;
	err = check_header(eh, head_len, lim);
	if (err)
		return err;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(head, i);

		if (ph->p_type == PT_INTERP)
			return ELF_EINTERP;
		if (ph->p_type == PT_GNU_STACK)
			exec_stack = (ph->p_flags & PF_X) != 0;
		if (ph->p_type == PT_PHDR)
			phdr_vaddr = ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		err = check_segment(ph, file_size, lim);
		if (err)
			return err;
		for (unsigned j = 0; j < i; j++) {
			const Elf64_Phdr *other = elf_phdr(head, j);
			if (other->p_type == PT_LOAD && pages_overlap(ph, other))
				return ELF_EOVERLAP;
		}
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_vaddr &&
		    eh->e_entry < ph->p_vaddr + ph->p_memsz)
			entry_ok = 1;
		nload++;
	}
	if (nload == 0)
		return ELF_ENOLOAD;
	if (!entry_ok)
		return ELF_EENTRY;
	lo &= ~(ELF_PAGE_SIZE - 1);
	hi = (hi + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
	if (hi - lo > lim->max_memsz)
		return ELF_ETOOBIG;
	if (info) {
		info->entry = eh->e_entry;
		info->vaddr_lo = lo;
		info->vaddr_hi = hi;
		info->nload = nload;
		info->type = eh->e_type;
		info->exec_stack = exec_stack;
		info->phdr_vaddr = phdr_vaddr ? phdr_vaddr
			: phdr_address(head, eh->e_phnum, eh->e_phoff,
				       (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
	}
	return ELF_OK;
}

int elf_check(const void *file, size_t size, const struct elf_limits *lim,
	      struct elf_info *info)
{
	return elf_check_head(file, size, size, lim, info);
}
