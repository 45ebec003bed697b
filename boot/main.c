/* The CosmOS UEFI loader: reads \cosmos\kernel.elf, \cosmos\cmdline.txt and
 * \cosmos\initrd.cpio from its own volume, checks the kernel completely,
 * loads it, builds its page tables and boot_info, leaves boot services and
 * jumps. Any failure is reported on screen and serial, and control goes back
 * to the firmware. */
#include "loader.h"
#include "kernel_limits.h"
#include "reloc.h"
#include <lib/cmdline.h>
#include <lib/elf_check.h>
#include <lib/string.h>

#define KERNEL_PATH  L"\\cosmos\\kernel.elf"
#define CMDLINE_PATH L"\\cosmos\\cmdline.txt"
#define INITRD_PATH  L"\\cosmos\\initrd.cpio"

/* Runs from an identity-mapped page: switch to the kernel's tables, then
 * jump. No stack use after the CR3 write (the old stack is not mapped). */
void cosmos_handoff(uint64_t pml4, uint64_t boot_info_virt, uint64_t entry)
	__attribute__((noreturn));
__asm__(".text\n"
	".balign 64\n"
	".globl cosmos_handoff\n"
	"cosmos_handoff:\n"
	"\tcli\n"
	"\tmov %rdi, %cr3\n"
	"\tmov %rsi, %rdi\n"
	"\txor %ebp, %ebp\n"
	"\tjmp *%rdx\n"
	"cosmos_handoff_end:\n");

static const char *status_name(EFI_STATUS st)
{
	switch (st) {
	case EFI_NOT_FOUND:         return "not found";
	case EFI_OUT_OF_RESOURCES:  return "out of memory";
	case EFI_BAD_BUFFER_SIZE:   return "file too large";
	case EFI_END_OF_FILE:       return "short read";
	case EFI_DEVICE_ERROR:      return "device error";
	case EFI_INVALID_PARAMETER: return "invalid parameter";
	case EFI_UNSUPPORTED:       return "unsupported";
	case EFI_ACCESS_DENIED:     return "access denied";
	case EFI_VOLUME_CORRUPTED:  return "volume corrupted";
	default:                    return "firmware error";
	}
}

/* Reports a fatal error and gives a person time to read it before returning
 * to the firmware (a key press returns at once). */
static EFI_STATUS fail(EFI_STATUS st, const char *what)
{
	UINTN idx;
	EFI_EVENT ev[2];

	say("loader: error: %s\n", what);
	say("loader: not starting the kernel; returning to the firmware\n");
	if (!EFI_ERROR(BS->CreateEvent(EVT_TIMER, 0, 0, 0, &ev[0]))) {
		BS->SetTimer(ev[0], TimerRelative, 10ULL * 1000 * 1000 * 10); /* 10 s */
		ev[1] = ST->ConIn->WaitForKey;
		BS->WaitForEvent(2, ev, &idx);
		BS->CloseEvent(ev[0]);
	}
	return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}

/* Printable ASCII and tabs only; newlines become spaces. */
static int cmdline_set(struct boot_info *bi, const char *src, UINT64 len)
{
	if (len >= BOOT_CMDLINE_MAX)
		return -1;
	/* Check everything first: a rejected file must leave no partial text. */
	for (UINT64 i = 0; i < len; i++)
		if ((src[i] < 0x20 || src[i] > 0x7e) && src[i] != '\n' && src[i] != '\r' && src[i] != '\t')
			return -1;
	for (UINT64 i = 0; i < len; i++) {
		char c = src[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		bi->cmdline[i] = c;
	}
	while (len > 0 && bi->cmdline[len - 1] == ' ')
		len--;
	bi->cmdline[len] = 0;
	bi->cmdline_len = (uint32_t)len;
	return 0;
}

/* Load options override cmdline.txt. A shell passes the image name as the
 * first word; firmware boot entries may pass binary data, which is ignored. */
static void cmdline_from_options(EFI_HANDLE image, struct boot_info *bi)
{
	EFI_LOADED_IMAGE *li;
	char buf[BOOT_CMDLINE_MAX];
	UINT64 n, start = 0;
	const CHAR16 *opt;

	if (EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li)))
		return;
	if (!li->LoadOptions || li->LoadOptionsSize < 2)
		return;
	opt = li->LoadOptions;
	n = li->LoadOptionsSize / 2;
	while (n > 0 && opt[n - 1] == 0)
		n--;
	if (n == 0 || n >= sizeof(buf))
		return;
	for (UINT64 i = 0; i < n; i++) {
		if (opt[i] > 0x7e || (opt[i] < 0x20 && opt[i] != '\t'))
			return; /* not text: not a command line */
		buf[i] = (char)opt[i];
	}
	buf[n] = 0;
	/* skip "BOOTX64.EFI" or "\EFI\BOOT\BOOTX64.EFI" as the first word */
	while (start < n && buf[start] != ' ')
		start++;
	if (start >= 4 && (buf[start - 1] | 0x20) == 'i' && (buf[start - 2] | 0x20) == 'f' &&
	    (buf[start - 3] | 0x20) == 'e' && buf[start - 4] == '.') {
		while (start < n && buf[start] == ' ')
			start++;
	} else {
		start = 0;
	}
	if (start < n && cmdline_set(bi, buf + start, n - start) == 0)
		say("loader: command line from load options\n");
}

