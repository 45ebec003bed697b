/* The page-table audit (audit.h). The kernel's tables are walked under the
 * vmm's lock with interrupts off, so findings are only recorded there and
 * logged afterwards. An address space is walked by its owner's iterator,
 * which holds the lock that guards it. No state of its own but the
 * iterator, set once at boot. */
#include <kernel/audit.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/vmm.h>
#include <hal/cpu_features.h>
#include <hal/paging.h>
#include <hal/trap.h>
#include <lib/string.h>

#define KERNEL_HALF BOOT_HHDM_BASE
#define TOP_SLOTS   256        /* kernel-half entries of a root table */

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

static audit_iterate_fn iterate;

static const char *const rule_names[AUDIT_RULES] = {
	[AUDIT_WX] = "writable and executable page",
	[AUDIT_USER_KERNEL] = "kernel-half entry open to ring 3",
	[AUDIT_TEXT] = "writable kernel text",
	[AUDIT_RODATA] = "writable or executable kernel rodata",
	[AUDIT_DATA] = "executable kernel data",
	[AUDIT_IMAGE_FRAME] = "kernel image page on a foreign frame",
	[AUDIT_GUARD] = "guard page mapped",
	[AUDIT_DIRECT_EXEC] = "executable direct map",
	[AUDIT_STRAY] = "mapping outside the kernel's areas",
	[AUDIT_SHARED] = "kernel half not the kernel's",
};

const char *audit_rule_name(uint32_t rule)
{
	return rule < AUDIT_RULES ? rule_names[rule] : "unknown rule";
}

struct walk {
	struct audit_result *res;
	uint64_t root;
	unsigned found;        /* violations in this space */
	bool nx;               /* the CPU can forbid execution at all */
	/* the kernel's layout, where it runs */
	uint64_t img_lo, text_hi, ro_hi, img_hi, kphys, hhdm_hi;
	/* the kernel-half entries of a root, by slot */
	uint64_t top[TOP_SLOTS];
};

static void found(struct walk *w, uint32_t rule, int level, uint64_t va, uint64_t raw)
{
	struct audit_result *r = w->res;

	if (r->count < AUDIT_KEEP)
		r->kept[r->count] = (struct audit_finding){ rule, level, va, raw, w->root };
	r->count++;
	w->found++;
}

static void add(struct walk *w, uint32_t rule, const struct paging_entry *e)
{
	found(w, rule, e->level, e->va, e->raw);
}

static bool in(uint64_t va, uint64_t lo, uint64_t hi) { return va >= lo && va < hi; }

/* A leaf of the kernel half: each area has its own rights. */
static void kernel_leaf(struct walk *w, const struct paging_entry *e)
{
	bool wr = e->effective & PAGING_WRITE, x = w->nx && (e->effective & PAGING_EXEC);
	uint64_t va = e->va;

	if (in(va, KERNEL_HALF, w->hhdm_hi)) {
		if (x)
			add(w, AUDIT_DIRECT_EXEC, e);
	} else if (in(va, VMM_KVA_BASE, VMM_KVA_BASE + VMM_KVA_SIZE)) {
		for (uint64_t p = va; p - va < e->size; p += PAGE_SIZE)
			if (vmm_is_guard(p)) {
				found(w, AUDIT_GUARD, e->level, p, e->raw);
				return;
			}
		if (wr && x)
			add(w, AUDIT_WX, e);
	} else if (in(va, w->img_lo, w->img_hi)) {
		if (trap_stack_guard_hit(va))
			add(w, AUDIT_GUARD, e);
		else if (e->size != PAGE_SIZE || e->pa != w->kphys + (va - w->img_lo))
			add(w, AUDIT_IMAGE_FRAME, e);
		else if (va < w->text_hi ? wr : va < w->ro_hi ? wr || x : x)
			add(w, va < w->text_hi ? AUDIT_TEXT : va < w->ro_hi ? AUDIT_RODATA : AUDIT_DATA, e);
	} else {
		add(w, AUDIT_STRAY, e);
	}
}

static int kernel_entry(const struct paging_entry *e, void *ctx)
{
	struct walk *w = ctx;

	w->res->entries++;
	if (e->va < KERNEL_HALF) {
		add(w, AUDIT_STRAY, e);        /* the kernel's own user half is empty */
		return PAGING_WALK_SKIP;
	}
	if (e->rights & PAGING_USER)
		add(w, AUDIT_USER_KERNEL, e);
	else if (e->leaf)
		kernel_leaf(w, e);
	return 0;
}

