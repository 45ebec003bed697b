/* procfs system files: each gathers the kernel's own numbers and hands
 * them to a formatter in fs/procfs_text.c. What a file shows and where it
 * comes from:
 *   meminfo     frame allocator (MemTotal = usable frames, MemFree = free
 *               frames; nothing is reclaimable yet, so MemAvailable =
 *               MemFree), heap (Slab: bytes in live kmalloc objects),
 *               kernel stacks (threads x stack size)
 *   slabinfo    the heap's size classes (kmalloc-16 .. kmalloc-2048: objects
 *               in use, slots, slabs with objects in use and all slabs
 *               held) and kmalloc-large, the blocks of whole pages
 *               (one object per "slab", its objsize the page size and
 *               pagesperslab the pages of all of them over their count,
 *               rounded down); root only, as Linux
 *   uptime      the clock and the scheduler's idle time
 *   loadavg     see load_update; runnable threads from the process table
 *   stat        idle time, all other time counted as system time (no
 *               user mode runs yet), interrupts per vector, switches,
 *               boot time from the RTC, processes created and runnable
 *               threads from the process table (process_sched_counts)
 *   cpuinfo     CPUID as hal/cpuinfo gathered it, the TSC rate
 *   interrupts  per-vector counts of vectors that fired
 *   partitions  the block layer's disks and partitions
 *   profile     kernel/prof.c's sampling report (profile=US)
 *   heapsites   the heap's small objects in use by allocating call site
 *               (kernel/mm/heap_sites.h): objects, bytes, caller, a line
 *               each; root only; ENODATA unless heapdebug=on
 *   mounts, filesystems, cmdline, version, devices
 *   sys/        the settings (fs/procfs_sys.c) */
#include <fs/procfs.h>
#include <kernel/prof.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <cosmos/abi/statfs.h>
#include <drivers/block/blockdev.h>
#include <fs/bcache.h>
#include <fs/devfs.h>
#include <fs/mount.h>
#include <fs/namei.h>
#include <fs/procfs_text.h>
#include <fs/super.h>
#include <hal/cpuinfo.h>
#include <hal/irq.h>
#include <hal/lapic.h>
#include <hal/percpu.h>
#include <hal/platform.h>
#include <hal/tsc.h>
#include <kernel/boot.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/heap_sites.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <kernel/version.h>
#include <lib/fmt.h>
#include <lib/string.h>

static int show_slabinfo(struct seqbuf *s, uint64_t arg)
{
	static const char *const names[HEAP_CLASSES] = {
		"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128",
		"kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
	};
	struct heap_stats hs;

	(void)arg;
	heap_get_stats(&hs);
	proc_slabinfo_header(s);
	for (int i = 0; i < HEAP_CLASSES; i++) {
		const struct heap_class_stats *c = &hs.cls[i];

		proc_slabinfo_line(s, &(struct proc_slab){
			.name = names[i], .active_objs = c->objects,
			.num_objs = c->slabs * c->per_slab, .objsize = c->size,
			.objperslab = c->per_slab, .pagesperslab = c->slab_pages,
			.active_slabs = c->slabs - c->empty_slabs, .num_slabs = c->slabs });
	}
	proc_slabinfo_line(s, &(struct proc_slab){
		.name = "kmalloc-large", .active_objs = hs.large_objects,
		.num_objs = hs.large_objects, .objsize = 4096, .objperslab = 1,
		.pagesperslab = hs.large_objects ? hs.large_pages / hs.large_objects : 0,
		.active_slabs = hs.large_objects, .num_slabs = hs.large_objects });
	return 0;
}

