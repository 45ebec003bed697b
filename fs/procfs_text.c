/* Linux's /proc text formats (fs/procfs_text.h): field names, order,
 * widths and units as Linux 6.x prints them (fs/proc/meminfo.c, stat.c,
 * array.c, arch/x86/kernel/cpu/proc.c), so programs that parse /proc on
 * Linux parse ours. */
#include <fs/procfs_text.h>

#define PAGE_BYTES 4096ull

static void kb_line(struct seqbuf *s, const char *label, uint64_t kib)
{
	/* the label with its colon is padded to 16 columns, the number to 8 */
	seq_printf(s, "%-16s%8llu kB\n", label, (unsigned long long)kib);
}

void proc_meminfo_text(struct seqbuf *s, const struct proc_meminfo *m)
{
	kb_line(s, "MemTotal:", m->total);
	kb_line(s, "MemFree:", m->free);
	kb_line(s, "MemAvailable:", m->available);
	kb_line(s, "Buffers:", m->buffers);
	kb_line(s, "Cached:", m->cached);
	kb_line(s, "SwapCached:", 0);
	kb_line(s, "Active:", 0);
	kb_line(s, "Inactive:", 0);
	kb_line(s, "Active(anon):", 0);
	kb_line(s, "Inactive(anon):", 0);
	kb_line(s, "Active(file):", 0);
	kb_line(s, "Inactive(file):", 0);
	kb_line(s, "Unevictable:", 0);
	kb_line(s, "Mlocked:", 0);
	kb_line(s, "SwapTotal:", 0);
	kb_line(s, "SwapFree:", 0);
	kb_line(s, "Zswap:", 0);
	kb_line(s, "Zswapped:", 0);
	kb_line(s, "Dirty:", m->dirty);
	kb_line(s, "Writeback:", m->writeback);
	kb_line(s, "AnonPages:", m->anon_pages);
	kb_line(s, "Mapped:", m->mapped);
	kb_line(s, "Shmem:", m->shmem);
	kb_line(s, "KReclaimable:", m->slab_reclaimable);
	kb_line(s, "Slab:", m->slab_reclaimable + m->slab_unreclaimable);
	kb_line(s, "SReclaimable:", m->slab_reclaimable);
	kb_line(s, "SUnreclaim:", m->slab_unreclaimable);
	kb_line(s, "KernelStack:", m->kernel_stack);
	kb_line(s, "PageTables:", m->page_tables);
	kb_line(s, "SecPageTables:", 0);
	kb_line(s, "NFS_Unstable:", 0);
	kb_line(s, "Bounce:", 0);
	kb_line(s, "WritebackTmp:", 0);
	kb_line(s, "CommitLimit:", m->commit_limit);
	kb_line(s, "Committed_AS:", m->committed);
	kb_line(s, "VmallocTotal:", m->vmalloc_total);
	kb_line(s, "VmallocUsed:", m->vmalloc_used);
	kb_line(s, "VmallocChunk:", 0);
	kb_line(s, "Percpu:", m->percpu);
	seq_printf(s, "HardwareCorrupted: %5u kB\n", 0u);
	kb_line(s, "AnonHugePages:", 0);
	kb_line(s, "ShmemHugePages:", 0);
	kb_line(s, "ShmemPmdMapped:", 0);
	kb_line(s, "FileHugePages:", 0);
	kb_line(s, "FilePmdMapped:", 0);
	seq_printf(s, "HugePages_Total:   %5u\n", 0u);
	seq_printf(s, "HugePages_Free:    %5u\n", 0u);
	seq_printf(s, "HugePages_Rsvd:    %5u\n", 0u);
	seq_printf(s, "HugePages_Surp:    %5u\n", 0u);
	kb_line(s, "Hugepagesize:", 2048);
	kb_line(s, "Hugetlb:", 0);
	kb_line(s, "DirectMap4k:", m->direct_map_4k);
	kb_line(s, "DirectMap2M:", m->direct_map_2m);
	kb_line(s, "DirectMap1G:", m->direct_map_1g);
}

