/* The heap census by call site (heap_sites.h): heap_census visits every
 * small object in use under the heap's lock, and count_site adds it to its
 * caller's row without allocating. */
#include <cosmos/errno.h>
#include <kernel/ksyms.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/heap_sites.h>
#include <lib/fmt.h>
#include <lib/string.h>

static void count_site(uintptr_t caller, size_t size, void *ctx)
{
	struct heap_sites *c = ctx;
	unsigned i;

	for (i = 0; i < c->n && c->site[i].caller != caller; i++)
		;
	if (i == c->n) {
		if (c->n == HEAP_SITES) {
			c->full = true;
			return;
		}
		c->site[c->n++] = (struct heap_site){ caller, 0, 0 };
	}
	c->site[i].objects++;
	c->site[i].bytes += (long)size;
}

int heap_sites_take(struct heap_sites *c)
{
	memset(c, 0, sizeof(*c));
	if (!heap_census(count_site, c))
		return -ENODATA;
	return c->full ? -E2BIG : 0;
}

long heap_sites_at(const struct heap_sites *c, uintptr_t caller, long *bytes)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->site[i].caller == caller) {
			*bytes = c->site[i].bytes;
			return c->site[i].objects;
		}
	*bytes = 0;
	return 0;
}

void heap_site_name(uintptr_t caller, char *buf, size_t size)
{
	uint64_t off;
	/* caller is a return address: the call itself is the byte before,
	 * which may end the function (a call to a function that never returns) */
	const char *name = caller ? ksym_lookup(caller - 1, &off) : NULL;

	if (name)
		fmt_snprintf(buf, size, "%s+%#llx", name, (unsigned long long)off + 1);
	else
		fmt_snprintf(buf, size, "%#llx", (unsigned long long)caller);
}
