/* Host tests of the /proc text formats: exact lines as Linux prints them,
 * and the parses busybox's free, top and ps apply to them (their sscanf
 * patterns, copied as facts about the format they expect). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fs/procfs_text.h>

static char out[16384];
static struct seqbuf sb;

static const char *text(void)
{
	assert_false(sb.overflow);
	out[sb.len] = 0;
	return out;
}

static int setup(void **state)
{
	(void)state;
	seqbuf_init(&sb, out, sizeof(out) - 1);
	return 0;
}

/* The line of `text` that starts with `prefix`, or NULL. */
static const char *line_of(const char *t, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = t; *p;) {
		if (strncmp(p, prefix, n) == 0)
			return p;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return NULL;
}

static void assert_line(const char *t, const char *line)
{
	const char *p = strstr(t, line);

	if (!p || (p != t && p[-1] != '\n'))
		fail_msg("missing line \"%s\" in:\n%s", line, t);
}

static void assert_prefix(const char *t, const char *want)
{
	if (strncmp(t, want, strlen(want)) != 0)
		fail_msg("expected to start with:\n%s\ngot:\n%s", want, t);
}

static void test_seqbuf_overflow(void **state)
{
	char small[8];
	struct seqbuf s;

	(void)state;
	seqbuf_init(&s, small, sizeof(small));
	seq_printf(&s, "%s", "1234");
	assert_false(s.overflow);
	seq_printf(&s, "%d", 56789);
	assert_true(s.overflow);
	assert_int_equal(s.len, 8);
	assert_memory_equal(small, "12345678", 8);
}

static void test_meminfo(void **state)
{
	struct proc_meminfo m = { .total = 24683548, .free = 23188948, .available = 23922644,
				  .buffers = 10204, .cached = 931672, .dirty = 1332, .writeback = 8,
				  .slab_reclaimable = 70236,
				  .slab_unreclaimable = 24332, .vmalloc_total = 34359738367ull };
	unsigned long v;
	const char *t;

	(void)state;
	proc_meminfo_text(&sb, &m);
	t = text();
	/* exact lines from a Linux 6.18 /proc/meminfo */
	assert_prefix(t, "MemTotal:       24683548 kB\nMemFree:        23188948 kB\n"
			       "MemAvailable:   23922644 kB\nBuffers:           10204 kB\n"
			       "Cached:           931672 kB\nSwapCached:            0 kB\n");
	assert_line(t, "Slab:              94568 kB\n");
	assert_line(t, "Dirty:              1332 kB\nWriteback:             8 kB\n");
	assert_line(t, "VmallocTotal:   34359738367 kB\n");
	assert_line(t, "HugePages_Total:       0\n");
	assert_line(t, "Hugepagesize:       2048 kB\n");
	assert_line(t, "HardwareCorrupted:     0 kB\n");
	/* busybox free: sscanf(buf, "MemAvailable: %lu %*s\n", ...) per line */
	assert_int_equal(sscanf(line_of(t, "MemAvailable:"), "MemAvailable: %lu %*s\n", &v), 1);
	assert_int_equal(v, 23922644);
	assert_int_equal(sscanf(line_of(t, "SReclaimable:"), "SReclaimable: %lu %*s\n", &v), 1);
	assert_int_equal(v, 70236);
	assert_int_equal(sscanf(line_of(t, "Cached:"), "Cached: %lu %*s\n", &v), 1);
	assert_int_equal(v, 931672);
	/* every line is "Name: value[ kB]" */
	for (const char *p = t; *p; p = strchr(p, '\n') + 1) {
		char name[32];
		unsigned long long val;
		assert_int_equal(sscanf(p, "%31[^:]: %llu", name, &val), 2);
	}
}

static void test_slabinfo(void **state)
{
	const char *t;

	(void)state;
	proc_slabinfo_header(&sb);
	proc_slabinfo_line(&sb, &(struct proc_slab){ .name = "kmalloc-16", .active_objs = 5632,
						     .num_objs = 5632, .objsize = 16, .objperslab = 256,
						     .pagesperslab = 1, .active_slabs = 22,
						     .num_slabs = 22 });
	t = text();
	/* the header and a line as Linux 6.1 (SLUB) prints them */
	assert_prefix(t, "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> "
			 "<objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> "
			 "<sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	assert_line(t, "kmalloc-16          5632   5632     16  256    1 : tunables    0    0    0"
		       " : slabdata     22     22      0\n");
}

