/* In-kernel tests of cosmfs under the VFS: an image in memory made a
 * cosmfs, mounted with mount(2)'s kernel side and
 * used through the VFS calls only (files, directories, links, renames,
 * truncate, statfs, fsync, remount read-only, an error turning the mount
 * read-only), then unmounted and mounted again to see what reached the
 * disk. */
#include "vfs_util.h"
#include <cosmos/abi/dirent.h>
#include <drivers/block/blockdev.h>
#include <fs/cosmfs/cosmfs.h>
#include <fs/super.h>
#include <fs/bcache.h>
#include <fs/cosmfs/kmount.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vmm.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

#define DISK_BYTES (32u << 20)
#define MNT "/ktest/cosmfs"

/* The disk: an image in memory, mounted through a file-system type of
 * the tests' ("cosmfs-mem": the source names nothing; cosmfs_mount_image
 * builds the same super block a disk's mount does), so no block device is
 * registered for the other tests to see. */
static uint8_t *disk_mem;

static int mem_mount(const struct file_system_type *t, const char *source, unsigned long flags,
		     const char *data, struct super_block **out)
{
	(void)source;
	if (data && *data)
		return -EINVAL;
	return cosmfs_mount_image(t, disk_mem, DISK_BYTES, flags, out);
}

static struct file_system_type mem_type = { .name = "cosmfs-mem", .mount = mem_mount };

static int disk_fresh(void)
{
	struct cfs_mkfs_opts o = { .blocks = DISK_BYTES / CFS_BLOCK_SIZE, .time = 1700000000 };
	struct blockdev *bd;
	int err;

	if (!disk_mem) {
		disk_mem = vmm_alloc(DISK_BYTES);
		if (!disk_mem)
			return -ENOMEM;
		err = fs_register(&mem_type);
		if (err)
			return err;
	}
	memset(disk_mem, 0, DISK_BYTES);
	bd = bcache_memdisk_create(disk_mem, DISK_BYTES, false);
	if (!bd)
		return -ENOMEM;
	err = cosmfs_kmkfs(bd, &o);
	bcache_memdisk_destroy(bd);
	return err;
}

static int mount_it(unsigned long flags)
{
	int err = vfs_mkdirat(NULL, "/ktest", 0755);

	if (err && err != -EEXIST)
		return err;
	err = vfs_mkdirat(NULL, MNT, 0755);
	if (err && err != -EEXIST)
		return err;
	return vfs_mount("memory", MNT, "cosmfs-mem", flags, NULL);
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/* Whether the directory holds exactly the names in want (a NULL-ended
 * list, besides . and ..). */
static bool dir_holds(const char *path, const char *const *want)
{
	static uint8_t buf[4096];
	struct file *f;
	unsigned found = 0, n = 0;
	bool ok = true;
	long got;

	while (want[n])
		n++;
	if (vt_open(path, O_RDONLY | O_DIRECTORY, 0, &f))
		return false;
	for (;;) {
		struct uio u;

		uio_init_kernel(&u, buf, sizeof(buf));
		got = vfs_getdents64(f, &u);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			bool known = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..");

			for (unsigned i = 0; i < n && !known; i++)
				if (!strcmp(d->d_name, want[i])) {
					known = true;
					found++;
				}
			ok = ok && known;
			off += d->d_reclen;
		}
	}
	file_put(f);
	return ok && got == 0 && found == n;
}

static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 100000, (1u << 20) + 123 };

