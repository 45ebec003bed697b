/* In-kernel tests of procfs: each system file against the kernel's own
 * numbers, a process's own directory, the fd/ links, listings, and
 * that nothing can be written. Mounted at /ktest/proc. */
#include <kernel/ktest.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/dcache.h>
#include <fs/vfs.h>
#include <hal/cpuinfo.h>
#include <kernel/boot.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include "fsdev_util.h"
#include "vfs_util.h"

#define PROC(p) "/ktest/proc/" p
#define TEXT 16384

static int proc_mount(void)
{
	return special_mount("proc", "proc", "meminfo");
}

KTEST(procfs_meminfo_matches_pmm)
{
	char *buf = kmalloc(TEXT);
	struct pmm_stats before, after;
	int64_t total, free_kb, avail;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, proc_mount() == 0);
	pmm_get_stats(&before);
	KT_ASSERT(t, read_text(PROC("meminfo"), buf, TEXT) > 0);
	pmm_get_stats(&after);
	total = number_after(buf, "MemTotal:");
	free_kb = number_after(buf, "MemFree:");
	avail = number_after(buf, "MemAvailable:");
	KT_EXPECT_EQ(t, total, (int64_t)before.usable_pages * 4);
	/* frames taken or given back around the read move MemFree a little */
	uint64_t lo = (before.free_pages < after.free_pages ? before.free_pages : after.free_pages) * 4;
	uint64_t hi = (before.free_pages > after.free_pages ? before.free_pages : after.free_pages) * 4;
	KT_EXPECT(t, free_kb >= (int64_t)lo - 64 && free_kb <= (int64_t)hi + 64);
	KT_EXPECT_EQ(t, avail, free_kb);
	KT_EXPECT(t, number_after(buf, "SwapTotal:") == 0);
	KT_EXPECT(t, text_has(buf, "\nHugepagesize:       2048 kB\n"));
	kfree(buf);
}

KTEST(procfs_system_files)
{
	char *buf = kmalloc(TEXT), want[160];
	int64_t up;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, proc_mount() == 0);
	KT_ASSERT(t, read_text(PROC("uptime"), buf, TEXT) > 0);
	up = number_after(buf, "");
	KT_EXPECT(t, up >= 0 && (uint64_t)up <= time_ns() / 1000000000ull &&
		     (uint64_t)up + 2 >= time_ns() / 1000000000ull);
	/* three averages of the busy fraction, each between 0.00 and 1.00 */
	KT_ASSERT(t, read_text(PROC("loadavg"), buf, TEXT) > 0);
	KT_EXPECT(t, buf[1] == '.' && buf[4] == ' ' && buf[6] == '.' && buf[9] == ' ' &&
		     buf[11] == '.' && buf[14] == ' ');
	KT_EXPECT(t, (buf[0] == '0' || strncmp(buf, "1.00", 4) == 0) && buf[5] <= '1' && buf[10] <= '1');
	KT_ASSERT(t, read_text(PROC("stat"), buf, TEXT) > 0);
	KT_EXPECT(t, strncmp(buf, "cpu  ", 5) == 0);
	KT_EXPECT(t, text_has(buf, "\ncpu0 ") && text_has(buf, "\nintr ") &&
		     text_has(buf, "\nctxt ") && text_has(buf, "\nbtime "));
	KT_ASSERT(t, read_text(PROC("cpuinfo"), buf, TEXT) > 0);
	fmt_snprintf(want, sizeof(want), "vendor_id\t: %s\n", cpuinfo()->vendor);
	KT_EXPECT(t, strncmp(buf, "processor\t: 0\n", 14) == 0 && text_has(buf, want));
	KT_ASSERT(t, read_text(PROC("version"), buf, TEXT) > 0);
	KT_EXPECT(t, strncmp(buf, "CosmOS version 6.1.0-cosmos ", 28) == 0);
	KT_ASSERT(t, read_text(PROC("cmdline"), buf, TEXT) > 0);
	fmt_snprintf(want, sizeof(want), "%.150s\n", boot_info()->cmdline);
	KT_EXPECT(t, strlen(boot_info()->cmdline) > 150 || strcmp(buf, want) == 0);
	KT_ASSERT(t, read_text(PROC("filesystems"), buf, TEXT) > 0);
	KT_EXPECT(t, text_has(buf, "nodev\tproc\n") && text_has(buf, "nodev\tsysfs\n") &&
		     text_has(buf, "nodev\ttmpfs\n") && text_has(buf, "nodev\tdevtmpfs\n"));
	KT_ASSERT(t, read_text(PROC("devices"), buf, TEXT) > 0);
	KT_EXPECT(t, strncmp(buf, "Character devices:\n  1 mem\n", 27) == 0);
	KT_EXPECT(t, text_has(buf, "\nBlock devices:\n254 virtblk\n259 blkext\n"));
	KT_ASSERT(t, read_text(PROC("mounts"), buf, TEXT) > 0);
	KT_EXPECT(t, text_has(buf, "proc /ktest/proc proc rw,relatime 0 0\n"));
	KT_EXPECT(t, text_has(buf, "rootfs / tmpfs rw,relatime 0 0\n"));
	KT_ASSERT(t, read_text(PROC("interrupts"), buf, TEXT) > 0);
	KT_EXPECT(t, strncmp(buf, "           CPU0       \n", 23) == 0 && text_has(buf, "\nLOC: "));
	KT_EXPECT(t, number_after(buf, "LOC:") > 0);
	kfree(buf);
}

