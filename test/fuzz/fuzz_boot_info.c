/* Fuzz target for the kernel's checks of the loader's boot_info
 * (kernel/boot_check.c, with lib/memmap.c). Input: flags, the boot_info's
 * bytes (zeros past the input), then the memory map's entries, which sit
 * in a fake physical memory at MAP_PHYS. Unless flag bit 0 is set, the
 * harness makes the header right first (magic, version, size, direct-map
 * base and a sane size, entry size, the map's place and count) so
 * mutations reach the checks behind it; with bit 1 the buffer is cut to a
 * length the input gives. Checked when the kernel accepts it: the map is
 * within its capacity, clean (well formed, sorted, disjoint) and its RAM
 * inside the direct map; the kernel lies in one kernel run; an initrd kept
 * lies in the one initrd run left; the command line ends where its length
 * says; a framebuffer kept fits its size and the direct map; the RSDP lies
 * in memory. */
#include "fuzz.h"

#include <stdarg.h>
#include <cosmos/errno.h>
#include <kernel/boot_check.h>
#include <lib/memmap.h>

#define MAP_PHYS 0x100000ULL
#define FLAG_KEEP_HEADER 1
#define FLAG_CUT_BUFFER  2

static const uint8_t *map_mem;
static size_t map_len;

void klog(int level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	(void)level;
	va_start(ap, fmt);           /* formatted, so the arguments are read */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

static const void *fake_phys(uint64_t phys, size_t len)
{
	if (phys < MAP_PHYS || phys - MAP_PHYS > map_len || len > map_len - (phys - MAP_PHYS))
		return NULL;
	return map_mem + (phys - MAP_PHYS);
}

static bool in_run(const struct boot_checked *c, uint64_t phys, uint64_t len, uint32_t type,
		   unsigned *which)
{
	for (unsigned i = 0; i < c->mmap_count; i++)
		if (c->mmap[i].phys <= phys && phys < memmap_end(&c->mmap[i])) {
			*which = i;
			return c->mmap[i].type == type && len && len <= memmap_end(&c->mmap[i]) - phys;
		}
	return false;
}

static void check_accepted(const struct boot_checked *c)
{
	const struct boot_info *bi = &c->info;
	unsigned k = 0, r = 0, initrd_runs = 0;

	FUZZ_CHECK(c->mmap_count >= 1 && c->mmap_count <= BOOT_MMAP_MAX, "%u map entries", c->mmap_count);
	for (unsigned i = 0; i < c->mmap_count; i++) {
		const struct boot_mmap_entry *e = &c->mmap[i];

		FUZZ_CHECK(memmap_entry_valid(e), "entry %u malformed", i);
		FUZZ_CHECK(i == 0 || memmap_end(&c->mmap[i - 1]) <= e->phys, "entries %u, %u unsorted", i - 1, i);
		FUZZ_CHECK(e->type == BOOT_MEM_MMIO || e->type == BOOT_MEM_RESERVED ||
			   memmap_end(e) <= bi->hhdm_size, "RAM entry %u beyond the direct map", i);
		initrd_runs += e->type == BOOT_MEM_INITRD;
	}
	FUZZ_CHECK(in_run(c, bi->kernel_phys, bi->kernel_size, BOOT_MEM_KERNEL, &k), "kernel not in a kernel run");
	if (bi->initrd_phys || bi->initrd_size) {
		FUZZ_CHECK(in_run(c, bi->initrd_phys, bi->initrd_size, BOOT_MEM_INITRD, &r) && initrd_runs == 1,
			   "initrd kept outside its one run");
		FUZZ_CHECK(bi->initrd_phys % MEMMAP_PAGE == 0, "initrd not page aligned");
	} else {
		FUZZ_CHECK(initrd_runs == 0, "initrd memory left without an initrd");
	}
	FUZZ_CHECK(bi->cmdline_len < BOOT_CMDLINE_MAX && bi->cmdline[bi->cmdline_len] == 0 &&
		   strlen(bi->cmdline) == bi->cmdline_len, "command line length");
	if (bi->fb.format != BOOT_FB_NONE)
		FUZZ_CHECK(bi->fb.format <= BOOT_FB_BITMASK && bi->fb.width && bi->fb.height &&
			   (uint64_t)bi->fb.pitch * bi->fb.height <= bi->fb.size &&
			   bi->fb.pitch >= bi->fb.width * 4ULL && bi->fb.size <= bi->hhdm_size &&
			   bi->fb.phys <= bi->hhdm_size - bi->fb.size, "framebuffer kept inconsistent");
	FUZZ_CHECK(bi->acpi_rsdp_phys < bi->hhdm_size, "RSDP outside memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = fuzz_u8(&in);
	size_t cut = fuzz_u16(&in), got, len = sizeof(struct boot_info);
	const uint8_t *bytes = fuzz_bytes(&in, sizeof(struct boot_info), &got);
	struct boot_info *bi = calloc(1, sizeof(*bi));
	struct boot_checked *c = malloc(sizeof(*c));
	uint8_t *buf;
	int r;

	if (!bi || !c)
		abort();
	memcpy(bi, bytes, got);
	map_len = in.left;
	map_mem = fuzz_dup(in.p, in.left);
	if (!(flags & FLAG_KEEP_HEADER)) {
		bi->magic = BOOT_INFO_MAGIC;
		bi->version = BOOT_INFO_VERSION;
		bi->size = sizeof(*bi);
		bi->hhdm_base = BOOT_HHDM_BASE;
		if (bi->hhdm_size < (4ULL << 30) || bi->hhdm_size > BOOT_HHDM_MAX || bi->hhdm_size % MEMMAP_PAGE)
			bi->hhdm_size = 4ULL << 30;
		bi->kernel_virt = BOOT_KERNEL_BASE;
		bi->mmap_phys = MAP_PHYS;
		bi->mmap_entry_size = sizeof(struct boot_mmap_entry);
		bi->mmap_count = (uint32_t)(map_len / sizeof(struct boot_mmap_entry));
	}
	if (flags & FLAG_CUT_BUFFER)
		len = cut % (sizeof(*bi) + 1);
	buf = fuzz_dup(bi, len);           /* exactly len bytes: ASan sees a read past */
	memset(c, 0xa5, sizeof(*c));
	r = boot_info_check(buf, len, fake_phys, c);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "returned %d", r);
	if (r == 0)
		check_accepted(c);
	free(buf);
	free((void *)map_mem);
	free(c);
	free(bi);
	return 0;
}
