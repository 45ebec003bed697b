/* The exception table of the user-memory primitives (hal/usercopy.S). */
#include <hal/usercopy.h>
#include <hal/cpu_features.h>

struct usercopy_range {
	uint64_t start, end, fixup;
};

extern const struct usercopy_range usercopy_extable[], usercopy_extable_end[];

/* Read by every kernel entry (hal/isr.S) and the primitives; set once at
 * boot, before any program runs. */
uint8_t usercopy_smap;

void usercopy_init(void)
{
	usercopy_smap = (cpu_features_enabled() & CPU_FEAT_SMAP) != 0;
}

static const struct usercopy_range *lookup(uint64_t ip)
{
	for (const struct usercopy_range *r = usercopy_extable; r < usercopy_extable_end; r++)
		if (ip >= r->start && ip < r->end)
			return r;
	return 0;
}

bool usercopy_fault_ip(uint64_t ip)
{
	return lookup(ip) != 0;
}

bool usercopy_fixup(struct trap_frame *f)
{
	const struct usercopy_range *r = lookup(f->rip);

	if (!r)
		return false;
	f->rip = r->fixup;
	return true;
}