static void test_uptime_and_loadavg(void **state)
{
	struct proc_loadavg l = { .load = { 4.75 * 2048, 4.80 * 2048, 2.69 * 2048 },
				  .running = 4, .threads = 121, .last_pid = 5087 };

	(void)state;
	proc_uptime_text(&sb, 1175219999999ull, 969230000000ull);
	proc_loadavg_text(&sb, &l);
	assert_string_equal(text(), "1175.21 969.23\n4.75 4.80 2.69 4/121 5087\n");
}

static void test_loadavg_rounding(void **state)
{
	/* 0.995 and up rounds to 1.00; exact zero stays 0.00 */
	struct proc_loadavg l = { .load = { 2038, 0, 2048 * 3 + 1024 }, .running = 1, .threads = 1 };

	(void)state;
	proc_loadavg_text(&sb, &l);
	assert_string_equal(text(), "1.00 0.00 3.50 1/1 0\n");
}

/* A CPU busy for one minute from idle: the 1-minute average reaches
 * 1 - 1/e, the others their share (Linux shows 0.63 0.18 0.06). Then a
 * constant load is reached exactly, and decays back to 0 when it stops. */
static void test_load_damping(void **state)
{
	struct proc_loadavg l = { .running = 1, .threads = 1 };

	(void)state;
	for (int i = 0; i < 12; i++)
		proc_load_step(l.load, PROC_FIXED_1);
	proc_loadavg_text(&sb, &l);
	for (int i = 0; i < 2000; i++)
		proc_load_step(l.load, PROC_FIXED_1 / 2);
	proc_loadavg_text(&sb, &l);
	for (int i = 0; i < 2000; i++)
		proc_load_step(l.load, 0);
	proc_loadavg_text(&sb, &l);
	assert_string_equal(text(), "0.63 0.18 0.06 1/1 0\n0.50 0.50 0.50 1/1 0\n0.00 0.00 0.00 1/1 0\n");
}

static void test_stat(void **state)
{
	struct proc_cpu_times c0 = { .user = 43517 * PROC_NS_PER_TICK, .system = 23719 * PROC_NS_PER_TICK,
				     .idle = 49440 * PROC_NS_PER_TICK, .iowait = 59 * PROC_NS_PER_TICK,
				     .softirq = 126 * PROC_NS_PER_TICK };
	uint64_t intr[4] = { 5, 0, 7, 1 };
	struct proc_stat st = { .total = c0, .cpu = &c0, .ncpus = 1, .intr = intr, .nintr = 4,
				.ctxt = 3118889, .btime = 1796226317, .processes = 37557,
				.running = 6, .blocked = 0 };
	unsigned long long u, n, sy, id, io, irq, sirq, steal;
	const char *t;

	(void)state;
	proc_stat_text(&sb, &st);
	t = text();
	assert_prefix(t, "cpu  43517 0 23719 49440 59 0 126 0 0 0\n"
			       "cpu0 43517 0 23719 49440 59 0 126 0 0 0\n"
			       "intr 13 5 0 7 1\nctxt 3118889\nbtime 1796226317\nprocesses 37557\n"
			       "procs_running 6\nprocs_blocked 0\nsoftirq ");
	/* busybox top's pattern for the first line */
	assert_int_equal(sscanf(t, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &sy, &id,
				&io, &irq, &sirq, &steal), 8);
	assert_int_equal(id, 49440);
}

