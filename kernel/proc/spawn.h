/* Programs the kernel starts itself: the first one (pid 1, see
 * initproc.h) and those the in-kernel tests run. Each is a new process,
 * child of the caller, with root's credentials, the default limits, a
 * file-system context at the root, the console as descriptors 0, 1 and 2,
 * and argv as its arguments. */
#ifndef KERNEL_PROC_SPAWN_H
#define KERNEL_PROC_SPAWN_H

#define SPAWN_ARGS_MAX 32

#define SPAWN_INIT 1u   /* pid 1, in a session of its own */

/* Starts argv[0] (argc words). The new pid, or a negative errno when the
 * process could not be made; a program that cannot be run ends its
 * process with status 127 after saying why. */
int spawn_program(char *const argv[], int argc, unsigned flags);
/* The same from a blank-separated command line whose words may be
 * single-quoted ("/bin/sh -c 'echo hi'"). -EINVAL when it has no words or
 * an open quote, -E2BIG beyond SPAWN_ARGS_MAX words. */
int spawn_command(const char *cmd, unsigned flags);

#endif