/* The loader reads kaslr=off (load the kernel at its link address, for
 * debugging; the kernel reads it too). Its own options share the command
 * line under "loader."; the kernel leaves them alone. They exist for the
 * tests:
 *   loader.ebs_retry          make the first ExitBootServices fail
 *   loader.initrd_max=BYTES   lower the initramfs size limit
 *   loader.entropy=rdseed|rdrand|tsc   skip the better sources of KASLR
 *                             entropy, to try the fallbacks */
struct loader_options {
	int force_retry;
	UINT64 initrd_max;
	int kaslr_off;
	uint32_t entropy_first;
};

static void loader_options(const char *text, struct loader_options *o)
{
	static const char *const sources[] = { "rdseed", "rdrand", "tsc" };
	static struct cmdline cl;
	unsigned long long v;
	const char *e, *k;

	o->force_retry = 0;
	o->initrd_max = LOADER_MAX_INITRD;
	o->kaslr_off = 0;
	o->entropy_first = BOOT_KASLR_FIRMWARE;
	if (cmdline_parse(&cl, text) != 0)
		return;
	o->force_retry = cmdline_has(&cl, "loader.ebs_retry");
	if (cmdline_get_u64(&cl, "loader.initrd_max", &v) == 0 && v < o->initrd_max)
		o->initrd_max = v;
	/* libefi's strcmpa: the loader does not link lib/string.c */
	k = cmdline_get(&cl, "kaslr");
	o->kaslr_off = k && strcmpa((CHAR8 *)k, (CHAR8 *)"off") == 0;
	e = cmdline_get(&cl, "loader.entropy");
	for (unsigned i = 0; e && i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmpa((CHAR8 *)e, (CHAR8 *)sources[i]) == 0)
			o->entropy_first = BOOT_KASLR_RDSEED + i;
}

/* The other CPUs start in real mode, at a page below 1 MiB: the kernel
 * finds these pages in the memory map as BOOT_MEM_TRAMPOLINE. Without
 * them the kernel runs on the boot CPU alone, so a failure is no error. */
static void reserve_trampoline(void)
{
	EFI_PHYSICAL_ADDRESS top = 0xfffff;

	if (EFI_ERROR(BS->AllocatePages(AllocateMaxAddress, (EFI_MEMORY_TYPE)LOADER_TYPE_TRAMPOLINE,
					LOADER_TRAMPOLINE_PAGES, &top)))
		say("loader: no memory below 1 MiB to start other CPUs from\n");
}

/* loader.ebs_retry: an allocation between GetMemoryMap and
 * ExitBootServices changes the map, so the first key is stale and the retry
 * path runs (the tests use it; firmware can do the same on its own). */
static void make_map_key_stale(void)
{
	EFI_PHYSICAL_ADDRESS page;

	BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page);
}

