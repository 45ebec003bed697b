/* The vDSO's image and data page, made at boot and shared by every program
 * (see vdso.h). Programs map them through a pager that hands out the same
 * frames to all: the region is shared and opened read-only, so mprotect
 * cannot add write to it (W^X holds: the image is read+execute, the data
 * page read-only) and fork shares it as it is. */
#include <kernel/exec/vdso.h>
#include <cosmos/abi/mman.h>
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <hal/platform.h>
#include <hal/tsc.h>
#include <hal/vdso/clock_scale.h>
#include <hal/vdso/vdso_data.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

/* hal/vdso/vdso_image.S: the linked shared object, page aligned */
extern const uint8_t vdso_image_start[], vdso_image_end[];

#define VDSO_MAX_PAGES 4
#define NS 1000000000ll

/* Set once by vdso_init, before the first program; read-only afterwards.
 * frames[0] is the data page, the image's pages follow; npages counts
 * both (0: no vDSO). */
static uint64_t frames[1 + VDSO_MAX_PAGES];
static unsigned npages;
/* Serializes writers of the data page (readers use its seq). */
static struct spinlock data_lock = SPINLOCK_INIT("vdso_data");

void vdso_update(void)
{
	struct vdso_data *d;
	uint64_t base_tsc, base_ns, mult, f;

	if (!npages)
		return;
	d = PHYS_TO_VIRT(frames[0]);
	/* the kernel's clock and the vDSO shift by the same constant,
	 * CLOCK_SCALE_SHIFT (a variable shift costs more under TCG) */
	tsc_clock_params(&base_tsc, &base_ns, &mult);
	f = spin_lock_irqsave(&data_lock);
	/* odd while the fields change: readers wait and read again */
	__atomic_store_n(&d->seq, d->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	d->base_tsc = base_tsc;
	d->mult = mult;
	d->base_ns[0] = base_ns;
	d->base_ns[1] = base_ns + (uint64_t)(platform_boot_unix_time() * NS);
	__atomic_store_n(&d->seq, d->seq + 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&data_lock, f);
}

void vdso_init(void)
{
	size_t len = (size_t)(vdso_image_end - vdso_image_start);
	unsigned n = (unsigned)((len + PAGE_SIZE - 1) / PAGE_SIZE);

	if (n == 0 || n > VDSO_MAX_PAGES) {
		log_err("vdso: image of %zu bytes does not fit %u pages; programs go without", len,
			VDSO_MAX_PAGES);
		return;
	}
	for (unsigned i = 0; i <= n; i++) {
		if (!(frames[i] = pmm_alloc_zeroed(0))) {
			log_err("vdso: no memory for its pages; programs go without");
			while (i-- > 0)
				pmm_free(frames[i], 0);
			return;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		size_t chunk = len - i * PAGE_SIZE < PAGE_SIZE ? len - i * PAGE_SIZE : PAGE_SIZE;

		memcpy(PHYS_TO_VIRT(frames[1 + i]), vdso_image_start + i * PAGE_SIZE, chunk);
	}
	npages = 1 + n;
	vdso_update();
	log_info("vdso: %zu bytes of image and a data page for every program", len);
}

static int vdso_getpage(void *obj, uint64_t off, uint64_t *phys)
{
	(void)obj;
	if (off / PAGE_SIZE >= npages)
		return -ENXIO;
	*phys = frames[off / PAGE_SIZE];
	pmm_ref(*phys);
	return 0;
}

/* The frames live as long as the kernel: nothing to count. */
static void vdso_hold(void *obj) { (void)obj; }
static void vdso_release(void *obj) { (void)obj; }

static void vdso_describe(void *obj, struct vm_object_id *id, char *name, size_t size)
{
	(void)obj;
	*id = (struct vm_object_id){ 0 };
	strlcpy(name, "[vdso]", size);
}

static const struct vm_pager_ops vdso_pager = {
	.getpage = vdso_getpage,
	.hold = vdso_hold,
	.release = vdso_release,
	.describe = vdso_describe,
};

long vdso_map(struct vm_space *vm)
{
	struct vm_file file = { .ops = &vdso_pager, .obj = frames, .readable = true };
	long addr;
	int err;

	if (!npages)
		return 0;
	addr = vm_mmap(vm, 0, npages * PAGE_SIZE, PROT_READ, MAP_SHARED, &file, 0);
	if (addr < 0)
		return addr;
	err = vm_mprotect(vm, (uint64_t)addr + PAGE_SIZE, (npages - 1) * PAGE_SIZE,
			  PROT_READ | PROT_EXEC);
	return err ? err : addr + (long)PAGE_SIZE;
}
