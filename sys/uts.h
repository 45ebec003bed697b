/* The host and domain names of uname (sys/info.c), also for
 * /proc/sys/kernel/hostname and domainname. */
#ifndef SYS_UTS_H
#define SYS_UTS_H

#include <stdbool.h>
#include <stddef.h>
#include <cosmos/abi/utsname.h>

/* The host name (or with domain the domain name) into out. */
void uts_name_get(bool domain, char out[UTS_LEN]);
/* Sets it from len bytes of a kernel buffer: 0, or -EINVAL when len is
 * UTS_LEN or more. The caller checks who may. */
int uts_name_set(bool domain, const char *name, size_t len);

#endif
