/* Host tests of fsck.cosmfs: each kind of damage is injected into an
 * image that fsck first finds clean; fsck -n must find it (exit 4, the
 * problem named), fsck -y must repair it (exit 1), and a second fsck -n
 * must find nothing, with the files the damage did not touch intact. */
#define _GNU_SOURCE
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

/* fsck with its report captured. */
static int fsck_report(struct img *im, bool repair, char **text, struct fsck_result *r)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	struct fsck_opts o = { repair, f };
	int code;

	assert_non_null(f);
	img_reopen(im);
	code = cfs_fsck(im->dev, &o, r);
	fclose(f);
	img_reopen(im);
	return code;
}

/* A small populated file system: /keep (a file left alone), /f, /d with
 * files, /a/b. */
static void populate(struct img *im)
{
	img_make(im, 8 * MB, 0, 0);
	assert_int_equal(img_mount(im, 0), 0);
	t_make_file(im->fs, "/keep", 20000, 1);
	t_make_file(im->fs, "/f", 9000, 2);
	assert_int_equal(t_create(im->fs, "/d", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	t_make_file(im->fs, "/d/x", 5000, 3);
	t_make_file(im->fs, "/d/y", 6000, 4);
	assert_int_equal(t_create(im->fs, "/a", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	assert_int_equal(t_create(im->fs, "/a/b", CFS_S_IFDIR | 0755, &(struct cfs_inode){ 0 }), 0);
	img_unmount(im);
	assert_int_equal(img_fsck(im, false, NULL), FSCK_CLEAN);
}

/* The checks every case ends with: found by -n, repaired by -y, clean
 * afterwards, /keep intact. */
static void found_and_fixed(struct img *im, const char *phrase)
{
	struct fsck_result r;
	char *text = NULL;

	assert_int_equal(fsck_report(im, false, &text, &r), FSCK_LEFT);
	if (getenv("COSMFS_FSCK_VERBOSE"))
		fprintf(stderr, "%s", text);
	if (!strstr(text, phrase))
		fail_msg("fsck -n did not report '%s':\n%s", phrase, text);
	assert_true(r.problems >= 1);
	assert_int_equal(r.fixed, 0);
	free(text);
	text = NULL;
	assert_int_equal(fsck_report(im, true, &text, &r), FSCK_FIXED);
	if (!strstr(text, phrase))
		fail_msg("fsck -y did not report '%s':\n%s", phrase, text);
	assert_int_equal(r.fixed, r.problems);
	free(text);
	text = NULL;
	if (fsck_report(im, false, &text, &r) != FSCK_CLEAN)
		fail_msg("problems left after -y:\n%s", text);
	free(text);
	assert_int_equal(img_mount(im, 0), 0);
	assert_true(t_file_is(im->fs, "/keep", 20000, 1));
	img_unmount(im);
}

static uint8_t *inode_slot(struct img *im, uint64_t ino)
{
	struct cfs_super *sb = (struct cfs_super *)im->mem;
	uint64_t g = (ino - 1) / sb->inodes_per_group, i = (ino - 1) % sb->inodes_per_group;
	struct cfs_group *gd = (struct cfs_group *)(im->mem + CFS_BLOCK_SIZE + sizeof(struct cfs_bhdr)) + g;

	return im->mem + gd->inode_table * CFS_BLOCK_SIZE + i * CFS_INODE_SIZE;
}

static void reseal_inode(struct img *im, uint64_t ino)
{
	struct cfs_dinode *d = (struct cfs_dinode *)inode_slot(im, ino);

	d->crc = cfs_inode_crc(cfs_seed(((struct cfs_super *)im->mem)->uuid), ino, d);
}

static uint64_t ino_of(struct img *im, const char *path)
{
	struct cfs_inode ip;

	assert_int_equal(img_mount(im, CFS_MNT_RDONLY), 0);
	assert_int_equal(t_lookup(im->fs, path, &ip), 0);
	img_unmount(im);
	return ip.ino;
}

static uint64_t block_of(struct img *im, const char *path, uint32_t lblk)
{
	struct cfs_inode ip;
	uint64_t p;
	uint32_t run;

	assert_int_equal(img_mount(im, CFS_MNT_RDONLY), 0);
	assert_int_equal(t_lookup(im->fs, path, &ip), 0);
	assert_int_equal(cfs_bmap(im->fs, &ip, lblk, &p, &run), 0);
	img_unmount(im);
	return p;
}

static void test_bad_inode_checksum(void **state)
{
	struct img im;
	uint64_t ino;

	(void)state;
	populate(&im);
	ino = ino_of(&im, "/f");
	inode_slot(&im, ino)[40] ^= 0x10;
	found_and_fixed(&im, "bad checksum");
	/* the damaged inode is gone, with its name */
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/f", &(struct cfs_inode){ 0 }), -ENOENT);
	assert_true(t_file_is(im.fs, "/d/x", 5000, 3));
	img_unmount(&im);
	img_free(&im);
}

static void test_bad_directory_block(void **state)
{
	struct img im;
	uint64_t blk, xino;

	(void)state;
	populate(&im);
	xino = ino_of(&im, "/d/x");
	blk = block_of(&im, "/d", 0);
	im.mem[blk * CFS_BLOCK_SIZE + 70] ^= 0x01;
	found_and_fixed(&im, "rebuilt from its sound entries");
	/* the names in the lost leaf are gone; their files in /lost+found */
	assert_int_equal(img_mount(&im, 0), 0);
	{
		char p[40];

		snprintf(p, sizeof(p), "/lost+found/#%llu", (unsigned long long)xino);
		assert_true(t_file_is(im.fs, p, 5000, 3));
	}
	img_unmount(&im);
	img_free(&im);
}

static void test_bad_bitmap(void **state)
{
	struct img im;
	struct cfs_group *gd;

	(void)state;
	populate(&im);
	gd = (struct cfs_group *)(im.mem + CFS_BLOCK_SIZE + sizeof(struct cfs_bhdr));
	im.mem[gd->block_bitmap * CFS_BLOCK_SIZE + 3000] ^= 0x80;
	found_and_fixed(&im, "block bitmap damaged");
	img_free(&im);
}

static void test_block_allocated_twice(void **state)
{
	struct img im;
	uint64_t f, keep_blk;
	struct cfs_dinode *d;
	struct cfs_extent *e;

	(void)state;
	populate(&im);
	f = ino_of(&im, "/f");
	keep_blk = block_of(&im, "/keep", 1);
	d = (struct cfs_dinode *)inode_slot(&im, f);
	e = (struct cfs_extent *)(d->data + sizeof(struct cfs_xhdr));
	e->pblk = keep_blk;              /* /f's blocks now overlap /keep's */
	reseal_inode(&im, f);
	found_and_fixed(&im, "allocated twice");
	img_free(&im);
}

static void test_wrong_link_count(void **state)
{
	struct img im;
	uint64_t f;

	(void)state;
	populate(&im);
	f = ino_of(&im, "/d/y");
	((struct cfs_dinode *)inode_slot(&im, f))->nlink = 7;
	reseal_inode(&im, f);
	found_and_fixed(&im, "link count 7, should be 1");
	assert_int_equal(img_mount(&im, 0), 0);
	assert_true(t_file_is(im.fs, "/d/y", 6000, 4));
	img_unmount(&im);
	img_free(&im);
}

/* /a/b gets a name for /a: a loop through the tree */
static void test_directory_cycle(void **state)
{
	struct img im;
	struct cfs_inode a, b;

	(void)state;
	populate(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/a", &a), 0);
	assert_int_equal(t_lookup(im.fs, "/a/b", &b), 0);
	assert_int_equal(cfs_op_begin(im.fs, 64, 64), 0);
	assert_int_equal(cfs_op_end(im.fs, cfs_dir_add(im.fs, &b, "up", 2, a.ino, CFS_DT(a.d.mode))), 0);
	img_unmount(&im);
	found_and_fixed(&im, "second name of directory");
	img_free(&im);
}

/* /a and /a/b name each other and the root no longer names /a: a loop
 * out of reach */
static void test_unreachable_cycle(void **state)
{
	struct img im;
	struct cfs_inode a, b, root;

	(void)state;
	populate(&im);
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/a", &a), 0);
	assert_int_equal(t_lookup(im.fs, "/a/b", &b), 0);
	assert_int_equal(cfs_iget(im.fs, CFS_ROOT_INO, &root), 0);
	assert_int_equal(cfs_op_begin(im.fs, 64, 64), 0);
	assert_int_equal(cfs_dir_remove(im.fs, &root, "a", 1), 0);
	assert_int_equal(cfs_op_end(im.fs, cfs_dir_add(im.fs, &b, "up", 2, a.ino, CFS_DT(a.d.mode))), 0);
	img_unmount(&im);
	found_and_fixed(&im, "loop of directories unreachable");
	assert_int_equal(img_mount(&im, 0), 0);
	assert_int_equal(t_lookup(im.fs, "/lost+found", &root), 0);
	img_unmount(&im);
	img_free(&im);
}

static void test_extent_past_end(void **state)
{
	struct img im;
	uint64_t f;
	struct cfs_dinode *d;
	struct cfs_extent *e;

	(void)state;
	populate(&im);
	f = ino_of(&im, "/f");
	d = (struct cfs_dinode *)inode_slot(&im, f);
	e = (struct cfs_extent *)(d->data + sizeof(struct cfs_xhdr));
	e->pblk = ((struct cfs_super *)im.mem)->block_count + 10;
	reseal_inode(&im, f);
	found_and_fixed(&im, "extent past the end");
	img_free(&im);
}

static void test_torn_journal(void **state)
{
	struct img im;
	struct fsck_result r;
	struct cfs_fs *fs;
	char *text = NULL;
	uint32_t head;
	uint8_t *snap;

	(void)state;
	populate(&im);
	/* a transaction whose commit block never made it: the descriptor
	 * and copies are there, the commit block is not */
	assert_int_equal(img_mount(&im, 0), 0);
	t_make_file(im.fs, "/late", 3000, 5);
	head = im.fs->j.head;
	assert_int_equal(cfs_commit(im.fs), 0);
	snap = malloc(im.size);
	memcpy(snap, im.mem, im.size);
	{
		uint32_t n = im.fs->j.head - head;   /* desc, copies, commit */
		uint64_t commit = im.fs->sb.journal_start + head + n - 1;

		memset(snap + commit * CFS_BLOCK_SIZE, 0, CFS_BLOCK_SIZE);
	}
	cfs_unmount(im.fs);
	im.fs = NULL;
	memcpy(im.mem, snap, im.size);
	free(snap);
	/* fsck -n reports it and finds the file system sound (exit 0) */
	assert_int_equal(fsck_report(&im, false, &text, &r), FSCK_CLEAN);
	assert_non_null(strstr(text, "incomplete transaction"));
	assert_int_equal(r.problems, 0);
	free(text);
	text = NULL;
	/* -y replays nothing of it and clears it */
	assert_int_equal(fsck_report(&im, true, &text, &r), FSCK_CLEAN);
	free(text);
	text = NULL;
	assert_int_equal(fsck_report(&im, false, &text, &r), FSCK_CLEAN);
	assert_null(strstr(text, "incomplete transaction"));
	free(text);
	assert_int_equal(cfs_mount(im.dev, NULL, 0, &fs), 0);
	im.fs = fs;
	assert_int_equal(t_lookup(fs, "/late", &(struct cfs_inode){ 0 }), -ENOENT);
	assert_true(t_file_is(fs, "/keep", 20000, 1));
	img_unmount(&im);
	img_free(&im);
}

static void test_primary_superblock(void **state)
{
	struct img im;

	(void)state;
	populate(&im);
	memset(im.mem + 64, 0xaa, 64);
	found_and_fixed(&im, "primary superblock damaged");
	assert_true(cfs_block_ok(cfs_seed(((struct cfs_super *)im.mem)->uuid), im.mem, CFS_MAGIC_SUPER, 0));
	img_free(&im);
}

static void test_errors_flag(void **state)
{
	struct img im;
	struct cfs_super *sb;

	(void)state;
	populate(&im);
	sb = (struct cfs_super *)im.mem;
	sb->state |= CFS_STATE_ERRORS;
	cfs_block_seal(cfs_seed(sb->uuid), sb);
	found_and_fixed(&im, "marked as having errors");
	img_free(&im);
}

/* An image no repair can save is reported as such (exit 8 when there is
 * no superblock at all). */
static void test_not_cosmfs(void **state)
{
	struct img im;
	struct fsck_result r;
	char *text = NULL;

	(void)state;
	populate(&im);
	memset(im.mem, 0, CFS_BLOCK_SIZE);
	memset(im.mem + im.size - CFS_BLOCK_SIZE, 0, CFS_BLOCK_SIZE);
	assert_int_equal(fsck_report(&im, true, &text, &r), FSCK_FAIL);
	free(text);
	img_free(&im);
}

int main(void)
{
	if (getenv("COSMFS_TEST"))
		cmocka_set_test_filter(getenv("COSMFS_TEST"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inode_checksum),
		cmocka_unit_test(test_bad_directory_block),
		cmocka_unit_test(test_bad_bitmap),
		cmocka_unit_test(test_block_allocated_twice),
		cmocka_unit_test(test_wrong_link_count),
		cmocka_unit_test(test_directory_cycle),
		cmocka_unit_test(test_unreachable_cycle),
		cmocka_unit_test(test_extent_past_end),
		cmocka_unit_test(test_torn_journal),
		cmocka_unit_test(test_primary_superblock),
		cmocka_unit_test(test_errors_flag),
		cmocka_unit_test(test_not_cosmfs),
	};
	return cmocka_run_group_tests(tests, quiet, NULL);
}
