/* The memory devices (Linux's major 1): /dev/null (reads end at once,
 * writes vanish), /dev/zero (reads give zeros), /dev/full (reads give
 * zeros, writes fail with -ENOSPC), /dev/random and /dev/urandom (reads
 * come from the kernel CSPRNG, which never blocks once seeded and seeds
 * itself at first use; writes are mixed into its key). A seek on any of
 * them succeeds and leaves the position at 0, as Linux's do. No state. */
#include <fs/devfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/mm/heap.h>
#include <kernel/random.h>
#include <sys/uio.h>

#define CHUNK 4096u

static long null_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f; (void)u; (void)pos;
	return 0;
}

static long null_write(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f; (void)pos;
	return (long)u->resid;  /* all taken, without reading the buffers */
}

static long zero_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f; (void)pos;
	return uio_zero(u, u->resid);
}

static long full_write(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f; (void)u; (void)pos;
	return -ENOSPC;
}

static int64_t mem_seek(struct file *f, int64_t off, int whence)
{
	(void)off; (void)whence;
	f->pos = 0;
	return 0;
}

static long random_read(struct file *f, struct uio *u, uint64_t *pos)
{
	uint8_t *buf;
	long done = 0;

	(void)f; (void)pos;
	if (u->resid == 0)
		return 0;
	buf = kmalloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	while (u->resid) {
		size_t n = u->resid < CHUNK ? u->resid : CHUNK;
		long c;

		random_bytes(buf, n);
		c = uio_copy_out(u, buf, n);
		if (c <= 0) {
			if (!done)
				done = c;
			break;
		}
		done += c;
		if ((size_t)c < n)
			break;
	}
	/* what was handed out must not linger in the heap */
	for (size_t i = 0; i < CHUNK; i++)
		((volatile uint8_t *)buf)[i] = 0;
	kfree(buf);
	return done;
}

static long random_write(struct file *f, struct uio *u, uint64_t *pos)
{
	uint8_t *buf;
	long done = 0;

	(void)f; (void)pos;
	if (u->resid == 0)
		return 0;
	buf = kmalloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	while (u->resid) {
		size_t n = u->resid < CHUNK ? u->resid : CHUNK;
		long c = uio_copy_in(u, buf, n);

		if (c <= 0) {
			if (!done)
				done = c;
			break;
		}
		random_mix(buf, (size_t)c);
		done += c;
		if ((size_t)c < n)
			break;
	}
	kfree(buf);
	return done;
}

static const struct file_ops null_ops = { .read = null_read, .write = null_write, .seek = mem_seek };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write, .seek = mem_seek };
static const struct file_ops full_ops = { .read = zero_read, .write = full_write, .seek = mem_seek };
static const struct file_ops random_ops = {
	.read = random_read, .write = random_write, .seek = mem_seek,
};

static int mem_open(struct file *f, uint32_t dev)
{
	switch (DEV_MINOR(dev)) {
	case 3: f->ops = &null_ops; return 0;
	case 5: f->ops = &zero_ops; return 0;
	case 7: f->ops = &full_ops; return 0;
	case 8:
	case 9: f->ops = &random_ops; return 0;
	}
	return -ENXIO;
}

static struct devfs_driver mem_driver = {
	.name = "mem", .type = S_IFCHR, .major = MEM_MAJOR, .minor_first = 1, .minor_count = 10,
	.open = mem_open,
};

void devfs_mem_init(void)
{
	static const struct { const char *name; uint32_t minor; } nodes[] = {
		{ "null", 3 }, { "zero", 5 }, { "full", 7 }, { "random", 8 }, { "urandom", 9 },
	};

	devfs_register_driver(&mem_driver);
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		devfs_add_node(nodes[i].name, S_IFCHR | 0666, 0, DEV_MAKE(MEM_MAJOR, nodes[i].minor));
}
