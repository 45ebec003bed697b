/* Fuzz target for cosmfs images (fs/cosmfs over an image in memory):
 * the mount, every read path, a few changes, and fsck -y. Input: a flag
 * byte, then patches {block (16 bits: with the top bit, taken modulo the
 * image; without it, one of the blocks in use), offset (16 bits, modulo
 * 4096), length (8 bits), bytes} applied to a small image
 * made once (directories, files of several sizes, a deep extent tree,
 * symlinks). Unless flag bit 0 is set, the harness then reseals what the
 * patches touched (block checksums, inode checksums), so mutations reach
 * the checks behind them. Every input is mounted and read through (read
 * only unless bit 1 asks for the changes too); bits 2-4, all three set,
 * add fsck -y and a mount of what it left: fsck costs more than the rest
 * together, so one input in eight pays for it. Checked: nothing
 * crashes, reads past a buffer (the image is a heap block of its exact
 * size) or loops; results are errors or data; an image that fsck -y
 * leaves clean mounts and reads without a corruption report. */
#include "fuzz.h"

#include <cosmos/errno.h>
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/tools/fsck.h>

#define FLAG_KEEP_CRCS 1
#define FLAG_CHANGE    2
#define FLAG_FSCK      0x1c   /* all three bits */
#define IMAGE_BLOCKS   512u
#define BS             CFS_BLOCK_SIZE

/* AddressSanitizer keeps freed memory out of use for a while to catch a
 * use after free; by default 256 MiB of it, so each input's block buffers
 * (freed at unmount) were fresh pages to fault in. 16 MiB still holds
 * several inputs' frees. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

static uint8_t *base;
/* The blocks of base that are not all zero, the journal's superblock but
 * not its old transactions (the superblocks, group descriptors, bitmaps,
 * inode table, directories, extent nodes, file data), listed once: a patch
 * names one of them unless its block number's top bit is set, so most
 * patches land on blocks the mount reads rather than on free space. */
static uint16_t used[IMAGE_BLOCKS];
static unsigned nused;
/* The image an input changes: base again at the start of each input, in
 * one block allocated once (a fresh 2 MiB block each time cost more than
 * the file system's work: AddressSanitizer quarantines a freed block, so
 * every new one was fresh pages to fault in). */
static uint8_t *img;

static long copy_in(void *ctx, void *kbuf, size_t n)
{
	memset(kbuf, *(uint8_t *)ctx, n);
	return (long)n;
}

static long copy_out(void *ctx, void *kbuf, size_t n)
{
	(void)ctx;
	(void)kbuf;
	return (long)n;
}

static struct cfs_time now(void)
{
	return (struct cfs_time){ 1700000000, 0 };
}

