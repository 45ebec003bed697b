/* crashload=DEV: the workload of the crash-consistency test
 * (test/system/crash_cases.py). It mounts the cosmfs on DEV, whose writes
 * QEMU records (blklogwrites), and changes it through the VFS while
 * logging what a program may rely on, each tied to the number of flushes
 * the device had finished when the call returned:
 *
 *   crash: ok PATH F SIZE HASH    from flush F on, PATH holds exactly this
 *   crash: ok PATH F absent       ... or does not exist
 *   crash: begin PATH F           an atomic change of PATH (rename, unlink)
 *                                 started with F flushes done: until the
 *                                 next "ok", either state may be seen
 *   crash: prefix PATH F SIZE HASH  PATH only grows: its first SIZE bytes
 *                                 are these from flush F on
 *
 * HASH is FNV-1a 64 of the bytes. The host replays the write log cut at
 * every flush and between flushes, and checks all of it against fsck. */
#include <fs/cosmfs/cosmfs.h>
#include <fs/cosmfs/kmount.h>
#include <cosmos/errno.h>
#include <fs/super.h>
#include <fs/vfs.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <lib/cmdline.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

#define ROOT   "/crash"
#define NFILES 24                  /* names f0..f23 the mix reuses */
#define MAXLEN (48u * 1024)

struct load {
	struct bcache_dev *cache;       /* the mount's, for its flush count */
	uint8_t *buf;
	uint32_t seed;
	bool exists[NFILES];
	uint64_t big;                   /* bytes in ROOT/big */
	uint64_t big_hash;              /* FNV-1a of them */
	int err;
};

