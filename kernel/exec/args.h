/* The argument and environment strings of an exec, held in the kernel
 * from the moment they are copied in until the new stack is written:
 * argv's strings then envp's, each NUL-terminated, back to back. The
 * limits are Linux's: one string at most EXEC_ARG_STRLEN bytes, all of
 * them (with their pointers) at most a quarter of RLIMIT_STACK (at least
 * EXEC_ARGS_MIN, at most EXEC_ARGS_MAX); beyond them -E2BIG. No user
 * address reaches this file: sys/ copies strings in and adds them. */
#ifndef KERNEL_EXEC_ARGS_H
#define KERNEL_EXEC_ARGS_H

#include <stddef.h>
#include <stdint.h>

#define EXEC_ARG_STRLEN (128u << 10)   /* Linux's MAX_ARG_STRLEN, NUL included */
#define EXEC_ARGS_MIN   (128u << 10)
#define EXEC_ARGS_MAX   (6u << 20)
#define EXEC_ARGC_MAX   0x7fffffffu

/* Owned by the exec in progress: no lock. */
struct exec_args {
	char *buf;          /* the strings; grows */
	size_t len, cap;
	size_t argc, envc;  /* argv's come first */
	size_t limit;       /* bytes of strings plus 8 per pointer */
	size_t used;
};

/* An empty set with the limit that stack_limit (RLIMIT_STACK) gives. */
void exec_args_init(struct exec_args *a, uint64_t stack_limit);
void exec_args_free(struct exec_args *a);
/* Where the next string goes and how many bytes (its NUL included) may be
 * written there: what the buffer holds now, cut to the per-string and
 * total limits. 0 bytes when the limit is reached. */
char *exec_args_room(struct exec_args *a, size_t *room);
/* The next string did not fit in the room: a bigger buffer. -E2BIG when
 * the room was already cut by a limit, -ENOMEM. */
int exec_args_grow(struct exec_args *a);
/* The string written at exec_args_room has len bytes and its NUL; env
 * says whether it belongs to envp (argv strings come first). */
int exec_args_commit(struct exec_args *a, size_t len, int env);
/* Adds a kernel string. */
int exec_args_add(struct exec_args *a, const char *s, int env);
/* The i-th string (argv then envp). Walks from the start. */
const char *exec_args_next(const struct exec_args *a, const char *prev);

#endif
