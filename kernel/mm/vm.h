/* Address spaces of programs: page tables that share the kernel half, an
 * ordered set of regions (anonymous, file or stack memory with rights),
 * demand paging, copy-on-write fork, the mmap family, brk and ASLR. The
 * system calls in sys/ are thin wrappers over the functions here. */
#ifndef KERNEL_MM_VM_H
#define KERNEL_MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/mman.h>
#include <kernel/sync/mutex.h>
#include <lib/list.h>

/* Nothing below 64 KiB is ever mapped (NULL-pointer bugs stay faults). */
#define VM_USER_MIN 0x10000ull
/* The last page below the non-canonical hole stays unmapped, as on Linux,
 * so no instruction can run into the hole (the SYSRET hazard). */
#define VM_USER_TOP 0x00007ffffffff000ull
/* Linux's default vm.max_map_count. */
#define VM_MAX_REGIONS 65530
/* A stack never grows closer than this to the region below it (Linux's
 * stack_guard_gap), and mmap leaves it free below a stack. */
#define VM_STACK_GUARD_GAP (1ull << 20)
/* The main stack's region at exec; it grows on faults below it. */
#define VM_STACK_INITIAL (128ull << 10)
#define VM_LIMIT_NONE UINT64_MAX

/* The limits of the process(es) using a space, in bytes (RLIMIT_STACK,
 * RLIMIT_AS and RLIMIT_DATA, which bounds the heap); the process layer sets
 * them at creation and on setrlimit (limits_vm). */
struct vm_limits {
	uint64_t stack, as, data;
};

/* /proc/pid/maps's description of a mapped object. */
struct vm_object_id {
	uint32_t major, minor;
	uint64_t ino;
};

/* What backs a shared mapping or a file mapping. sys/ wraps a struct
 * file's getpage and references in these (kernel/mm sits below fs/, so it
 * sees only this); shared anonymous memory has its own (vm_shm.c). Each
 * call may sleep. */
struct vm_pager_ops {
	/* The frame holding byte offset off (page aligned), with one pmm
	 * reference for the caller; -ENOMEM, or another negative errno when
	 * the page cannot be read (beyond the end, an I/O error). */
	int (*getpage)(void *obj, uint64_t off, uint64_t *phys);
	void (*hold)(void *obj);      /* one more region uses obj */
	void (*release)(void *obj);   /* one region fewer */
	/* msync(MS_SYNC) of [off, off + len); NULL when there is nothing to
	 * write back (the pages are the object's own). */
	int (*sync)(void *obj, uint64_t off, uint64_t len);
	/* Device, inode and name (NUL-terminated, cut to size). */
	void (*describe)(void *obj, struct vm_object_id *id, char *name, size_t size);
	/* What the object shows (a file's inode), for vm_unmap_backing;
	 * NULL when it never shrinks. */
	const void *(*backing)(void *obj);
};

/* A file for vm_mmap, as sys/ hands it over. */
struct vm_file {
	const struct vm_pager_ops *ops;  /* NULL: the file cannot be mapped */
	void *obj;
	bool readable, writable;         /* the open file's access mode */
};

/* The program a space runs (exec's): held by every copy fork makes and
 * let go when the space is freed, so exec can keep its file unwritable
 * while any process runs it (ETXTBSY). */
struct vm_exe_ops {
	void (*hold)(void *obj);         /* one more space runs obj */
	void (*release)(void *obj);      /* one space fewer */
};

/* A region [start, end): page aligned, non-empty, no two overlap. */
struct vm_region {
	uint64_t start, end;
	unsigned prot;                   /* PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned flags;                  /* VMR_* */
	const struct vm_pager_ops *pager; /* NULL: private anonymous memory */
	void *obj;                       /* the pager's object; the region holds it */
	uint64_t off;                    /* pager offset of start */
};
#define VMR_SHARED    (1u << 0)  /* writes reach the object; fork shares the pages */
#define VMR_GROWSDOWN (1u << 1)  /* a fault just below it extends it (stacks) */
#define VMR_MAYWRITE  (1u << 2)  /* shared and writable underneath: mprotect may add write */
#define VMR_HEAP      (1u << 3)  /* the brk area */
#define VMR_STACK     (1u << 4)  /* the main thread's stack */

/* An address space. The lock is a mutex because resolving a fault may
 * sleep (a file page being read); it protects every field below it and
 * the user half of root's page tables. */
struct vm_space {
	uint64_t root;                   /* hal/paging root; set at creation */
	uint32_t refs;                   /* atomic: processes using it (CLONE_VM) */
	struct mutex lock;
	struct vm_region *regions;       /* sorted by start */
	unsigned nregions, cap;
	unsigned cache;                  /* index of the last region looked up */
	uint64_t mapped;                 /* bytes in all regions (RLIMIT_AS) */
	struct vm_limits limits;
	uint64_t stack_top;              /* where vm_stack_create puts the stack */
	uint64_t mmap_base;              /* mmap searches down from here */
	uint64_t pie_base;               /* load address of a static PIE */
	uint64_t brk_start, brk;         /* 0 until vm_brk_init */
	/* Where exec put the argument and environment strings on the stack
	 * (/proc/pid/cmdline and environ read them); 0 before. */
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv_start, auxv_end;   /* exec's auxiliary vector (core files' NT_AUXV) */
	struct list_node all_node;       /* every space's list, under vm_truncate.c's lock */
	/* Set once by vm_set_exe before the space runs, read-only after. */
	const struct vm_exe_ops *exe_ops;
	void *exe;
};

