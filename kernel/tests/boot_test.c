/* In-kernel test of the initramfs handoff: the bytes the loader read are
 * where boot_initrd() says (the system test compares their hash with the
 * file's), the allocator never hands out their frames until
 * boot_initrd_release(), which gives back exactly those frames, once. */
#include <kernel/ktest.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>

/* Takes every free frame, counts those in [lo, hi), and frees them all. */
static uint64_t frames_handed_out_in(uint64_t lo, uint64_t hi)
{
	uint64_t head = 0, in = 0, pa;

	while ((pa = pmm_alloc(0))) {
		*(uint64_t *)PHYS_TO_VIRT(pa) = head;
		head = pa;
		in += pa >= lo && pa < hi;
	}
	while (head) {
		uint64_t next = *(uint64_t *)PHYS_TO_VIRT(head);
		pmm_free(head, 0);
		head = next;
	}
	return in;
}

KTEST(boot_initrd_handoff)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	size_t len;
	const uint8_t *p = boot_initrd(&len);
	uint64_t pages = 0, lo, before, hash = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < n; i++)
		if (m[i].type == BOOT_MEM_INITRD)
			pages += m[i].pages;
	if (!p) {
		/* none: no memory is held for one, and releasing does nothing */
		KT_EXPECT_EQ(t, len, 0);
		KT_EXPECT_EQ(t, pages, 0);
		before = pmm_free_pages();
		boot_initrd_release();
		KT_EXPECT_EQ(t, pmm_free_pages(), before);
		return;
	}
	KT_EXPECT_EQ(t, pages, (len + PMM_PAGE - 1) / PMM_PAGE);
	for (size_t i = 0; i < len; i++)
		hash = (hash ^ p[i]) * 0x100000001b3ull;   /* FNV-1a */
	kprintf("# boot_initrd: %zu bytes, fnv1a64 %#llx\n", len, (unsigned long long)hash);

	lo = VIRT_TO_PHYS(p);
	KT_EXPECT_EQ(t, frames_handed_out_in(lo, lo + pages * PMM_PAGE), 0);
	before = pmm_free_pages();
	boot_initrd_release();
	KT_EXPECT_EQ(t, pmm_free_pages(), before + pages);
	KT_EXPECT_EQ(t, frames_handed_out_in(lo, lo + pages * PMM_PAGE), pages);
	KT_EXPECT(t, boot_initrd(&len) == 0);
	KT_EXPECT_EQ(t, len, 0);
	boot_initrd_release();
	KT_EXPECT_EQ(t, pmm_free_pages(), before + pages);
}
