/* Credentials (see cred.h). */
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <lib/string.h>

void cred_init_root(struct cred *c)
{
	memset(c, 0, sizeof(*c));
}

const struct cred *cred_current(void)
{
	return &process_current()->cred;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < CRED_NGROUPS_MAX; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}
