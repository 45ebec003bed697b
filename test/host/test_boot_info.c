/* Host tests of the kernel's boot_info checks (kernel/boot_check.c) on
 * crafted input: header, direct map and kernel placement, memory maps that
 * lie (entry sizes, counts, places, overlaps, wrapping and empty entries,
 * RAM beyond the direct map), the initrd's range, an unterminated command
 * line, a framebuffer and an RSDP that do not fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <kernel/boot_check.h>
#include <lib/memmap.h>

#define PG 4096ULL
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* ---- the kernel log: the last message, to check what a person reads ---- */
static char last_log[512];
void klog(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

/* ---- fake physical memory holding the memory map, at MAP_PHYS ---- */
#define MAP_PHYS 0x100000ULL
#define MAP_ROOM (BOOT_MMAP_MAX + 8)
static struct boot_mmap_entry *phys_map;   /* MAP_ROOM entries, heap, for ASan */

static const void *fake_phys(uint64_t phys, size_t len)
{
	uint64_t room = MAP_ROOM * sizeof(struct boot_mmap_entry);

	if (phys < MAP_PHYS || phys - MAP_PHYS > room || len > room - (phys - MAP_PHYS))
		return NULL;
	return (const uint8_t *)phys_map + (phys - MAP_PHYS);
}

/* ---- a valid boot_info for a small machine ---- */
#define KERNEL_PHYS   (2 * MiB)
#define KERNEL_SIZE   (2 * MiB)
#define INITRD_PHYS   (4 * MiB)
#define INITRD_SIZE   (512 * 1024 + 123)
#define INITRD_PAGES  129                  /* rounded up */

static struct boot_info *bi;
static struct boot_checked *out;

static void set_map(const struct boot_mmap_entry *e, unsigned n)
{
	memcpy(phys_map, e, n * sizeof(*e));
	bi->mmap_count = n;
}

static const struct boot_mmap_entry good_map[] = {
	{ 0, 159, BOOT_MEM_USABLE, 0 },
	{ MAP_PHYS, 256, BOOT_MEM_BOOT_DATA, 0 },
	{ KERNEL_PHYS, KERNEL_SIZE / PG, BOOT_MEM_KERNEL, 0 },
	{ INITRD_PHYS, INITRD_PAGES, BOOT_MEM_INITRD, 0 },
	{ INITRD_PHYS + INITRD_PAGES * PG, 0x1f000 - 1024 - INITRD_PAGES, BOOT_MEM_USABLE, 0 },
	{ 0x1f000000, 4096, BOOT_MEM_RUNTIME, 0 },
	{ 0xfec00000, 1, BOOT_MEM_MMIO, 0 },
};
#define GOOD_COUNT (sizeof(good_map) / sizeof(good_map[0]))

static int teardown(void **state);

/* Also used inside a test to start again from the valid boot_info. */
static int setup(void **state)
{
	teardown(state);
	bi = calloc(1, sizeof(*bi));
	out = calloc(1, sizeof(*out));
	phys_map = calloc(MAP_ROOM, sizeof(*phys_map));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->hhdm_base = BOOT_HHDM_BASE;
	bi->hhdm_size = 4 * GiB;
	bi->kernel_phys = KERNEL_PHYS;
	bi->kernel_virt = BOOT_KERNEL_BASE + 5 * BOOT_KASLR_ALIGN;
	bi->kernel_link_virt = BOOT_KERNEL_BASE;
	bi->kaslr = BOOT_KASLR_RDRAND;
	bi->kaslr_places = 1023;
	bi->kernel_size = KERNEL_SIZE;
	bi->mmap_phys = MAP_PHYS;
	bi->mmap_entry_size = sizeof(struct boot_mmap_entry);
	set_map(good_map, GOOD_COUNT);
	bi->initrd_phys = INITRD_PHYS;
	bi->initrd_size = INITRD_SIZE;
	bi->fb = (struct boot_framebuffer){ .phys = 0xc0000000, .size = 0x3e8000, .width = 1280,
					    .height = 800, .pitch = 5120, .format = BOOT_FB_BGRX };
	bi->acpi_rsdp_phys = 0x1f77d014;
	strcpy(bi->cmdline, "ktest=all quiet");
	bi->cmdline_len = (uint32_t)strlen(bi->cmdline);
	last_log[0] = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(bi);
	free(out);
	free(phys_map);
	bi = NULL;
	out = NULL;
	phys_map = NULL;
	return 0;
}

static int check(void)
{
	return boot_info_check(bi, sizeof(*bi), fake_phys, out);
}

static unsigned count_type(uint32_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < out->mmap_count; i++)
		n += out->mmap[i].type == type;
	return n;
}

