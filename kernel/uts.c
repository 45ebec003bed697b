/* The system's names (kernel/uts.h), under uts_lock. */
#include <kernel/uts.h>
#include <cosmos/errno.h>
#include <kernel/sync/spinlock.h>
#include <kernel/version.h>
#include <lib/string.h>

static struct spinlock uts_lock = SPINLOCK_INIT("uts");
static struct utsname uts = {
	.sysname = COSMOS_SYSNAME,
	.nodename = "cosmos",
	.release = COSMOS_RELEASE,
	.version = COSMOS_BUILD_TAG,
	.machine = "x86_64",
	.domainname = "(none)",
};

void uts_get(struct utsname *out)
{
	uint64_t f = spin_lock_irqsave(&uts_lock);

	*out = uts;
	spin_unlock_irqrestore(&uts_lock, f);
}

void uts_name_get(bool domain, char out[UTS_LEN])
{
	uint64_t f = spin_lock_irqsave(&uts_lock);

	memcpy(out, domain ? uts.domainname : uts.nodename, UTS_LEN);
	spin_unlock_irqrestore(&uts_lock, f);
}

int uts_name_set(bool domain, const char *name, size_t len)
{
	char *field = domain ? uts.domainname : uts.nodename;
	uint64_t f;

	if (len >= UTS_LEN)
		return -EINVAL;
	f = spin_lock_irqsave(&uts_lock);
	memcpy(field, name, len);
	field[len] = 0;
	spin_unlock_irqrestore(&uts_lock, f);
	return 0;
}