static int top_entry(const struct paging_entry *e, void *ctx)
{
	struct walk *w = ctx;

	if (e->level == 3 && e->va >= KERNEL_HALF)
		w->top[(e->va >> 39) & (TOP_SLOTS - 1)] = e->raw;
	return PAGING_WALK_SKIP;
}

static void log_findings(const struct audit_result *res, unsigned from, const char *name)
{
	for (unsigned i = from; i < res->count && i < AUDIT_KEEP; i++) {
		const struct audit_finding *f = &res->kept[i];

		log_err("audit: %s: %s at %#llx: entry %#018llx (level %d)", name,
			audit_rule_name(f->rule), (unsigned long long)f->va,
			(unsigned long long)f->raw, f->level);
	}
	if (res->count > AUDIT_KEEP && from < res->count)
		log_err("audit: %s: %u more not listed", name,
			res->count - (from > AUDIT_KEEP ? from : AUDIT_KEEP));
}

static void begin(struct walk *w, struct audit_result *res, uint64_t root)
{
	memset(w, 0, sizeof(*w));
	w->res = res;
	w->root = root;
	w->nx = cpu_features_present() & CPU_FEAT_NX;
}

unsigned audit_kernel(struct audit_result *res)
{
	const struct boot_info *bi = boot_info();
	struct walk w;

	memset(res, 0, sizeof(*res));
	begin(&w, res, vmm_kernel_root());
	w.img_lo = (uint64_t)__kernel_start;
	w.text_hi = (uint64_t)__text_end;
	w.ro_hi = (uint64_t)__rodata_end;
	w.img_hi = (uint64_t)__kernel_end;
	w.kphys = bi->kernel_phys;
	/* vmm maps the direct map in whole 2 MiB pages */
	w.hhdm_hi = KERNEL_HALF + ((bi->hhdm_size + PAGE_SIZE_LARGE - 1) & ~(PAGE_SIZE_LARGE - 1));
	if (!w.nx)
		log_warn("audit: the CPU cannot forbid execution; execute rights are not checked");
	vmm_walk_kernel(kernel_entry, &w);
	res->spaces = 1;
	log_findings(res, 0, "kernel");
	return res->count;
}

static int space_entry(const struct paging_entry *e, void *ctx)
{
	struct walk *w = ctx;

	w->res->entries++;
	if (e->va >= KERNEL_HALF) {
		/* compared with the kernel's below; shared, so not walked again */
		uint64_t slot = (e->va >> 39) & (TOP_SLOTS - 1);

		if (e->raw != w->top[slot])
			add(w, AUDIT_SHARED, e);
		w->top[slot] = 0;
		return PAGING_WALK_SKIP;
	}
	if (e->leaf && w->nx && (e->effective & PAGING_WRITE) && (e->effective & PAGING_EXEC))
		add(w, AUDIT_WX, e);
	return 0;
}

unsigned audit_space(uint64_t root, const char *name, struct audit_result *res)
{
	unsigned from = res->count;
	struct walk w;

	begin(&w, res, root);
	vmm_walk_kernel(top_entry, &w);
	paging_walk(root, 0, UINT64_MAX, space_entry, &w);
	/* what is left is in the kernel's half and missing from this one */
	for (unsigned i = 0; i < TOP_SLOTS; i++)
		if (w.top[i])
			found(&w, AUDIT_SHARED, 3, 0xffff800000000000ull + ((uint64_t)i << 39), 0);
	res->spaces++;
	log_findings(res, from, name);
	return w.found;
}

void audit_set_iterator(audit_iterate_fn it) { iterate = it; }

static unsigned audit_one(uint64_t root, const char *name, void *ctx)
{
	return audit_space(root, name, ctx);
}

unsigned audit_all(struct audit_result *res)
{
	audit_kernel(res);
	if (iterate)
		iterate(audit_one, res);
	return res->count;
}

unsigned audit_boot(void)
{
	struct audit_result res;

	audit_all(&res);
	if (res.count)
		log_err("audit: %u page-table violations in %u address spaces (%llu entries)",
			res.count, res.spaces, (unsigned long long)res.entries);
	else
		log_info("audit: page tables clean: %u address spaces, %llu entries",
			 res.spaces, (unsigned long long)res.entries);
	return res.count;
}
