/* In-kernel tests of devfs and the device registry: the memory devices,
 * the nodes and symlinks devfs holds, device nodes made elsewhere with
 * mknod, /dev/kmsg, and the block device files on the test boot's scratch
 * disk (vda: 4096 sectors in test/run.py's pattern, partitions vda1 and
 * vda2). */
#include <kernel/ktest.h>
#include <kernel/kbench.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl-block.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/devfs.h>
#include <fs/poll.h>
#include <fs/vfs.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/uio.h>
#include "blocked.h"
#include "fsdev_util.h"
#include "vfs_util.h"

#define DEV(p) "/ktest/dev/" p

static int dev_mount(void)
{
	return special_mount("dev", "devtmpfs", "null");
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

KTEST(devfs_null_zero_full)
{
	struct file *f;
	uint8_t buf[4096];

	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_open(DEV("null"), O_RDWR, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, buf, 100), 100);
	KT_EXPECT_EQ(t, vfs_lseek(f, 1234, SEEK_SET), 0);
	file_put(f);

	KT_ASSERT(t, vt_open(DEV("zero"), O_RDWR, 0, &f) == 0);
	memset(buf, 0xaa, sizeof(buf));
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), sizeof(buf));
	KT_EXPECT(t, all_bytes(buf, sizeof(buf), 0));
	KT_EXPECT_EQ(t, vt_fd_write(f, buf, 10), 10);
	file_put(f);

	KT_ASSERT(t, vt_open(DEV("full"), O_RDWR, 0, &f) == 0);
	memset(buf, 0xaa, sizeof(buf));
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 333), 333);
	KT_EXPECT(t, all_bytes(buf, 333, 0) && buf[333] == 0xaa);
	KT_EXPECT_EQ(t, vt_fd_write(f, buf, 1), -ENOSPC);
	file_put(f);
}

KTEST(devfs_random_devices)
{
	const char *names[] = { DEV("random"), DEV("urandom") };
	uint8_t a[64], b[64];

	KT_ASSERT(t, dev_mount() == 0);
	for (int i = 0; i < 2; i++) {
		struct file *f;

		KT_ASSERT(t, vt_open(names[i], O_RDWR, 0, &f) == 0);
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		KT_EXPECT_EQ(t, vt_fd_read(f, a, sizeof(a)), sizeof(a));
		KT_EXPECT_EQ(t, vt_fd_read(f, b, sizeof(b)), sizeof(b));
		KT_EXPECT(t, !all_bytes(a, sizeof(a), 0));
		KT_EXPECT(t, memcmp(a, b, sizeof(a)) != 0);
		KT_EXPECT_EQ(t, vt_fd_write(f, "seed material", 13), 13);
		file_put(f);
	}
}

KTEST(devfs_nodes_and_links)
{
	static const struct { const char *name; unsigned minor, mode; } mem[] = {
		{ "null", 3, 0666 }, { "zero", 5, 0666 }, { "full", 7, 0666 },
		{ "random", 8, 0666 }, { "urandom", 9, 0666 }, { "kmsg", 11, 0644 },
	};
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};
	struct stat st;
	char target[64];

	KT_ASSERT(t, dev_mount() == 0);
	for (unsigned i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
		char path[64];

		fmt_snprintf(path, sizeof(path), DEV("%s"), mem[i].name);
		KT_ASSERT(t, vt_stat(path, &st) == 0);
		KT_EXPECT(t, S_ISCHR(st.st_mode));
		KT_EXPECT_EQ(t, st.st_mode & 07777, mem[i].mode);
		KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(1, mem[i].minor));
	}
	for (unsigned i = 0; i < 4; i++) {
		char path[64];
		struct uio u;
		long n;

		fmt_snprintf(path, sizeof(path), DEV("%s"), links[i][0]);
		uio_init_kernel(&u, target, sizeof(target));
		n = vfs_readlinkat(NULL, path, &u);
		KT_EXPECT_EQ(t, n, (long)strlen(links[i][1]));
		KT_EXPECT(t, n > 0 && memcmp(target, links[i][1], (size_t)n) == 0);
	}
	/* /dev takes directories, like Linux's devtmpfs (shm, pts) */
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, DEV("shm"), 01777), 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, DEV("shm"), AT_REMOVEDIR), 0);
}