KTEST(cosmfs_vfs_files_survive_remount)
{
	uint8_t *want = kmalloc(2u << 20), *got = kmalloc(2u << 20);
	struct statfs sf0, sf1;
	struct stat st;
	struct file *f;
	char name[48], link[64];
	struct uio u;

	KT_ASSERT(t, want && got);
	KT_ASSERT(t, disk_fresh() == 0);
	KT_ASSERT(t, mount_it(0) == 0);
	KT_ASSERT(t, vfs_statfs(NULL, MNT, &sf0) == 0);
	KT_EXPECT_EQ(t, sf0.f_bsize, 4096);
	KT_EXPECT_EQ(t, sf0.f_blocks, DISK_BYTES / 4096);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, MNT "/d", 0750), 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fmt_snprintf(name, sizeof(name), MNT "/d/f%u", i);
		pattern(want, sizes[i], i);
		KT_EXPECT_EQ(t, vt_write_file(name, want, sizes[i], 0640), 0);
	}
	/* names: a symlink, a hard link, renames within and across directories */
	KT_EXPECT_EQ(t, vfs_symlinkat("d/f1", NULL, MNT "/sym"), 0);
	KT_EXPECT_EQ(t, vfs_linkat(NULL, MNT "/d/f2", NULL, MNT "/hard", 0), 0);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, MNT "/e", 0755), 0);
	KT_EXPECT_EQ(t, vfs_renameat2(NULL, MNT "/d/f3", NULL, MNT "/e/moved", 0), 0);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, MNT "/d", NULL, MNT "/d/sub", 0), -EINVAL);
	KT_EXPECT_ERR(t, vfs_renameat2(NULL, MNT "/e/moved", NULL, MNT "/hard", RENAME_NOREPLACE), -EEXIST);
	KT_EXPECT_ERR(t, vfs_unlinkat(NULL, MNT "/e", AT_REMOVEDIR), -ENOTEMPTY);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, MNT "/gone", 0755), 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, MNT "/gone", AT_REMOVEDIR), 0);
	KT_EXPECT_EQ(t, vfs_truncate(NULL, MNT "/d/f6", 5000), 0);
	KT_EXPECT_EQ(t, vfs_fchmodat(NULL, MNT "/d/f5", 0600, 0), 0);
	/* an open, unlinked file stays readable until its last close */
	KT_ASSERT(t, vt_open(MNT "/d/f4", O_RDONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, MNT "/d/f4", 0), 0);
	pattern(want, sizes[4], 4);
	KT_EXPECT_EQ(t, vt_fd_read(f, got, 2u << 20), sizes[4]);
	KT_EXPECT(t, memcmp(want, got, sizes[4]) == 0);
	KT_EXPECT_EQ(t, vfs_fsync(f, false), 0);
	file_put(f);
	KT_ASSERT(t, vfs_statfs(NULL, MNT, &sf1) == 0);
	KT_EXPECT(t, sf1.f_bfree < sf0.f_bfree && sf1.f_ffree < sf0.f_ffree);
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);

	/* the disk is all there is now */
	KT_ASSERT(t, mount_it(0) == 0);
	KT_EXPECT(t, dir_holds(MNT, (const char *const[]){ "d", "e", "sym", "hard", NULL }));
	KT_EXPECT(t, dir_holds(MNT "/d", (const char *const[]){ "f0", "f1", "f2", "f5", "f6", NULL }));
	KT_EXPECT(t, dir_holds(MNT "/e", (const char *const[]){ "moved", NULL }));
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		static const char *const where[] = { "d/f0", "d/f1", "d/f2", "e/moved", NULL, "d/f5", "d/f6" };
		size_t size = i == 6 ? 5000 : sizes[i];

		if (!where[i])
			continue;
		fmt_snprintf(name, sizeof(name), MNT "/%s", where[i]);
		pattern(want, sizes[i], i);
		KT_EXPECT_EQ(t, vt_read_file(name, got, 2u << 20), size);
		KT_EXPECT(t, memcmp(want, got, size) == 0);
		KT_EXPECT_EQ(t, vt_stat(name, &st), 0);
		KT_EXPECT_EQ(t, st.st_size, size);
		KT_EXPECT_EQ(t, st.st_mode, S_IFREG | (i == 5 ? 0600 : 0640));
	}
	KT_EXPECT_EQ(t, vt_stat(MNT "/hard", &st), 0);
	KT_EXPECT_EQ(t, st.st_nlink, 2);
	KT_EXPECT_EQ(t, vt_stat(MNT "/d", &st), 0);
	KT_EXPECT_EQ(t, st.st_mode, S_IFDIR | 0750);
	uio_init_kernel(&u, link, sizeof(link));
	KT_EXPECT_EQ(t, vfs_readlinkat(NULL, MNT "/sym", &u), 4);
	KT_EXPECT(t, !memcmp(link, "d/f1", 4));
	KT_EXPECT_EQ(t, vt_read_file(MNT "/sym", got, 16), 1);    /* followed */
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);
	kfree(want);
	kfree(got);
}