/* Nothing in the result overlaps or is out of order. */
static void assert_map_clean(void)
{
	for (unsigned i = 0; i < out->mmap_count; i++) {
		assert_true(memmap_entry_valid(&out->mmap[i]));
		if (i)
			assert_true(memmap_end(&out->mmap[i - 1]) <= out->mmap[i].phys);
	}
}

/* ---- tests ---- */

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(check(), 0);
	assert_int_equal(out->mmap_count, GOOD_COUNT);
	assert_memory_equal(out->mmap, good_map, sizeof(good_map));
	assert_int_equal(out->info.initrd_phys, INITRD_PHYS);
	assert_int_equal(out->info.initrd_size, INITRD_SIZE);
	assert_string_equal(last_log, "boot: initrd 524411 bytes");
	assert_string_equal(out->info.cmdline, "ktest=all quiet");
	assert_int_equal(out->info.fb.format, BOOT_FB_BGRX);
	assert_int_equal(out->info.acpi_rsdp_phys, 0x1f77d014);
}

/* The header is read only once the buffer is long enough for it, and a
 * whole boot_info only once its size says so. */
static void test_header(void **state)
{
	(void)state;
	assert_int_equal(boot_info_check(bi, 15, fake_phys, out), -EINVAL);
	assert_int_equal(boot_info_check(bi, 16, fake_phys, out), -EINVAL);
	assert_int_equal(boot_info_check(bi, sizeof(*bi) - 1, fake_phys, out), -EINVAL);

	bi->magic ^= 1;
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "not from the CosmOS loader"));
	setup(NULL);
	bi->version = BOOT_INFO_VERSION - 1;
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "the loader and the kernel are from different builds"));
	bi->version = BOOT_INFO_VERSION + 1;
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->size = sizeof(*bi) - 8;
	assert_int_equal(check(), -EINVAL);
	bi->size = sizeof(*bi) + 8;
	assert_int_equal(check(), -EINVAL);
}

/* A boot_info cut short: a buffer of exactly the bytes given, so ASan sees
 * any read past them. */
static void test_truncated_buffer(void **state)
{
	uint8_t *cut;
	static const size_t lens[] = { 0, 8, 15, 16, 17, 100, 1000, sizeof(*bi) - 1 };

	(void)state;
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];

		cut = malloc(len ? len : 1);
		memcpy(cut, bi, len);
		assert_int_equal(boot_info_check(cut, len, fake_phys, out), -EINVAL);
		free(cut);
	}
}

static void test_direct_map(void **state)
{
	(void)state;
	bi->hhdm_base = 0;
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->hhdm_size = 4 * GiB - PG;
	assert_int_equal(check(), -EINVAL);
	bi->hhdm_size = BOOT_HHDM_MAX + GiB;
	assert_int_equal(check(), -EINVAL);
	bi->hhdm_size = 4 * GiB + 100;
	assert_int_equal(check(), -EINVAL);
	bi->hhdm_size = BOOT_HHDM_MAX;
	assert_int_equal(check(), 0);
}

