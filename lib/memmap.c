/* Memory-map cleaning shared by the loader and the kernel (see memmap.h). */
#include <lib/memmap.h>

bool memmap_entry_valid(const struct boot_mmap_entry *e)
{
	return e->phys % MEMMAP_PAGE == 0 && e->pages != 0 &&
	       e->type != 0 && e->type < BOOT_MEM_TYPE_COUNT &&
	       e->phys < MEMMAP_PHYS_END &&
	       e->pages <= (MEMMAP_PHYS_END - e->phys) / MEMMAP_PAGE;
}

/* Which of two overlapping entries keeps the shared part: memory the kernel
 * would hand out loses to memory someone still owns. */
static int rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:        return 0;
	case BOOT_MEM_LOADER:
	case BOOT_MEM_BOOT_SERVICES: return 1;
	default:                     return 2;
	}
}

unsigned memmap_sanitize(struct boot_mmap_entry *e, unsigned n, unsigned *dropped)
{
	unsigned kept = 0, out = 0, lost = 0;

	for (unsigned i = 0; i < n; i++) {
		if (memmap_entry_valid(&e[i]))
			e[kept++] = e[i];
		else
			lost++;
	}
	/* insertion sort: maps are a few hundred entries at most */
	for (unsigned i = 1; i < kept; i++) {
		struct boot_mmap_entry x = e[i];
		unsigned j = i;

		while (j > 0 && e[j - 1].phys > x.phys) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = x;
	}
	/* e[0..out) is clean: sorted, disjoint. Each sorted entry joins it. */
	for (unsigned i = 0; i < kept; i++) {
		struct boot_mmap_entry x = e[i];

		while (out > 0 && x.phys < memmap_end(&e[out - 1])) {
			struct boot_mmap_entry *o = &e[out - 1];

			lost++;
			if (rank(x.type) > rank(o->type)) {
				/* o keeps only what lies below x (nothing, when an
				 * earlier cut moved o's start past x's) */
				o->pages = x.phys > o->phys ? (x.phys - o->phys) / MEMMAP_PAGE : 0;
				if (o->pages == 0)
					out--;
				continue;
			}
			if (memmap_end(&x) <= memmap_end(o)) {
				x.pages = 0;
				break;
			}
			x.pages = (memmap_end(&x) - memmap_end(o)) / MEMMAP_PAGE;
			x.phys = memmap_end(o);
		}
		if (x.pages == 0)
			continue;
		if (out > 0 && e[out - 1].type == x.type && memmap_end(&e[out - 1]) == x.phys)
			e[out - 1].pages += x.pages;
		else
			e[out++] = x;
	}
	if (dropped)
		*dropped = lost;
	return out;
}
