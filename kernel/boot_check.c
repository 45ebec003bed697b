/* Checks the loader's boot_info before anything uses it: header, direct
 * map, kernel placement, memory map, initrd, command line, framebuffer and
 * RSDP. Nothing from the loader is trusted unchecked. No kernel state here:
 * kernel/boot.c keeps the result. */
#include <kernel/boot_check.h>
#include <kernel/log.h>
#include <cosmos/errno.h>
#include <lib/memmap.h>
#include <lib/string.h>

#define PAGE 4096ULL
#define HEADER_BYTES 16   /* magic, version, size */

/* Is [phys, phys + len) inside [0, limit), without wrapping? */
static bool inside(uint64_t phys, uint64_t len, uint64_t limit)
{
	return len <= limit && phys <= limit - len;
}

static int check_header(const void *buf, size_t len)
{
	struct boot_info h;

	if (len < HEADER_BYTES) {
		log_err("boot: boot_info is %zu bytes, too short for its header", len);
		return -EINVAL;
	}
	memcpy(&h, buf, HEADER_BYTES);
	if (h.magic != BOOT_INFO_MAGIC) {
		log_err("boot: boot_info magic is %#llx, not %#llx: not from the CosmOS loader",
			(unsigned long long)h.magic, BOOT_INFO_MAGIC);
		return -EINVAL;
	}
	if (h.version != BOOT_INFO_VERSION) {
		log_err("boot: boot_info version %u, but this kernel reads version %u: "
			"the loader and the kernel are from different builds", h.version,
			BOOT_INFO_VERSION);
		return -EINVAL;
	}
	if (h.size != sizeof(struct boot_info) || len < sizeof(struct boot_info)) {
		log_err("boot: boot_info is %u bytes (%zu readable), this kernel's is %zu",
			h.size, len, sizeof(struct boot_info));
		return -EINVAL;
	}
	return 0;
}

/* RAM entries must lie in the direct map: the kernel reaches memory only
 * through it. What lies beyond is cut off. */
static unsigned clip_to_direct_map(struct boot_mmap_entry *m, unsigned n, uint64_t limit)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n; i++) {
		struct boot_mmap_entry e = m[i];

		if (e.type != BOOT_MEM_MMIO && e.type != BOOT_MEM_RESERVED && memmap_end(&e) > limit) {
			if (e.phys >= limit)
				continue;
			e.pages = (limit - e.phys) / PAGE;
		}
		m[out++] = e;
	}
	return out;
}

/* The kernel at a KASLR place: its link address plus a 2 MiB multiple,
 * ending at or below the top; at its link address if it was not moved. */
static int check_kernel_place(const struct boot_info *bi)
{
	uint64_t slide = bi->kernel_virt - bi->kernel_link_virt;
	bool moved = bi->kaslr >= BOOT_KASLR_FIRMWARE;

	if (bi->kernel_link_virt != BOOT_KERNEL_BASE || bi->kernel_virt < BOOT_KERNEL_BASE ||
	    slide % BOOT_KASLR_ALIGN || bi->kaslr >= BOOT_KASLR_COUNT || (!moved && slide) ||
	    bi->kernel_phys % PAGE || bi->kernel_size % PAGE || bi->kernel_size == 0 ||
	    bi->kernel_virt > BOOT_KASLR_TOP || bi->kernel_size > BOOT_KASLR_TOP - bi->kernel_virt ||
	    !inside(bi->kernel_phys, bi->kernel_size, bi->hhdm_size)) {
		log_err("boot: kernel placement %#llx/%#llx+%#llx (linked at %#llx, %s) is inconsistent",
			(unsigned long long)bi->kernel_phys, (unsigned long long)bi->kernel_virt,
			(unsigned long long)bi->kernel_size,
			(unsigned long long)bi->kernel_link_virt, boot_kaslr_name(bi->kaslr));
		return -EINVAL;
	}
	return 0;
}

static int check_mmap(const struct boot_info *bi, boot_phys_fn phys, struct boot_checked *c)
{
	unsigned n = bi->mmap_count, dropped = 0;
	const void *src;

	if (bi->mmap_entry_size != sizeof(struct boot_mmap_entry) || n == 0) {
		log_err("boot: memory map has %u entries of %u bytes; this kernel's are %zu bytes", n,
			bi->mmap_entry_size, sizeof(struct boot_mmap_entry));
		return -EINVAL;
	}
	if (!inside(bi->mmap_phys, (uint64_t)n * sizeof(struct boot_mmap_entry), bi->hhdm_size)) {
		log_err("boot: memory map of %u entries at %#llx is outside the direct map", n,
			(unsigned long long)bi->mmap_phys);
		return -EINVAL;
	}
	if (n > BOOT_MMAP_MAX) {
		log_warn("boot: memory map has %u entries; using the first %u", n, BOOT_MMAP_MAX);
		n = BOOT_MMAP_MAX;
	}
	src = phys(bi->mmap_phys, n * sizeof(struct boot_mmap_entry));
	if (!src) {
		log_err("boot: memory map at %#llx cannot be read", (unsigned long long)bi->mmap_phys);
		return -EINVAL;
	}
	memcpy(c->mmap, src, n * sizeof(struct boot_mmap_entry));
	n = memmap_sanitize(c->mmap, n, &dropped);
	c->mmap_count = clip_to_direct_map(c->mmap, n, bi->hhdm_size);
	if (dropped)
		log_warn("boot: dropped or cut %u malformed or overlapping memory map entries", dropped);
	if (c->mmap_count != n)
		log_warn("boot: %u memory map entries lie wholly beyond the direct map", n - c->mmap_count);
	return 0;
}

