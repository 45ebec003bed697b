/* A census of the kernel heap by allocating call site: how many small
 * objects (and requested bytes) each caller of kmalloc holds at one
 * moment. Needs the heap's debug checks (heapdebug=on), which record the
 * caller of every object. /proc/heapsites prints one; the exec_heap ktest
 * and the syscall fuzzer compare two to find what a run kept. */
#ifndef KERNEL_MM_HEAP_SITES_H
#define KERNEL_MM_HEAP_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_SITES 512

struct heap_site {
	uintptr_t caller;      /* return address in the caller of kmalloc */
	long objects, bytes;
};

struct heap_sites {
	struct heap_site site[HEAP_SITES];
	unsigned n;
	bool full;             /* more sites than HEAP_SITES: the census is short */
};

/* Fills c: 0, -ENODATA with the heap's debug checks off, -E2BIG when
 * there were more call sites than c holds. */
int heap_sites_take(struct heap_sites *c);
/* The objects (and, in *bytes, the bytes) c found from caller. */
long heap_sites_at(const struct heap_sites *c, uintptr_t caller, long *bytes);
/* "function+0xoff" (or the bare address) naming caller, into buf. */
void heap_site_name(uintptr_t caller, char *buf, size_t size);

#endif
