/* The initial stack of a program, as the System V x86-64 ABI lays it out
 * and Linux fills it: from the top down an 8-byte end marker, the
 * AT_EXECFN string, the argument and environment strings, the platform
 * string, 16 random bytes (AT_RANDOM), then, 16-byte aligned at the stack
 * pointer, argc, argv[] and NULL, envp[] and NULL, and the auxiliary
 * vector ending in AT_NULL. Pure computation over buffers (host-tested);
 * exec copies the pieces into the new address space. */
#ifndef KERNEL_EXEC_STACK_H
#define KERNEL_EXEC_STACK_H

#include <stddef.h>
#include <stdint.h>

#define EXEC_STACK_RANDOM 16

/* Where each piece goes (user addresses). */
struct exec_stack_layout {
	uint64_t sp;            /* argc is here; 16-byte aligned */
	uint64_t strings;       /* argv's strings, then envp's, back to back */
	uint64_t execfn, platform, random;
	size_t table_size;      /* bytes from sp: argc, the vectors, auxv */
	size_t naux;            /* entries in auxv, AT_NULL included */
};

/* Plans the stack below top for argc + envc strings of strings_len bytes
 * in all, an execfn and a platform string of those lengths (NULs not
 * counted) and naux auxiliary entries of the caller's (exec_stack_table
 * adds AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL). 0, or -E2BIG when
 * it would take more than max bytes. */
int exec_stack_plan(uint64_t top, size_t strings_len, size_t argc, size_t envc,
		    size_t execfn_len, size_t platform_len, size_t naux, uint64_t max,
		    struct exec_stack_layout *out);
/* Writes the table (l->table_size bytes, to be placed at l->sp) into buf:
 * argc, pointers to the strings (argc then envc NUL-terminated strings of
 * strings_len bytes, as they will lie at l->strings), and auxv: aux's
 * naux key/value pairs, then AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL.
 * 0, or -EINVAL when the strings do not hold argc + envc NUL-terminated
 * strings in strings_len bytes. */
int exec_stack_table(void *buf, const struct exec_stack_layout *l, const char *strings,
		     size_t strings_len, size_t argc, size_t envc, const uint64_t (*aux)[2],
		     size_t naux);

#endif
