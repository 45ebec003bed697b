/* Linux's file-system limits (linux/limits.h): the lengths a program may
 * rely on. */
#ifndef COSMOS_ABI_LIMITS_H
#define COSMOS_ABI_LIMITS_H

#define NAME_MAX 255     /* bytes in a file name, without the NUL */
#define PATH_MAX 4096    /* bytes in a path, with the NUL */
#define PIPE_BUF 4096    /* bytes a pipe write moves atomically */
#define SYMLOOP_MAX 40   /* symbolic links followed in one lookup */

#endif
