/* "#!" scripts: the interpreter line of a file exec was given. Pure
 * parsing over a buffer (host-tested and fuzzed). */
#ifndef KERNEL_EXEC_SCRIPT_H
#define KERNEL_EXEC_SCRIPT_H

#include <stddef.h>

#define EXEC_SCRIPT_LINE 256     /* Linux's BINPRM_BUF_SIZE: the line's room */

/* head holds the file's first n bytes (n is all of the file when it is
 * shorter than that) and has room for one more. When they start with "#!", the line names the
 * interpreter and at most one argument (everything after the first blank
 * run, trailing blanks dropped, as Linux): both are NUL-terminated in
 * head, *arg is NULL when there is none, and the result is 0. -ENOEXEC
 * when head is no script, names no interpreter, or its line does not end
 * within EXEC_SCRIPT_LINE bytes. */
int exec_script_parse(char *head, size_t n, char **interp, char **arg);

#endif