KTEST(procfs_partitions)
{
	char buf[512];

	KT_ASSERT(t, proc_mount() == 0);
	KT_ASSERT(t, read_text(PROC("partitions"), buf, sizeof(buf)) > 0);
	KT_EXPECT(t, strncmp(buf, "major minor  #blocks  name\n\n", 28) == 0);
	KT_EXPECT(t, text_has(buf, "\n 254        0       2048 vda\n"));
	KT_EXPECT(t, text_has(buf, "\n 254        1        512 vda1\n"));
	KT_EXPECT(t, text_has(buf, "\n 254        2       1456 vda2\n"));
	if (blockdev_find("vdb"))          /* test/system/fsdev_cases.py: 1 MiB */
		KT_EXPECT(t, text_has(buf, "\n 254       16       1024 vdb\n"));
}

/* Runs in a process of its own: /proc has no directory for the kernel's
 * pid 0 (as Linux), so a kernel thread has no "self" to look at. */
static void procfs_self_run(void *arg)
{
	struct ktest_ctx *t = arg;
	struct process *me = process_current();
	char *buf = kmalloc(TEXT), want[64];
	struct uio u;
	long n;

	KT_ASSERT(t, buf != NULL);
	uio_init_kernel(&u, buf, 64);
	n = vfs_readlinkat(NULL, PROC("self"), &u);
	fmt_snprintf(want, sizeof(want), "%d", me->pid);
	KT_EXPECT(t, n == (long)strlen(want) && memcmp(buf, want, (size_t)n) == 0);
	KT_ASSERT(t, read_text(PROC("self/stat"), buf, TEXT) > 0);
	fmt_snprintf(want, sizeof(want), "%d (%.15s) R ", me->pid, me->name);
	KT_EXPECT(t, strncmp(buf, want, strlen(want)) == 0);
	/* 52 fields, one line */
	int spaces = 0;
	for (char *p = buf + strlen(want); *p && *p != '\n'; p++)
		spaces += *p == ' ';
	KT_EXPECT_EQ(t, spaces + 4, 52);
	KT_ASSERT(t, read_text(PROC("self/status"), buf, TEXT) > 0);
	fmt_snprintf(want, sizeof(want), "Name:\t%.15s\n", me->name);
	KT_EXPECT(t, strncmp(buf, want, strlen(want)) == 0);
	KT_EXPECT_EQ(t, number_after(buf, "\nPid:"), me->pid);
	KT_EXPECT_EQ(t, number_after(buf, "\nThreads:"), me->nthreads);
	KT_EXPECT(t, text_has(buf, "\nState:\tR (running)\n"));
	KT_ASSERT(t, read_text(PROC("self/comm"), buf, TEXT) > 0);
	fmt_snprintf(want, sizeof(want), "%.15s\n", me->name);
	KT_EXPECT(t, strcmp(buf, want) == 0);
	uio_init_kernel(&u, buf, 64);
	n = vfs_readlinkat(NULL, PROC("self/cwd"), &u);
	KT_EXPECT(t, n == 1 && buf[0] == '/');
	/* the same directory under the pid's own name, and no other pid */
	fmt_snprintf(want, sizeof(want), PROC("%d/comm"), me->pid);
	KT_EXPECT(t, read_text(want, buf, TEXT) > 0);
	KT_EXPECT_EQ(t, read_text(PROC("999999/comm"), buf, TEXT), -ENOENT);
	KT_EXPECT_EQ(t, read_text(PROC("0123/comm"), buf, TEXT), -ENOENT);
	kfree(buf);
}

