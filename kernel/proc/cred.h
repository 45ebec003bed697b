/* Credentials: who a process acts as. uid 0 is root. The file side checks
 * permissions with fsuid/fsgid (equal to the effective ids unless setfsuid
 * moved them); docs/processes-and-files.md §4. */
#ifndef KERNEL_PROC_CRED_H
#define KERNEL_PROC_CRED_H

#include <stdbool.h>
#include <stdint.h>

#define CRED_NGROUPS_MAX 32

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[CRED_NGROUPS_MAX];
};

/* All ids 0, no supplementary groups: the kernel's and init's. */
void cred_init_root(struct cred *c);
/* The calling thread's process's credentials (root for kernel threads). */
const struct cred *cred_current(void);
/* Is gid c's fsgid or one of its supplementary groups? */
bool cred_in_group(const struct cred *c, uint32_t gid);

#endif