/* Device nodes on another file system open the same drivers. */
KTEST(devfs_mknod_elsewhere)
{
	struct vt v;
	struct file *f;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "devnodes", NULL) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "mynull"), S_IFCHR | 0666, DEV_MAKE(1, 3)) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "myzero"), S_IFCHR | 0666, DEV_MAKE(1, 5)) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "nothing"), S_IFCHR | 0666, DEV_MAKE(1, 200)) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "nodisk"), S_IFBLK | 0666, DEV_MAKE(254, 4000)) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "nomajor"), S_IFCHR | 0666, DEV_MAKE(77, 0)) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "mynull"), O_RDWR, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "abcde", 5), 5);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), 0);
	file_put(f);
	KT_ASSERT(t, vt_open(vt_path(&v, "myzero"), O_RDONLY, 0, &f) == 0);
	memset(buf, 1, sizeof(buf));
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), sizeof(buf));
	KT_EXPECT(t, all_bytes((uint8_t *)buf, sizeof(buf), 0));
	file_put(f);
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "nothing"), O_RDONLY, 0, &f), -ENXIO);
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "nodisk"), O_RDONLY, 0, &f), -ENXIO);
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "nomajor"), O_RDONLY, 0, &f), -ENXIO);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(devfs_registry_refuses_overlaps)
{
	static struct devfs_driver clash = {
		.name = "clash", .type = S_IFCHR, .major = MEM_MAJOR, .minor_first = 9, .minor_count = 2,
	};

	KT_EXPECT_EQ(t, devfs_register_driver(&clash), -EBUSY);
	KT_EXPECT_EQ(t, devfs_add_node("null", S_IFCHR | 0666, 0, DEV_MAKE(1, 3)), -EEXIST);
	KT_EXPECT_EQ(t, devfs_add_node("bad", S_IFREG | 0666, 0, 0), -EINVAL);
}

/* kmsg: reads return whole log lines as the consoles show them. */
static long kmsg_read_all(struct file *f, char *buf, size_t size)
{
	long n = vt_fd_read(f, buf, size - 1);

	if (n >= 0)
		buf[n] = 0;
	return n;
}

KTEST(devfs_kmsg_read_write)
{
	struct file *f;
	char *buf = kmalloc(8192);
	long n;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_open(DEV("kmsg"), O_RDWR | O_NONBLOCK, 0, &f) == 0);
	/* from the oldest line kept: the boot's own lines are there */
	n = kmsg_read_all(f, buf, 8192);
	KT_EXPECT(t, n > 0 && buf[n - 1] == '\n');
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_END), 0);
	KT_EXPECT_EQ(t, kmsg_read_all(f, buf, 8192), -EAGAIN);
	log_info("kmsg-test: marker %d", 4242);
	n = kmsg_read_all(f, buf, 8192);
	KT_EXPECT(t, n > 0 && text_has(buf, "] kmsg-test: marker 4242\n"));
	KT_EXPECT_EQ(t, buf[0], '[');
	/* a write is logged, one line per line, "<N>" giving the level */
	KT_EXPECT_EQ(t, vt_fd_write(f, "<4>kmsg-write one\nkmsg-write two\n", 33), 33);
	n = kmsg_read_all(f, buf, 8192);
	KT_EXPECT(t, n > 0 && text_has(buf, "] WARN kmsg-write one\n"));
	KT_EXPECT(t, n > 0 && text_has(buf, "] WARN kmsg-write two\n"));
	/* a buffer too small for the next line */
	log_info("kmsg-test: a line longer than eight bytes");
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 8), -EINVAL);
	KT_EXPECT(t, kmsg_read_all(f, buf, 8192) > 8);
	/* SEEK_SET 0 goes back to the oldest line */
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_SET), 0);
	KT_EXPECT(t, kmsg_read_all(f, buf, 8192) > 0);
	KT_EXPECT_EQ(t, vfs_lseek(f, 5, SEEK_SET), -EINVAL);
	file_put(f);
	kfree(buf);
}

