/* execve: replacing a process's program with an ELF64 x86-64 file
 * (ET_EXEC, or ET_DYN as a static PIE) or a "#!" script's interpreter.
 * The new image is built completely in a new address space before
 * anything of the old one is touched, so a failed exec returns its error
 * to the intact old program. */
#ifndef KERNEL_EXEC_EXEC_H
#define KERNEL_EXEC_EXEC_H

#include <hal/trap.h>
#include <kernel/exec/args.h>

struct path;

#define EXEC_SCRIPT_DEPTH 4     /* interpreters that are scripts themselves */

/* Runs path (a kernel string; relative to dir, NULL for the working
 * directory; at_flags AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW) in the
 * calling thread's process with args, whose strings it may rearrange.
 * execfn is AT_EXECFN's string. On success the other threads have ended,
 * close-on-exec descriptors are closed, caught signals reset, and frame
 * (the caller's user frame) starts the new program: 0. Otherwise a
 * negative errno (-ENOEXEC for a file it cannot run, -E2BIG, -ENOMEM,
 * -ELOOP for scripts nested too deep, the file system's errors) and
 * nothing has changed. */
int exec_path(const struct path *dir, const char *path, unsigned at_flags, const char *execfn,
	      struct exec_args *args, struct trap_frame *frame);

#endif