void proc_slabinfo_header(struct seqbuf *s)
{
	seq_printf(s, "slabinfo - version: 2.1\n"
		   "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		   " : tunables <limit> <batchcount> <sharedfactor>"
		   " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
}

void proc_slabinfo_line(struct seqbuf *s, const struct proc_slab *c)
{
	/* no per-CPU caches, so the tunables are all 0, as SLUB prints them */
	seq_printf(s, "%-17s %6llu %6llu %6llu %4llu %4llu : tunables %4u %4u %4u : slabdata %6llu %6llu %6u\n",
		   c->name, (unsigned long long)c->active_objs, (unsigned long long)c->num_objs,
		   (unsigned long long)c->objsize, (unsigned long long)c->objperslab,
		   (unsigned long long)c->pagesperslab, 0u, 0u, 0u,
		   (unsigned long long)c->active_slabs, (unsigned long long)c->num_slabs, 0u);
}

/* seconds.centiseconds, truncated as Linux does */
static void put_centis(struct seqbuf *s, uint64_t ns)
{
	uint64_t cs = ns / 10000000ull;

	seq_printf(s, "%llu.%02llu", (unsigned long long)(cs / 100), (unsigned long long)(cs % 100));
}

void proc_uptime_text(struct seqbuf *s, uint64_t uptime_ns, uint64_t idle_ns)
{
	put_centis(s, uptime_ns);
	seq_putc(s, ' ');
	put_centis(s, idle_ns);
	seq_putc(s, '\n');
}

static void put_load(struct seqbuf *s, uint64_t x)
{
	/* Linux adds FIXED_1/200 so that the two decimals are rounded */
	x += PROC_FIXED_1 / 200;
	seq_printf(s, "%llu.%02llu", (unsigned long long)(x >> PROC_FSHIFT),
		   (unsigned long long)(((x & (PROC_FIXED_1 - 1)) * 100) >> PROC_FSHIFT));
}

void proc_loadavg_text(struct seqbuf *s, const struct proc_loadavg *l)
{
	for (int i = 0; i < 3; i++) {
		put_load(s, l->load[i]);
		seq_putc(s, ' ');
	}
	seq_printf(s, "%u/%u %d\n", l->running, l->threads, l->last_pid);
}

void proc_load_step(uint64_t load[3], uint64_t active)
{
	static const uint64_t exp[3] = { 1884, 2014, 2037 };   /* 2048 / e^(5s / 1, 5, 15 min) */

	for (int k = 0; k < 3; k++) {
		uint64_t n = load[k] * exp[k] + active * (PROC_FIXED_1 - exp[k]);

		/* rounds up while rising, so a constant load is reached */
		if (active >= load[k])
			n += PROC_FIXED_1 - 1;
		load[k] = n / PROC_FIXED_1;
	}
}

static unsigned long long ticks(uint64_t ns)
{
	return (unsigned long long)(ns / PROC_NS_PER_TICK);
}

static void cpu_times(struct seqbuf *s, const struct proc_cpu_times *c)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	seq_printf(s, " %llu %llu %llu %llu %llu %llu %llu %llu 0 0\n", ticks(c->user),
		   ticks(c->nice), ticks(c->system), ticks(c->idle), ticks(c->iowait),
		   ticks(c->irq), ticks(c->softirq), ticks(c->steal));
}