static void find_framebuffer(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	struct boot_framebuffer *fb = &bi->fb;

	if (EFI_ERROR(BS->LocateProtocol(&GraphicsOutputProtocol, 0, (void **)&gop)) ||
	    !gop->Mode || !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor: fb->format = BOOT_FB_RGBX; break;
	case PixelBlueGreenRedReserved8BitPerColor: fb->format = BOOT_FB_BGRX; break;
	case PixelBitMask:
		fb->format = BOOT_FB_BITMASK;
		fb->red_mask = info->PixelInformation.RedMask;
		fb->green_mask = info->PixelInformation.GreenMask;
		fb->blue_mask = info->PixelInformation.BlueMask;
		fb->reserved_mask = info->PixelInformation.ReservedMask;
		break;
	default:
		return; /* blt-only: no linear framebuffer to hand over */
	}
	fb->phys = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * 4;
}

static uint64_t find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20))
			return (uint64_t)(uintptr_t)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			v1 = (uint64_t)(uintptr_t)t->VendorTable;
	}
	return v1;
}

/* \cosmos\initrd.cpio is optional: without it the kernel gets none. It is
 * read whole into memory of its own type, which the kernel keeps until it
 * has unpacked the archive. A file that is too large or cannot be read is
 * an error: the kernel never starts with a different root than was given. */
static EFI_STATUS load_initrd(EFI_HANDLE image, struct boot_info *bi, UINT64 max)
{
	EFI_PHYSICAL_ADDRESS phys;
	UINT64 size;
	EFI_STATUS st;

	st = file_read_pages(image, INITRD_PATH, max, LOADER_MEM_INITRD, &phys, &size);
	if (st == EFI_NOT_FOUND) {
		say("loader: no \\cosmos\\initrd.cpio\n");
		return EFI_SUCCESS;
	}
	if (st == EFI_BAD_BUFFER_SIZE) {
		say("loader: \\cosmos\\initrd.cpio is %llu bytes, more than the limit of %llu bytes\n",
		    (unsigned long long)size, (unsigned long long)max);
		return st;
	}
	if (EFI_ERROR(st)) {
		say("loader: cannot read \\cosmos\\initrd.cpio (%llu bytes): %s\n",
		    (unsigned long long)size, status_name(st));
		return st;
	}
	if (size == 0) {
		say("loader: \\cosmos\\initrd.cpio is empty; starting without one\n");
		return EFI_SUCCESS;
	}
	bi->initrd_phys = phys;
	bi->initrd_size = size;
	say("loader: initrd %llu bytes\n", (unsigned long long)size);
	return EFI_SUCCESS;
}

/* KASLR: the kernel's slide above its link address (a random one of the
 * places reloc_pick allows, or 0 for kaslr=off), recorded in bi. */
static uint64_t choose_slide(const struct elf_info *ei, const struct loader_options *o,
			     struct boot_info *bi)
{
	uint64_t places = reloc_slots(ei->vaddr_lo, ei->vaddr_hi);

	bi->kaslr_places = places > UINT32_MAX ? UINT32_MAX : (uint32_t)places;
	if (o->kaslr_off || places <= 1) {
		bi->kaslr = BOOT_KASLR_OFF;
		return 0;
	}
	return reloc_pick(ei->vaddr_lo, ei->vaddr_hi, kaslr_random(o->entropy_first, &bi->kaslr));
}

/* Copies the checked segments into one contiguous block, applies the
 * relocations for the chosen slide (checking them all even for none), and
 * maps each page at its moved address with its segment's rights. */
