/* Inside kernel/mm/vm*.c only: the ordered region set of a space and the
 * page-level helpers the vm files share. Every function here expects the
 * caller to hold vm->lock. */
#ifndef KERNEL_MM_VM_REGION_H
#define KERNEL_MM_VM_REGION_H

#include <kernel/mm/vm.h>
#include <hal/paging.h>

#define VM_PAGE_MASK (PAGE_SIZE - 1)

static inline uint64_t vm_page_down(uint64_t a) { return a & ~VM_PAGE_MASK; }
/* Callers make sure a is at most VM_USER_TOP, so this cannot wrap. */
static inline uint64_t vm_page_up(uint64_t a) { return (a + VM_PAGE_MASK) & ~VM_PAGE_MASK; }

/* May the space grow by `more` bytes under RLIMIT_AS? */
static inline bool vm_as_allows(const struct vm_space *vm, uint64_t more)
{
	return vm->mapped <= vm->limits.as && more <= vm->limits.as - vm->mapped;
}

/* Takes vm->lock where failing is a broken kernel invariant: callers that
 * cannot hand an error back (vm_set_limits, vm_format_maps) run in a
 * thread that may sleep and never hold the lock already, so mutex_lock's
 * -EDEADLK (already reported) means the kernel is wrong. Everything that
 * can fail returns mutex_lock's error instead. */
void vm_lock(struct vm_space *vm);

/* For a page-table edit the vm lock makes certain, err being its result:
 * a page paging_next_mapped or paging_translate found under vm->lock is
 * still there (no -ENOENT), every user page is 4 KiB (no -EINVAL from
 * paging_protect), and mapping a page where one was just unmapped needs no
 * new table (hal/paging frees tables only in paging_destroy), so no
 * -ENOMEM. A failure panics, naming what. */
void vm_pt_sure(int err, const char *what);

/* Index of the first region that ends above addr (nregions if none). */
unsigned vmr_lookup(struct vm_space *vm, uint64_t addr);
/* The region containing addr, or NULL. */
struct vm_region *vmr_find(struct vm_space *vm, uint64_t addr);
/* Makes room for `more` regions, so the edits that follow cannot fail
 * half-way. -ENOMEM (no memory, or beyond VM_MAX_REGIONS). */
int vmr_reserve(struct vm_space *vm, unsigned more);
/* Inserts a region at its place (room reserved); it holds its backing
 * already. Returns its index. */
unsigned vmr_insert(struct vm_space *vm, const struct vm_region *r);
/* Removes region i from the set (its pages and backing are the caller's). */
void vmr_remove(struct vm_space *vm, unsigned i);
/* Puts a region boundary at addr if a region spans it (room reserved). */
void vmr_split(struct vm_space *vm, uint64_t addr);
/* Joins neighbours in [first - 1, last + 1] that differ only in extent. */
void vmr_merge(struct vm_space *vm, unsigned first, unsigned last);
/* Unmaps every page in [start, end) and drops its frame reference. */
void vmr_release_pages(struct vm_space *vm, uint64_t start, uint64_t end);
/* Removes everything mapped in [start, end), splitting the regions at the
 * ends (room for two reserved). */
void vmr_unmap(struct vm_space *vm, uint64_t start, uint64_t end);
/* Bytes of [start, end) that regions cover. */
uint64_t vmr_covered(struct vm_space *vm, uint64_t start, uint64_t end);
/* A free range of len bytes: at hint if that is free, else the highest one
 * below mmap_base, else the highest anywhere; 0 when none. Free means no
 * region there and not within the guard gap below a stack. */
uint64_t vmr_find_free(struct vm_space *vm, uint64_t len, uint64_t hint);
/* Is [start, start + len) free in that sense? */
bool vmr_range_free(struct vm_space *vm, uint64_t start, uint64_t len);

/* hal/paging rights for a page of r; writable says whether this page may
 * be written without a copy (always for shared regions). */
unsigned vm_pte_rights(const struct vm_region *r, bool writable);
/* vm_fault with the lock held. */
int vm_fault_locked(struct vm_space *vm, uint64_t addr, enum vm_access access, bool user);

/* Shared anonymous memory (vm_shm.c): a new object of len bytes, held once
 * for the caller, or NULL. */
void *vm_shm_create(uint64_t len);
extern const struct vm_pager_ops vm_shm_ops;

/* The list of every space (vm_truncate.c). vm_spaces_lock is taken
 * before any space's lock. */
void vm_spaces_init(void);
void vm_spaces_lock(void);
void vm_spaces_unlock(void);
/* A complete space joins the list (locked: the caller holds its lock). */
void vm_spaces_add(struct vm_space *vm, bool locked);
void vm_spaces_del(struct vm_space *vm);
/* Does vm map an object whose pager names a backing (a file)? */
bool vm_maps_backed(const struct vm_space *vm);

/* ASLR (vm_layout.c): fills the layout fields of a new space. */
void vm_layout_choose(struct vm_space *vm);
/* A random page-aligned offset below 2^bits pages (0 when ASLR is off). */
uint64_t vm_random_pages(unsigned bits);

#endif