static void test_kernel_placement(void **state)
{
	(void)state;
	bi->kernel_virt = BOOT_KERNEL_BASE + PG;      /* slide not a 2 MiB multiple */
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "kernel placement"));
	bi->kernel_virt = BOOT_KERNEL_BASE - BOOT_KASLR_ALIGN;   /* below the link address */
	assert_int_equal(check(), -EINVAL);
	bi->kernel_virt = BOOT_KASLR_TOP - KERNEL_SIZE;          /* the highest place */
	assert_int_equal(check(), 0);
	bi->kernel_virt = BOOT_KASLR_TOP;                        /* ends past the top */
	assert_int_equal(check(), -EINVAL);
	bi->kernel_virt = 0xffffffffffe00000ULL + BOOT_KASLR_ALIGN;  /* wraps */
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kernel_link_virt = BOOT_KERNEL_BASE + BOOT_KASLR_ALIGN;  /* linked elsewhere */
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kaslr = BOOT_KASLR_OFF;                   /* not moved, yet not at its link address */
	assert_int_equal(check(), -EINVAL);
	bi->kernel_virt = BOOT_KERNEL_BASE;
	assert_int_equal(check(), 0);
	bi->kaslr = BOOT_KASLR_UNMOVABLE;
	assert_int_equal(check(), 0);
	bi->kaslr = BOOT_KASLR_COUNT;
	assert_int_equal(check(), -EINVAL);
	bi->kaslr = BOOT_KASLR_TSC;
	assert_int_equal(check(), 0);
	setup(NULL);
	bi->kernel_phys += 16;                        /* unaligned, still inside its run */
	bi->kernel_size -= PG;
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "kernel placement"));
	setup(NULL);
	bi->kernel_size = 0;
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kernel_phys = 0xfffffffffffff000ULL;      /* wraps */
	bi->kernel_size = 2 * PG;
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kernel_phys = 8 * MiB;                    /* in usable memory */
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "not marked as kernel memory"));
	setup(NULL);
	bi->kernel_size += PG;                        /* one page into the initrd */
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kernel_phys -= PG;                        /* one page below the kernel run */
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->kernel_phys += PG;                        /* a kernel inside its run is fine */
	bi->kernel_size -= 2 * PG;
	assert_int_equal(check(), 0);
}

static void test_map_entry_size_and_count(void **state)
{
	(void)state;
	bi->mmap_entry_size = 16;
	assert_int_equal(check(), -EINVAL);
	bi->mmap_entry_size = 32;
	assert_int_equal(check(), -EINVAL);
	bi->mmap_entry_size = 0;
	assert_int_equal(check(), -EINVAL);
	setup(NULL);
	bi->mmap_count = 0;
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "memory map has 0 entries"));
	bi->mmap_count = 0xffffffffu;                 /* the array would not fit in memory */
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "outside the direct map"));
	/* more than the kernel keeps: the first BOOT_MMAP_MAX, with a warning */
	for (unsigned i = GOOD_COUNT; i < MAP_ROOM; i++)
		phys_map[i] = (struct boot_mmap_entry){ 8 * GiB + i * 2 * PG, 1, BOOT_MEM_MMIO, 0 };
	bi->mmap_count = BOOT_MMAP_MAX + 1;
	assert_int_equal(check(), 0);
	assert_int_equal(out->mmap_count, BOOT_MMAP_MAX);
	assert_int_equal(out->mmap[BOOT_MMAP_MAX - 1].phys, 8 * GiB + (BOOT_MMAP_MAX - 1) * 2 * PG);
}

static void test_map_place(void **state)
{
	(void)state;
	bi->mmap_phys = 4 * GiB - 2 * sizeof(struct boot_mmap_entry);   /* runs off the direct map */
	assert_int_equal(check(), -EINVAL);
	bi->mmap_phys = 0xfffffffffffffff0ULL;        /* wraps */
	assert_int_equal(check(), -EINVAL);
	bi->mmap_phys = 2 * GiB;                      /* in the direct map, but unreadable */
	assert_int_equal(check(), -EINVAL);
	assert_non_null(strstr(last_log, "cannot be read"));
	/* not 8-byte aligned: the entries are copied out, so that is fine */
	memmove((uint8_t *)phys_map + 4, phys_map, sizeof(good_map));
	bi->mmap_phys = MAP_PHYS + 4;
	assert_int_equal(check(), 0);
	assert_int_equal(out->mmap_count, GOOD_COUNT);
	/* the last entry ends exactly at the end of what can be read */
	bi->mmap_phys = MAP_PHYS + (MAP_ROOM - GOOD_COUNT) * sizeof(struct boot_mmap_entry);
	memcpy(phys_map + (MAP_ROOM - GOOD_COUNT), good_map, sizeof(good_map));
	assert_int_equal(check(), 0);
}

