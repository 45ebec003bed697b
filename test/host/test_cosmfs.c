/* Host tests of the cosmfs format code over images in memory: mkfs and
 * mount (superblock checks, the backup, feature flags), allocation
 * (contiguous files, quarantine of freed blocks), extents (a 1 GiB and a
 * 1 TiB sparse file, a deep tree, truncation), directories (100,000
 * names, readdir across changes, rename rules), symlinks, the journal
 * (replay, idempotent replay, torn commits), orphans, ENOSPC, and
 * corruption giving -EUCLEAN and a read-only file system. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include "cosmfs_test.h"

#define MB (1024u * 1024u)

static int quiet(void **state)
{
	(void)state;
	setenv("COSMFS_QUIET", "1", 1);
	return 0;
}

/* ---- mkfs and mount ---- */

static void test_mkfs_mount_empty(void **state)
{
	struct img im;
	struct cfs_inode root;
	struct cfs_statfs st;

	(void)state;
	img_make(&im, 16 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(root.d.mode & CFS_S_IFMT, CFS_S_IFDIR);
	assert_int_equal(root.d.nlink, 2);
	assert_int_equal(root.d.entries, 0);
	cfs_statfs(im.fs, &st);
	assert_int_equal(st.blocks, 4096);
	assert_true(st.bfree > 3000 && st.bfree < 4096);
	assert_int_equal(st.files - st.ffree, 1);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

static void reseal_super(struct img *im, struct cfs_super *sb)
{
	cfs_block_seal(cfs_seed(sb->uuid), sb);
	(void)im;
}

static void test_super_checks(void **state)
{
	struct img im;
	struct cfs_super *sb, saved;
	uint64_t last;

	(void)state;
	img_make(&im, 8 * MB, 0, 0);
	sb = (struct cfs_super *)im.mem;
	saved = *sb;
	last = sb->block_count - 1;

	/* a damaged primary: the backup is used and the primary rewritten */
	im.mem[100] ^= 0xff;
	img_reopen(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_true(im.fs->used_backup);
	img_unmount(&im);
	assert_true(cfs_block_ok(cfs_seed(sb->uuid), sb, CFS_MAGIC_SUPER, 0));

	/* an unknown incompatible feature: refused */
	*sb = saved;
	sb->feature_incompat = 0x80;
	reseal_super(&im, sb);
	memcpy(im.mem + last * CFS_BLOCK_SIZE, sb, sizeof(*sb));
	((struct cfs_super *)(im.mem + last * CFS_BLOCK_SIZE))->h.blockno = last;
	reseal_super(&im, (struct cfs_super *)(im.mem + last * CFS_BLOCK_SIZE));
	img_reopen(&im);
	assert_int_equal(img_mount(&im, 0), -EINVAL);

	/* an unknown read-only-compatible feature: mounted read-only */
	*sb = saved;
	sb->feature_ro_compat = 0x40;
	reseal_super(&im, sb);
	img_reopen(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_true(im.fs->rdonly);
	{
		struct cfs_inode ip;

		assert_int_equal(t_create(im.fs, "/x", CFS_S_IFREG | 0644, &ip), -EROFS);
	}
	img_unmount(&im);

	/* fields out of range, with a good checksum: refused (the backup,
	 * with the same fault, too) */
	const struct {
		size_t off;
		uint64_t val;
		int size;
	} bad[] = {
		{ offsetof(struct cfs_super, block_count), 1ull << 50, 8 },
		{ offsetof(struct cfs_super, block_count), 100, 8 },
		{ offsetof(struct cfs_super, blocks_per_group), 0, 4 },
		{ offsetof(struct cfs_super, inodes_per_group), 17, 4 },
		{ offsetof(struct cfs_super, journal_blocks), 3, 4 },
		{ offsetof(struct cfs_super, journal_start), 2000, 8 },
		{ offsetof(struct cfs_super, group_count), 7, 4 },
		{ offsetof(struct cfs_super, version), 2, 4 },
		{ offsetof(struct cfs_super, block_size), 1024, 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfs_super *bk = (struct cfs_super *)(im.mem + last * CFS_BLOCK_SIZE);

		*sb = saved;
		memcpy((uint8_t *)sb + bad[i].off, &bad[i].val, (size_t)bad[i].size);
		reseal_super(&im, sb);
		*bk = *sb;
		bk->h.blockno = last;
		reseal_super(&im, bk);
		img_reopen(&im);
		assert_int_equal(img_mount(&im, 0), -EINVAL);
	}
	/* nothing cosmfs at all */
	memset(im.mem, 0, CFS_BLOCK_SIZE);
	memset(im.mem + last * CFS_BLOCK_SIZE, 0, CFS_BLOCK_SIZE);
	img_reopen(&im);
	assert_int_equal(img_mount(&im, 0), -EINVAL);
	img_free(&im);
}

/* ---- allocation and extents ---- */

static int count_extent(void *ctx, const struct cfs_extent *e, bool node)
{
	uint32_t *n = ctx;

	if (!node && e->len)
		n[0]++;
	if (node)
		n[1]++;
	return 0;
}

static void test_files_contiguous(void **state)
{
	struct img im;
	struct cfs_inode a, b;
	uint8_t *buf = malloc(4 * MB);
	uint32_t cnt[2] = { 0, 0 };
	uint64_t free0;

	(void)state;
	pattern(buf, 4 * MB, 1);
	img_make(&im, 32 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	free0 = im.fs->free_blocks;
	assert_int_equal(t_create(im.fs, "/a", CFS_S_IFREG | 0644, &a), 0);
	assert_int_equal(t_create(im.fs, "/b", CFS_S_IFREG | 0644, &b), 0);
	/* appends in 64 KiB pieces, then another file: one run each */
	for (size_t off = 0; off < 4 * MB; off += 64 * 1024)
		assert_int_equal(t_write(im.fs, &a, off, buf + off, 64 * 1024), 64 * 1024);
	for (size_t off = 0; off < 2 * MB; off += 64 * 1024)
		assert_int_equal(t_write(im.fs, &b, off, buf + off, 64 * 1024), 64 * 1024);
	assert_int_equal(cfs_xwalk(im.fs, &a, count_extent, cnt), 0);
	assert_int_equal(cnt[0], 1);
	assert_int_equal(cnt[1], 0);
	cnt[0] = 0;
	assert_int_equal(cfs_xwalk(im.fs, &b, count_extent, cnt), 0);
	assert_int_equal(cnt[0], 1);
	assert_int_equal(a.d.blocks, 1024);
	assert_int_equal(free0 - im.fs->free_blocks, 1024 + 512);
	/* a block written later in a's hole goes next to its neighbours:
	 * b's first block follows a's last */
	{
		uint64_t pa, pb;
		uint32_t run;

		assert_int_equal(cfs_bmap(im.fs, &a, 1023, &pa, &run), 0);
		assert_int_equal(cfs_bmap(im.fs, &b, 0, &pb, &run), 0);
		assert_int_equal(pb, pa + 1);
	}
	img_unmount(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_true(t_file_is(im.fs, "/a", 4 * MB, 1));
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
	free(buf);
}

static void test_quarantine(void **state)
{
	struct img im;
	struct cfs_inode a, b, dir;
	uint8_t buf[CFS_BLOCK_SIZE];
	uint64_t pa, pb;
	uint32_t run;

	(void)state;
	memset(buf, 7, sizeof(buf));
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/a", CFS_S_IFREG | 0644, &a), 0);
	assert_int_equal(t_write(im.fs, &a, 0, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(cfs_bmap(im.fs, &a, 0, &pa, &run), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &dir), 0);
	assert_int_equal(cfs_unlink(im.fs, &dir, "a", 1, &a, t_now()), 0);
	assert_int_equal(cfs_evict(im.fs, &a), 0);
	/* freed, but not reused before a checkpoint */
	assert_int_equal(t_create(im.fs, "/b", CFS_S_IFREG | 0644, &b), 0);
	assert_int_equal(t_write(im.fs, &b, 0, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(cfs_bmap(im.fs, &b, 0, &pb, &run), 0);
	assert_int_not_equal(pa, pb);
	assert_true(im.fs->quarantined >= 1);
	assert_int_equal(cfs_sync(im.fs, true), 0);
	assert_int_equal(im.fs->quarantined, 0);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

static void test_sparse_1g_and_1t(void **state)
{
	struct img im;
	struct cfs_inode f;
	uint8_t a[CFS_BLOCK_SIZE], b[CFS_BLOCK_SIZE], z[CFS_BLOCK_SIZE];
	const uint64_t G = 1ull << 30, T = 1ull << 40;

	(void)state;
	pattern(a, sizeof(a), 2);
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/big", CFS_S_IFREG | 0644, &f), 0);
	assert_int_equal(t_write(im.fs, &f, G - CFS_BLOCK_SIZE, a, sizeof(a)), sizeof(a));
	assert_int_equal(f.d.size, G);
	assert_int_equal(f.d.blocks, 1);
	assert_int_equal(t_read(im.fs, &f, 12345 * 4096ull, z, sizeof(z)), sizeof(z));
	for (size_t i = 0; i < sizeof(z); i++)
		assert_int_equal(z[i], 0);
	/* 1 TiB (and the same block's offset within it) */
	assert_int_equal(t_write(im.fs, &f, T + 100, a, 10), 10);
	assert_int_equal(f.d.size, T + 110);
	img_unmount(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/big", &f), 0);
	assert_int_equal(f.d.size, T + 110);
	assert_int_equal(t_read(im.fs, &f, G - CFS_BLOCK_SIZE, b, sizeof(b)), sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(t_read(im.fs, &f, T + 100, b, 10), 10);
	assert_memory_equal(a, b, 10);
	/* past 16 TiB: too big */
	assert_int_equal(t_write(im.fs, &f, CFS_MAX_FILE_SIZE, a, 1), -EFBIG);
	assert_int_equal(cfs_truncate(im.fs, &f, G / 2), 0);
	assert_int_equal(f.d.blocks, 0);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

static void test_extent_tree_deep(void **state)
{
	struct img im;
	struct cfs_inode f;
	uint8_t blk[CFS_BLOCK_SIZE], got[CFS_BLOCK_SIZE];
	uint32_t cnt[2] = { 0, 0 };

	(void)state;
	img_make(&im, 16 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/holes", CFS_S_IFREG | 0644, &f), 0);
	/* every other block: one extent each, 1500 of them: a tree of depth 1
	 * with 6+ leaves; written backwards to split nodes in the middle */
	for (int i = 1499; i >= 0; i--) {
		pattern(blk, sizeof(blk), (unsigned)i);
		assert_int_equal(t_write(im.fs, &f, (uint64_t)i * 2 * CFS_BLOCK_SIZE, blk, sizeof(blk)),
				 sizeof(blk));
	}
	assert_int_equal(cfs_xwalk(im.fs, &f, count_extent, cnt), 0);
	assert_int_equal(cnt[0], 1500);
	assert_true(cnt[1] >= 6);
	assert_true(((struct cfs_xhdr *)f.d.data)->depth >= 1);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/holes", &f), 0);
	for (int i = 0; i < 1500; i += 37) {
		pattern(blk, sizeof(blk), (unsigned)i);
		assert_int_equal(t_read(im.fs, &f, (uint64_t)i * 2 * CFS_BLOCK_SIZE, got, sizeof(got)),
				 sizeof(got));
		assert_memory_equal(blk, got, sizeof(blk));
	}
	/* truncate to the middle, then to nothing */
	assert_int_equal(cfs_truncate(im.fs, &f, 750ull * 2 * CFS_BLOCK_SIZE), 0);
	cnt[0] = cnt[1] = 0;
	assert_int_equal(cfs_xwalk(im.fs, &f, count_extent, cnt), 0);
	assert_int_equal(cnt[0], 750);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/holes", &f), 0);
	assert_int_equal(cfs_truncate(im.fs, &f, 0), 0);
	assert_int_equal(f.d.blocks, 0);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

/* ---- directories ---- */

struct seen {
	uint8_t *bits;
	unsigned count, dups, stop_after;
	uint64_t next;
};

static bool mark_seen(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct seen *s = ctx;
	char buf[32];
	unsigned k;

	(void)ino;
	(void)type;
	if (s->stop_after && s->count >= s->stop_after)
		return false;
	memcpy(buf, name, len);
	buf[len] = 0;
	k = (unsigned)strtoul(buf + 1, NULL, 10);
	if (s->bits[k / 8] >> (k % 8) & 1)
		s->dups++;
	s->bits[k / 8] |= (uint8_t)(1u << (k % 8));
	s->count++;
	s->next = next;
	return true;
}

static void test_dir_100k(void **state)
{
	enum { N = 100000 };
	struct img im;
	struct cfs_inode dir, ip;
	struct seen s = { 0 };
	char name[32];
	uint64_t reads;

	(void)state;
	img_make(&im, 512 * MB, 4096, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/d", CFS_S_IFDIR | 0755, &dir), 0);
	for (unsigned i = 0; i < N; i++) {
		struct cfs_newinode ni = { .mode = CFS_S_IFREG | 0644, .now = t_now() };

		snprintf(name, sizeof(name), "f%u", i);
		assert_int_equal(cfs_create(im.fs, &dir, name, strlen(name), &ni, NULL, 0, &ip), 0);
	}
	assert_int_equal(dir.d.entries, N);
	img_unmount(&im);
	img_reopen(&im);
	assert_int_equal(img_mount(&im, CFS_MNT_RDONLY), 0);
	assert_int_equal(t_lookup(im.fs, "/d", &dir), 0);
	/* a cold lookup reads a path down the tree, not the directory */
	reads = im.dev->reads;
	for (unsigned i = 0; i < 100; i++) {
		uint64_t ino;

		snprintf(name, sizeof(name), "f%u", (i * 7919u) % N);
		assert_int_equal(cfs_dir_lookup(im.fs, &dir, name, strlen(name), &ino, NULL), 0);
	}
	assert_true(im.dev->reads - reads < 100 * 4);
	assert_int_equal(cfs_dir_lookup(im.fs, &dir, "nope", 4, &(uint64_t){ 0 }, NULL), -ENOENT);
	/* readdir: every name once */
	s.bits = calloc(N / 8 + 1, 1);
	assert_int_equal(cfs_dir_read(im.fs, &dir, 2, mark_seen, &s), 0);
	assert_int_equal(s.count, N);
	assert_int_equal(s.dups, 0);
	img_unmount(&im);
	/* remove every tenth name: the rest are all still there */
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/d", &dir), 0);
	for (unsigned i = 0; i < N; i += 10) {
		snprintf(name, sizeof(name), "/d/f%u", i);
		assert_int_equal(t_lookup(im.fs, name, &ip), 0);
		assert_int_equal(cfs_unlink(im.fs, &dir, name + 3, strlen(name + 3), &ip, t_now()), 0);
		assert_int_equal(cfs_evict(im.fs, &ip), 0);
	}
	memset(s.bits, 0, N / 8 + 1);
	s.count = 0;
	assert_int_equal(cfs_dir_read(im.fs, &dir, 2, mark_seen, &s), 0);
	assert_int_equal(s.count, N - N / 10);
	for (unsigned i = 0; i < N; i++)
		assert_true((s.bits[i / 8] >> (i % 8) & 1) == (i % 10 != 0));
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	free(s.bits);
	img_free(&im);
}

/* readdir a few names at a time while names come and go: every name
 * present throughout is returned exactly once */
static void test_readdir_resume(void **state)
{
	struct img im;
	struct cfs_inode dir, ip;
	struct seen s = { 0 };
	char name[32];
	uint64_t pos = 2;

	(void)state;
	img_make(&im, 16 * MB, 4096, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/d", CFS_S_IFDIR | 0755, &dir), 0);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "/d/f%u", i);
		assert_int_equal(t_create(im.fs, name, CFS_S_IFREG | 0644, &ip), 0);
	}
	assert_int_equal(t_lookup(im.fs, "/d", &dir), 0);
	s.bits = calloc(4000 / 8, 1);
	for (unsigned round = 0; pos < CFS_DIR_END && round < 10000; round++) {
		unsigned before = s.count;

		s.stop_after = s.count + 7;
		assert_int_equal(cfs_dir_read(im.fs, &dir, pos, mark_seen, &s), 0);
		if (s.count == before)
			break;
		pos = s.next;
		/* churn: a new name, and one of the new ones goes */
		snprintf(name, sizeof(name), "/d/f%u", 1000 + round);
		assert_int_equal(t_create(im.fs, name, CFS_S_IFREG | 0644, &ip), 0);
		assert_int_equal(t_lookup(im.fs, "/d", &dir), 0);
	}
	assert_int_equal(s.dups, 0);
	for (unsigned i = 0; i < 1000; i++)
		assert_true(s.bits[i / 8] >> (i % 8) & 1);
	free(s.bits);
	img_unmount(&im);
	img_free(&im);
}

static void test_rename(void **state)
{
	struct img im;
	struct cfs_inode a, b, c, f, g, root, x;
	uint64_t ino;

	(void)state;
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/a", CFS_S_IFDIR | 0755, &a), 0);
	assert_int_equal(t_create(im.fs, "/a/b", CFS_S_IFDIR | 0755, &b), 0);
	assert_int_equal(t_create(im.fs, "/c", CFS_S_IFDIR | 0755, &c), 0);
	assert_int_equal(t_create(im.fs, "/a/f", CFS_S_IFREG | 0644, &f), 0);
	assert_int_equal(t_create(im.fs, "/c/g", CFS_S_IFREG | 0644, &g), 0);
	/* (each inode has one in-memory copy in the kernel: the test keeps
	 * its copies fresh the same way) */
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(t_lookup(im.fs, "/a", &a), 0);
	assert_int_equal(t_lookup(im.fs, "/c", &c), 0);
	assert_int_equal(t_lookup(im.fs, "/c/g", &g), 0);
	/* a directory under itself */
	assert_int_equal(cfs_rename(im.fs, &root, "a", 1, &a, &b, "a", 1, NULL, 0, t_now()), -EINVAL);
	/* across directories, the link counts follow */
	assert_int_equal(cfs_rename(im.fs, &a, "b", 1, &b, &c, "b2", 2, NULL, 0, t_now()), 0);
	assert_int_equal(a.d.nlink, 2);
	assert_int_equal(c.d.nlink, 3);
	assert_int_equal(b.d.parent, c.ino);
	/* over an existing file: the old one loses its name */
	assert_int_equal(cfs_rename(im.fs, &a, "f", 1, &f, &c, "g", 1, &g, 0, t_now()), 0);
	assert_int_equal(g.d.nlink, 0);
	assert_int_equal(cfs_evict(im.fs, &g), 0);
	assert_int_equal(cfs_dir_lookup(im.fs, &c, "g", 1, &ino, NULL), 0);
	assert_int_equal(ino, f.ino);
	assert_int_equal(cfs_dir_lookup(im.fs, &a, "f", 1, &ino, NULL), -ENOENT);
	/* NOREPLACE, a non-empty directory target, exchange */
	assert_int_equal(t_create(im.fs, "/a/h", CFS_S_IFREG | 0644, &x), 0);
	assert_int_equal(cfs_rename(im.fs, &a, "h", 1, &x, &c, "g", 1, &f, CFS_RENAME_NOREPLACE, t_now()),
			 -EEXIST);
	assert_int_equal(t_lookup(im.fs, "/c/b2", &b), 0);
	assert_int_equal(t_create(im.fs, "/c/b2/in", CFS_S_IFREG | 0644, &g), 0);
	assert_int_equal(t_lookup(im.fs, "/c/b2", &b), 0);
	assert_int_equal(t_lookup(im.fs, "/a", &a), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(cfs_rename(im.fs, &root, "a", 1, &a, &c, "b2", 2, &b, 0, t_now()), -ENOTEMPTY);
	assert_int_equal(cfs_rename(im.fs, &root, "a", 1, &a, &c, "b2", 2, &b, CFS_RENAME_EXCHANGE, t_now()),
			 0);
	assert_int_equal(t_lookup(im.fs, "/c/b2/h", &x), 0);
	assert_int_equal(t_lookup(im.fs, "/a/in", &x), 0);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

static void test_symlinks(void **state)
{
	struct img im;
	struct cfs_inode root, l;
	struct cfs_newinode ni = { .mode = CFS_S_IFLNK | 0777, .now = t_now() };
	char longt[CFS_SYMLINK_MAX + 2], buf[CFS_SYMLINK_MAX + 2];

	(void)state;
	memset(longt, 'x', sizeof(longt));
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(cfs_create(im.fs, &root, "s", 1, &ni, "/bin/busybox", 12, &l), 0);
	assert_true(l.d.flags & CFS_IFL_INLINE);
	assert_int_equal(l.d.blocks, 0);
	/* the edges: 128 bytes inline, 129 in a block */
	assert_int_equal(cfs_create(im.fs, &root, "i128", 4, &ni, longt, 128, &l), 0);
	assert_true(l.d.flags & CFS_IFL_INLINE);
	assert_int_equal(cfs_create(im.fs, &root, "b129", 4, &ni, longt, 129, &l), 0);
	assert_false(l.d.flags & CFS_IFL_INLINE);
	assert_int_equal(l.d.blocks, 1);
	assert_int_equal(cfs_create(im.fs, &root, "l", 1, &ni, longt, CFS_SYMLINK_MAX, &l), 0);
	assert_int_equal(l.d.blocks, 1);
	assert_int_equal(cfs_create(im.fs, &root, "x", 1, &ni, longt, CFS_SYMLINK_MAX + 1, &l),
			 -ENAMETOOLONG);
	img_unmount(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/s", &l), 0);
	assert_int_equal(cfs_readlink(im.fs, &l, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "/bin/busybox", 12);
	assert_int_equal(t_lookup(im.fs, "/l", &l), 0);
	assert_int_equal(cfs_readlink(im.fs, &l, buf, sizeof(buf)), CFS_SYMLINK_MAX);
	assert_memory_equal(buf, longt, CFS_SYMLINK_MAX);
	assert_int_equal(t_lookup(im.fs, "/i128", &l), 0);
	assert_int_equal(cfs_readlink(im.fs, &l, buf, sizeof(buf)), 128);
	assert_memory_equal(buf, longt, 128);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

/* ---- the journal ---- */

/* Commits without a checkpoint and stops there: the image is what a
 * power cut right after the commit leaves. */
static uint8_t *crash_after_commit(struct img *im, size_t *size)
{
	uint8_t *snap = malloc(im->size);

	assert_non_null(snap);
	assert_int_equal(cfs_commit(im->fs), 0);
	memcpy(snap, im->mem, im->size);
	*size = im->size;
	return snap;
}

static void test_journal_replay(void **state)
{
	struct img im, c;
	struct cfs_jscan js;
	size_t size;
	uint8_t *snap;

	(void)state;
	img_make(&im, 16 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	t_make_file(im.fs, "/one", 10000, 1);
	assert_int_equal(t_create(im.fs, "/dir", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	t_make_file(im.fs, "/dir/two", 5000, 2);
	snap = crash_after_commit(&im, &size);
	img_unmount(&im);
	/* the homes were not written: only the journal holds the names */
	c.mem = snap;
	c.size = size;
	c.dev = host_dev_memory(snap, size);
	assert_int_equal(cfs_mount(c.dev, NULL, CFS_MNT_NOREPLAY | CFS_MNT_RDONLY, &c.fs), 0);
	assert_int_equal(cfs_journal_scan(c.fs, &js), 0);
	assert_true(js.txns >= 1);
	assert_false(js.torn);
	assert_int_equal(t_lookup(c.fs, "/one", &(struct cfs_inode){ 0 }), -ENOENT);
	img_unmount(&c);
	img_free(&im);
	/* fsck -n replays in memory and finds it all sound */
	assert_int_equal(img_fsck(&c, false, NULL), FSCK_CLEAN);
	assert_int_equal(img_mount(&c, 0), 0);
	assert_true(t_file_is(c.fs, "/one", 10000, 1));
	assert_true(t_file_is(c.fs, "/dir/two", 5000, 2));
	img_unmount(&c);
	assert_int_equal(img_fsck(&c, false, NULL), FSCK_CLEAN);
	img_free(&c);
}

/* A replay cut short by a second power cut, after each of its writes,
 * then replayed again, gives the same file system as one replay. */
struct cut {
	size_t left;
};

static int cut_write(void *ctx, uint64_t blk, const void *data)
{
	struct cut *c = ctx;

	(void)blk;
	(void)data;
	if (!c->left)
		return -EIO;
	c->left--;
	return 0;
}

static void test_replay_idempotent(void **state)
{
	struct img im;
	size_t size, writes;
	uint8_t *snap, *once;

	(void)state;
	img_make(&im, 2 * MB, 0, 256);
	assert_int_equal(img_mount(&im, 0), 0);
	for (int i = 0; i < 5; i++) {
		char p[16];

		snprintf(p, sizeof(p), "/f%d", i);
		t_make_file(im.fs, p, 3000 + (size_t)i, (unsigned)i);
	}
	snap = crash_after_commit(&im, &size);
	img_unmount(&im);
	img_free(&im);
	/* one clean replay, counting its writes */
	once = malloc(size);
	memcpy(once, snap, size);
	{
		struct host_dev *d = host_dev_memory(once, size);
		struct cfs_fs *fs;

		assert_int_equal(cfs_mount(d, NULL, CFS_MNT_RDONLY | CFS_MNT_NOREPLAY, &fs), 0);
		cfs_unmount(fs);
		d->writes = 0;
		assert_int_equal(cfs_mount(d, NULL, CFS_MNT_FSCK, &fs), 0);
		writes = d->writes;
		cfs_unmount(fs);
		host_dev_close(d);
	}
	assert_true(writes > 2);
	for (size_t cut = 0; cut < writes; cut++) {
		uint8_t *m = malloc(size);
		struct host_dev *d;
		struct cfs_fs *fs;
		struct cut c = { cut };

		memcpy(m, snap, size);
		d = host_dev_memory(m, size);
		d->on_write = cut_write;
		d->hook_ctx = &c;
		assert_int_not_equal(cfs_mount(d, NULL, CFS_MNT_FSCK, &fs), 0);
		host_dev_close(d);
		d = host_dev_memory(m, size);
		assert_int_equal(cfs_mount(d, NULL, CFS_MNT_FSCK, &fs), 0);
		cfs_unmount(fs);
		host_dev_close(d);
		/* the same blocks as the single replay (the journal superblock
		 * included: both end with an empty journal) */
		assert_memory_equal(m, once, size);
		free(m);
	}
	free(once);
	free(snap);
}

/* A commit whose commit block never reached the disk, or whose copy is
 * damaged, is ignored: the file system is as before it. */
struct drop {
	uint64_t jstart, jend;
	size_t seen, drop_nth;       /* the journal write to lose */
};

static int drop_write(void *ctx, uint64_t blk, const void *data)
{
	struct drop *d = ctx;

	(void)data;
	if (blk < d->jstart || blk >= d->jend)
		return 0;
	return d->seen++ == d->drop_nth;
}

static void test_torn_commit(void **state)
{
	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		struct img im;
		struct drop d = { 0 };
		struct cfs_jscan js;
		uint8_t *snap;
		uint32_t head;

		img_make(&im, 8 * MB, 0, 0);
		assert_int_equal(img_mount(&im, 0), 0);
		t_make_file(im.fs, "/before", 2000, 9);
		assert_int_equal(cfs_sync(im.fs, true), 0);
		t_make_file(im.fs, "/after", 3000, 10);
		d.jstart = im.fs->sb.journal_start;
		d.jend = d.jstart + im.fs->sb.journal_blocks;
		head = im.fs->j.head;
		if (mode == 0) {
			/* the commit block is the commit's last journal write: a
			 * first commit on a copy counts them */
			uint8_t *copy = malloc(im.size);
			struct img c2;
			struct drop cnt = d;

			memcpy(copy, im.mem, im.size);
			cnt.drop_nth = (size_t)-1;
			im.dev->on_write = drop_write;
			im.dev->hook_ctx = &cnt;
			assert_int_equal(cfs_commit(im.fs), 0);
			im.dev->on_write = NULL;
			d.drop_nth = cnt.seen - 1;
			/* now the same commit again, from the same state, losing it */
			cfs_unmount(im.fs);
			im.fs = NULL;
			memcpy(im.mem, copy, im.size);
			free(copy);
			img_reopen(&im);
			assert_int_equal(img_mount(&im, 0), 0);
			t_make_file(im.fs, "/after", 3000, 10);
			head = im.fs->j.head;
			im.dev->on_write = drop_write;
			im.dev->hook_ctx = &d;
			(void)c2;
		}
		assert_int_equal(cfs_commit(im.fs), 0);
		/* the power goes here */
		snap = malloc(im.size);
		memcpy(snap, im.mem, im.size);
		im.dev->on_write = NULL;
		if (mode == 1)               /* the first copy, after the descriptor */
			snap[(d.jstart + head + 1) * CFS_BLOCK_SIZE + 200] ^= 1;
		cfs_unmount(im.fs);
		im.fs = NULL;
		memcpy(im.mem, snap, im.size);
		free(snap);
		img_reopen(&im);
		assert_int_equal(cfs_mount(im.dev, NULL, CFS_MNT_RDONLY | CFS_MNT_NOREPLAY, &im.fs), 0);
		assert_int_equal(cfs_journal_scan(im.fs, &js), 0);
		assert_int_equal(js.txns, 0);
		assert_true(js.torn);
		img_unmount(&im);
		assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
		assert_int_equal(img_mount(&im, 0), 0);
		assert_true(t_file_is(im.fs, "/before", 2000, 9));
		assert_int_equal(t_lookup(im.fs, "/after", &(struct cfs_inode){ 0 }), -ENOENT);
		img_unmount(&im);
		img_free(&im);
	}
}

/* ---- power cuts at every flush ---- */

static bool keep_some(size_t i, void *ctx)
{
	unsigned *seed = ctx;

	return ((i * 2654435761u) ^ *seed) & 1;
}

static void test_power_cut_every_flush(void **state)
{
	struct img im;
	struct wlog log;
	struct cfs_inode f, root, dir;
	size_t *synced_at = calloc(64, sizeof(size_t));
	unsigned nsync = 0;

	(void)state;
	img_make(&im, 2 * MB, 4096, 256);
	assert_int_equal(img_mount(&im, 0), 0);
	wlog_start(&log, &im);
	/* a workload: creates, writes, fsyncs (commits), renames, unlinks;
	 * the files fsynced (every third) are left alone afterwards */
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(t_create(im.fs, "/d", CFS_S_IFDIR | 0755, &dir), 0);
	for (int i = 0; i < 12; i++) {
		char p[32], q[32];

		snprintf(p, sizeof(p), "/d/f%d", i);
		t_make_file(im.fs, p, 1000 + 1500 * (size_t)i, (unsigned)i);
		assert_int_equal(t_lookup(im.fs, "/d", &dir), 0);
		assert_int_equal(t_lookup(im.fs, p, &f), 0);
		assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
		if (i % 3 == 0) {
			assert_int_equal(cfs_commit(im.fs), 0);       /* fsync */
			synced_at[nsync++] = log.n;
		} else if (i % 3 == 1) {
			snprintf(q, sizeof(q), "r%d", i);
			assert_int_equal(cfs_rename(im.fs, &dir, p + 3, strlen(p + 3), &f, &root, q,
						    strlen(q), NULL, 0, t_now()), 0);
		} else if (i % 2 == 0) {
			assert_int_equal(cfs_unlink(im.fs, &dir, p + 3, strlen(p + 3), &f, t_now()), 0);
			assert_int_equal(cfs_evict(im.fs, &f), 0);
		}
	}
	img_unmount(&im);
	wlog_stop(&log, &im);
	/* every prefix that ends at a flush, and the same with the writes
	 * since the previous flush partly lost */
	size_t states = 0, prev_flush = 0;
	for (size_t n = 1; n <= log.n; n++) {
		if (n < log.n && log.r[n - 1].data)
			continue;
		for (unsigned variant = 0; variant < 2; variant++) {
			unsigned seed = (unsigned)n;
			struct img c;

			c.size = log.size;
			c.mem = wlog_state(&log, n, variant ? prev_flush : n, variant ? keep_some : NULL, &seed);
			c.dev = host_dev_memory(c.mem, c.size);
			c.fs = NULL;
			assert_int_equal(img_fsck(&c, false, NULL), FSCK_CLEAN);
			/* what was fsynced is there, byte for byte */
			assert_int_equal(img_mount(&c, CFS_MNT_RDONLY), 0);
			for (unsigned k = 0; k < nsync; k++)
				if (synced_at[k] <= prev_flush || (synced_at[k] <= n && !variant)) {
					char p[32];
					unsigned i = k * 3;

					snprintf(p, sizeof(p), "/d/f%u", i);
					assert_true(t_file_is(c.fs, p, 1000 + 1500 * i, i));
				}
			img_unmount(&c);
			img_free(&c);
			states++;
		}
		prev_flush = n;
	}
	fprintf(stderr, "# %zu crash states\n", states);
	assert_true(states >= 20);
	wlog_free(&log);
	free(synced_at);
	img_free(&im);
}

/* ---- orphans, ENOSPC, corruption ---- */

static void test_orphan_recovered(void **state)
{
	struct img im;
	struct cfs_inode f, root;
	uint64_t free_before;
	size_t size;
	uint8_t *snap;

	(void)state;
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	free_before = im.fs->free_blocks;
	t_make_file(im.fs, "/open", 100000, 3);
	assert_int_equal(t_lookup(im.fs, "/open", &f), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	/* unlinked while someone holds it: on the orphan list */
	assert_int_equal(cfs_unlink(im.fs, &root, "open", 4, &f, t_now()), 0);
	assert_int_equal(im.fs->sb.orphan_head, f.ino);
	snap = crash_after_commit(&im, &size);
	img_unmount(&im);
	memcpy(im.mem, snap, size);
	free(snap);
	img_reopen(&im);
	/* a sound state for fsck; the mount frees it */
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(im.fs->sb.orphan_head, 0);
	assert_int_equal(cfs_sync(im.fs, true), 0);
	assert_int_equal(im.fs->free_blocks, free_before);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	img_free(&im);
}

static void test_enospc(void **state)
{
	struct img im;
	struct cfs_inode f;
	uint8_t *buf = calloc(1, MB);
	long n;
	uint64_t total = 0;
	int files = 0, err = 0;

	(void)state;
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_create(im.fs, "/fill", CFS_S_IFREG | 0644, &f), 0);
	while ((n = t_write(im.fs, &f, total, buf, MB)) == MB)
		total += MB;
	assert_true(n == -ENOSPC || (n >= 0 && n < (long)MB));
	if (n > 0)
		total += (uint64_t)n;
	assert_int_equal(t_write(im.fs, &f, total, buf, MB), -ENOSPC);
	assert_int_equal(f.d.size, total);
	while (!err) {
		char p[32];
		struct cfs_inode x;

		snprintf(p, sizeof(p), "/n%d", files++);
		err = t_create(im.fs, p, CFS_S_IFDIR | 0755, &x);
	}
	assert_int_equal(err, -ENOSPC);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	/* the space comes back */
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/fill", &f), 0);
	assert_int_equal(cfs_truncate(im.fs, &f, 0), 0);
	t_make_file(im.fs, "/again", 2 * MB, 4);
	img_unmount(&im);
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_CLEAN);
	free(buf);
	img_free(&im);
}

static void test_corruption_readonly(void **state)
{
	struct img im;
	struct cfs_inode root, x;
	uint64_t ino, blk;
	uint32_t run;

	(void)state;
	img_make(&im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(&im, 0), 0);
	t_make_file(im.fs, "/a", 10, 1);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(cfs_bmap(im.fs, &root, 0, &blk, &run), 0);
	img_unmount(&im);
	im.mem[blk * CFS_BLOCK_SIZE + 60] ^= 0x40;      /* inside the root's leaf */
	img_reopen(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(cfs_dir_lookup(im.fs, &root, "a", 1, &ino, NULL), -EUCLEAN);
	assert_true(im.fs->rdonly);
	assert_int_equal(cfs_write_inode(im.fs, &root), -EROFS);
	(void)x;
	cfs_unmount(im.fs);
	im.fs = NULL;
	/* the errors are recorded on disk; the damaged block was not written */
	assert_true(((struct cfs_super *)im.mem)->state & CFS_STATE_ERRORS);
	assert_int_equal(((struct cfs_super *)im.mem)->last_error_block, blk);
	assert_false(cfs_block_ok(cfs_seed(((struct cfs_super *)im.mem)->uuid), im.mem + blk * CFS_BLOCK_SIZE,
				  CFS_MAGIC_DIR, blk));
	assert_int_equal(img_fsck(&im, false, NULL), FSCK_LEFT);
	img_free(&im);
}

/* Random damage to the metadata of a small image: mounting it and using
 * every file must end in results or errors, never a crash or a hang
 * (ASan watches). */
static bool walk_all(struct cfs_fs *fs, struct cfs_inode *dir, int depth);

struct walkctx {
	struct cfs_fs *fs;
	uint64_t inos[64];
	int n;
};

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct walkctx *w = ctx;

	(void)name;
	(void)len;
	(void)type;
	(void)next;
	if (w->n < 64)
		w->inos[w->n++] = ino;
	return w->n < 64;
}

static bool walk_all(struct cfs_fs *fs, struct cfs_inode *dir, int depth)
{
	struct walkctx w = { fs, { 0 }, 0 };
	static uint8_t buf[64 * 1024];

	if (depth > 4 || cfs_dir_read(fs, dir, 2, collect, &w))
		return false;
	for (int i = 0; i < w.n; i++) {
		struct cfs_inode ip;

		if (cfs_iget(fs, w.inos[i], &ip))
			continue;
		switch (ip.d.mode & CFS_S_IFMT) {
		case CFS_S_IFDIR: walk_all(fs, &ip, depth + 1); break;
		case CFS_S_IFREG: t_read(fs, &ip, 0, buf, sizeof(buf)); break;
		case CFS_S_IFLNK: cfs_readlink(fs, &ip, (char *)buf, 4096); break;
		}
	}
	return true;
}

static void test_fuzz_mount(void **state)
{
	struct img base;
	uint8_t *m;
	uint32_t x = 12345;

	(void)state;
	img_make(&base, 2 * MB, 4096, 256);
	assert_int_equal(img_mount(&base, 0), 0);
	assert_int_equal(t_create(base.fs, "/d", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	for (int i = 0; i < 30; i++) {
		char p[32];

		snprintf(p, sizeof(p), i % 2 ? "/d/f%d" : "/f%d", i);
		t_make_file(base.fs, p, (size_t)(i * 500), (unsigned)i);
	}
	{
		/* and a tree with a node block */
		struct cfs_inode h;
		uint8_t blk[100] = { 1 };

		assert_int_equal(t_create(base.fs, "/holes", CFS_S_IFREG | 0644, &h), 0);
		for (int i = 0; i < 20; i++)
			assert_int_equal(t_write(base.fs, &h, (uint64_t)i * 2 * CFS_BLOCK_SIZE, blk, sizeof(blk)),
					 sizeof(blk));
	}
	img_unmount(&base);
	/* the metadata blocks in use: those with a header, and the inode
	 * table's blocks that hold inodes */
	uint64_t meta[512];
	size_t nmeta = 0;
	const struct cfs_super *bsb = (const struct cfs_super *)base.mem;
	const struct cfs_group *gd = (const struct cfs_group *)(base.mem + CFS_BLOCK_SIZE + sizeof(struct cfs_bhdr));
	uint32_t seed = cfs_seed(bsb->uuid);
	for (uint64_t b = 0; b < base.size / CFS_BLOCK_SIZE && nmeta < 512; b++)
		if (((((struct cfs_bhdr *)(base.mem + b * CFS_BLOCK_SIZE))->magic & 0xffffff) == 0x534643 &&
		     (b < bsb->journal_start + 1 || b >= bsb->journal_start + bsb->journal_blocks)) ||
		    (b >= gd->inode_table && b < gd->inode_table + 3))
			meta[nmeta++] = b;     /* (not the copies in the journal's ring) */
	m = malloc(base.size);
	for (int round = 0; round < 200; round++) {
		memcpy(m, base.mem, base.size);
		/* damage a few bytes of them, resealed half the time so the
		 * checks past the checksums see it too */
		for (int k = 0; k < 1 + round % 4; k++) {
			uint64_t blk, off;
			uint8_t *b;

			x = x * 1103515245u + 12345u;
			blk = meta[(x >> 8) % nmeta];
			x = x * 1103515245u + 12345u;
			b = m + blk * CFS_BLOCK_SIZE;
			/* mostly where the counts, offsets and lengths are: the
			 * first bytes of a block, an inode's fields and tree root */
			if (x % 4 == 0)
				off = (x >> 4) % CFS_BLOCK_SIZE;
			else if ((((struct cfs_bhdr *)b)->magic & 0xffffff) == 0x534643)
				off = (x >> 4) % 160;
			else
				off = (x >> 12) % CFS_INODES_PER_BLOCK * CFS_INODE_SIZE + (x >> 4) % 160;
			b[off] ^= (uint8_t)(1u << (x % 8));
			if (round % 2 == 0)
				continue;
			if ((((struct cfs_bhdr *)b)->magic & 0xffffff) == 0x534643) {
				cfs_block_seal(seed, b);
			} else {
				struct cfs_dinode *di = (struct cfs_dinode *)(b + off / CFS_INODE_SIZE * CFS_INODE_SIZE);
				uint64_t ino = (blk - gd->inode_table) * CFS_INODES_PER_BLOCK + off / CFS_INODE_SIZE + 1;

				di->crc = cfs_inode_crc(seed, ino, di);
			}
		}
		struct host_dev *d;
		struct cfs_fs *fs;
		struct cfs_inode root;

		d = host_dev_memory(m, base.size);
		if (cfs_mount(d, NULL, 0, &fs) == 0) {
			if (cfs_iget(fs, CFS_ROOT_INO, &root) == 0) {
				walk_all(fs, &root, 0);
				struct cfs_inode x2;
				t_create(fs, "/newfile", CFS_S_IFREG | 0644, &x2);
			}
			cfs_unmount(fs);
		}
		host_dev_close(d);
		/* and fsck -y never crashes either */
		d = host_dev_memory(m, base.size);
		{
			struct fsck_opts o = { true, NULL };
			struct fsck_result r;

			cfs_fsck(d, &o, &r);
		}
		host_dev_close(d);
	}
	free(m);
	img_free(&base);
}

/* Hostile values in the fields that size or place something, each in a
 * sealed block (so only the checks behind the checksums stand between
 * them and the code): the mount or the reads fail with -EUCLEAN (or
 * refuse the mount), nothing crashes (ASan watches). */
struct hostile {
	const char *what;
	int where;                   /* 0 an inode's slot, 1 the directory's first block,
					2 the file's extent node, 3 the superblock, 4 group table */
	const char *path;            /* whose inode or block */
	size_t off;
	uint64_t val;
	int size;
};

static const struct hostile hostile[] = {
	{ "extent root depth", 0, "/holes", 128 + 6, 8, 2 },
	{ "extent root count", 0, "/f", 128 + 2, 200, 2 },
	{ "extent root max", 0, "/f", 128 + 4, 300, 2 },
	{ "extent length 0", 0, "/f", 144 + 4, 0, 4 },
	{ "extent past the end", 0, "/f", 144 + 8, 1u << 30, 8 },
	{ "extent into the journal", 0, "/f", 144 + 8, 5, 8 },
	{ "file size beyond 16 TiB", 0, "/f", 24, 1ull << 50, 8 },
	{ "directory size huge", 0, "/d", 24, 1ull << 40, 8 },
	{ "directory parent out of range", 0, "/d", 96, 1ull << 40, 8 },
	{ "symlink length", 0, "/s", 24, 5000, 8 },
	{ "mode", 0, "/f", 0, 0170000, 4 },
	{ "extent node count", 2, "/holes", 32 + 2, 300, 2 },
	{ "extent node depth", 2, "/holes", 32 + 6, 3, 2 },
	{ "extent node extent", 2, "/holes", 48 + 8, 1u << 30, 8 },
	{ "directory node level", 1, "/d", 32, 50, 2 },
	{ "directory leaf used", 1, "/d", 36, 9000, 2 },
	{ "directory leaf count", 1, "/d", 34, 1000, 2 },
	{ "directory leaf next", 1, "/d", 40, 77, 4 },
	{ "directory entry name length", 1, "/d", 48 + 16, 0, 1 },
	{ "directory entry name length long", 1, "/d", 48 + 16, 255, 1 },
	{ "superblock orphan head at a free inode", 3, "/", 224, 300, 8 },
	{ "group inode table", 4, "/", 32 + 16, 1, 8 },
	{ "group free blocks", 4, "/", 32 + 24, 1u << 31, 4 },
};

static void test_hostile_fields(void **state)
{
	struct img base;
	uint8_t *m;
	uint32_t seed;

	(void)state;
	img_make(&base, 2 * MB, 4096, 256);
	assert_int_equal(img_mount(&base, 0), 0);
	assert_int_equal(t_create(base.fs, "/d", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	t_make_file(base.fs, "/d/x", 100, 1);
	t_make_file(base.fs, "/f", 9000, 2);
	{
		struct cfs_inode h, root;
		struct cfs_newinode ni = { .mode = CFS_S_IFLNK | 0777, .now = t_now() };
		uint8_t b[10] = { 1 };

		assert_int_equal(t_create(base.fs, "/holes", CFS_S_IFREG | 0644, &h), 0);
		for (int i = 0; i < 20; i++)
			assert_int_equal(t_write(base.fs, &h, (uint64_t)i * 2 * CFS_BLOCK_SIZE, b, 10), 10);
		assert_int_equal(cfs_iget(base.fs, CFS_ROOT_INO, &root), 0);
		assert_int_equal(cfs_create(base.fs, &root, "s", 1, &ni, "/d/x", 4, &h), 0);
	}
	img_unmount(&base);
	seed = cfs_seed(((struct cfs_super *)base.mem)->uuid);
	m = malloc(base.size);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		struct cfs_inode ip, root;
		uint8_t *at;
		uint64_t blk = 0, ino = 0;
		struct host_dev *d;
		struct cfs_fs *fs;
		int err;

		/* find the inode (and its blocks) on the sound image */
		assert_int_equal(img_mount(&base, CFS_MNT_RDONLY), 0);
		assert_int_equal(t_lookup(base.fs, h->path, &ip), 0);
		ino = ip.ino;
		if (h->where == 1 || h->where == 2) {
			uint32_t run;

			if (h->where == 1)
				assert_int_equal(cfs_bmap(base.fs, &ip, 0, &blk, &run), 0);
			else
				blk = ((struct cfs_xidx *)(ip.d.data + sizeof(struct cfs_xhdr)))->child;
		}
		img_unmount(&base);
		memcpy(m, base.mem, base.size);
		switch (h->where) {
		case 0: {
			const struct cfs_group *gd = (const struct cfs_group *)(m + CFS_BLOCK_SIZE + sizeof(struct cfs_bhdr));
			struct cfs_dinode *di = (struct cfs_dinode *)(m + gd->inode_table * CFS_BLOCK_SIZE +
								      (ino - 1) * CFS_INODE_SIZE);

			memcpy((uint8_t *)di + h->off, &h->val, (size_t)h->size);
			di->crc = cfs_inode_crc(seed, ino, di);
			break;
		}
		case 1:
		case 2:
			at = m + blk * CFS_BLOCK_SIZE;
			memcpy(at + h->off, &h->val, (size_t)h->size);
			cfs_block_seal(seed, at);
			break;
		case 3:
		case 4:
			at = m + (h->where == 3 ? 0 : CFS_BLOCK_SIZE);
			memcpy(at + h->off, &h->val, (size_t)h->size);
			cfs_block_seal(seed, at);
			break;
		}
		d = host_dev_memory(m, base.size);
		err = cfs_mount(d, NULL, 0, &fs);
		if (!err) {
			err = cfs_iget(fs, CFS_ROOT_INO, &root);
			if (!err && !walk_all(fs, &root, 0))
				err = -EUCLEAN;
			if (!err) {
				/* the damaged object itself, by its path */
				err = t_lookup(fs, h->path, &ip);
				if (!err && (ip.d.mode & CFS_S_IFMT) == CFS_S_IFREG) {
					uint8_t buf[256];
					long n = t_read(fs, &ip, 0, buf, sizeof(buf));

					err = n < 0 ? (int)n : 0;
					if (!err)
						err = (int)t_write(fs, &ip, 40 * CFS_BLOCK_SIZE, buf, 10) < 0 ? -EUCLEAN : 0;
				}
			}
			if (!err && fs->aborted)
				err = -EUCLEAN;
			cfs_unmount(fs);
		}
		host_dev_close(d);
		if (err != -EUCLEAN && err != -EINVAL)
			fail_msg("%s: damage not seen (result %d)", h->what, err);
	}
	free(m);
	img_free(&base);
}

int main(void)
{
	if (getenv("COSMFS_TEST"))
		cmocka_set_test_filter(getenv("COSMFS_TEST"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkfs_mount_empty),
		cmocka_unit_test(test_super_checks),
		cmocka_unit_test(test_files_contiguous),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_sparse_1g_and_1t),
		cmocka_unit_test(test_extent_tree_deep),
		cmocka_unit_test(test_dir_100k),
		cmocka_unit_test(test_readdir_resume),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_journal_replay),
		cmocka_unit_test(test_replay_idempotent),
		cmocka_unit_test(test_torn_commit),
		cmocka_unit_test(test_power_cut_every_flush),
		cmocka_unit_test(test_orphan_recovered),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_corruption_readonly),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_fuzz_mount),
	};
	return cmocka_run_group_tests(tests, quiet, NULL);
}
