/* The first program (pid 1): started from the command line's init=
 * (default /sbin/init) once the root file system is up, with the console
 * as descriptors 0, 1 and 2. When it ends the kernel says how and stops
 * as panic= says. */
#ifndef KERNEL_PROC_INITPROC_H
#define KERNEL_PROC_INITPROC_H

#define INITPROC_DEFAULT "/sbin/init"

/* cmd: the program and its arguments, blank-separated, single quotes
 * grouping ("/bin/sh -c 'echo hi'"; spawn.h). 0, or a negative errno when
 * it could not even be started (logged); a program that cannot be run
 * ends pid 1 with status 127 after saying why. */
int initproc_start(const char *cmd);
/* pid 1's last thread is ending with this wait status. */
void initproc_ended(int status) __attribute__((noreturn));

#endif