static int show_meminfo(struct seqbuf *s, uint64_t arg)
{
	struct pmm_stats ps;
	struct heap_stats hs;
	struct proc_meminfo m = { 0 };
	struct bcache_stats bs;
	uint64_t slab = 0;

	(void)arg;
	pmm_get_stats(&ps);
	heap_get_stats(&hs);
	for (int i = 0; i < HEAP_CLASSES; i++)
		slab += hs.cls[i].bytes;
	m.total = ps.usable_pages * 4;
	m.free = ps.free_pages * 4;
	/* the block cache is Linux's Buffers (a block device's cache); its
	 * clean blocks are what memory pressure can take back */
	bcache_get_stats(&bs);
	m.buffers = bs.cached * 4;
	m.dirty = bs.unsafe * 4;
	m.writeback = bs.writeback * 4;
	m.available = m.free + (bs.cached - bs.dirty) * 4;
	m.slab_unreclaimable = slab / 1024;
	m.kernel_stack = (uint64_t)thread_count() * THREAD_STACK_SIZE / 1024;
	m.commit_limit = m.total;
	m.vmalloc_total = VMM_KVA_SIZE / 1024;
	proc_meminfo_text(s, &m);
	return 0;
}

/* Linux's load average damps the number of runnable (and uninterruptible)
 * tasks. The scheduler here does not count those, so the load average is
 * the damped busy fraction of the CPU instead (1.00: busy all the time),
 * with Linux's constants and 5-second steps, brought up to date whenever
 * the file is read. load_lock (a spinlock) protects the state below. */
static struct spinlock load_lock = SPINLOCK_INIT("loadavg");
static uint64_t load[3], load_last_ns, load_last_idle;

static void load_update(uint64_t out[3])
{
	struct sched_stats st;
	uint64_t now, f, steps;

	sched_get_stats(&st);
	now = time_ns();
	f = spin_lock_irqsave(&load_lock);
	steps = (now - load_last_ns) / PROC_LOAD_STEP_NS;
	if (steps) {
		uint64_t span = now - load_last_ns, idle = st.idle_ns - load_last_idle;
		uint64_t active = idle >= span ? 0 : (span - idle) * PROC_FIXED_1 / span;

		/* a long gap only needs the steps that still change the result */
		for (uint64_t i = 0; i < steps && i < 4096; i++)
			proc_load_step(load, active);
		load_last_ns = now;
		load_last_idle = st.idle_ns;
	}
	for (int k = 0; k < 3; k++)
		out[k] = load[k];
	spin_unlock_irqrestore(&load_lock, f);
}

static int show_loadavg(struct seqbuf *s, uint64_t arg)
{
	struct proc_loadavg l = { 0 };
	uint64_t forks;
	unsigned blocked;

	(void)arg;
	load_update(l.load);
	process_sched_counts(&forks, &l.running, &blocked);
	l.threads = thread_count();
	proc_loadavg_text(s, &l);
	return 0;
}

static int show_uptime(struct seqbuf *s, uint64_t arg)
{
	struct sched_stats st;

	(void)arg;
	sched_get_stats(&st);
	proc_uptime_text(s, time_ns(), st.idle_ns);
	return 0;
}

static int show_stat(struct seqbuf *s, uint64_t arg)
{
	struct sched_stats st;
	struct proc_stat ps = { 0 };
	uint64_t now = time_ns(), *counts = kmalloc(256 * sizeof(*counts));

	(void)arg;
	if (!counts)
		return -ENOMEM;
	sched_get_stats(&st);
	ps.total.idle = st.idle_ns;
	ps.total.system = now > st.idle_ns ? now - st.idle_ns : 0;
	ps.cpu = &ps.total;
	ps.ncpus = 1;
	/* "intr" numbers are interrupt vectors here */
	for (unsigned v = 0; v < 256; v++)
		counts[v] = irq_count(v);
	ps.intr = counts;
	ps.nintr = 256;
	ps.ctxt = st.switches;
	ps.btime = platform_boot_unix_time();
	process_sched_counts(&ps.processes, &ps.running, &ps.blocked);
	proc_stat_text(s, &ps);
	kfree(counts);
	return 0;
}

