/* Credential calls: get and set the real, effective, saved and
 * file-system user and group ids and the supplementary groups. The rules
 * are kernel/proc/cred.c's; this file moves values across the boundary. */
#include <cosmos/errno.h>
#include <kernel/proc/cred.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

long sys_getuid(void) { return cred_current()->uid; }
long sys_geteuid(void) { return cred_current()->euid; }
long sys_getgid(void) { return cred_current()->gid; }
long sys_getegid(void) { return cred_current()->egid; }

long sys_setuid(unsigned int uid) { return cred_setuid(uid); }
long sys_setgid(unsigned int gid) { return cred_setgid(gid); }
long sys_setreuid(unsigned int r, unsigned int e) { return cred_setreuid(r, e); }
long sys_setregid(unsigned int r, unsigned int e) { return cred_setregid(r, e); }
long sys_setresuid(unsigned int r, unsigned int e, unsigned int s) { return cred_setresuid(r, e, s); }
long sys_setresgid(unsigned int r, unsigned int e, unsigned int s) { return cred_setresgid(r, e, s); }
long sys_setfsuid(unsigned int uid) { return cred_setfsuid(uid); }
long sys_setfsgid(unsigned int gid) { return cred_setfsgid(gid); }

static long put3(uptr_t a, uptr_t b, uptr_t c, uint32_t x, uint32_t y, uint32_t z)
{
	if (copy_to_user(a, &x, sizeof(x)) || copy_to_user(b, &y, sizeof(y)) ||
	    copy_to_user(c, &z, sizeof(z)))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uptr_t r, uptr_t e, uptr_t s)
{
	const struct cred *c = cred_current();

	return put3(r, e, s, c->uid, c->euid, c->suid);
}

long sys_getresgid(uptr_t r, uptr_t e, uptr_t s)
{
	const struct cred *c = cred_current();

	return put3(r, e, s, c->gid, c->egid, c->sgid);
}

long sys_getgroups(int size, uptr_t list)
{
	const struct cred *c = cred_current();
	uint32_t n = c->ngroups;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((uint32_t)size < n)
		return -EINVAL;
	if (copy_to_user(list, c->groups, n * sizeof(c->groups[0])))
		return -EFAULT;
	return n;
}

long sys_setgroups(size_t size, uptr_t list)
{
	uint32_t groups[CRED_NGROUPS_MAX];

	if (size > CRED_NGROUPS_MAX)
		return -EINVAL;
	if (copy_from_user(groups, list, size * sizeof(groups[0])))
		return -EFAULT;
	return cred_setgroups((uint32_t)size, groups);
}