static void test_cpuinfo(void **state)
{
	struct proc_cpu c = { .vendor = "GenuineIntel", .model_name = "QEMU TCG CPU version 2.5+",
			      .flags = "fpu tsc", .family = 6, .model = 6, .stepping = 3,
			      .cpuid_level = 13, .khz = 2096007, .cache_kib = 16384, .clflush = 64,
			      .cache_alignment = 64, .phys_bits = 40, .virt_bits = 48, .siblings = 1,
			      .cores = 1, .fpu = true };
	const char *t;

	(void)state;
	proc_cpuinfo_text(&sb, &c, 1);
	t = text();
	assert_prefix(t, "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
			       "model\t\t: 6\nmodel name\t: QEMU TCG CPU version 2.5+\nstepping\t: 3\n"
			       "cpu MHz\t\t: 2096.007\ncache size\t: 16384 KB\n");
	assert_line(t, "flags\t\t: fpu tsc\n");
	assert_line(t, "bogomips\t: 4192.01\n");
	assert_line(t, "address sizes\t: 40 bits physical, 48 bits virtual\n");
	assert_true(strstr(t, "power management:\n\n") != NULL);
}

static void test_mounts_escape(void **state)
{
	(void)state;
	proc_mount_line(&sb, "tmpfs", "/mnt/a b\\c", "tmpfs", "rw,nosuid");
	proc_mount_line(&sb, "proc", "/proc", "proc", "rw");
	assert_string_equal(text(), "tmpfs /mnt/a\\040b\\134c tmpfs rw,nosuid 0 0\n"
				    "proc /proc proc rw 0 0\n");
}

static void test_filesystems_partitions(void **state)
{
	(void)state;
	proc_filesystem_line(&sb, "tmpfs", false);
	proc_filesystem_line(&sb, "cosmfs", true);
	proc_partitions_header(&sb);
	proc_partition_line(&sb, 254, 0, 268435456, "vda");
	proc_partition_line(&sb, 254, 1, 1024, "vda1");
	assert_string_equal(text(), "nodev\ttmpfs\n\tcosmfs\nmajor minor  #blocks  name\n\n"
				    " 254        0  268435456 vda\n 254        1       1024 vda1\n");
}

static void test_interrupts(void **state)
{
	uint64_t c[2] = { 1, 8 };

	(void)state;
	proc_interrupts_header(&sb, 2);
	proc_interrupts_row(&sb, "24", c, 2, "IO-APIC   5-edge      ACPI:Ged");
	proc_interrupts_row(&sb, "LOC", c, 2, "Local timer interrupts");
	assert_string_equal(text(), "           CPU0       CPU1       \n"
				    " 24:          1          8   IO-APIC   5-edge      ACPI:Ged\n"
				    "LOC:          1          8   Local timer interrupts\n");
}

static struct proc_task sample_task(void)
{
	static const uint32_t groups[] = { 10, 20 };
	struct proc_task t = {
		.pid = 42, .tgid = 42, .ppid = 1, .pgid = 42, .sid = 7, .tty_nr = 0, .tpgid = -1,
		.state = 'S', .comm = "a (weird) name", .uid = { 1000, 1000, 1000, 1000 },
		.gid = { 100, 100, 100, 100 }, .groups = groups, .ngroups = 2, .umask = 022,
		.threads = 3, .fd_slots = 64, .flags = 0x400000, .priority = 20, .nice = 0,
		.utime = 250 * PROC_NS_PER_TICK, .stime = 12 * PROC_NS_PER_TICK,
		.start_time = 121918 * PROC_NS_PER_TICK, .vm_size = 3133440, .vm_peak = 3133440,
		.rss_anon = 116 * 1024, .rss_file = 1500 * 1024, .vm_data = 360 * 1024,
		.vm_stack = 132 * 1024, .vm_exe = 20 * 1024, .start_code = 0x400000,
		.end_code = 0x401000, .start_stack = 0x7ffc0000, .sig_blocked = 1ull << 40 | 2,
		.exit_signal = 17, .cpus_allowed = 0xb, .voluntary_switches = 5,
	};
	return t;
}

