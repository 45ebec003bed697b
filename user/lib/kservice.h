/* The kernel services from C (include/cosmos/kservice.h, docs/ipc.md):
 * init opens the endpoint and passes it on; programs find it through the
 * environment and ask for reports. */
#ifndef USER_KSERVICE_H
#define USER_KSERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/kservice.h>

/* For pid 1 (init, or usertests started as the first program): opens the
 * endpoint (kservice_open), moves it to a descriptor at or above 200
 * (close-on-exec if cloexec) and names it in the environment
 * (KSERVICE_FD_ENV) for the programs it starts. The descriptor, or -1
 * with errno set (EPERM for any other process). */
int kservice_inherit(int cloexec);
/* The endpoint named in the environment, if it is one; -1 otherwise
 * (no kernel services here: the caller reads /proc and /sys instead). */
int kservice_fd(void);
/* Asks for report op through fd, the answer on a channel of its own, and
 * gathers the whole text (malloc'ed, NUL-terminated; *len its length).
 * 0, or -1 with errno: the answer's status (EINVAL ...), ETIMEDOUT when
 * no answer came within 5 s, or a channel call's error. */
int kservice_report(int fd, uint32_t op, char **text, size_t *len);

#endif
