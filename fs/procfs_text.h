/* Linux's /proc text formats, produced from plain data the procfs glue
 * gathers from the kernel, so the formatting is host-tested against
 * fixed input. Each function appends to a seqbuf. Times are in ns and
 * shown in Linux's units (USER_HZ clock ticks, or seconds.centiseconds). */
#ifndef FS_PROCFS_TEXT_H
#define FS_PROCFS_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <fs/seqbuf.h>

#define PROC_USER_HZ 100u
#define PROC_NS_PER_TICK (1000000000ull / PROC_USER_HZ)

/* /proc/meminfo; every value in KiB. Fields CosmOS has no counterpart for
 * (swap, huge pages, zswap, LRU lists) are printed as 0, which is what
 * Linux shows on a machine without them. */
struct proc_meminfo {
	uint64_t total, free, available;
	uint64_t buffers, cached, shmem;
	uint64_t dirty, writeback;
	uint64_t anon_pages, mapped;
	uint64_t slab_reclaimable, slab_unreclaimable;
	uint64_t kernel_stack, page_tables;
	uint64_t commit_limit, committed;
	uint64_t vmalloc_total, vmalloc_used;
	uint64_t percpu;
	uint64_t direct_map_4k, direct_map_2m, direct_map_1g;
};
void proc_meminfo_text(struct seqbuf *s, const struct proc_meminfo *m);

/* /proc/slabinfo (version 2.1): a header, then one line per cache. */
struct proc_slab {
	const char *name;
	uint64_t active_objs, num_objs, objsize, objperslab, pagesperslab;
	uint64_t active_slabs, num_slabs;
};
void proc_slabinfo_header(struct seqbuf *s);
void proc_slabinfo_line(struct seqbuf *s, const struct proc_slab *c);

/* /proc/uptime: seconds since boot and idle seconds (summed over CPUs). */
void proc_uptime_text(struct seqbuf *s, uint64_t uptime_ns, uint64_t idle_ns);

/* /proc/loadavg. load[] in Linux's fixed point (FSHIFT 11: 2048 is 1.0). */
#define PROC_FSHIFT  11
#define PROC_FIXED_1 (1u << PROC_FSHIFT)
struct proc_loadavg {
	uint64_t load[3];          /* 1, 5, 15 minutes */
	unsigned running, threads; /* runnable now / all scheduling entities */
	int last_pid;
};
void proc_loadavg_text(struct seqbuf *s, const struct proc_loadavg *l);
/* One 5-second step of Linux's damping (kernel/sched/loadavg.c) of the
 * 1, 5 and 15 minute averages towards active (fixed point). */
#define PROC_LOAD_STEP_NS 5000000000ull
void proc_load_step(uint64_t load[3], uint64_t active);

/* /proc/stat. Per-CPU times in ns; intr[i] counts interrupt number i. */
struct proc_cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};
struct proc_stat {
	struct proc_cpu_times total;
	const struct proc_cpu_times *cpu;
	unsigned ncpus;
	const uint64_t *intr;
	unsigned nintr;
	uint64_t ctxt;             /* context switches */
	int64_t btime;             /* boot time, seconds since 1970 */
	uint64_t processes;        /* forks (processes and threads) since boot */
	unsigned running, blocked;
};
void proc_stat_text(struct seqbuf *s, const struct proc_stat *st);

/* /proc/cpuinfo, one block per CPU. */
struct proc_cpu {
	const char *vendor, *model_name, *flags;
	uint32_t family, model, stepping, cpuid_level;
	uint64_t khz;
	uint32_t cache_kib;        /* the last-level cache */
	uint32_t apic_id;
	unsigned clflush, cache_alignment;
	unsigned phys_bits, virt_bits;
	unsigned package, core, siblings, cores;
	bool fpu;
};
void proc_cpuinfo_text(struct seqbuf *s, const struct proc_cpu *cpus, unsigned n);

/* /proc/version: "<sysname> version <release> (<builder>) (<compiler>) <version>". */
void proc_version_text(struct seqbuf *s, const char *sysname, const char *release,
		       const char *builder, const char *compiler, const char *version);

/* /proc/mounts and /proc/[pid]/mounts, one line per mount; the names are
 * escaped as Linux does (space, tab, newline and backslash as \ooo). */
void proc_mount_line(struct seqbuf *s, const char *source, const char *dir,
		     const char *fstype, const char *options);

/* /proc/filesystems, one line per registered type. */
void proc_filesystem_line(struct seqbuf *s, const char *name, bool needs_device);

/* /proc/partitions: the header, then one line per disk or partition. */
void proc_partitions_header(struct seqbuf *s);
void proc_partition_line(struct seqbuf *s, unsigned major, unsigned minor,
			 uint64_t kib, const char *name);

/* /proc/interrupts: the header for ncpus CPUs, then one row per interrupt
 * (number or a short tag such as "LOC") with its per-CPU counts. */
void proc_interrupts_header(struct seqbuf *s, unsigned ncpus);
void proc_interrupts_row(struct seqbuf *s, const char *label, const uint64_t *counts,
			 unsigned ncpus, const char *desc);

/* One task (thread group or thread) for /proc/[pid]/stat and status. */
struct proc_task {
	int pid, tgid, ppid, pgid, sid, tty_nr, tpgid, tracer_pid;
	char state;                  /* R S D Z T t X I */
	const char *comm;            /* at most 15 characters are shown */
	uint32_t uid[4], gid[4];     /* real, effective, saved, file system */
	const uint32_t *groups;
	unsigned ngroups;
	int umask;                   /* -1: unknown (the line is left out) */
	unsigned threads, fd_slots;
	uint32_t flags;              /* Linux's PF_* bits (PF_KTHREAD 0x200000) */
	int priority, nice;          /* Linux's: 20 + nice for normal tasks */
	uint64_t utime, stime, cutime, cstime, start_time;    /* ns */
	uint64_t min_flt, maj_flt;
	bool kthread;                /* no address space: no Vm lines */
	/* Address space, in bytes (status shows kB, stat and statm pages): */
	uint64_t vm_size, vm_peak, vm_hwm, vm_data, vm_stack, vm_exe, vm_pte;
	uint64_t rss_anon, rss_file, rss_shmem;
	uint64_t start_code, end_code, start_stack, start_data, end_data, start_brk;
	uint64_t arg_start, arg_end, env_start, env_end;
	/* Signals: */
	uint64_t sig_pending, sig_shared, sig_blocked, sig_ignored, sig_caught;
	int exit_signal, exit_code;
	int processor;
	uint64_t cpus_allowed;       /* bit i: CPU i */
	uint64_t voluntary_switches, nonvoluntary_switches;
};
void proc_task_stat_text(struct seqbuf *s, const struct proc_task *t);
void proc_task_status_text(struct seqbuf *s, const struct proc_task *t);
/* /proc/[pid]/statm: sizes in pages. */
void proc_task_statm_text(struct seqbuf *s, const struct proc_task *t);
/* The long form of a state letter: "S (sleeping)". */
const char *proc_state_name(char state);

#endif