KTEST(cosmfs_vfs_remount_readonly)
{
	struct file *f;

	KT_ASSERT(t, disk_fresh() == 0);
	KT_ASSERT(t, mount_it(0) == 0);
	KT_EXPECT_EQ(t, vt_write_file(MNT "/a", "abc", 3, 0644), 0);
	/* busy with a writer: refused */
	KT_ASSERT(t, vt_open(MNT "/a", O_WRONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vfs_mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL), -EBUSY);
	file_put(f);
	KT_EXPECT_EQ(t, vfs_mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	KT_EXPECT_ERR(t, vt_write_file(MNT "/b", "x", 1, 0644), -EROFS);
	KT_EXPECT_ERR(t, vt_open(MNT "/a", O_WRONLY, 0, &f), -EROFS);
	KT_EXPECT_EQ(t, vt_read_file(MNT "/a", (char[8]){ 0 }, 8), 3);
	/* a read-only cosmfs leaves the disk alone: clean, nothing to replay */
	KT_EXPECT_EQ(t, ((struct cfs_super *)disk_mem)->state & CFS_STATE_CLEAN, CFS_STATE_CLEAN);
	KT_EXPECT_EQ(t, vfs_mount(NULL, MNT, NULL, MS_REMOUNT, NULL), 0);
	KT_EXPECT_EQ(t, vt_write_file(MNT "/b", "x", 1, 0644), 0);
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);
	KT_ASSERT(t, mount_it(MS_RDONLY) == 0);
	KT_EXPECT_ERR(t, vt_write_file(MNT "/c", "x", 1, 0644), -EROFS);
	KT_EXPECT_EQ(t, vt_read_file(MNT "/b", (char[8]){ 0 }, 8), 1);
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);
}

/* A damaged directory block found while running: the call fails with
 * -EUCLEAN and the mount turns read-only (errors=remount-ro). */
KTEST(cosmfs_vfs_error_turns_readonly)
{
	struct cosmfs_mount *m;
	struct cfs_inode dir;
	uint64_t ino, blk;
	uint32_t run;
	struct stat st;
	struct file *f;

	KT_ASSERT(t, disk_fresh() == 0);
	KT_ASSERT(t, mount_it(0) == 0);
	KT_EXPECT_EQ(t, vfs_mkdirat(NULL, MNT "/d", 0755), 0);
	KT_EXPECT_EQ(t, vt_write_file(MNT "/d/a", "abc", 3, 0644), 0);
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);
	/* find the directory's block with the core on the same memory */
	KT_ASSERT(t, cosmfs_kmount_mem(disk_mem, DISK_BYTES, CFS_MNT_RDONLY, &m) == 0);
	cosmfs_lock(m);
	KT_EXPECT_EQ(t, cfs_iget(m->fs, CFS_ROOT_INO, &dir), 0);
	KT_EXPECT_EQ(t, cfs_dir_lookup(m->fs, &dir, "d", 1, &ino, NULL), 0);
	KT_EXPECT_EQ(t, cfs_iget(m->fs, ino, &dir), 0);
	KT_EXPECT_EQ(t, cfs_bmap(m->fs, &dir, 0, &blk, &run), 0);
	cosmfs_unlock(m);
	KT_EXPECT_EQ(t, cosmfs_kumount(m), 0);
	KT_ASSERT(t, blk > 0 && blk < DISK_BYTES / CFS_BLOCK_SIZE);
	disk_mem[blk * CFS_BLOCK_SIZE + 100] ^= 1;

	KT_ASSERT(t, mount_it(0) == 0);
	KT_EXPECT_EQ(t, vt_write_file(MNT "/ok", "x", 1, 0644), 0);
	KT_EXPECT_ERR(t, vt_stat(MNT "/d/a", &st), -EUCLEAN);
	KT_EXPECT_ERR(t, vt_write_file(MNT "/ok2", "x", 1, 0644), -EROFS);
	KT_EXPECT_ERR(t, vt_open(MNT "/ok", O_WRONLY, 0, &f), -EROFS);    /* the VFS knows */
	KT_EXPECT_EQ(t, vt_read_file(MNT "/ok", (char[8]){ 0 }, 8), 1);
	KT_EXPECT_EQ(t, vfs_umount(MNT, 0), 0);
	KT_EXPECT(t, ((struct cfs_super *)disk_mem)->state & CFS_STATE_ERRORS);
}
