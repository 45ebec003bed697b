/* ktests and a benchmark of the initramfs unpacker: archives built in
 * memory with every entry type, hard links, owners, modes and times;
 * concatenated archives; broken and refused entries; and what the boot
 * unpacked from the loader's initramfs. */
#include "vfs_util.h"
#include <fs/initramfs.h>
#include <fs/namei.h>
#include <fs/tmpfs.h>
#include <kernel/boot.h>
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

#define CPIO_HDR 110

struct arch {
	char *buf;
	size_t len, cap;
};

static void put(struct arch *a, const void *p, size_t n)
{
	if (!a->buf)
		return;
	if (a->len + n > a->cap) {
		size_t cap = (a->len + n) * 2;
		char *b = krealloc(a->buf, cap);

		if (!b) {
			kfree(a->buf);
			a->buf = NULL;
			return;
		}
		a->buf = b;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void pad(struct arch *a)
{
	static const char z[4];

	put(a, z, (4 - a->len % 4) % 4);
}

static void entry(struct arch *a, uint32_t ino, uint32_t mode, uint32_t uid, uint32_t gid,
		  uint32_t nlink, uint32_t mtime, uint32_t rmaj, uint32_t rmin, const char *name,
		  const void *data, size_t size)
{
	char h[CPIO_HDR + 1];

	fmt_snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		     ino, mode, uid, gid, nlink, mtime, (uint32_t)size, 0u, 0u, rmaj, rmin,
		     (uint32_t)strlen(name) + 1, 0u);
	put(a, h, CPIO_HDR);
	put(a, name, strlen(name) + 1);
	pad(a);
	put(a, data, size);
	pad(a);
}

#define FILE(a, ino, mode, name, text) \
	entry(a, ino, S_IFREG | (mode), 0, 0, 1, 1500000000, 0, 0, name, text, strlen(text))

static void trailer(struct arch *a)
{
	entry(a, 0, 0, 0, 0, 1, 0, 0, 0, "TRAILER!!!", NULL, 0);
}

static struct arch arch_new(size_t cap)
{
	struct arch a = { kmalloc(cap), 0, cap };

	return a;
}

static int unpack_at(const struct vt *v, const struct arch *a, struct initramfs_stats *st)
{
	struct path root;
	int err = vfs_lookup(NULL, v->root, LOOKUP_FOLLOW, &root);

	if (err)
		return err;
	err = initramfs_unpack(&root, a->buf, a->len, st);
	path_put(&root);
	return err;
}

KTEST(initramfs_unpacks_every_type)
{
	struct vt v;
	struct arch a = arch_new(4096);
	struct initramfs_stats st;
	struct stat s1, s2, s3;
	char buf[32];
	struct uio u;

	KT_ASSERT(t, a.buf != NULL);
	entry(&a, 1, S_IFDIR | 0755, 0, 0, 2, 1400000000, 0, 0, ".", NULL, 0);
	entry(&a, 2, S_IFDIR | 0750, 5, 6, 2, 1400000001, 0, 0, "etc", NULL, 0);
	entry(&a, 3, S_IFREG | 0640, 5, 6, 1, 1400000002, 0, 0, "etc/passwd", "root:x:0:0\n", 11);
	entry(&a, 4, S_IFLNK | 0777, 7, 8, 1, 1400000003, 0, 0, "etc/link", "passwd", 6);
	entry(&a, 5, S_IFCHR | 0620, 0, 5, 1, 1400000004, 5, 1, "console", NULL, 0);
	entry(&a, 6, S_IFIFO | 0600, 0, 0, 1, 1400000005, 0, 0, "fifo", NULL, 0);
	/* three names of one file; the data comes with the last, as GNU cpio writes it */
	entry(&a, 9, S_IFREG | 0755, 0, 0, 3, 1400000006, 0, 0, "bin/a", NULL, 0);
	entry(&a, 9, S_IFREG | 0755, 0, 0, 3, 1400000006, 0, 0, "bin/b", NULL, 0);
	entry(&a, 9, S_IFREG | 0755, 0, 0, 3, 1400000006, 0, 0, "bin/c", "#!/bin/sh\n", 10);
	entry(&a, 10, S_IFDIR | 0755, 0, 0, 2, 1400000007, 0, 0, "bin", NULL, 0);   /* after its files */
	entry(&a, 11, S_IFREG | 04755, 0, 0, 1, 1400000008, 0, 0, "/abs/su", "x", 1);
	trailer(&a);
	KT_ASSERT(t, a.buf != NULL);
	KT_ASSERT(t, vt_setup(&v, "initramfs", NULL) == 0);
	/* archives list a directory before its files; this one lists bin
	 * after them (its entry then only sets attributes) and abs not at
	 * all, so both exist beforehand */
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "abs"), 0755) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "bin"), 0700) == 0);
	KT_EXPECT_EQ(t, unpack_at(&v, &a, &st), 0);
	KT_EXPECT(t, !st.broken);
	KT_EXPECT_EQ(t, st.archives, 1);
	KT_EXPECT_EQ(t, st.files, 3);        /* passwd, bin/a, su */
	KT_EXPECT_EQ(t, st.links, 2);
	KT_EXPECT_EQ(t, st.symlinks, 1);
	KT_EXPECT_EQ(t, st.nodes, 2);
	KT_EXPECT_EQ(t, st.skipped, 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "etc"), &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mode, S_IFDIR | 0750);
	KT_EXPECT_EQ(t, s1.st_uid, 5);
	KT_EXPECT_EQ(t, s1.st_gid, 6);
	KT_EXPECT_EQ(t, s1.st_mtime, 1400000001);    /* set after its entries were made */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "etc/passwd"), &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mode, S_IFREG | 0640);
	KT_EXPECT_EQ(t, s1.st_mtime, 1400000002);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "etc/passwd"), buf, sizeof(buf)), 11);
	KT_EXPECT(t, memcmp(buf, "root:x:0:0\n", 11) == 0);
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "etc/link"), &s1), 0);
	KT_EXPECT(t, S_ISLNK(s1.st_mode));
	KT_EXPECT_EQ(t, s1.st_uid, 7);
	KT_EXPECT_EQ(t, s1.st_mtime, 1400000003);
	uio_init_kernel(&u, buf, sizeof(buf));
	KT_EXPECT_EQ(t, vfs_readlinkat(NULL, vt_path(&v, "etc/link"), &u), 6);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "console"), &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mode, S_IFCHR | 0620);
	KT_EXPECT_EQ(t, s1.st_rdev, abi_makedev(5, 1));
	KT_EXPECT_EQ(t, s1.st_gid, 5);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "fifo"), &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mode, S_IFIFO | 0600);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "bin/a"), &s1), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "bin/b"), &s2), 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "bin/c"), &s3), 0);
	KT_EXPECT_EQ(t, s1.st_ino, s2.st_ino);
	KT_EXPECT_EQ(t, s1.st_ino, s3.st_ino);
	KT_EXPECT_EQ(t, s1.st_nlink, 3);
	KT_EXPECT_EQ(t, s1.st_size, 10);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "bin"), &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mode, S_IFDIR | 0755);      /* the later entry's mode */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "abs/su"), &s1), 0);   /* under the root */
	KT_EXPECT_EQ(t, s1.st_mode, S_IFREG | 04755);
	KT_EXPECT_EQ(t, vt_stat(v.root, &s1), 0);
	KT_EXPECT_EQ(t, s1.st_mtime, 1400000000);        /* "." is the root itself */
	kfree(a.buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(initramfs_concatenated_and_refused)
{
	struct vt v;
	struct arch a = arch_new(4096);
	struct initramfs_stats st;
	char buf[16];
	struct stat s;
	static const char zeros[512];

	FILE(&a, 1, 0644, "kept", "first");
	FILE(&a, 2, 0644, "kept", "dup in one archive");    /* refused: the first stays */
	FILE(&a, 3, 0644, "../escape", "x");                 /* refused */
	FILE(&a, 4, 0644, "replaced", "old");
	entry(&a, 5, S_IFDIR | 0755, 0, 0, 2, 0, 0, 0, "d", NULL, 0);
	entry(&a, 8, S_IFREG | 0644, 0, 0, 2, 0, 0, 0, "hl", NULL, 0);
	entry(&a, 8, S_IFREG | 0644, 0, 0, 2, 0, 0, 0, "hl2", "linked", 6);
	FILE(&a, 9, 0644, "s", "a file");
	entry(&a, 10, S_IFLNK | 0777, 0, 0, 1, 0, 0, 0, "l", "kept", 4);
	trailer(&a);
	put(&a, zeros, 512 - a.len % 512);
	FILE(&a, 1, 0644, "replaced", "new");                 /* a later archive may */
	entry(&a, 6, S_IFREG | 0644, 0, 0, 1, 0, 0, 0, "d", "file now", 8);   /* dir -> file */
	FILE(&a, 7, 0600, "second", "2");
	FILE(&a, 8, 0644, "hl", "fresh");                     /* replaces that name only */
	entry(&a, 9, S_IFLNK | 0777, 0, 0, 1, 0, 0, 0, "s", "second", 6);   /* file -> symlink */
	entry(&a, 10, S_IFIFO | 0600, 0, 0, 1, 0, 0, 0, "l", NULL, 0);      /* symlink -> FIFO */
	trailer(&a);
	KT_ASSERT(t, a.buf != NULL);
	KT_ASSERT(t, vt_setup(&v, "initramfs2", NULL) == 0);
	KT_EXPECT_EQ(t, unpack_at(&v, &a, &st), 0);
	KT_EXPECT_EQ(t, st.archives, 2);
	KT_EXPECT_EQ(t, st.skipped, 2);
	KT_EXPECT(t, !st.broken);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "kept"), buf, sizeof(buf)), 5);
	KT_EXPECT(t, memcmp(buf, "first", 5) == 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "replaced"), buf, sizeof(buf)), 3);
	KT_EXPECT(t, memcmp(buf, "new", 3) == 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d"), &s), 0);
	KT_EXPECT(t, S_ISREG(s.st_mode));
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "second"), &s), 0);
	KT_EXPECT_EQ(t, s.st_mode, S_IFREG | 0600);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "hl"), buf, sizeof(buf)), 5);
	KT_EXPECT(t, memcmp(buf, "fresh", 5) == 0);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "hl2"), buf, sizeof(buf)), 6);
	KT_EXPECT(t, memcmp(buf, "linked", 6) == 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "hl2"), &s), 0);
	KT_EXPECT_EQ(t, s.st_nlink, 1);
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "s"), &s), 0);
	KT_EXPECT(t, S_ISLNK(s.st_mode));
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "l"), &s), 0);
	KT_EXPECT(t, S_ISFIFO(s.st_mode));
	KT_EXPECT_ERR(t, vt_stat("/ktest/escape", &s), -ENOENT);
	kfree(a.buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(initramfs_broken_entry_keeps_earlier_ones)
{
	struct vt v;
	struct arch a = arch_new(4096);
	struct initramfs_stats st;
	struct stat s;
	size_t second;

	FILE(&a, 1, 0644, "before", "ok");
	second = a.len;
	FILE(&a, 2, 0644, "broken", "lies about its size");
	FILE(&a, 3, 0644, "after", "never");
	trailer(&a);
	KT_ASSERT(t, a.buf != NULL);
	memcpy(a.buf + second + 6 + 6 * 8, "7FFFFFFF", 8);     /* filesize */
	KT_ASSERT(t, vt_setup(&v, "initramfs3", NULL) == 0);
	KT_EXPECT_EQ(t, unpack_at(&v, &a, &st), 0);
	KT_EXPECT(t, st.broken);
	KT_EXPECT_EQ(t, st.files, 1);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "before"), &s), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "broken"), &s), -ENOENT);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "after"), &s), -ENOENT);
	/* garbage: nothing at all, still no crash */
	memset(a.buf, 0x5a, a.len);
	KT_EXPECT_EQ(t, unpack_at(&v, &a, &st), 0);
	KT_EXPECT(t, st.broken);
	KT_EXPECT_EQ(t, st.files, 0);
	kfree(a.buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* FNV-1a of a whole file read through the VFS, in 64 KiB pieces; its
 * length into *len. 0 or a negative errno. */
static int hash_file(const char *path, uint64_t *hash, size_t *len)
{
	struct file *f;
	char *buf = kmalloc(65536);
	long n;
	int err = buf ? vt_open(path, O_RDONLY, 0, &f) : -ENOMEM;

	if (err) {
		kfree(buf);
		return err;
	}
	*hash = 0xcbf29ce484222325ull;
	*len = 0;
	while ((n = vt_fd_read(f, buf, 65536)) > 0) {
		for (long i = 0; i < n; i++)
			*hash = (*hash ^ (uint8_t)buf[i]) * 0x100000001b3ull;
		*len += (size_t)n;
	}
	file_put(f);
	kfree(buf);
	return n < 0 ? (int)n : 0;
}

/* What vfs_init unpacked at boot. With the build's initrd.cpio (the
 * system case fs_boot_initrd) busybox, its applet links and /etc are in
 * /, and busybox's hash is printed for the case to compare with the
 * archive's; without an initrd (the ktest=all boot) none of them is. */
KTEST(vfs_boot_initramfs)
{
	struct stat st;
	char buf[32];
	struct uio u;
	uint64_t hash;
	size_t len;

	if (boot_info()->initrd_size == 0) {
		KT_EXPECT_ERR(t, vt_stat("/bin", &st), -ENOENT);
		KT_EXPECT_ERR(t, vt_stat("/etc/hostname", &st), -ENOENT);
		return;
	}
	KT_ASSERT(t, vt_stat("/bin/busybox", &st) == 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 0755);
	KT_EXPECT_EQ(t, st.st_uid, 0);
	KT_ASSERT(t, hash_file("/bin/busybox", &hash, &len) == 0);
	KT_EXPECT_EQ(t, len, st.st_size);
	kprintf("# /bin/busybox: %zu bytes, fnv1a64 %#llx\n", len, (unsigned long long)hash);
	KT_EXPECT_EQ(t, vt_lstat("/bin/sh", &st), 0);
	KT_EXPECT(t, S_ISLNK(st.st_mode));
	uio_init_kernel(&u, buf, sizeof(buf));
	KT_EXPECT_EQ(t, vfs_readlinkat(NULL, "/bin/sh", &u), 12);
	KT_EXPECT(t, memcmp(buf, "/bin/busybox", 12) == 0);
	KT_EXPECT_EQ(t, vt_read_file("/etc/hostname", buf, sizeof(buf)), 7);
	KT_EXPECT(t, memcmp(buf, "cosmos\n", 7) == 0);
	KT_EXPECT_EQ(t, vt_stat("/tmp", &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFDIR | 01777);
	/* the archive's frames went back to the allocator after the unpack */
	KT_EXPECT(t, boot_initrd(NULL) == NULL);
}

/* How the boot's unpack keeps the archive's pages (initramfs_unpack_boot):
 * tmpfs_adopt_page makes a frame a file's page as it is, only in a hole,
 * within size=, and only in a tmpfs regular file, the caller keeping its
 * reference on a refusal; pmm_take_initrd gives only initrd frames still
 * held for the archive (none after the boot released it). */
KTEST(initramfs_tmpfs_adopts_pages)
{
	struct vt v;
	struct file *f, *d;
	struct stat st;
	uint64_t pa = pmm_alloc(0), pb = pmm_alloc(0), pc = pmm_alloc(0);
	static char buf[4096];

	KT_ASSERT(t, pa && pb && pc);
	memset(PHYS_TO_VIRT(pa), 'A', 4096);
	memset(PHYS_TO_VIRT(pb), 'B', 4096);
	KT_ASSERT(t, vt_setup(&v, "adopt", "size=12k") == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f) == 0);
	KT_EXPECT_EQ(t, tmpfs_adopt_page(f->inode, 1, pa), 0);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 1);             /* the file's reference now */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 8192);
	KT_EXPECT_EQ(t, st.st_blocks, 8);                 /* page 0 is a hole */
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 4096, 0), 4096);
	KT_EXPECT(t, buf[0] == 0 && buf[4095] == 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 4096, 4096), 4096);
	KT_EXPECT(t, buf[0] == 'A' && buf[4095] == 'A');
	KT_EXPECT_ERR(t, tmpfs_adopt_page(f->inode, 1, pb), -EEXIST);
	KT_EXPECT_EQ(t, pmm_refcount(pb), 1);             /* still the caller's */
	KT_EXPECT_EQ(t, tmpfs_adopt_page(f->inode, 0, pb), 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 4096, 0), 4096);
	KT_EXPECT(t, buf[0] == 'B' && buf[4095] == 'B');
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, "c", 1, 8192), 1);   /* the third page of size=12k */
	KT_EXPECT_ERR(t, tmpfs_adopt_page(f->inode, 3, pc), -ENOSPC);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 8193);
	KT_ASSERT(t, vt_open(v.root, O_RDONLY | O_DIRECTORY, 0, &d) == 0);
	KT_EXPECT_ERR(t, tmpfs_adopt_page(d->inode, 0, pc), -EINVAL);
	file_put(d);
	/* not initrd memory, or no longer held for the archive */
	KT_EXPECT_ERR(t, pmm_take_initrd(pc, 1), -EINVAL);
	if (boot_info()->initrd_size && boot_initrd(NULL) == NULL)
		KT_EXPECT_ERR(t, pmm_take_initrd(boot_info()->initrd_phys, 1), -EINVAL);
	pmm_unref(pc);
	file_put(f);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* Unpack speed: 8 files of 64 KiB and 64 small ones (530 KiB), each
 * time into a fresh tmpfs; the best of 10 runs (the host deschedules
 * QEMU at random). */