KTEST(procfs_self)
{
	KT_ASSERT(t, proc_mount() == 0);
	KT_ASSERT(t, vt_run_as(0, 0, procfs_self_run, t) == 0);
}

static void procfs_listing_run(void *arg)
{
	struct ktest_ctx *t = arg;
	char *names = kmalloc(TEXT), pid[16];

	KT_ASSERT(t, names != NULL);
	KT_EXPECT(t, dir_names(PROC(""), names, TEXT) > 10);
	fmt_snprintf(pid, sizeof(pid), "\n%d\n", process_current()->pid);
	KT_EXPECT(t, text_has(names, "\nmeminfo\n") && text_has(names, "\nself\n") &&
		     text_has(names, pid));
	/* the kernel's own pid 0 is not listed, as on Linux */
	KT_EXPECT(t, !text_has(names, "\n0\n"));
	KT_EXPECT(t, dir_names(PROC("self"), names, TEXT) >= 8);
	KT_EXPECT(t, text_has(names, "stat\n") && text_has(names, "status\n") &&
		     text_has(names, "fd\n"));
	kfree(names);
}

KTEST(procfs_listing)
{
	KT_ASSERT(t, proc_mount() == 0);
	KT_ASSERT(t, vt_run_as(0, 0, procfs_listing_run, t) == 0);
}

/* A descriptor in the caller's table shows in fd/ as a link to its file. */
static long fd_target(int fd, char *buf, size_t size)
{
	char path[64];
	struct uio u;
	long n;

	fmt_snprintf(path, sizeof(path), PROC("self/fd/%d"), fd);
	uio_init_kernel(&u, buf, size - 1);
	n = vfs_readlinkat(NULL, path, &u);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Runs in a process of its own (kernel threads have no descriptors). */
struct fd_case {
	struct file *f;
	int fd;
	long link, after;
	char target[64], names[512];
	int listed;
};

static void fd_case_run(void *arg)
{
	struct fd_case *c = arg;
	struct process *me = process_current();

	c->fd = handle_install(me->files, &c->f->obj, RIGHTS_ALL, 0, 0);
	if (c->fd < 0)
		return;
	c->names[0] = '\n';
	c->listed = dir_names(PROC("self/fd"), c->names + 1, sizeof(c->names) - 1);
	c->link = fd_target(c->fd, c->target, sizeof(c->target));
	handle_close(me->files, c->fd);
	c->after = fd_target(c->fd, c->names + 256, 64);
}

KTEST(procfs_fd_links)
{
	struct fd_case *c = kzalloc(sizeof(*c));
	struct vt v;
	char want[16];

	KT_ASSERT(t, c != NULL);
	KT_ASSERT(t, proc_mount() == 0);
	KT_ASSERT(t, vt_setup(&v, "procfd", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "file"), "x", 1, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "file"), O_RDONLY, 0, &c->f) == 0);
	KT_ASSERT(t, vt_run_as(0, 0, fd_case_run, c) == 0);
	KT_ASSERT(t, c->fd >= 0);
	KT_EXPECT(t, c->listed >= 1);
	fmt_snprintf(want, sizeof(want), "\n%d\n", c->fd);
	KT_EXPECT(t, text_has(c->names, want));
	KT_EXPECT_EQ(t, c->link, (long)strlen("/ktest/procfd/file"));
	KT_EXPECT(t, strcmp(c->target, "/ktest/procfd/file") == 0);
	KT_EXPECT_EQ(t, c->after, -ENOENT);
	file_put(c->f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
	kfree(c);
}

