/* The page-table audit: walks the kernel's tables and every address
 * space's, and reports each entry that breaks the rules the design sets for
 * page rights (docs/hardening.md): no page both writable and executable,
 * kernel text and rodata read-only, nothing in the kernel half reachable
 * from ring 3, guard pages unmapped, the direct map not executable. */
#ifndef KERNEL_AUDIT_H
#define KERNEL_AUDIT_H

#include <stdint.h>

enum audit_rule {
	AUDIT_WX,            /* a page both writable and executable */
	AUDIT_USER_KERNEL,   /* a kernel-half entry (any level) ring 3 may use */
	AUDIT_TEXT,          /* kernel text writable */
	AUDIT_RODATA,        /* kernel rodata writable or executable */
	AUDIT_DATA,          /* kernel data or bss executable */
	AUDIT_IMAGE_FRAME,   /* an image page maps a frame the loader did not load it into */
	AUDIT_GUARD,         /* a guard page mapped (kernel virtual area, hal's stacks) */
	AUDIT_DIRECT_EXEC,   /* the direct map executable */
	AUDIT_STRAY,         /* a mapping where the kernel keeps none */
	AUDIT_SHARED,        /* an address space's kernel half is not the kernel's */
	AUDIT_RULES
};

#define AUDIT_KEEP 32        /* findings kept and logged one by one */

struct audit_finding {
	uint32_t rule;       /* enum audit_rule */
	int level;           /* of the entry: 0 last-level table .. 3 root */
	uint64_t va;         /* first address the entry covers */
	uint64_t raw;        /* the entry itself */
	uint64_t root;       /* the address space (its root table) */
};

struct audit_result {
	unsigned spaces;     /* address spaces walked, the kernel's included */
	uint64_t entries;    /* entries looked at */
	unsigned count;      /* violations found */
	struct audit_finding kept[AUDIT_KEEP];   /* the first ones */
};

const char *audit_rule_name(uint32_t rule);

/* The kernel's own tables (res is cleared first). Returns the violations;
 * each is logged, the first AUDIT_KEEP with address and entry. */
unsigned audit_kernel(struct audit_result *res);
/* One address space made by paging_create from the kernel's root: no
 * writable and executable page in its user half, and its kernel half is
 * the kernel's. The caller holds the lock that guards root's tables.
 * Adds to res; returns the violations found in this space. */
unsigned audit_space(uint64_t root, const char *name, struct audit_result *res);

/* How the audit reaches every address space: the process layer installs
 * a function that calls fn(root, name, ctx) for each one while holding the
 * lock that guards that root's tables, and returns the sum of fn's values.
 * Until one is installed, audit_all walks the kernel's tables only. */
typedef unsigned (*audit_space_fn)(uint64_t root, const char *name, void *ctx);
typedef unsigned (*audit_iterate_fn)(audit_space_fn fn, void *ctx);
void audit_set_iterator(audit_iterate_fn it);

/* The kernel's tables and every address space (res is cleared first). */
unsigned audit_all(struct audit_result *res);
/* The boot-time check (kmain runs it under ktest=): audit_all with a
 * summary line. Returns the violations. */
unsigned audit_boot(void);

#endif