static EFI_STATUS load_kernel(const UINT8 *file, UINT64 size, const struct elf_info *ei,
			      const struct loader_options *o, struct pt_builder *pt,
			      struct boot_info *bi)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	uint64_t span = ei->vaddr_hi - ei->vaddr_lo, slide;
	struct reloc_result rr;
	EFI_PHYSICAL_ADDRESS block;
	EFI_STATUS st;
	int err;

	st = BS->AllocatePages(AllocateAnyPages, LOADER_MEM_KERNEL, span / LOADER_PAGE, &block);
	if (EFI_ERROR(st))
		return st;
	memset((void *)(uintptr_t)block, 0, span);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(file, i);

		if (ph->p_type == PT_LOAD)
			memcpy((UINT8 *)(uintptr_t)block + (ph->p_vaddr - ei->vaddr_lo),
			       file + ph->p_offset, ph->p_filesz);
	}
	slide = choose_slide(ei, o, bi);
	err = reloc_apply(file, size, ei, (uint8_t *)(uintptr_t)block, slide, &rr);
	if (err == RELOC_ENONE) {
		/* nothing was changed: it can still run where it was linked */
		say("loader: the kernel has no relocations; it cannot be moved\n");
		slide = 0;
		bi->kaslr = BOOT_KASLR_UNMOVABLE;
	} else if (err) {
		say("loader: \\cosmos\\kernel.elf: relocation %llu of section %u (type %u at %llx): %s\n",
		    (unsigned long long)rr.bad_index, rr.bad_section, rr.bad_type,
		    (unsigned long long)rr.bad_place, reloc_strerror(err));
		return EFI_LOAD_ERROR;
	}
	if (bi->kaslr >= BOOT_KASLR_FIRMWARE)
		say("loader: kernel at %llx, one of %u places (entropy from %s); %llu relocations, %llu changed\n",
		    (unsigned long long)(ei->vaddr_lo + slide), bi->kaslr_places,
		    boot_kaslr_name(bi->kaslr), (unsigned long long)rr.count,
		    (unsigned long long)rr.changed);
	else
		say("loader: kernel at its link address %llx (%s)\n",
		    (unsigned long long)ei->vaddr_lo, boot_kaslr_name(bi->kaslr));
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(file, i);
		uint64_t first = ph->p_vaddr & ~(LOADER_PAGE - 1), last = ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		for (uint64_t v = first; v < last; v += LOADER_PAGE) {
			st = pt_map_4k(pt, v + slide, block + (v - ei->vaddr_lo),
				       (ph->p_flags & PF_W) != 0, (ph->p_flags & PF_X) != 0);
			if (EFI_ERROR(st))
				return st;
		}
	}
	bi->kernel_phys = block;
	bi->kernel_virt = ei->vaddr_lo + slide;
	bi->kernel_link_virt = ei->vaddr_lo;
	bi->kernel_size = span;
	return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static const struct elf_limits kernel_limits = LOADER_KERNEL_LIMITS;
	struct pt_builder pt;
	struct elf_info ei;
	struct boot_info *bi;
	EFI_PHYSICAL_ADDRESS bi_phys;
	UINT8 *kfile, *map;
	char *ctext;
	UINT64 ksize, csize;
	UINTN map_size = 0, map_cap, map_key, desc_size, bi_pages;
	UINT32 desc_ver;
	uint32_t mmap_cap, tries;
	struct loader_options opts;
	EFI_STATUS st;
	int err;

	InitializeLib(image, systab);
	console_init();
	say("CosmOS loader\n");

	st = file_read(image, KERNEL_PATH, LOADER_MAX_KERNEL, (void **)&kfile, &ksize);
	if (EFI_ERROR(st)) {
		say("loader: cannot read \\cosmos\\kernel.elf: %s\n", status_name(st));
		return fail(st, "no kernel to start");
	}
	err = elf_check(kfile, ksize, &kernel_limits, &ei);
	if (err) {
		say("loader: \\cosmos\\kernel.elf (%llu bytes) is not a valid kernel: %s\n",
		    (unsigned long long)ksize, elf_strerror(err));
		return fail(EFI_LOAD_ERROR, "invalid kernel image");
	}
	say("loader: kernel %llu bytes, %u segments, entry %llx\n",
	    (unsigned long long)ksize, ei.nload, (unsigned long long)ei.entry);

	/* boot_info and the final memory map live in one BOOT_DATA block, sized
	 * from the current map with room for what we and the firmware add. */
	st = BS->GetMemoryMap(&map_size, 0, &map_key, &desc_size, &desc_ver);
	if (st != EFI_BUFFER_TOO_SMALL || desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return fail(st, "cannot read the memory map");
	map_cap = map_size + 64 * desc_size;
	mmap_cap = (uint32_t)(map_cap / desc_size);
	bi_pages = (sizeof(*bi) + mmap_cap * sizeof(struct boot_mmap_entry) + LOADER_PAGE - 1) / LOADER_PAGE;
	st = BS->AllocatePages(AllocateAnyPages, LOADER_MEM_BOOT_DATA, bi_pages, &bi_phys);
	if (EFI_ERROR(st))
		return fail(st, "out of memory for boot_info");
	bi = (struct boot_info *)(uintptr_t)bi_phys;
	memset(bi, 0, bi_pages * LOADER_PAGE);
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->mmap_phys = bi_phys + sizeof(*bi);
	bi->mmap_entry_size = sizeof(struct boot_mmap_entry);

	st = file_read(image, CMDLINE_PATH, BOOT_CMDLINE_MAX - 1, (void **)&ctext, &csize);
	if (!EFI_ERROR(st)) {
		if (cmdline_set(bi, ctext, csize) != 0)
			say("loader: warning: \\cosmos\\cmdline.txt is not printable text; ignored\n");
		BS->FreePool(ctext);
	} else if (st == EFI_BAD_BUFFER_SIZE) {
		say("loader: warning: \\cosmos\\cmdline.txt is longer than %d bytes; ignored\n",
		    BOOT_CMDLINE_MAX - 1);
	}
	cmdline_from_options(image, bi);
	loader_options(bi->cmdline, &opts);
	say("loader: command line \"%s\"\n", bi->cmdline);

	find_framebuffer(bi);
	bi->acpi_rsdp_phys = find_rsdp();

	st = pt_init(&pt);
	if (!EFI_ERROR(st))
		st = load_kernel(kfile, ksize, &ei, &opts, &pt, bi);
	if (st == EFI_LOAD_ERROR)
		return fail(st, "invalid kernel image");
	if (EFI_ERROR(st))
		return fail(st, "cannot load the kernel into memory");
	BS->FreePool(kfile);
	st = load_initrd(image, bi, opts.initrd_max);
	if (EFI_ERROR(st))
		return fail(st, "the initramfs cannot be loaded");
	reserve_trampoline();

	st = BS->AllocatePool(EfiLoaderData, map_cap, (void **)&map);
	if (EFI_ERROR(st))
		return fail(st, "out of memory for the memory map");
	map_size = map_cap;
	st = BS->GetMemoryMap(&map_size, (EFI_MEMORY_DESCRIPTOR *)map, &map_key, &desc_size, &desc_ver);
	if (EFI_ERROR(st))
		return fail(st, "cannot read the memory map");

	/* The direct map spans all RAM and at least the 32-bit MMIO hole. */
	bi->hhdm_base = BOOT_HHDM_BASE;
	bi->hhdm_size = memmap_top(map, map_size, desc_size);
	if (bi->hhdm_size < (4ULL << 30))
		bi->hhdm_size = 4ULL << 30;
	bi->hhdm_size = (bi->hhdm_size + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	st = pt_map_direct(&pt, 0, bi->hhdm_size);
	if (!EFI_ERROR(st)) {
		extern char cosmos_handoff_end[];
		uint64_t h = (uint64_t)(uintptr_t)cosmos_handoff & ~(LOADER_PAGE - 1);
		uint64_t h_end = (uint64_t)(uintptr_t)cosmos_handoff_end;
		for (; !EFI_ERROR(st) && h < h_end; h += LOADER_PAGE)
			st = pt_map_4k(&pt, h, h, 0, 1);
	}
	if (EFI_ERROR(st))
		return fail(st, "cannot build the page tables");
	bi->page_tables_phys = pt.pml4;

	say("loader: starting the kernel\n");
	for (tries = 1;; tries++) {
		map_size = map_cap;
		st = BS->GetMemoryMap(&map_size, (EFI_MEMORY_DESCRIPTOR *)map, &map_key, &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			return fail(st, "cannot read the memory map");
		if (tries == 1 && opts.force_retry)
			make_map_key_stale();
		st = BS->ExitBootServices(image, map_key);
		if (!EFI_ERROR(st))
			break;
		/* A stale key means the map changed under us; anything else, or
		 * too many retries, is fatal while boot services still exist. */
		if (st != EFI_INVALID_PARAMETER || tries >= 8)
			return fail(st, "ExitBootServices failed");
	}
	/* From here on: no firmware services, only our own memory and ports. */
	bi->exit_boot_tries = tries;
	bi->mmap_count = memmap_translate(map, map_size, desc_size,
					  (struct boot_mmap_entry *)(uintptr_t)bi->mmap_phys, mmap_cap);
	bi->loader_tsc = rdtsc();
	cosmos_handoff(pt.pml4, BOOT_HHDM_BASE + bi_phys, ei.entry + (bi->kernel_virt - ei.vaddr_lo));
}