void proc_stat_text(struct seqbuf *s, const struct proc_stat *st)
{
	uint64_t total = 0;

	seq_puts(s, "cpu ");
	cpu_times(s, &st->total);
	for (unsigned i = 0; i < st->ncpus; i++) {
		seq_printf(s, "cpu%u", i);
		cpu_times(s, &st->cpu[i]);
	}
	for (unsigned i = 0; i < st->nintr; i++)
		total += st->intr[i];
	seq_printf(s, "intr %llu", (unsigned long long)total);
	for (unsigned i = 0; i < st->nintr; i++)
		seq_printf(s, " %llu", (unsigned long long)st->intr[i]);
	seq_printf(s, "\nctxt %llu\nbtime %lld\nprocesses %llu\nprocs_running %u\nprocs_blocked %u\n",
		   (unsigned long long)st->ctxt, (long long)st->btime,
		   (unsigned long long)st->processes, st->running, st->blocked);
	seq_puts(s, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

void proc_cpuinfo_text(struct seqbuf *s, const struct proc_cpu *cpus, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct proc_cpu *c = &cpus[i];
		uint64_t bogo = c->khz * 2 / 10;    /* hundredths */

		seq_printf(s, "processor\t: %u\n", i);
		seq_printf(s, "vendor_id\t: %s\n", c->vendor);
		seq_printf(s, "cpu family\t: %u\n", c->family);
		seq_printf(s, "model\t\t: %u\n", c->model);
		seq_printf(s, "model name\t: %s\n", c->model_name[0] ? c->model_name : "unknown");
		seq_printf(s, "stepping\t: %u\n", c->stepping);
		seq_printf(s, "cpu MHz\t\t: %llu.%03llu\n", (unsigned long long)(c->khz / 1000),
			   (unsigned long long)(c->khz % 1000));
		if (c->cache_kib)
			seq_printf(s, "cache size\t: %u KB\n", c->cache_kib);
		seq_printf(s, "physical id\t: %u\n", c->package);
		seq_printf(s, "siblings\t: %u\n", c->siblings);
		seq_printf(s, "core id\t\t: %u\n", c->core);
		seq_printf(s, "cpu cores\t: %u\n", c->cores);
		seq_printf(s, "apicid\t\t: %u\n", c->apic_id);
		seq_printf(s, "initial apicid\t: %u\n", c->apic_id);
		seq_printf(s, "fpu\t\t: %s\n", c->fpu ? "yes" : "no");
		seq_printf(s, "fpu_exception\t: %s\n", c->fpu ? "yes" : "no");
		seq_printf(s, "cpuid level\t: %u\n", c->cpuid_level);
		seq_puts(s, "wp\t\t: yes\n");
		seq_printf(s, "flags\t\t:%s%s\n", c->flags[0] ? " " : "", c->flags);
		seq_puts(s, "bugs\t\t:\n");
		seq_printf(s, "bogomips\t: %llu.%02llu\n", (unsigned long long)(bogo / 100),
			   (unsigned long long)(bogo % 100));
		seq_printf(s, "clflush size\t: %u\n", c->clflush);
		seq_printf(s, "cache_alignment\t: %u\n", c->cache_alignment);
		seq_printf(s, "address sizes\t: %u bits physical, %u bits virtual\n", c->phys_bits,
			   c->virt_bits);
		seq_puts(s, "power management:\n\n");
	}
}

void proc_version_text(struct seqbuf *s, const char *sysname, const char *release,
		       const char *builder, const char *compiler, const char *version)
{
	seq_printf(s, "%s version %s (%s) (%s) %s\n", sysname, release, builder, compiler, version);
}

/* Linux's mangle(): these four characters become a backslash and three
 * octal digits, so fields stay separated by single spaces. */
static void put_escaped(struct seqbuf *s, const char *p)
{
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\')
			seq_printf(s, "\\%03o", (unsigned)(unsigned char)*p);
		else
			seq_putc(s, *p);
	}
}

void proc_mount_line(struct seqbuf *s, const char *source, const char *dir,
		     const char *fstype, const char *options)
{
	put_escaped(s, source);
	seq_putc(s, ' ');
	put_escaped(s, dir);
	seq_putc(s, ' ');
	put_escaped(s, fstype);
	seq_putc(s, ' ');
	put_escaped(s, options);
	seq_puts(s, " 0 0\n");
}

void proc_filesystem_line(struct seqbuf *s, const char *name, bool needs_device)
{
	seq_printf(s, "%s\t%s\n", needs_device ? "" : "nodev", name);
}

void proc_partitions_header(struct seqbuf *s)
{
	seq_puts(s, "major minor  #blocks  name\n\n");
}

void proc_partition_line(struct seqbuf *s, unsigned major, unsigned minor, uint64_t kib,
			 const char *name)
{
	seq_printf(s, "%4u  %7u %10llu %s\n", major, minor, (unsigned long long)kib, name);
}