static void make_base(void)
{
	struct cfs_mkfs_opts o = { .blocks = IMAGE_BLOCKS, .inode_ratio = 8192, .journal_blocks = 256,
				   .time = 1700000000 };
	struct host_dev *d;
	struct cfs_fs *fs;
	struct cfs_inode root, dir, f;
	struct cfs_newinode ni = { .now = now() };
	struct cfs_super *sb;
	uint8_t fill = 0x5a;

	memset(o.uuid, 0x42, sizeof(o.uuid));
	base = calloc(IMAGE_BLOCKS, BS);
	d = host_dev_memory(base, (uint64_t)IMAGE_BLOCKS * BS);
	if (!base || !d || cfs_mkfs(d, &o))
		abort();
	host_dev_close(d);
	/* a fixed directory hash key, so runs repeat */
	sb = (struct cfs_super *)base;
	memset(sb->hash_seed, 7, sizeof(sb->hash_seed));
	cfs_block_seal(cfs_seed(sb->uuid), sb);
	memcpy(base + (IMAGE_BLOCKS - 1) * BS, sb, BS);
	((struct cfs_super *)(base + (IMAGE_BLOCKS - 1) * BS))->h.blockno = IMAGE_BLOCKS - 1;
	cfs_block_seal(cfs_seed(sb->uuid), base + (IMAGE_BLOCKS - 1) * BS);
	d = host_dev_memory(base, (uint64_t)IMAGE_BLOCKS * BS);
	if (cfs_mount(d, NULL, 0, &fs) || cfs_iget(fs, CFS_ROOT_INO, &root))
		abort();
	ni.mode = CFS_S_IFDIR | 0755;
	if (cfs_create(fs, &root, "d", 1, &ni, NULL, 0, &dir))
		abort();
	for (int i = 0; i < 40; i++) {
		char name[16];
		int len = snprintf(name, sizeof(name), "f%d", i);

		ni.mode = CFS_S_IFREG | 0644;
		if (cfs_create(fs, i % 2 ? &dir : &root, name, (size_t)len, &ni, NULL, 0, &f))
			abort();
		cfs_file_write(fs, &f, 0, (size_t)(i % 7) * 1500, copy_in, &fill, now());
	}
	/* a file with many extents: a tree with node blocks */
	ni.mode = CFS_S_IFREG | 0644;
	if (cfs_create(fs, &root, "holes", 5, &ni, NULL, 0, &f))
		abort();
	for (int i = 0; i < 40; i++)
		cfs_file_write(fs, &f, (uint64_t)i * 2 * BS, 100, copy_in, &fill, now());
	ni.mode = CFS_S_IFLNK | 0777;
	cfs_create(fs, &root, "s", 1, &ni, "/d/f1", 5, &f);
	{
		char longt[300];

		memset(longt, 'x', sizeof(longt));
		cfs_create(fs, &dir, "long", 4, &ni, longt, sizeof(longt), &f);
	}
	if (cfs_unmount(fs))
		abort();
	host_dev_close(d);
	sb = (struct cfs_super *)base;
	for (unsigned b = 0; b < IMAGE_BLOCKS; b++)
		for (unsigned i = 0; i < BS && (b <= sb->journal_start ||
						b >= sb->journal_start + sb->journal_blocks); i++)
			if (base[b * BS + i]) {
				used[nused++] = (uint16_t)b;
				break;
			}
}

/* Reseals a block a patch touched: its header checksum, or the inode
 * checksums of an inode table block. */
static void reseal(uint8_t *img, uint64_t blk)
{
	struct cfs_super *sb = (struct cfs_super *)img;
	uint32_t seed = cfs_seed(sb->uuid);
	uint8_t *b = img + blk * BS;
	struct cfs_bhdr *h = (struct cfs_bhdr *)b;

	if ((h->magic & 0xffffff) == 0x534643) {
		cfs_block_seal(seed, b);
		return;
	}
	/* an inode table block of group 0 (the image has one group) */
	struct cfs_group *gd = (struct cfs_group *)(img + BS + sizeof(struct cfs_bhdr));
	uint64_t it = gd->inode_table, n = sb->inodes_per_group / CFS_INODES_PER_BLOCK;

	if (blk >= it && blk < it + n)
		for (uint32_t i = 0; i < CFS_INODES_PER_BLOCK; i++) {
			struct cfs_dinode *d = (struct cfs_dinode *)(b + i * CFS_INODE_SIZE);
			uint64_t ino = (blk - it) * CFS_INODES_PER_BLOCK + i + 1;

			if (d->mode)
				d->crc = cfs_inode_crc(seed, ino, d);
		}
}

struct walk {
	struct cfs_fs *fs;
	int depth, err;
	unsigned entries;
};

static void walk_dir(struct walk *w, struct cfs_inode *dir);

static bool one(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct walk *w = ctx;
	struct cfs_inode ip;
	char buf[CFS_SYMLINK_MAX + 1];
	int err;

	(void)type;
	(void)next;
	FUZZ_CHECK(len >= 1 && len <= CFS_NAME_MAX, "name length %zu", len);
	FUZZ_CHECK(memchr(name, '/', len) == NULL, "a '/' in a name");
	if (++w->entries > 2000)
		return false;
	err = cfs_iget(w->fs, ino, &ip);
	if (err) {
		w->err = w->err ? w->err : err;
		return true;
	}
	switch (ip.d.mode & CFS_S_IFMT) {
	case CFS_S_IFDIR:
		walk_dir(w, &ip);
		break;
	case CFS_S_IFREG:
		err = (int)cfs_file_read(w->fs, &ip, 0, 64 * 1024, copy_out, NULL);
		break;
	case CFS_S_IFLNK:
		err = (int)cfs_readlink(w->fs, &ip, buf, sizeof(buf));
		break;
	}
	if (err < 0 && !w->err)
		w->err = err;
	return true;
}

