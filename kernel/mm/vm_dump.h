/* What core files (kernel/proc/coredump.c) and /proc's rss read from an
 * address space (kernel/mm/vm_dump.c). Each call takes vm->lock itself, so
 * the caller may not hold it; each may sleep. */
#ifndef KERNEL_MM_VM_DUMP_H
#define KERNEL_MM_VM_DUMP_H

#include <kernel/mm/vm.h>

struct vm_dump_region {
	uint64_t start, end;
	unsigned prot;          /* PROT_* */
	uint64_t dump;          /* bytes from start a core file holds */
};

/* Copies up to max regions, in address order, into out; returns how many
 * the space has (more than max: call again with room). */
unsigned vm_dump_regions(struct vm_space *vm, struct vm_dump_region *out, unsigned max);
/* The page at addr (page aligned) into buf (PAGE_SIZE bytes): its bytes if
 * it is in memory or a file backs it, zeros for anonymous memory never
 * touched, without allocating a frame for it. */
void vm_dump_page(struct vm_space *vm, uint64_t addr, void *buf);
/* Bytes of the regions mapped to memory (rss), by what backs them. */
struct vm_rss {
	uint64_t anon, file, shmem;
};
void vm_resident(struct vm_space *vm, struct vm_rss *rss);

#endif
