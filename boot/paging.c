/* Builds the kernel's first 4-level page tables: the kernel at its link
 * address with per-segment rights, the direct map of physical memory, and
 * the single identity page the handoff code runs on while CR3 changes. */
#include "loader.h"
#include <lib/string.h>

#define PTE_P    (1ULL << 0)
#define PTE_W    (1ULL << 1)
#define PTE_PS   (1ULL << 7)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

static EFI_STATUS table_alloc(uint64_t *phys)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS st = BS->AllocatePages(AllocateAnyPages, LOADER_MEM_BOOT_DATA, 1, &a);

	if (EFI_ERROR(st))
		return st;
	memset((void *)(uintptr_t)a, 0, LOADER_PAGE);
	*phys = a;
	return EFI_SUCCESS;
}

EFI_STATUS pt_init(struct pt_builder *pt)
{
	uint32_t a, b, c, d, max_ext;
	uint32_t lo, hi;

	cpuid(0x80000000, &max_ext, &b, &c, &d);
	pt->nx = 0;
	pt->huge_1g = 0;
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		pt->huge_1g = (d >> 26) & 1;
		if ((d >> 20) & 1) {
			/* Turn on EFER.NXE (OVMF already does) so NX bits are legal. */
			__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
			lo |= 1u << 11;
			__asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(0xc0000080));
			pt->nx = 1;
		}
	}
	return table_alloc(&pt->pml4);
}

/* The next-level table behind entry idx of table, created if absent. */
static EFI_STATUS next_table(uint64_t table, unsigned idx, uint64_t *next)
{
	uint64_t *e = (uint64_t *)(uintptr_t)table + idx;
	EFI_STATUS st;

	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return EFI_INVALID_PARAMETER; /* would split a large page */
		*next = *e & PTE_ADDR;
		return EFI_SUCCESS;
	}
	st = table_alloc(next);
	if (EFI_ERROR(st))
		return st;
	*e = *next | PTE_P | PTE_W;
	return EFI_SUCCESS;
}

EFI_STATUS pt_map_4k(struct pt_builder *pt, uint64_t virt, uint64_t phys,
		     int writable, int executable)
{
	uint64_t pdpt, pd, ptab, *e;
	EFI_STATUS st;

	if ((st = next_table(pt->pml4, (virt >> 39) & 511, &pdpt)) ||
	    (st = next_table(pdpt, (virt >> 30) & 511, &pd)) ||
	    (st = next_table(pd, (virt >> 21) & 511, &ptab)))
		return st;
	e = (uint64_t *)(uintptr_t)ptab + ((virt >> 12) & 511);
	if (*e & PTE_P)
		return EFI_INVALID_PARAMETER; /* segments never share a page */
	*e = (phys & PTE_ADDR) | PTE_P | (writable ? PTE_W : 0) |
	     (!executable && pt->nx ? PTE_NX : 0);
	return EFI_SUCCESS;
}

/* Maps [base, base+bytes) of physical memory at BOOT_HHDM_BASE + phys,
 * read/write, never executable, with the largest pages the CPU offers. */
EFI_STATUS pt_map_direct(struct pt_builder *pt, uint64_t base, uint64_t bytes)
{
	uint64_t nx = pt->nx ? PTE_NX : 0;
	uint64_t end = base + bytes;
	EFI_STATUS st;

	for (uint64_t p = base; p < end;) {
		uint64_t v = BOOT_HHDM_BASE + p, pdpt, pd;

		if ((st = next_table(pt->pml4, (v >> 39) & 511, &pdpt)))
			return st;
		if (pt->huge_1g && (p & ((1ULL << 30) - 1)) == 0 && end - p >= (1ULL << 30)) {
			((uint64_t *)(uintptr_t)pdpt)[(v >> 30) & 511] = p | PTE_P | PTE_W | PTE_PS | nx;
			p += 1ULL << 30;
			continue;
		}
		if ((st = next_table(pdpt, (v >> 30) & 511, &pd)))
			return st;
		((uint64_t *)(uintptr_t)pd)[(v >> 21) & 511] = p | PTE_P | PTE_W | PTE_PS | nx;
		p += 1ULL << 21;
	}
	return EFI_SUCCESS;
}