void proc_interrupts_header(struct seqbuf *s, unsigned ncpus)
{
	seq_printf(s, "%*s", 3 + 8, "");
	for (unsigned i = 0; i < ncpus; i++)
		seq_printf(s, "CPU%-8u", i);
	seq_putc(s, '\n');
}

void proc_interrupts_row(struct seqbuf *s, const char *label, const uint64_t *counts,
			 unsigned ncpus, const char *desc)
{
	seq_printf(s, "%3s: ", label);
	for (unsigned i = 0; i < ncpus; i++)
		seq_printf(s, "%10llu ", (unsigned long long)counts[i]);
	seq_printf(s, "  %s\n", desc);
}

const char *proc_state_name(char state)
{
	switch (state) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'X': return "X (dead)";
	case 'Z': return "Z (zombie)";
	case 'P': return "P (parked)";
	case 'I': return "I (idle)";
	default:  return "? (unknown)";
	}
}

/* The command name as Linux keeps it: at most 15 characters. */
static void put_comm(struct seqbuf *s, const char *comm, bool escape)
{
	for (int i = 0; comm[i] && i < 15; i++) {
		if (escape && comm[i] == '\n')
			seq_puts(s, "\\n");
		else if (escape && comm[i] == '\\')
			seq_puts(s, "\\\\");
		else
			seq_putc(s, comm[i]);
	}
}

void proc_task_stat_text(struct seqbuf *s, const struct proc_task *t)
{
	bool mm = !t->kthread;
	unsigned long long rss = (t->rss_anon + t->rss_file + t->rss_shmem) / PAGE_BYTES;

	seq_printf(s, "%d (", t->pid);
	put_comm(s, t->comm, false);
	seq_printf(s, ") %c %d %d %d %d %d %u", t->state, t->ppid, t->pgid, t->sid, t->tty_nr,
		   t->tpgid, t->flags);
	seq_printf(s, " %llu 0 %llu 0", (unsigned long long)t->min_flt, (unsigned long long)t->maj_flt);
	seq_printf(s, " %llu %llu %llu %llu", ticks(t->utime), ticks(t->stime), ticks(t->cutime),
		   ticks(t->cstime));
	seq_printf(s, " %d %d %u 0 %llu", t->priority, t->nice, t->threads, ticks(t->start_time));
	seq_printf(s, " %llu %llu 18446744073709551615", (unsigned long long)(mm ? t->vm_size : 0),
		   mm ? rss : 0);
	seq_printf(s, " %llu %llu %llu 0 0", (unsigned long long)t->start_code,
		   (unsigned long long)t->end_code, (unsigned long long)t->start_stack);
	/* the signal fields show the low 31 bits, as Linux's do */
	seq_printf(s, " %llu %llu %llu %llu", (unsigned long long)(t->sig_pending & 0x7fffffff),
		   (unsigned long long)(t->sig_blocked & 0x7fffffff),
		   (unsigned long long)(t->sig_ignored & 0x7fffffff),
		   (unsigned long long)(t->sig_caught & 0x7fffffff));
	seq_printf(s, " 0 0 0 %d %d 0 0 0 0 0", t->exit_signal, t->processor);
	seq_printf(s, " %llu %llu %llu %llu %llu %llu %llu %d\n", (unsigned long long)t->start_data,
		   (unsigned long long)t->end_data, (unsigned long long)t->start_brk,
		   (unsigned long long)t->arg_start, (unsigned long long)t->arg_end,
		   (unsigned long long)t->env_start, (unsigned long long)t->env_end, t->exit_code);
}

static void status_kb(struct seqbuf *s, const char *label, uint64_t bytes)
{
	seq_printf(s, "%s\t%8llu kB\n", label, (unsigned long long)(bytes / 1024));
}