/* Unsorted, empty, unaligned, wrapping, unknown-type and overlapping
 * entries: the result is clean, and nothing the firmware keeps becomes
 * usable. */
static void test_map_contents(void **state)
{
	const struct boot_mmap_entry m[] = {
		{ KERNEL_PHYS, KERNEL_SIZE / PG, BOOT_MEM_KERNEL, 0 },
		{ 0, 159, BOOT_MEM_USABLE, 0 },
		{ 64 * MiB, 0, BOOT_MEM_USABLE, 0 },                  /* empty */
		{ 65 * MiB + 8, 4, BOOT_MEM_USABLE, 0 },              /* unaligned */
		{ 0xfffffffffffff000ULL, 4, BOOT_MEM_USABLE, 0 },     /* wraps */
		{ 66 * MiB, 1ULL << 52, BOOT_MEM_USABLE, 0 },         /* pages * 4096 wraps */
		{ 67 * MiB, 4, 0, 0 },                                /* no type */
		{ 68 * MiB, 4, BOOT_MEM_TYPE_COUNT, 0 },              /* unknown type */
		{ 16 * MiB, 4096, BOOT_MEM_USABLE, 0 },               /* 16..32 MiB */
		{ 20 * MiB, 16, BOOT_MEM_ACPI_NVS, 0 },               /* inside it */
		{ 8 * MiB, 2048, BOOT_MEM_USABLE, 0 },                /* 8..16 MiB: touches */
		{ MAP_PHYS, 256, BOOT_MEM_BOOT_DATA, 0 },
	};

	(void)state;
	bi->initrd_phys = bi->initrd_size = 0;
	set_map(m, sizeof(m) / sizeof(m[0]));
	assert_int_equal(check(), 0);
	assert_map_clean();
	assert_int_equal(out->mmap_count, 5);
	assert_int_equal(out->mmap[0].phys, 0);
	assert_int_equal(out->mmap[1].phys, MAP_PHYS);
	assert_int_equal(out->mmap[2].phys, KERNEL_PHYS);
	assert_int_equal(out->mmap[3].phys, 8 * MiB);        /* 8..20 MiB, merged */
	assert_int_equal(out->mmap[3].pages, 3072);
	assert_int_equal(out->mmap[3].type, BOOT_MEM_USABLE);
	assert_int_equal(out->mmap[4].phys, 20 * MiB);
	assert_int_equal(out->mmap[4].type, BOOT_MEM_ACPI_NVS);
}

/* The kernel reaches memory only through the direct map: RAM beyond it is
 * cut off, MMIO above it stays described. */
static void test_ram_beyond_direct_map(void **state)
{
	const struct boot_mmap_entry m[] = {
		{ 0, 159, BOOT_MEM_USABLE, 0 },
		{ MAP_PHYS, 256, BOOT_MEM_BOOT_DATA, 0 },
		{ KERNEL_PHYS, KERNEL_SIZE / PG, BOOT_MEM_KERNEL, 0 },
		{ 3 * GiB, (2 * GiB) / PG, BOOT_MEM_USABLE, 0 },      /* 3..5 GiB */
		{ 6 * GiB, 1, BOOT_MEM_USABLE, 0 },
		{ 7 * GiB, 16, BOOT_MEM_MMIO, 0 },
	};

	(void)state;
	bi->initrd_phys = bi->initrd_size = 0;
	set_map(m, sizeof(m) / sizeof(m[0]));
	assert_int_equal(check(), 0);
	assert_int_equal(out->mmap_count, 5);
	assert_int_equal(out->mmap[3].phys, 3 * GiB);
	assert_int_equal(memmap_end(&out->mmap[3]), 4 * GiB);
	assert_int_equal(out->mmap[4].type, BOOT_MEM_MMIO);
}