static int show_cpuinfo(struct seqbuf *s, uint64_t arg)
{
	const struct cpu_info *ci = cpuinfo();
	unsigned n = sched_cpus_online();
	char *flags = kmalloc(1024);
	struct proc_cpu *cpus = kzalloc(n * sizeof(*cpus));
	struct proc_cpu c = { 0 };

	(void)arg;
	if (!flags || !cpus) {
		kfree(flags);
		kfree(cpus);
		return -ENOMEM;
	}
	cpuinfo_flags(flags, 1024, 0);
	c.vendor = ci->vendor;
	c.model_name = ci->brand;
	c.flags = flags;
	c.family = ci->family;
	c.model = ci->model;
	c.stepping = ci->stepping;
	c.cpuid_level = ci->max_leaf;
	c.khz = tsc_hz() / 1000;
	for (unsigned i = 0; i < ci->ncaches; i++)
		if (ci->caches[i].type != 'I' && ci->caches[i].size_kib > c.cache_kib)
			c.cache_kib = ci->caches[i].size_kib;
	c.clflush = 64;
	c.cache_alignment = 64;
	c.phys_bits = ci->phys_addr_bits;
	c.virt_bits = ci->virt_addr_bits;
	c.siblings = c.cores = n;
	c.fpu = (ci->leaf1_edx & 1) != 0;
	/* every online CPU: the same model (CPUID as the boot CPU read it),
	 * its own APIC id; each a core of one package */
	for (unsigned i = 0; i < n; i++) {
		cpus[i] = c;
		cpus[i].apic_id = percpu_get(i)->apic_id;
		cpus[i].core = i;
	}
	proc_cpuinfo_text(s, cpus, n);
	kfree(cpus);
	kfree(flags);
	return 0;
}

static int show_version(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	proc_version_text(s, COSMOS_SYSNAME, COSMOS_RELEASE, "cosmos@cosmos", "gcc " __VERSION__,
			  COSMOS_BUILD_TAG);
	return 0;
}

static int show_cmdline(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_printf(s, "%s\n", boot_info()->cmdline);
	return 0;
}

static void mount_line(const struct mount *m, void *ctx)
{
	struct seqbuf *s = ctx;
	struct path p = { (struct mount *)m, m->root };
	char dir[PATH_MAX], opts[96];
	long n = vfs_path_string(&p, dir, sizeof(dir));

	if (n < 0)
		return;             /* outside the caller's root */
	strlcpy(opts, mnt_is_rdonly(m) ? "ro" : "rw", sizeof(opts));
	if (m->flags & MNT_NOSUID)
		strlcpy(opts + strlen(opts), ",nosuid", sizeof(opts) - strlen(opts));
	if (m->flags & MNT_NODEV)
		strlcpy(opts + strlen(opts), ",nodev", sizeof(opts) - strlen(opts));
	if (m->flags & MNT_NOEXEC)
		strlcpy(opts + strlen(opts), ",noexec", sizeof(opts) - strlen(opts));
	strlcpy(opts + strlen(opts),
		m->flags & MNT_NOATIME ? ",noatime" : m->flags & MNT_STRICTATIME ? "" : ",relatime",
		sizeof(opts) - strlen(opts));
	proc_mount_line(s, m->source, dir, m->sb->type->name, opts);
}

int procfs_show_mounts(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	return mount_for_each(mount_line, s);
}

static void fs_line(const struct file_system_type *t, void *ctx)
{
	proc_filesystem_line(ctx, t->name, t->flags & FS_REQUIRES_DEV);
}

static int show_heapsites(struct seqbuf *s, uint64_t arg)
{
	struct heap_sites *c = kmalloc(sizeof(*c));
	int err;

	(void)arg;
	if (!c)
		return -ENOMEM;
	thread_reap();    /* ended threads waiting for their reaper are not held */
	err = heap_sites_take(c);
	for (unsigned i = 0; !err && i < c->n; i++) {
		char name[96];

		heap_site_name(c->site[i].caller, name, sizeof(name));
		seq_printf(s, "%ld %ld %s\n", c->site[i].objects, c->site[i].bytes, name);
	}
	kfree(c);
	return err;
}