struct kmsg_reader_arg {
	struct file *f;
	char buf[512];
	long n;
};

static void kmsg_reader(void *p)
{
	struct kmsg_reader_arg *a = p;

	a->n = vt_fd_read(a->f, a->buf, sizeof(a->buf) - 1);
	if (a->n > 0)
		a->buf[a->n] = 0;
}

KTEST(devfs_kmsg_blocking_read)
{
	struct kmsg_reader_arg a = { 0 };
	struct thread *th;

	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_open(DEV("kmsg"), O_RDONLY, 0, &a.f) == 0);
	KT_EXPECT_EQ(t, vfs_lseek(a.f, 0, SEEK_END), 0);
	KT_EXPECT_EQ(t, file_poll(a.f, NULL), POLLOUT | POLLWRNORM);
	th = thread_create("kmsg-reader", kmsg_reader, &a, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	log_info("kmsg-test: wake the reader");
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT(t, a.n > 0 && text_has(a.buf, "kmsg-test: wake the reader\n"));
	/* and an interrupted wait */
	th = thread_create("kmsg-reader", kmsg_reader, &a, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, a.n, -EINTR);
	log_info("kmsg-test: now readable");
	KT_EXPECT(t, file_poll(a.f, NULL) & POLLIN);
	file_put(a.f);
}

/* Block device files on the scratch disk. Its pattern (test/run.py):
 * 64-bit word k of 512-byte sector s is ('K' << 56) | (s << 8) | k. */
static uint8_t pattern_byte(uint64_t off)
{
	uint64_t s = off / 512, k = off % 512 / 8, word = ('K' * 1ull) << 56 | s << 8 | k;

	return (uint8_t)(word >> (8 * (off % 8)));
}

static struct blockdev *scratch(void)
{
	struct blockdev *bd = blockdev_find("vda");

	return bd && bd->sectors == 4096 && bd->sector_size == 512 ? bd : NULL;
}

KTEST(devfs_block_nodes_and_ioctls)
{
	struct blockdev *vda = scratch(), *vda1 = blockdev_find("vda1"), *vda2 = blockdev_find("vda2");
	struct stat st;
	struct file *f;
	uint64_t size = 0;
	int32_t ss = 0, ro = -1;

	KT_ASSERT(t, vda && vda1 && vda2);
	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_stat(DEV("vda"), &st) == 0);
	KT_EXPECT(t, S_ISBLK(st.st_mode));
	KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(254, 0));
	KT_EXPECT_EQ(t, st.st_gid, DISK_GID);
	KT_EXPECT_EQ(t, st.st_mode & 0777, 0660);
	KT_ASSERT(t, vt_stat(DEV("vda2"), &st) == 0);
	KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(254, 2));
	KT_EXPECT_EQ(t, devfs_blockdev_number(vda1), DEV_MAKE(254, 1));
	/* a second disk (test/system/fsdev_cases.py boots with one) is 16 on */
	struct blockdev *vdb = blockdev_find("vdb");
	if (vdb) {
		KT_EXPECT_EQ(t, devfs_blockdev_number(vdb), DEV_MAKE(254, 16));
		KT_EXPECT_EQ(t, vt_stat(DEV("vdb"), &st), 0);
		KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(254, 16));
	}

	KT_ASSERT(t, vt_open(DEV("vda1"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vfs_ioctl(f, BLKGETSIZE64, 0, &size), 0);
	KT_EXPECT_EQ(t, size, vda1->sectors * 512);
	KT_EXPECT_EQ(t, vfs_ioctl(f, BLKSSZGET, 0, &ss), 0);
	KT_EXPECT_EQ(t, ss, 512);
	KT_EXPECT_EQ(t, vfs_ioctl(f, BLKROGET, 0, &ro), 0);
	KT_EXPECT_EQ(t, ro, 0);
	KT_EXPECT_EQ(t, vfs_ioctl(f, BLKGETSIZE, 0, &size), 0);
	KT_EXPECT_EQ(t, size, vda1->sectors);
	KT_EXPECT_EQ(t, vfs_ioctl(f, BLKGETSIZE64, 0, NULL), -EFAULT);
	KT_EXPECT_EQ(t, vfs_ioctl(f, 0x5401, 0, NULL), -ENOTTY);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_END), (int64_t)(vda1->sectors * 512));
	file_put(f);
}

