/* Openers for special inodes (see special.h). openers[] is written at
 * boot (and by tests, which restore it) and read by open: a word-sized
 * pointer, read and written atomically. */
#include <fs/special.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/inode.h>
#include <fs/internal.h>

static special_open_fn openers[3];    /* S_IFCHR, S_IFBLK, S_IFIFO */

static int slot(uint32_t type)
{
	switch (type & S_IFMT) {
	case S_IFCHR: return 0;
	case S_IFBLK: return 1;
	case S_IFIFO: return 2;
	}
	return -1;
}

special_open_fn vfs_set_special_open(uint32_t type, special_open_fn fn)
{
	int i = slot(type);

	if (i < 0)
		return NULL;
	return __atomic_exchange_n(&openers[i], fn, __ATOMIC_ACQ_REL);
}

int special_open(struct inode *ino, struct file *f)
{
	int i = slot(ino->mode);
	special_open_fn fn = i < 0 ? NULL : __atomic_load_n(&openers[i], __ATOMIC_ACQUIRE);

	return fn ? fn(ino, f) : -ENXIO;
}