static void test_task_stat(void **state)
{
	struct proc_task t = sample_task();
	char st[4], comm[32], *cp;
	unsigned ppid, pgid, sid;
	int tty, nice;
	unsigned long utime, stime, start, vsz, rss;
	const char *txt;

	(void)state;
	proc_task_stat_text(&sb, &t);
	txt = text();
	assert_prefix(txt, "42 (a (weird) name) S 1 42 7 0 -1 4194304 0 0 0 0 250 12 0 0 20 0 3 0 121918 3133440 404 18446744073709551615 ");
	/* busybox ps: split at the last ')' and sscanf the rest */
	cp = strrchr(txt, ')');
	assert_non_null(cp);
	memcpy(comm, strchr(txt, '(') + 1, (size_t)(cp - strchr(txt, '(') - 1));
	comm[cp - strchr(txt, '(') - 1] = 0;
	assert_string_equal(comm, "a (weird) name");
	assert_int_equal(sscanf(cp + 2, "%c %u %u %u %d %*s %*s %*s %*s %*s %*s %lu %lu %*s %*s %*s %d %*s %*s %lu %lu %lu",
				st, &ppid, &pgid, &sid, &tty, &utime, &stime, &nice, &start, &vsz, &rss), 11);
	assert_int_equal(st[0], 'S');
	assert_int_equal(ppid, 1);
	assert_int_equal(utime, 250);
	assert_int_equal(start, 121918);
	assert_int_equal(vsz, 3133440);
	assert_int_equal(rss, 404);
	/* 52 fields: the 2 before ')' and 50 after */
	{
		int n = 0;
		for (const char *p = cp + 1; *p && *p != '\n'; p++)
			n += *p == ' ';
		assert_int_equal(n + 2, 52);
	}
	assert_string_equal(strchr(txt, '\n'), "\n");
	/* the signal fields keep 31 bits */
	assert_non_null(strstr(txt, " 0 2 0 0 0 0 0 17 0 "));
}

static void test_task_status(void **state)
{
	struct proc_task t = sample_task();
	const char *txt;

	(void)state;
	t.comm = "line\nbreak-and-much-too-long";
	proc_task_status_text(&sb, &t);
	txt = text();
	assert_prefix(txt, "Name:\tline\\nbreak-and-\nUmask:\t0022\nState:\tS (sleeping)\n"
				 "Tgid:\t42\nNgid:\t0\nPid:\t42\nPPid:\t1\nTracerPid:\t0\n"
				 "Uid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nFDSize:\t64\n"
				 "Groups:\t10 20 \n");
	assert_line(txt, "VmRSS:\t    1616 kB\n");
	assert_line(txt, "VmSize:\t    3060 kB\n");
	assert_line(txt, "Threads:\t3\n");
	assert_line(txt, "SigBlk:\t0000010000000002\n");
	assert_line(txt, "CapEff:\t0000000000000000\n");
	assert_line(txt, "Cpus_allowed:\tb\n");
	assert_line(txt, "Cpus_allowed_list:\t0-1,3\n");
	assert_line(txt, "voluntary_ctxt_switches:\t5\n");
}

static void test_kthread_status_has_no_vm(void **state)
{
	struct proc_task t = sample_task();
	const char *txt;

	(void)state;
	t.kthread = true;
	t.uid[1] = 0;
	t.umask = -1;
	proc_task_status_text(&sb, &t);
	txt = text();
	assert_null(strstr(txt, "VmSize"));
	assert_null(strstr(txt, "Umask"));
	assert_line(txt, "Kthread:\t1\n");
	assert_line(txt, "CapEff:\t000001ffffffffff\n");
}

static void test_task_statm(void **state)
{
	struct proc_task t = sample_task();

	(void)state;
	proc_task_statm_text(&sb, &t);
	assert_string_equal(text(), "765 404 375 5 0 123 0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_seqbuf_overflow, setup),
		cmocka_unit_test_setup(test_meminfo, setup),
		cmocka_unit_test_setup(test_slabinfo, setup),
		cmocka_unit_test_setup(test_uptime_and_loadavg, setup),
		cmocka_unit_test_setup(test_loadavg_rounding, setup),
		cmocka_unit_test_setup(test_load_damping, setup),
		cmocka_unit_test_setup(test_stat, setup),
		cmocka_unit_test_setup(test_cpuinfo, setup),
		cmocka_unit_test_setup(test_mounts_escape, setup),
		cmocka_unit_test_setup(test_filesystems_partitions, setup),
		cmocka_unit_test_setup(test_interrupts, setup),
		cmocka_unit_test_setup(test_task_stat, setup),
		cmocka_unit_test_setup(test_task_status, setup),
		cmocka_unit_test_setup(test_kthread_status_has_no_vm, setup),
		cmocka_unit_test_setup(test_task_statm, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
