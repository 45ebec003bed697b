/* The system-call table's shape: one entry per number, generated from
 * sys/syscalls.tab by scripts/gen-syscalls.py. Dispatch and systrace= read
 * it; nothing else does. */
#ifndef SYS_SYSCALL_TABLE_H
#define SYS_SYSCALL_TABLE_H

#include <stdint.h>
#include <sys/syscall_counts.h>

#define SYS_NATIVE_BASE 1000
#define SYS_MAX_ARGS    6

/* How systrace= prints an argument. */
enum sys_arg_kind {
	SYSARG_INT = 1,   /* signed decimal */
	SYSARG_UINT,      /* unsigned decimal */
	SYSARG_HEX,       /* flags and masks */
	SYSARG_OCT,       /* modes */
	SYSARG_PTR,       /* a user address, or NULL */
	SYSARG_STR,       /* a user string, quoted */
	SYSARG_FD,        /* a descriptor, AT_FDCWD by name */
	SYSARG_OFLAGS,    /* O_RDONLY|O_CLOEXEC... */
	SYSARG_SIG,       /* a signal number, by name */
};

#define SYS_RESTART 1u   /* restart after an SA_RESTART handler on -EINTR */

struct sys_entry {
	const char *name;                 /* NULL: no such call */
	/* The six argument registers in ABI order, passed as registers (no
	 * array in memory on the way); NULL: not implemented (-ENOSYS). */
	long (*call)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	uint8_t nargs;
	uint8_t flags;                    /* SYS_RESTART */
	uint8_t kinds[SYS_MAX_ARGS];      /* enum sys_arg_kind */
	const char *argnames[SYS_MAX_ARGS];
};

extern const struct sys_entry sys_linux_table[SYS_LINUX_COUNT];
extern const struct sys_entry sys_native_table[SYS_NATIVE_COUNT];

#endif