KTEST(procfs_read_only)
{
	struct file *f;

	KT_ASSERT(t, proc_mount() == 0);
	KT_EXPECT_EQ(t, vt_open(PROC("meminfo"), O_WRONLY, 0, &f), -EACCES);
	KT_EXPECT(t, vt_open(PROC("newfile"), O_WRONLY | O_CREAT, 0644, &f) < 0);
	KT_EXPECT(t, vfs_mkdirat(NULL, PROC("newdir"), 0755) < 0);
	KT_EXPECT(t, vfs_unlinkat(NULL, PROC("meminfo"), 0) < 0);
}

/* One call site for the census below to find (the empty asm after the
 * call keeps it from being a tail call, which would leave the test's own
 * address as the caller). */
static __attribute__((noinline)) void *heapsites_alloc(void)
{
	void *p = kmalloc(40);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

/* heapsites' line for heapsites_alloc: its objects (0 when none) and,
 * in *bytes, its bytes. */
static long heapsites_alloc_line(const char *text, long *bytes)
{
	static const char key[] = " heapsites_alloc+";
	const char *line = text;

	*bytes = 0;
	for (const char *c = text; *c; c++) {
		if (*c == '\n')
			line = c + 1;
		if (strncmp(c, key, sizeof(key) - 1) == 0) {
			const char *sp = line;

			while (*sp != ' ')
				sp++;
			*bytes = (long)number_after(sp, "");
			return (long)number_after(line, "");
		}
	}
	return 0;
}

KTEST(procfs_heapsites_counts_by_caller)
{
	size_t size = 64 * 1024;
	char *buf = kmalloc(size);
	void *p[20];
	long objects, bytes;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, heap_debug_enabled());   /* ktest boots turn the checks on */
	KT_ASSERT(t, proc_mount() == 0);
	for (int i = 0; i < 20; i++)
		KT_ASSERT(t, (p[i] = heapsites_alloc()) != NULL);
	KT_ASSERT(t, read_text(PROC("heapsites"), buf, size) > 0);
	objects = heapsites_alloc_line(buf, &bytes);
	KT_EXPECT_EQ(t, objects, 20);
	KT_EXPECT_EQ(t, bytes, 20 * 40);
	for (int i = 0; i < 20; i++)
		kfree(p[i]);
	KT_ASSERT(t, read_text(PROC("heapsites"), buf, size) > 0);
	KT_EXPECT_EQ(t, heapsites_alloc_line(buf, &bytes), 0);
	kfree(buf);
}

KTEST(procfs_drop_caches_frees_unused_dentries)
{
	struct dcache_stats before, after;
	struct stat st;
	struct file *f;
	char name[48];

	KT_ASSERT(t, proc_mount() == 0);
	/* names not found: negative dentries, unused once the lookup ends */
	for (int i = 0; i < 16; i++) {
		fmt_snprintf(name, sizeof(name), "/ktest/no-such-name-%d", i);
		KT_ASSERT(t, vt_stat(name, &st) == -ENOENT);
	}
	dcache_get_stats(&before);
	KT_ASSERT(t, before.negative >= 16 && before.unused >= 16);
	KT_ASSERT(t, vt_open(PROC("sys/vm/drop_caches"), O_WRONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "1\n", 2), -EINVAL);   /* no page cache dropped here */
	KT_EXPECT_EQ(t, vt_fd_write(f, "2\n", 2), 2);
	file_put(f);
	dcache_get_stats(&after);
	KT_EXPECT(t, after.negative + 16 <= before.negative);
	KT_EXPECT(t, after.unused + 16 <= before.unused);
	KT_ASSERT(t, read_text(PROC("sys/vm/drop_caches"), name, sizeof(name)) > 0);
	KT_EXPECT(t, strcmp(name, "2\n") == 0);
}
