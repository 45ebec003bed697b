/* Checks the loader's boot_info before anything uses it, and keeps a copy
 * (with a sanitized memory map) in kernel memory so the loader's memory can
 * be reclaimed later. Nothing from the loader is trusted unchecked. */
#include <kernel/boot.h>
#include <kernel/log.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define PAGE 4096ULL

static struct boot_info info;
static struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
static unsigned mmap_count;
static struct cmdline cmdline;
static int accepted;

static const char *const type_names[BOOT_MEM_TYPE_COUNT] = {
	[BOOT_MEM_USABLE] = "usable",
	[BOOT_MEM_LOADER] = "loader",
	[BOOT_MEM_BOOT_SERVICES] = "boot services",
	[BOOT_MEM_KERNEL] = "kernel",
	[BOOT_MEM_BOOT_DATA] = "boot data",
	[BOOT_MEM_ACPI_RECLAIM] = "ACPI reclaim",
	[BOOT_MEM_ACPI_NVS] = "ACPI NVS",
	[BOOT_MEM_RUNTIME] = "UEFI runtime",
	[BOOT_MEM_MMIO] = "MMIO",
	[BOOT_MEM_RESERVED] = "reserved",
	[BOOT_MEM_UNUSABLE] = "unusable",
	[BOOT_MEM_PERSISTENT] = "persistent",
};

const char *boot_mem_type_name(uint32_t type)
{
	if (type >= BOOT_MEM_TYPE_COUNT || !type_names[type])
		return "unknown";
	return type_names[type];
}

/* Copies entries that are sane and do not overlap an earlier one; an entry
 * dropped here can only lose memory, never hand out memory that is not ours. */
static int accept_mmap(const struct boot_info *bi)
{
	const struct boot_mmap_entry *src;
	uint64_t bytes, end;
	unsigned n = bi->mmap_count, dropped = 0;

	if (bi->mmap_entry_size != sizeof(struct boot_mmap_entry) || n == 0) {
		log_err("boot: memory map has %u entries of %u bytes", n, bi->mmap_entry_size);
		return -EINVAL;
	}
	bytes = (uint64_t)n * sizeof(struct boot_mmap_entry);
	if (bi->mmap_phys % 8 || bi->mmap_phys + bytes < bi->mmap_phys ||
	    bi->mmap_phys + bytes > bi->hhdm_size) {
		log_err("boot: memory map at %#llx is outside the direct map",
			(unsigned long long)bi->mmap_phys);
		return -EINVAL;
	}
	if (n > BOOT_MMAP_MAX) {
		log_warn("boot: memory map has %u entries; using the first %u", n, BOOT_MMAP_MAX);
		n = BOOT_MMAP_MAX;
	}
	src = PHYS_TO_VIRT(bi->mmap_phys);
	mmap_count = 0;
	for (unsigned i = 0; i < n; i++) {
		struct boot_mmap_entry e = src[i];

		if (e.phys % PAGE || e.pages == 0 || e.pages > (1ULL << 40) ||
		    e.phys + e.pages * PAGE < e.phys || e.type == 0 || e.type >= BOOT_MEM_TYPE_COUNT ||
		    (mmap_count && e.phys < mmap[mmap_count - 1].phys +
					    mmap[mmap_count - 1].pages * PAGE)) {
			dropped++;
			continue;
		}
		mmap[mmap_count++] = e;
	}
	if (dropped)
		log_warn("boot: dropped %u malformed or overlapping memory map entries", dropped);
	end = bi->kernel_phys + bi->kernel_size;
	for (unsigned i = 0; i < mmap_count; i++) {
		if (mmap[i].type == BOOT_MEM_KERNEL && mmap[i].phys <= bi->kernel_phys &&
		    mmap[i].phys + mmap[i].pages * PAGE >= end)
			return 0;
	}
	log_err("boot: the kernel image is not marked as kernel memory in the map");
	return -EINVAL;
}