/* An initrd that is refused: the boot goes on without it, and initrd
 * memory holding nothing the kernel keeps becomes loader memory. */
static void refused_initrd(uint64_t phys, uint64_t size)
{
	setup(NULL);
	bi->initrd_phys = phys;
	bi->initrd_size = size;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.initrd_phys, 0);
	assert_int_equal(out->info.initrd_size, 0);
	assert_int_equal(count_type(BOOT_MEM_INITRD), 0);
	assert_int_equal(count_type(BOOT_MEM_LOADER), 1);
}

static void test_initrd_refused(void **state)
{
	(void)state;
	refused_initrd(0x30000000, PG);                          /* in no run at all */
	refused_initrd(8 * MiB, PG);                             /* in usable memory */
	refused_initrd(KERNEL_PHYS, PG);                         /* in the kernel */
	refused_initrd(INITRD_PHYS - PG, 2 * PG);                /* from the kernel into initrd memory */
	refused_initrd(INITRD_PHYS, INITRD_PAGES * PG + 1);      /* one byte past its run */
	refused_initrd(INITRD_PHYS, 0);                          /* empty */
	refused_initrd(0, INITRD_SIZE);                          /* no address */
	refused_initrd(INITRD_PHYS + 16, PG);                    /* unaligned */
	refused_initrd(0xfffffffffffff000ULL, 2 * PG);           /* wraps */
	refused_initrd(INITRD_PHYS, 0xffffffffffff0000ULL);      /* wraps from a good start */
}

/* The map itself claims initrd memory over the kernel: the runs are made
 * disjoint first (the kernel's keeps it), so the initrd is refused. */
static void test_initrd_run_overlapping_kernel(void **state)
{
	const struct boot_mmap_entry m[] = {
		{ 0, 159, BOOT_MEM_USABLE, 0 },
		{ MAP_PHYS, 256, BOOT_MEM_BOOT_DATA, 0 },
		{ KERNEL_PHYS, KERNEL_SIZE / PG, BOOT_MEM_KERNEL, 0 },
		{ KERNEL_PHYS + MiB, 512, BOOT_MEM_INITRD, 0 },        /* 3..5 MiB */
	};

	(void)state;
	set_map(m, sizeof(m) / sizeof(m[0]));
	bi->initrd_phys = KERNEL_PHYS + MiB;
	bi->initrd_size = 2 * MiB;
	assert_int_equal(check(), 0);
	assert_map_clean();
	assert_int_equal(out->info.initrd_size, 0);
	assert_int_equal(out->info.kernel_phys, KERNEL_PHYS);
	/* what is left of that run (4..5 MiB) is loader memory */
	assert_int_equal(out->mmap[3].phys, INITRD_PHYS);
	assert_int_equal(out->mmap[3].type, BOOT_MEM_LOADER);
}

/* Beyond the direct map an initrd is unreachable: refused. */
static void test_initrd_beyond_direct_map(void **state)
{
	const struct boot_mmap_entry m[] = {
		{ 0, 159, BOOT_MEM_USABLE, 0 },
		{ MAP_PHYS, 256, BOOT_MEM_BOOT_DATA, 0 },
		{ KERNEL_PHYS, KERNEL_SIZE / PG, BOOT_MEM_KERNEL, 0 },
		{ 4 * GiB - PG, 2, BOOT_MEM_INITRD, 0 },
	};

	(void)state;
	set_map(m, sizeof(m) / sizeof(m[0]));
	bi->initrd_phys = 4 * GiB - PG;
	bi->initrd_size = 2 * PG;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.initrd_size, 0);
	bi->initrd_size = PG;                         /* the page inside it is fine */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.initrd_size, PG);
	assert_int_equal(count_type(BOOT_MEM_INITRD), 1);
}

/* Only the run holding the initrd stays initrd memory; a stray one is the
 * loader's. An initrd filling its run to the last byte is fine. */
