/* The native memstat call (sys/syscalls.tab, COSMOS_SYS_memstat): counts
 * of the kernel's memory for ring-3 tests that look for leaks (user/spawn's
 * leakcheck, the fuzzer). Root only: heap counts help whoever grooms the
 * heap. Threads that ended and wait for their reaper are freed first. */
#ifndef COSMOS_ABI_MEMSTAT_H
#define COSMOS_ABI_MEMSTAT_H

#include <stdint.h>

struct cosmos_memstat {
	uint64_t free_frames;        /* frames the frame allocator has free */
	uint64_t idle_heap_frames;   /* frames in heap slabs with no object in use */
	uint64_t heap_objects;       /* kmalloc objects in use, large ones included */
};

#endif