static uint32_t rnd(struct load *l)
{
	l->seed = l->seed * 1103515245u + 12345u;
	return l->seed >> 8;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#define FNV0 0xcbf29ce484222325ull

static uint64_t flushes(struct load *l)
{
	return bcache_flush_count(l->cache);
}

static void fill(struct load *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		l->buf[i] = (uint8_t)rnd(l);
}

/* Writes n bytes of buf at the end (append) or into a new file, then
 * fsyncs it. */
static int write_sync(struct load *l, const char *path, size_t n, bool append)
{
	struct file *f;
	struct uio u;
	long w;
	int err = vfs_openat(NULL, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644, &f);

	if (err)
		return err;
	uio_init_kernel(&u, l->buf, n);
	w = vfs_write(f, &u);
	err = w < 0 ? (int)w : (size_t)w != n ? -EIO : vfs_fsync(f, false);
	file_put(f);
	return err;
}

static int sync_dir(const char *path)
{
	struct file *f;
	int err = vfs_openat(NULL, path, O_RDONLY | O_DIRECTORY, 0, &f);

	if (err)
		return err;
	err = vfs_fsync(f, false);
	file_put(f);
	return err;
}

/* A new content for fi, made whole in a temporary file and renamed over. */
static int replace(struct load *l, unsigned i)
{
	char path[32];
	size_t n = rnd(l) % MAXLEN;
	int err;

	fmt_snprintf(path, sizeof(path), ROOT "/d/f%u", i);
	fill(l, n);
	err = write_sync(l, ROOT "/tmp", n, false);
	if (err)
		return err;
	log_info("crash: begin %s %llu", path, (unsigned long long)flushes(l));
	err = vfs_renameat2(NULL, ROOT "/tmp", NULL, path, 0);
	if (!err)
		err = sync_dir(ROOT "/d");
	if (!err) {
		l->exists[i] = true;
		log_info("crash: ok %s %llu %zu %016llx", path, (unsigned long long)flushes(l), n,
			 (unsigned long long)fnv(FNV0, l->buf, n));
	}
	return err;
}

static int remove_file(struct load *l, unsigned i)
{
	char path[32];
	int err;

	fmt_snprintf(path, sizeof(path), ROOT "/d/f%u", i);
	log_info("crash: begin %s %llu", path, (unsigned long long)flushes(l));
	err = vfs_unlinkat(NULL, path, 0);
	if (!err)
		err = sync_dir(ROOT "/d");
	if (!err) {
		l->exists[i] = false;
		log_info("crash: ok %s %llu absent", path, (unsigned long long)flushes(l));
	}
	return err;
}

static int append(struct load *l)
{
	size_t n = 1 + rnd(l) % (64u * 1024 - 1);
	int err;

	if (n > MAXLEN)
		n = MAXLEN;
	fill(l, n);
	err = write_sync(l, ROOT "/big", n, true);
	if (!err) {
		l->big += n;
		l->big_hash = fnv(l->big_hash, l->buf, n);
		log_info("crash: prefix " ROOT "/big %llu %llu %016llx", (unsigned long long)flushes(l),
			 (unsigned long long)l->big, (unsigned long long)l->big_hash);
	}
	return err;
}

/* A tree made and removed with no fsync: only fsck judges it. */
static int tree(struct load *l, unsigned k)
{
	char path[48];
	int err;

	fmt_snprintf(path, sizeof(path), ROOT "/t%u", k);
	err = vfs_mkdirat(NULL, path, 0755);
	for (unsigned i = 0; i < 12 && !err; i++) {
		struct file *f;
		struct uio u;

		fmt_snprintf(path, sizeof(path), ROOT "/t%u/n%u", k, i);
		fill(l, 3000);
		err = vfs_openat(NULL, path, O_WRONLY | O_CREAT, 0600, &f);
		if (!err) {
			uio_init_kernel(&u, l->buf, 100 + i * 250);
			err = vfs_write(f, &u) < 0 ? -EIO : 0;
			file_put(f);
		}
	}
	for (unsigned i = 0; i < 12 && !err && (k & 1); i++) {
		fmt_snprintf(path, sizeof(path), ROOT "/t%u/n%u", k, i);
		err = vfs_unlinkat(NULL, path, 0);
	}
	if (!err && (k & 1)) {
		fmt_snprintf(path, sizeof(path), ROOT "/t%u", k);
		err = vfs_unlinkat(NULL, path, AT_REMOVEDIR);
	}
	return err;
}

static int run(struct load *l, const char *dev, unsigned ops)
{
	struct file *f;
	char source[24];
	int err;

	fmt_snprintf(source, sizeof(source), "/dev/%s", dev);
	err = vfs_mkdirat(NULL, ROOT, 0755);
	if (!err || err == -EEXIST)
		err = vfs_mount(source, ROOT, "cosmfs", 0, NULL);
	if (err)
		return err;
	err = vfs_openat(NULL, ROOT, O_RDONLY | O_DIRECTORY, 0, &f);
	if (err)
		return err;
	l->cache = ((struct cosmfs_mount *)f->inode->sb->priv)->cache;
	file_put(f);
	err = vfs_mkdirat(NULL, ROOT "/d", 0755);
	if (!err)
		err = sync_dir(ROOT);
	for (unsigned op = 0; op < ops && !err; op++) {
		unsigned what = rnd(l) % 10, i = rnd(l) % NFILES;

		if (what < 5)
			err = replace(l, i);
		else if (what < 7)
			err = l->exists[i] ? remove_file(l, i) : replace(l, i);
		else if (what < 9)
			err = append(l);
		else
			err = tree(l, op);
	}
	return err;
}

void cosmfs_crashload_from_cmdline(void)
{
	struct cmdline *cl = boot_cmdline();
	const char *dev = cmdline_get(cl, "crashload");
	struct load l = { .seed = 12345, .big_hash = FNV0 };
	int err;

	if (!dev)
		return;
	l.buf = kmalloc(MAXLEN);
	err = l.buf ? run(&l, dev, 120) : -ENOMEM;
	kfree(l.buf);
	if (err)
		log_err("crash: workload failed (error %d)", err);
	else
		log_info("crash: done");
}