static void test_initrd_kept_exactly(void **state)
{
	(void)state;
	phys_map[GOOD_COUNT] = (struct boot_mmap_entry){ 0x30000000, 4, BOOT_MEM_INITRD, 0 };
	bi->mmap_count = GOOD_COUNT + 1;
	bi->initrd_size = INITRD_PAGES * PG;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.initrd_size, INITRD_PAGES * PG);
	assert_int_equal(count_type(BOOT_MEM_INITRD), 1);
	assert_int_equal(out->mmap[3].type, BOOT_MEM_INITRD);
	assert_int_equal(out->mmap[6].phys, 0x30000000);
	assert_int_equal(out->mmap[6].type, BOOT_MEM_LOADER);
}

static void test_no_initrd(void **state)
{
	(void)state;
	bi->initrd_phys = bi->initrd_size = 0;
	assert_int_equal(check(), 0);
	assert_string_equal(last_log, "boot: no initrd");
	assert_int_equal(count_type(BOOT_MEM_INITRD), 0);
}

static void test_cmdline(void **state)
{
	(void)state;
	memset(bi->cmdline, 'a', sizeof(bi->cmdline));   /* no NUL anywhere */
	bi->cmdline_len = BOOT_CMDLINE_MAX - 1;
	assert_int_equal(check(), 0);
	assert_string_equal(out->info.cmdline, "");
	assert_int_equal(out->info.cmdline_len, 0);

	setup(NULL);
	bi->cmdline_len = BOOT_CMDLINE_MAX;               /* the NUL would be past the end */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.cmdline_len, 0);
	memset(bi->cmdline, 'a', sizeof(bi->cmdline));   /* and there is none */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.cmdline_len, 0);
	assert_string_equal(out->info.cmdline, "");

	setup(NULL);
	bi->cmdline_len = 5;                              /* shorter than the string */
	assert_int_equal(check(), 0);
	assert_string_equal(out->info.cmdline, "");

	setup(NULL);
	bi->cmdline_len = 20;                             /* longer than the string */
	assert_int_equal(check(), 0);
	assert_string_equal(out->info.cmdline, "");

	setup(NULL);
	bi->cmdline[0] = 0;                               /* empty is fine */
	bi->cmdline_len = 0;
	assert_int_equal(check(), 0);
	assert_string_equal(last_log, "boot: initrd 524411 bytes");
}

static void test_framebuffer_and_rsdp(void **state)
{
	(void)state;
	bi->fb.pitch = 1280 * 4 - 4;                      /* shorter than a line */
	bi->acpi_rsdp_phys = 4 * GiB;                     /* past memory */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);
	assert_int_equal(out->info.acpi_rsdp_phys, 0);

	setup(NULL);
	bi->fb.phys = 0xfffffffffff00000ULL;              /* wraps */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);

	setup(NULL);
	bi->fb.size = (uint64_t)bi->fb.pitch * bi->fb.height - 1;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);

	setup(NULL);
	bi->fb.height = 0;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);

	setup(NULL);
	bi->fb.width = 16385;                             /* beyond any screen */
	bi->fb.pitch = 16385 * 4;
	bi->fb.height = 1;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);

	setup(NULL);
	bi->fb.format = BOOT_FB_BITMASK + 1;
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.fb.format, BOOT_FB_NONE);

	setup(NULL);
	bi->acpi_rsdp_phys = 4 * GiB - 36;                /* the last bytes are fine */
	assert_int_equal(check(), 0);
	assert_int_equal(out->info.acpi_rsdp_phys, 4 * GiB - 36);
	assert_int_equal(out->info.fb.format, BOOT_FB_BGRX);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_header),
		T(test_truncated_buffer),
		T(test_direct_map),
		T(test_kernel_placement),
		T(test_map_entry_size_and_count),
		T(test_map_place),
		T(test_map_contents),
		T(test_ram_beyond_direct_map),
		T(test_initrd_refused),
		T(test_initrd_run_overlapping_kernel),
		T(test_initrd_beyond_direct_map),
		T(test_initrd_kept_exactly),
		T(test_no_initrd),
		T(test_cmdline),
		T(test_framebuffer_and_rsdp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