static void accept_framebuffer(struct boot_framebuffer *fb, uint64_t hhdm_size)
{
	uint64_t need = (uint64_t)fb->pitch * fb->height;

	if (fb->format == BOOT_FB_NONE)
		return;
	if (fb->format > BOOT_FB_BITMASK || fb->width == 0 || fb->height == 0 ||
	    fb->width > 16384 || fb->height > 16384 || fb->pitch < fb->width * 4ULL ||
	    need > fb->size || fb->phys + fb->size < fb->phys || fb->phys + fb->size > hhdm_size) {
		log_warn("boot: framebuffer description is inconsistent; not using it");
		*fb = (struct boot_framebuffer){ .format = BOOT_FB_NONE };
	}
}

int boot_info_accept(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(struct boot_info)) {
		log_err("boot: boot_info has magic %#llx version %u size %u; expected version %u size %zu",
			(unsigned long long)bi->magic, bi->version, bi->size, BOOT_INFO_VERSION,
			sizeof(struct boot_info));
		return -EINVAL;
	}
	info = *bi;
	if (info.hhdm_base != BOOT_HHDM_BASE || info.hhdm_size < (4ULL << 30) ||
	    info.hhdm_size > (1ULL << 46)) {
		log_err("boot: direct map %#llx+%#llx is not what the kernel expects",
			(unsigned long long)info.hhdm_base, (unsigned long long)info.hhdm_size);
		return -EINVAL;
	}
	if (info.kernel_virt != BOOT_KERNEL_BASE || info.kernel_phys % PAGE ||
	    info.kernel_size % PAGE || info.kernel_phys + info.kernel_size > info.hhdm_size) {
		log_err("boot: kernel placement %#llx/%#llx+%#llx is inconsistent",
			(unsigned long long)info.kernel_phys, (unsigned long long)info.kernel_virt,
			(unsigned long long)info.kernel_size);
		return -EINVAL;
	}
	if (accept_mmap(&info))
		return -EINVAL;
	if (info.cmdline_len >= BOOT_CMDLINE_MAX || info.cmdline[info.cmdline_len] != 0 ||
	    strnlen(info.cmdline, BOOT_CMDLINE_MAX) != info.cmdline_len) {
		log_warn("boot: command line is not terminated where its length says; ignoring it");
		info.cmdline[0] = 0;
		info.cmdline_len = 0;
	}
	if (cmdline_parse(&cmdline, info.cmdline))
		log_warn("boot: command line \"%s\" is malformed; ignoring it", info.cmdline);
	accept_framebuffer(&info.fb, info.hhdm_size);
	if (info.acpi_rsdp_phys >= info.hhdm_size) {
		log_warn("boot: ACPI RSDP %#llx is outside memory; ignoring it",
			 (unsigned long long)info.acpi_rsdp_phys);
		info.acpi_rsdp_phys = 0;
	}
	accepted = 1;
	return 0;
}

const struct boot_info *boot_info(void) { return accepted ? &info : 0; }

const struct boot_mmap_entry *boot_mmap(unsigned *count)
{
	*count = accepted ? mmap_count : 0;
	return mmap;
}

struct cmdline *boot_cmdline(void) { return &cmdline; }

const void *boot_phys_map(uint64_t phys, size_t len)
{
	if (!accepted || phys + len < phys || phys + len > info.hhdm_size)
		return 0;
	return PHYS_TO_VIRT(phys);
}

const char *boot_cmdline_peek(const char *key)
{
	const char *v = 0;

	for (unsigned i = 0; i < cmdline.count; i++)
		if (strcmp(cmdline.opts[i].key, key) == 0)
			v = cmdline.opts[i].value ? cmdline.opts[i].value : "";
	return v;
}

static void report_unknown(const struct cmdline_opt *o, void *ctx)
{
	(void)ctx;
	if (strncmp(o->key, "loader.", 7) == 0)
		return;   /* the loader's own options */
	log_warn("cmdline: unknown option \"%s\"", o->key);
}

void boot_report_unknown_options(void)
{
	cmdline_for_unused(&cmdline, report_unknown, 0);
}
