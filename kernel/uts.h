/* The system's names as uname reports them: the fixed ones (system,
 * release, version, machine) and the host and domain names root may set
 * (sethostname, setdomainname, /proc/sys/kernel/hostname and domainname). */
#ifndef KERNEL_UTS_H
#define KERNEL_UTS_H

#include <stdbool.h>
#include <stddef.h>
#include <cosmos/abi/utsname.h>

/* All of the names, one consistent copy. */
void uts_get(struct utsname *out);
/* The host name (or with domain the domain name) into out. */
void uts_name_get(bool domain, char out[UTS_LEN]);
/* Sets it from len bytes of a kernel buffer: 0, or -EINVAL when len is
 * UTS_LEN or more. The caller checks who may. */
int uts_name_set(bool domain, const char *name, size_t len);

#endif