static void put_cpu_list(struct seqbuf *s, uint64_t mask)
{
	bool first = true;

	for (int i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		int j = i;
		while (j + 1 < 64 && (mask >> (j + 1) & 1))
			j++;
		seq_printf(s, first ? "%d" : ",%d", i);
		if (j > i)
			seq_printf(s, "-%d", j);
		first = false;
		i = j;
	}
}

void proc_task_status_text(struct seqbuf *s, const struct proc_task *t)
{
	/* root holds every capability (CosmOS has no finer split); CAP_LAST_CAP 40 */
	const unsigned long long all_caps = 0x000001ffffffffffull;
	unsigned long long eff = t->uid[1] == 0 ? all_caps : 0;

	seq_puts(s, "Name:\t");
	put_comm(s, t->comm, true);
	seq_putc(s, '\n');
	if (t->umask >= 0)
		seq_printf(s, "Umask:\t%04o\n", (unsigned)t->umask);
	seq_printf(s, "State:\t%s\n", proc_state_name(t->state));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n", t->tgid,
		   t->pid, t->ppid, t->tracer_pid);
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\n", t->uid[0], t->uid[1], t->uid[2], t->uid[3]);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\n", t->gid[0], t->gid[1], t->gid[2], t->gid[3]);
	seq_printf(s, "FDSize:\t%u\nGroups:\t", t->fd_slots);
	for (unsigned i = 0; i < t->ngroups; i++)
		seq_printf(s, i ? " %u" : "%u", t->groups[i]);
	seq_printf(s, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", t->tgid, t->pid,
		   t->pgid, t->sid);
	seq_printf(s, "Kthread:\t%d\n", t->kthread ? 1 : 0);
	if (!t->kthread) {
		status_kb(s, "VmPeak:", t->vm_peak);
		status_kb(s, "VmSize:", t->vm_size);
		status_kb(s, "VmLck:", 0);
		status_kb(s, "VmPin:", 0);
		status_kb(s, "VmHWM:", t->vm_hwm);
		status_kb(s, "VmRSS:", t->rss_anon + t->rss_file + t->rss_shmem);
		status_kb(s, "RssAnon:", t->rss_anon);
		status_kb(s, "RssFile:", t->rss_file);
		status_kb(s, "RssShmem:", t->rss_shmem);
		status_kb(s, "VmData:", t->vm_data);
		status_kb(s, "VmStk:", t->vm_stack);
		status_kb(s, "VmExe:", t->vm_exe);
		status_kb(s, "VmLib:", 0);
		status_kb(s, "VmPTE:", t->vm_pte);
		status_kb(s, "VmSwap:", 0);
		status_kb(s, "HugetlbPages:", 0);
		seq_puts(s, "CoreDumping:\t0\nTHP_enabled:\t0\n");
	}
	seq_printf(s, "Threads:\t%u\n", t->threads);
	seq_printf(s, "SigQ:\t0/0\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
		   "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		   (unsigned long long)t->sig_pending, (unsigned long long)t->sig_shared,
		   (unsigned long long)t->sig_blocked, (unsigned long long)t->sig_ignored,
		   (unsigned long long)t->sig_caught);
	seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		   "CapAmb:\t%016llx\n", 0ull, eff, eff, all_caps, 0ull);
	seq_puts(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_printf(s, "Cpus_allowed:\t%llx\nCpus_allowed_list:\t", (unsigned long long)t->cpus_allowed);
	put_cpu_list(s, t->cpus_allowed);
	seq_puts(s, "\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	seq_printf(s, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
		   (unsigned long long)t->voluntary_switches,
		   (unsigned long long)t->nonvoluntary_switches);
}

void proc_task_statm_text(struct seqbuf *s, const struct proc_task *t)
{
	uint64_t rss = t->rss_anon + t->rss_file + t->rss_shmem;

	seq_printf(s, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)(t->vm_size / PAGE_BYTES),
		   (unsigned long long)(rss / PAGE_BYTES),
		   (unsigned long long)((t->rss_file + t->rss_shmem) / PAGE_BYTES),
		   (unsigned long long)(t->vm_exe / PAGE_BYTES),
		   (unsigned long long)((t->vm_data + t->vm_stack) / PAGE_BYTES));
}
