/* Fuzz target for lib/elf_check.c. Input: one byte choosing the limits (the
 * loader's kernel limits, a user-program range, a tiny range, all of the
 * address space; page-aligned, as every caller's are), a 32-bit count of
 * zero bytes (at most 256 KiB) the file ends with, then the file's first
 * bytes: the zeros let a seed keep a real file's headers without its code.
 * When elf_check accepts a file, the harness checks every promise again on
 * its own: headers and segments inside the file, sizes that do not wrap,
 * segments inside the limits, no page shared, no writable-and-executable
 * segment, the entry in an executable segment, the reported span. Then it
 * reads each segment's first and last bytes, as a loader copying it would,
 * so AddressSanitizer sees a segment that leaves the file. elf_check_head
 * over the file's first 4 KiB (exec's view) must agree with elf_check
 * whenever the program headers lie in those 4 KiB. */
#include "fuzz.h"

#include <sanitizer/asan_interface.h>
#include <sys/mman.h>
#include <boot/kernel_limits.h>
#include <lib/elf_check.h>

static const struct elf_limits limits[4] = {
	LOADER_KERNEL_LIMITS,
	{ .vaddr_min = 0x10000, .vaddr_max = 0x800000000000ULL, .max_memsz = 1ULL << 32,
	  .allow_dyn = 1 },
	{ .vaddr_min = 0x1000, .vaddr_max = 0x100000, .max_memsz = 0x10000 },
	{ .vaddr_min = 0, .vaddr_max = 0xfffffffffffff000ULL, .max_memsz = UINT64_MAX },
};

#define PAGE 4096ULL
#define MAX_ZEROS (1u << 18)

/* Page numbers a segment touches: [first, end). */
static uint64_t first_page(const Elf64_Phdr *p) { return p->p_vaddr / PAGE; }
static uint64_t end_page(const Elf64_Phdr *p)
{
	uint64_t end = p->p_vaddr + p->p_memsz;   /* checked not to wrap first */

	return end / PAGE + (end % PAGE != 0);
}

static void recheck(const uint8_t *file, size_t size, const struct elf_limits *lim,
		    const struct elf_info *info)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	unsigned nload = 0;
	int entry_ok = 0;

	FUZZ_CHECK(size >= sizeof(*eh), "accepted a %zu-byte file", size);
	FUZZ_CHECK(eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0 &&
		   eh->e_phnum <= ELF_MAX_PHNUM, "accepted phentsize %u phnum %u",
		   eh->e_phentsize, eh->e_phnum);
	FUZZ_CHECK(eh->e_phoff <= size && (size - eh->e_phoff) / sizeof(Elf64_Phdr) >= eh->e_phnum,
		   "program headers past the end of the file");
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(file, i);

		if (ph->p_type != PT_LOAD)
			continue;
		nload++;
		FUZZ_CHECK(ph->p_filesz <= ph->p_memsz && ph->p_memsz > 0, "segment %u sizes", i);
		FUZZ_CHECK(ph->p_offset <= size && ph->p_filesz <= size - ph->p_offset,
			   "segment %u bytes outside the file", i);
		FUZZ_CHECK(ph->p_vaddr >= lim->vaddr_min && ph->p_vaddr <= lim->vaddr_max &&
			   ph->p_memsz <= lim->vaddr_max - ph->p_vaddr,
			   "segment %u at %#llx+%#llx outside the limits", i,
			   (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz);
		FUZZ_CHECK(ph->p_vaddr % PAGE == ph->p_offset % PAGE, "segment %u not page-congruent", i);
		FUZZ_CHECK(!((ph->p_flags & PF_W) && (ph->p_flags & PF_X)), "segment %u is W+X", i);
		for (unsigned j = 0; j < i; j++) {
			const Elf64_Phdr *o = elf_phdr(file, j);

			if (o->p_type != PT_LOAD)
				continue;
			FUZZ_CHECK(end_page(ph) <= first_page(o) || end_page(o) <= first_page(ph),
				   "segments %u and %u share a page", j, i);
		}
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_vaddr &&
		    eh->e_entry - ph->p_vaddr < ph->p_memsz)
			entry_ok = 1;
		/* what the loader does next: copy the segment out of the file
		 * (its first and last bytes stand for all of it) */
		if (ph->p_filesz)
			sum += file[ph->p_offset] + file[ph->p_offset + ph->p_filesz - 1];
	}
	FUZZ_CHECK(nload > 0 && nload == info->nload, "%u loadable segments, info says %u",
		   nload, info->nload);
	FUZZ_CHECK(entry_ok && info->entry == eh->e_entry, "entry %#llx not in an executable segment",
		   (unsigned long long)eh->e_entry);
	FUZZ_CHECK(info->vaddr_lo == (lo & ~(PAGE - 1)) && info->vaddr_hi >= hi &&
		   info->vaddr_hi - hi < PAGE && info->vaddr_hi % PAGE == 0, "span reported wrongly");
	FUZZ_CHECK(info->vaddr_hi - info->vaddr_lo <= lim->max_memsz, "image larger than the limit");
	/* keep the loop from being optimised away */
	FUZZ_CHECK(sum != 1ULL << 63, "impossible");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	const struct elf_limits *lim = &limits[fuzz_u8(&in) & 3];
	size_t zeros = fuzz_u32(&in) % (MAX_ZEROS + 1), len = in.left + zeros;
	size_t map_len = (len + PAGE - 1) / PAGE * PAGE + PAGE;
	uint8_t *file;
	struct elf_info info;
	int err;

	/* Fresh anonymous pages are zero and cost nothing until touched, unlike
	 * a memset of the zeros; the bytes after the file are poisoned for
	 * AddressSanitizer and a page is left unmapped after them. */
	file = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (file == MAP_FAILED)
		abort();
	munmap(file + map_len - PAGE, PAGE);
	ASAN_POISON_MEMORY_REGION(file + len, map_len - PAGE - len);
	memcpy(file, in.p, in.left);
	memset(&info, 0xa5, sizeof(info));
	err = elf_check(file, len, lim, &info);
	FUZZ_CHECK(err >= 0 && err < ELF_ERR_COUNT, "error %d outside the enum", err);
	FUZZ_CHECK(elf_strerror(err) != NULL, "no message for %d", err);
	if (err == ELF_OK) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
		size_t head = len < 4096 ? len : 4096;
		struct elf_info hinfo;

		recheck(file, len, lim, &info);
		if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) <= head) {
			memset(&hinfo, 0x5a, sizeof(hinfo));
			FUZZ_CHECK(elf_check_head(file, head, len, lim, &hinfo) == ELF_OK,
				   "the head of an accepted file refused");
			FUZZ_CHECK(hinfo.entry == info.entry && hinfo.vaddr_lo == info.vaddr_lo &&
				   hinfo.vaddr_hi == info.vaddr_hi && hinfo.nload == info.nload &&
				   hinfo.type == info.type && hinfo.exec_stack == info.exec_stack &&
				   hinfo.phdr_vaddr == info.phdr_vaddr, "head and file disagree");
		}
	}
	ASAN_UNPOISON_MEMORY_REGION(file + len, map_len - PAGE - len);
	munmap(file, map_len - PAGE);
	return 0;
}