KTEST(devfs_block_read_any_offset)
{
	struct blockdev *vda = scratch();
	struct file *f;
	uint8_t *buf = kmalloc(100000);
	/* the pattern lies between the GPT's tables (sectors 0-33, 4063-4095) */
	uint64_t offs[] = { 34 * 512, 34 * 512 + 1, 35 * 512 - 1, 35 * 512, 3000 * 512 + 1000 };
	int bad = 0;

	KT_ASSERT(t, vda && buf);
	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_open(DEV("vda"), O_RDONLY, 0, &f) == 0);
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		long n = vt_fd_pread(f, buf, 100000, (int64_t)offs[i]);

		KT_EXPECT_EQ(t, n, 100000);
		for (long k = 0; k < n; k++)
			bad += buf[k] != pattern_byte(offs[i] + (uint64_t)k);
	}
	KT_EXPECT_EQ(t, bad, 0);
	/* a read running over the end is cut there; at and past it, nothing */
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 100000, 4096 * 512 - 700), 700);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 10, 4096 * 512), 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 10, 4096 * 512 + 7), 0);
	/* a partition starts at its own first sector (vda1: sector 64) */
	file_put(f);
	KT_ASSERT(t, vt_open(DEV("vda1"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 3, 5), 3);
	KT_EXPECT(t, buf[0] == pattern_byte(64 * 512 + 5) && buf[2] == pattern_byte(64 * 512 + 7));
	file_put(f);
	kfree(buf);
}

/* Writes at odd offsets change exactly their bytes (the neighbours in the
 * same sectors survive the read-modify-write); the disk is put back. */
KTEST(devfs_block_write_any_offset)
{
	struct blockdev *vda = scratch();
	struct file *f;
	const uint64_t base = 2000 * 512;          /* inside vda2's range: nothing uses it */
	uint8_t *orig = kmalloc(8192), *now = kmalloc(8192), *data = kmalloc(3000);
	int bad = 0;

	KT_ASSERT(t, vda && orig && now && data);
	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, blockdev_read_at(vda, base, 8192, orig) == 0);
	for (int i = 0; i < 3000; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	KT_ASSERT(t, vt_open(DEV("vda"), O_RDWR, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, data, 3000, (int64_t)base + 700), 3000);    /* head and tail partial */
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, data, 5, (int64_t)base + 6000), 5);         /* inside one sector */
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, data, 512, (int64_t)base + 7168), 512);     /* one whole sector */
	KT_ASSERT(t, blockdev_read_at(vda, base, 8192, now) == 0);
	for (int i = 0; i < 8192; i++) {
		uint8_t want = orig[i];

		if (i >= 700 && i < 3700)
			want = data[i - 700];
		else if (i >= 6000 && i < 6005)
			want = data[i - 6000];
		else if (i >= 7168 && i < 7680)
			want = data[i - 7168];
		bad += now[i] != want;
	}
	KT_EXPECT_EQ(t, bad, 0);
	/* at the end: cut short, then -ENOSPC */
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, data, 100, 4096 * 512 - 30), 30);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, data, 100, 4096 * 512), -ENOSPC);
	KT_EXPECT_EQ(t, vfs_fsync(f, false), 0);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, orig, 8192, (int64_t)base), 8192);
	for (int i = 0; i < 30; i++)
		now[i] = pattern_byte(4096 * 512 - 30 + (uint64_t)i);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, now, 30, 4096 * 512 - 30), 30);
	file_put(f);
	kfree(orig);
	kfree(now);
	kfree(data);
}

KBENCH(devfs_zero_read_4k)
{
	enum { ROUNDS = 2000 };
	static uint8_t buf[4096];
	struct file *f;
	uint64_t t0;

	if (dev_mount() || vt_open(DEV("zero"), O_RDONLY, 0, &f))
		return;
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++)
		vt_fd_read(f, buf, sizeof(buf));
	kbench_report("devfs_zero_read_4k", (time_ns() - t0) / ROUNDS, 0, "ns");
	file_put(f);
}
