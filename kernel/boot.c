/* What the kernel keeps from the loader: boot_info_accept() has
 * kernel/boot_check.c check the boot_info and keeps the result (with the
 * cleaned memory map) in kernel memory, so the loader's memory can be
 * reclaimed, and reports where the kernel runs (KASLR); then the accessors
 * below serve it. */
#include <kernel/boot.h>
#include <kernel/boot_check.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>
#include <cosmos/errno.h>
#include <lib/string.h>

/* Written once by boot_info_accept, before any other thread exists; read
 * only afterwards (except initrd_released, an atomic). */
static struct boot_checked boot;
static struct cmdline cmdline;
static int accepted;
static int initrd_released;

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
	[BOOT_MEM_INITRD] = "initrd",
	[BOOT_MEM_TRAMPOLINE] = "CPU start",
};

const char *boot_mem_type_name(uint32_t type)
{
	if (type >= BOOT_MEM_TYPE_COUNT || !type_names[type])
		return "unknown";
	return type_names[type];
}

extern char __kernel_start[];

/* The loader's direct map; boot_info_check keeps its reads inside the
 * size the loader says it mapped. */
static const void *direct_map(uint64_t phys, size_t len)
{
	if (phys > BOOT_HHDM_MAX || len > BOOT_HHDM_MAX - phys)
		return 0;
	return PHYS_TO_VIRT(phys);
}

/* The relocations the loader applied put the image where boot_info says
 * (otherwise every pointer in it would be off). kaslr= is the loader's
 * option; the kernel only says what it got. */
static int report_place(const struct boot_info *bi)
{
	const char *opt = cmdline_get(&cmdline, "kaslr");
	uint64_t at = (uint64_t)__kernel_start;

	if (at != bi->kernel_virt) {
		log_err("boot: the loader placed the kernel at %#llx, but it runs at %#llx",
			(unsigned long long)bi->kernel_virt, (unsigned long long)at);
		return -EINVAL;
	}
	if (opt && strcmp(opt, "off") != 0 && strcmp(opt, "on") != 0)
		log_warn("boot: kaslr=%s: the loader knows only kaslr=off", opt);
	if (bi->kaslr >= BOOT_KASLR_FIRMWARE)
		log_info("boot: kernel at %#llx, linked at %#llx (KASLR: one of %u places, "
			 "entropy from %s)", (unsigned long long)at,
			 (unsigned long long)bi->kernel_link_virt, bi->kaslr_places,
			 boot_kaslr_name(bi->kaslr));
	else
		log_info("boot: kernel at its link address %#llx (%s)", (unsigned long long)at,
			 boot_kaslr_name(bi->kaslr));
	return 0;
}

int boot_info_accept(const struct boot_info *bi)
{
	uint64_t va = (uint64_t)(uintptr_t)bi;

	if (va < BOOT_HHDM_BASE || va - BOOT_HHDM_BASE > BOOT_HHDM_MAX - sizeof(*bi)) {
		log_err("boot: boot_info at %p is not in the direct map", (const void *)bi);
		return -EINVAL;
	}
	if (boot_info_check(bi, sizeof(*bi), direct_map, &boot))
		return -EINVAL;
	if (cmdline_parse(&cmdline, boot.info.cmdline))
		log_warn("boot: command line \"%s\" is malformed; ignoring it", boot.info.cmdline);
	if (report_place(&boot.info))
		return -EINVAL;
	accepted = 1;
	return 0;
}

const struct boot_info *boot_info(void) { return accepted ? &boot.info : 0; }

const struct boot_mmap_entry *boot_mmap(unsigned *count)
{
	*count = accepted ? boot.mmap_count : 0;
	return boot.mmap;
}

const void *boot_initrd(size_t *len)
{
	if (!accepted || boot.info.initrd_size == 0 ||
	    __atomic_load_n(&initrd_released, __ATOMIC_ACQUIRE)) {
		if (len)
			*len = 0;
		return 0;
	}
	if (len)
		*len = boot.info.initrd_size;
	return PHYS_TO_VIRT(boot.info.initrd_phys);
}

void boot_initrd_release(void)
{
	if (!accepted || boot.info.initrd_size == 0 ||
	    __atomic_exchange_n(&initrd_released, 1, __ATOMIC_ACQ_REL))
		return;
	pmm_release_initrd();
}

struct cmdline *boot_cmdline(void) { return &cmdline; }

const void *boot_phys_map(uint64_t phys, size_t len)
{
	if (!accepted || phys + len < phys || phys + len > boot.info.hhdm_size)
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
