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

struct process;

/* Reading another process's credentials: they change (under that
 * process's lock, by its own threads) while other CPUs look, so a reader
 * takes a consistent copy through the process's cred_seq (a seqcount: odd
 * while a change is under way; the reader copies and tries again if the
 * count moved), without a lock, in any context. A single uint32_t field
 * read alone (p->cred.uid for a siginfo) is one aligned load and needs
 * none of this. */
void cred_read(const struct process *p, struct cred *out);
/* A change of p->cred, with p's lock held (or p not yet visible to
 * others): between these two. */
void cred_write_begin(struct process *p);
void cred_write_end(struct process *p);

/* All ids 0, no supplementary groups: the kernel's and init's. */
void cred_init_root(struct cred *c);
/* The calling thread's process's credentials (root for kernel threads). */
const struct cred *cred_current(void);
/* Is gid c's fsgid or one of its supplementary groups? */
bool cred_in_group(const struct cred *c, uint32_t gid);

/* Are the ids a process acts with (effective and file-system) the same
 * in a and b? When they change, Linux makes the process not dumpable
 * (prctl PR_GET_DUMPABLE) and forgets its parent-death signal; the set*id
 * calls below and exec do the same. */
bool cred_same_acting_ids(const struct cred *a, const struct cred *b);

/* The set*id calls on the calling process, with Linux's rules: root
 * (euid 0) may set any id; others only ids they already hold. An id of
 * CRED_KEEP leaves that one. The effective id carries the file-system id
 * with it; a change of the real or effective id also sets the saved one
 * where Linux does. 0 or -EPERM (-EINVAL for setgroups beyond
 * CRED_NGROUPS_MAX). setfs*id returns the old file-system id. */
#define CRED_KEEP 0xffffffffu
int cred_setuid(uint32_t uid);
int cred_setgid(uint32_t gid);
int cred_setreuid(uint32_t ruid, uint32_t euid);
int cred_setregid(uint32_t rgid, uint32_t egid);
int cred_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid);
uint32_t cred_setfsuid(uint32_t fsuid);
uint32_t cred_setfsgid(uint32_t fsgid);
int cred_setgroups(uint32_t n, const uint32_t *groups);

#endif