static void walk_dir(struct walk *w, struct cfs_inode *dir)
{
	int err;

	if (w->depth > 8)
		return;
	w->depth++;
	err = cfs_dir_read(w->fs, dir, 2, one, w);
	if (err && !w->err)
		w->err = err;
	w->depth--;
}

/* Mounts (read only unless asked for changes), reads everything, makes
 * the changes; returns the first error seen. */
static int use(uint8_t *img, bool change)
{
	struct host_dev *d = host_dev_memory(img, (uint64_t)IMAGE_BLOCKS * BS);
	struct cfs_fs *fs;
	struct cfs_inode root, f, dir;
	struct walk w = { 0 };
	uint8_t fill = 1;
	int err = cfs_mount(d, NULL, change ? 0 : CFS_MNT_RDONLY, &fs);

	if (err) {
		host_dev_close(d);
		return err;
	}
	w.fs = fs;
	err = cfs_iget(fs, CFS_ROOT_INO, &root);
	if (!err) {
		walk_dir(&w, &root);
		err = w.err;
	}
	if (!err && change) {
		struct cfs_newinode ni = { .mode = CFS_S_IFREG | 0644, .now = now() };
		uint64_t ino;

		if (cfs_create(fs, &root, "new", 3, &ni, NULL, 0, &f) == 0)
			cfs_file_write(fs, &f, 5000, 9000, copy_in, &fill, now());
		if (cfs_dir_lookup(fs, &root, "d", 1, &ino, NULL) == 0 && cfs_iget(fs, ino, &dir) == 0 &&
		    cfs_dir_lookup(fs, &dir, "f1", 2, &ino, NULL) == 0 && cfs_iget(fs, ino, &f) == 0 &&
		    (f.d.mode & CFS_S_IFMT) == CFS_S_IFREG) {
			cfs_rename(fs, &dir, "f1", 2, &f, &root, "moved", 5, NULL, 0, now());
			if (cfs_unlink(fs, &root, "moved", 5, &f, now()) == 0)
				cfs_evict(fs, &f);
		}
		if (cfs_dir_lookup(fs, &root, "holes", 5, &ino, NULL) == 0 && cfs_iget(fs, ino, &f) == 0 &&
		    (f.d.mode & CFS_S_IFMT) == CFS_S_IFREG)
			cfs_truncate(fs, &f, 10 * BS);
	}
	cfs_unmount(fs);
	host_dev_close(d);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = fuzz_u8(&in);
	int code;

	if (!base) {
		setenv("COSMFS_QUIET", "1", 1);
		make_base();
		img = fuzz_dup(base, (size_t)IMAGE_BLOCKS * BS);
	} else
		memcpy(img, base, (size_t)IMAGE_BLOCKS * BS);
	while (in.left) {
		uint16_t sel = fuzz_u16(&in);
		uint64_t blk = sel & 0x8000 ? sel % IMAGE_BLOCKS : used[sel % nused];
		uint32_t off = fuzz_u16(&in) % BS;
		size_t len = fuzz_u8(&in), got;
		const uint8_t *p = fuzz_bytes(&in, len, &got);

		if (got > BS - off)
			got = BS - off;
		memcpy(img + blk * BS + off, p, got);
		if (!(flags & FLAG_KEEP_CRCS))
			reseal(img, blk);
	}
	use(img, flags & FLAG_CHANGE);
	if ((flags & FLAG_FSCK) != FLAG_FSCK)
		return 0;
	{
		struct host_dev *d = host_dev_memory(img, (uint64_t)IMAGE_BLOCKS * BS);
		struct fsck_opts o = { true, NULL };
		struct fsck_result r;

		code = cfs_fsck(d, &o, &r);
		host_dev_close(d);
	}
	FUZZ_CHECK(code == FSCK_CLEAN || code == FSCK_FIXED || code == FSCK_LEFT || code == FSCK_FAIL,
		   "fsck exit code %d", code);
	if (code == FSCK_CLEAN || code == FSCK_FIXED) {
		/* what fsck passed, the file system itself finds sound */
		int err = use(img, false);

		FUZZ_CHECK(err != -EUCLEAN, "fsck -y left an image the file system finds corrupt");
	}
	return 0;
}