KBENCH(initramfs_unpack)
{
	struct arch a = arch_new(1 << 20);
	struct vt v;
	char *body = kmalloc(65536), name[32];
	uint64_t best = ~0ull;

	if (!body || !a.buf) {
		kfree(body);
		kfree(a.buf);
		return;
	}
	for (int i = 0; i < 65536; i++)
		body[i] = (char)(i * 7);
	entry(&a, 1, S_IFDIR | 0755, 0, 0, 2, 0, 0, 0, "d", NULL, 0);
	for (int i = 0; i < 8; i++) {
		fmt_snprintf(name, sizeof(name), "d/big%d", i);
		entry(&a, 100 + (uint32_t)i, S_IFREG | 0644, 0, 0, 1, 0, 0, 0, name, body, 65536);
	}
	for (int i = 0; i < 64; i++) {
		fmt_snprintf(name, sizeof(name), "d/small%d", i);
		entry(&a, 1000 + (uint32_t)i, S_IFREG | 0644, 0, 0, 1, 0, 0, 0, name, body, 300);
	}
	trailer(&a);
	for (int run = 0; run < 10 && a.buf; run++) {
		struct initramfs_stats st;

		if (vt_setup(&v, "bench-initramfs", NULL) != 0)
			break;
		if (unpack_at(&v, &a, &st) == 0 && st.ns < best)
			best = st.ns;    /* the unpack's own time, not its log line */
		vt_teardown(&v);
	}
	if (best != ~0ull)   /* MiB/s with two decimals */
		kbench_report("initramfs_unpack", (uint64_t)a.len * 100 * 1000000000ull / best / (1 << 20),
			      2, "MiB/s");
	kfree(body);
	kfree(a.buf);
}