/* Reads aslr=off from the command line. */
void vm_init(void);
bool vm_aslr_enabled(void);

/* An empty space with a fresh layout (randomized unless aslr=off): what
 * exec builds a program in. NULL when out of memory. */
struct vm_space *vm_create(const struct vm_limits *lim);
/* fork: a copy sharing every page copy-on-write (shared regions stay
 * shared). NULL when out of memory, or when vm's lock cannot be taken (a
 * caller that may not sleep: mutex_lock reported it). */
struct vm_space *vm_clone(struct vm_space *vm);
void vm_get(struct vm_space *vm);
/* Drops a reference; the last one frees every page, table and region.
 * The space must not be the active one then. */
void vm_put(struct vm_space *vm);
void vm_set_limits(struct vm_space *vm, const struct vm_limits *lim);
/* Records (and holds) the program a new space runs; fork's copies hold
 * it too, and the last reference to each space releases it. */
void vm_set_exe(struct vm_space *vm, const struct vm_exe_ops *ops, void *obj);
/* Loads the space's page tables on this CPU. */
void vm_activate(struct vm_space *vm);

/* mmap(2): prot PROT_*, flags MAP_*; file only without MAP_ANONYMOUS.
 * The address, or -EINVAL, -EACCES (write and execute together; a file
 * opened without the access asked for), -EPERM (MAP_FIXED below 64 KiB),
 * -EEXIST (MAP_FIXED_NOREPLACE over a mapping), -ENODEV (a file that cannot
 * be mapped), -EOVERFLOW, -EOPNOTSUPP or -ENOMEM (no room, RLIMIT_AS, too
 * many regions). */
long vm_mmap(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	     const struct vm_file *file, uint64_t off);
int vm_munmap(struct vm_space *vm, uint64_t addr, uint64_t len);
/* -EACCES for write and execute together, -ENOMEM if part of the range is
 * unmapped or outside user space (nothing changes then). */
int vm_mprotect(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned prot);
/* MADV_DONTNEED and MADV_FREE drop the pages (private anonymous memory
 * reads as zero afterwards, file pages are read again); the other hints
 * are accepted and change nothing. */
int vm_madvise(struct vm_space *vm, uint64_t addr, uint64_t len, int advice);
/* mremap(2) with MREMAP_MAYMOVE and MREMAP_FIXED: the new address or a
 * negative errno. Pages move without being copied. */
long vm_mremap(struct vm_space *vm, uint64_t old, uint64_t old_len, uint64_t new_len,
	       unsigned flags, uint64_t new_addr);
int vm_msync(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned flags);

/* exec: the break starts above the program's image (at a random page
 * offset), and the stack region ends at stack_top. */
int vm_brk_init(struct vm_space *vm, uint64_t image_end);
int vm_stack_create(struct vm_space *vm);
/* brk(2): moves the break to want when it can; returns the break after the
 * call (the old one on failure, as Linux does), or 0, what a space without
 * a break answers, when the lock cannot be taken (mutex_lock reported it). */
uint64_t vm_brk(struct vm_space *vm, uint64_t want);

enum vm_access { VM_ACCESS_READ, VM_ACCESS_WRITE, VM_ACCESS_EXEC };
/* Resolves a page fault at addr. 0, or:
 *   -EFAULT  nothing is mapped there (SIGSEGV, SEGV_MAPERR)
 *   -EACCES  mapped, but the access is not allowed (SIGSEGV, SEGV_ACCERR)
 *   -ENOMEM  no memory for the page (the caller ends the program)
 *   -EIO     the backing page cannot be read (SIGBUS)
 * user says the access came from ring 3; the kernel's own accesses (the
 * user-copy helpers) resolve the same way, but it never executes user
 * memory. May sleep: never call it from an interrupt handler. */
int vm_fault(struct vm_space *vm, uint64_t addr, enum vm_access access, bool user);

/* Copies between another space's memory and a kernel buffer (procfs,
 * exec's stack), faulting pages in with the program's rights. 0, -EFAULT,
 * -ENOMEM or -EIO; on an error some bytes may have been copied. */
int vm_copy_from(struct vm_space *vm, uint64_t addr, void *buf, size_t len);
int vm_copy_to(struct vm_space *vm, uint64_t addr, const void *buf, size_t len);
/* Copies len bytes from src's memory at saddr straight into dst's at
 * daddr (one copy through the frames, no kernel buffer; dst may be src),
 * faulting pages in with the programs' rights: channel_send_direct's
 * copy. Both spaces are locked for the copy. 0, -EFAULT, -ENOMEM or
 * -EIO; on an error some bytes may have been copied. */
int vm_copy_between(struct vm_space *dst, uint64_t daddr, struct vm_space *src,
		    uint64_t saddr, size_t len);

/* A file shrank or lost a range: every page that maps object offsets in
 * [from rounded up, to rounded down) of an object with that backing
 * leaves every space, private copies included, so the next access faults
 * and asks the pager again (SIGBUS past the end). to = UINT64_MAX for
 * "to the end". Takes the spaces' locks: the caller holds none. */
void vm_unmap_backing(const void *backing, uint64_t from, uint64_t to);

/* The regions in /proc/pid/maps format; like snprintf, returns the length
 * the whole listing has and writes what fits (NUL-terminated). */
size_t vm_format_maps(struct vm_space *vm, char *buf, size_t size);

#endif