/* The run of the map holding phys, or NULL. */
static const struct boot_mmap_entry *run_of(const struct boot_checked *c, uint64_t phys)
{
	for (unsigned i = 0; i < c->mmap_count; i++)
		if (c->mmap[i].phys <= phys && phys < memmap_end(&c->mmap[i]))
			return &c->mmap[i];
	return 0;
}

/* Is [phys, phys + len) non-empty and inside one run of the given type? */
static bool in_one_run(const struct boot_checked *c, uint64_t phys, uint64_t len, uint32_t type)
{
	const struct boot_mmap_entry *r = run_of(c, phys);

	return len != 0 && r && r->type == type && len <= memmap_end(r) - phys;
}

/* Runs are disjoint, so an initrd inside an initrd run cannot overlap the
 * kernel (inside a kernel run) or anything else the kernel keeps; and the
 * runs were cut to the direct map, so the kernel can reach it. */
static void check_initrd(struct boot_checked *c)
{
	struct boot_info *bi = &c->info;
	const struct boot_mmap_entry *keep = 0;

	if (bi->initrd_phys == 0 && bi->initrd_size == 0) {
		log_info("boot: no initrd");
	} else if (bi->initrd_phys % PAGE ||
		   !in_one_run(c, bi->initrd_phys, bi->initrd_size, BOOT_MEM_INITRD)) {
		log_warn("boot: initrd %#llx+%#llx does not lie in one initrd run of the memory map; "
			 "ignoring it", (unsigned long long)bi->initrd_phys,
			 (unsigned long long)bi->initrd_size);
		bi->initrd_phys = bi->initrd_size = 0;
	} else {
		keep = run_of(c, bi->initrd_phys);
		log_info("boot: initrd %llu bytes", (unsigned long long)bi->initrd_size);
	}
	/* initrd memory holding no accepted initrd is the loader's, to reclaim */
	for (unsigned i = 0; i < c->mmap_count; i++)
		if (c->mmap[i].type == BOOT_MEM_INITRD && &c->mmap[i] != keep)
			c->mmap[i].type = BOOT_MEM_LOADER;
}

static void check_framebuffer(struct boot_framebuffer *fb, uint64_t hhdm_size)
{
	uint64_t need = (uint64_t)fb->pitch * fb->height;

	if (fb->format == BOOT_FB_NONE)
		return;
	if (fb->format > BOOT_FB_BITMASK || fb->width == 0 || fb->height == 0 ||
	    fb->width > 16384 || fb->height > 16384 || fb->pitch < fb->width * 4ULL ||
	    need > fb->size || !inside(fb->phys, fb->size, hhdm_size)) {
		log_warn("boot: framebuffer description is inconsistent; not using it");
		*fb = (struct boot_framebuffer){ .format = BOOT_FB_NONE };
	}
}

int boot_info_check(const void *buf, size_t len, boot_phys_fn phys, struct boot_checked *c)
{
	struct boot_info *bi = &c->info;

	c->mmap_count = 0;
	if (check_header(buf, len))
		return -EINVAL;
	memcpy(bi, buf, sizeof(*bi));
	if (bi->hhdm_base != BOOT_HHDM_BASE || bi->hhdm_size < (4ULL << 30) ||
	    bi->hhdm_size > BOOT_HHDM_MAX || bi->hhdm_size % PAGE) {
		log_err("boot: direct map %#llx+%#llx is not what the kernel expects",
			(unsigned long long)bi->hhdm_base, (unsigned long long)bi->hhdm_size);
		return -EINVAL;
	}
	if (check_kernel_place(bi))
		return -EINVAL;
	if (check_mmap(bi, phys, c))
		return -EINVAL;
	if (!in_one_run(c, bi->kernel_phys, bi->kernel_size, BOOT_MEM_KERNEL)) {
		log_err("boot: the kernel image is not marked as kernel memory in the map");
		return -EINVAL;
	}
	check_initrd(c);
	if (bi->cmdline_len >= BOOT_CMDLINE_MAX ||
	    strnlen(bi->cmdline, BOOT_CMDLINE_MAX) != bi->cmdline_len) {
		log_warn("boot: command line is not terminated where its length says; ignoring it");
		bi->cmdline[0] = 0;
		bi->cmdline_len = 0;
	}
	check_framebuffer(&bi->fb, bi->hhdm_size);
	if (bi->acpi_rsdp_phys >= bi->hhdm_size) {
		log_warn("boot: ACPI RSDP %#llx is outside memory; ignoring it",
			 (unsigned long long)bi->acpi_rsdp_phys);
		bi->acpi_rsdp_phys = 0;
	}
	return 0;
}