static int show_filesystems(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	return fs_for_each(fs_line, s);
}

static int show_partitions(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	proc_partitions_header(s);
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *bd = blockdev_get(i);
		uint32_t dev = devfs_blockdev_number(bd);

		proc_partition_line(s, DEV_MAJOR(dev), DEV_MINOR(dev),
				    bd->sectors * bd->sector_size / 1024, bd->name);
	}
	return 0;
}

static int show_interrupts(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	proc_interrupts_header(s, 1);
	for (unsigned v = 0; v < 256; v++) {
		uint64_t n = irq_count(v);
		char label[8];

		if (!n || v == LAPIC_TIMER_VECTOR || v == LAPIC_SPURIOUS_VECTOR ||
		    v == LAPIC_ERROR_VECTOR)
			continue;
		fmt_snprintf(label, sizeof(label), "%u", v);
		proc_interrupts_row(s, label, &n, 1, "vector");
	}
	uint64_t loc = irq_count(LAPIC_TIMER_VECTOR), spu = irq_count(LAPIC_SPURIOUS_VECTOR);
	uint64_t err = irq_count(LAPIC_ERROR_VECTOR);
	proc_interrupts_row(s, "LOC", &loc, 1, "Local timer interrupts");
	proc_interrupts_row(s, "SPU", &spu, 1, "Spurious interrupts");
	proc_interrupts_row(s, "ERR", &err, 1, "APIC errors");
	return 0;
}

static int show_devices(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	return devfs_show_devices(s);
}

#define RO (S_IFREG | 0444)

static const struct pseudo_entry proc_root_children[] = {
	{ .name = "cmdline", .mode = RO, .show = show_cmdline },
	{ .name = "cpuinfo", .mode = RO, .show = show_cpuinfo },
	{ .name = "profile", .mode = RO, .show = prof_show },
	{ .name = "devices", .mode = RO, .show = show_devices },
	{ .name = "filesystems", .mode = RO, .show = show_filesystems },
	{ .name = "heapsites", .mode = S_IFREG | 0400, .show = show_heapsites },
	{ .name = "interrupts", .mode = RO, .show = show_interrupts },
	{ .name = "loadavg", .mode = RO, .show = show_loadavg },
	{ .name = "meminfo", .mode = RO, .show = show_meminfo },
	{ .name = "mounts", .mode = RO, .show = procfs_show_mounts },
	{ .name = "partitions", .mode = RO, .show = show_partitions },
	{ .name = "self", .mode = S_IFLNK | 0777, .link = procfs_self_link },
	{ .name = "slabinfo", .mode = S_IFREG | 0400, .show = show_slabinfo },
	{ .name = "stat", .mode = RO, .show = show_stat },
	{ .name = "sys", .mode = S_IFDIR | 0555, .children = procfs_sys_children },
	{ .name = "uptime", .mode = RO, .show = show_uptime },
	{ .name = "version", .mode = RO, .show = show_version },
	{ 0 },
};

int procfs_show_file(const char *name, struct seqbuf *s)
{
	for (const struct pseudo_entry *e = proc_root_children; e->name; e++)
		if (e->show && strcmp(e->name, name) == 0)
			return e->show(s, 0);
	return -ENOENT;
}

static const struct pseudo_entry proc_root = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.children = proc_root_children,
	.family = &procfs_pids,
};

static struct pseudo_fs procfs = {
	.type = { .name = "proc" },
	.root = &proc_root,
	.magic = PROC_SUPER_MAGIC,
};

void procfs_init(void)
{
	struct sched_stats st;

	sched_get_stats(&st);
	load_last_ns = time_ns();
	load_last_idle = st.idle_ns;
	pseudofs_register(&procfs);
}
