/* Unpacking the initramfs (cpio newc archives, possibly concatenated)
 * into a directory of the root tmpfs. */
#ifndef FS_INITRAMFS_H
#define FS_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fs/mount.h>

struct initramfs_stats {
	unsigned archives, files, dirs, symlinks, links, nodes;
	unsigned skipped;        /* refused entries (reported one by one) */
	bool broken;             /* the unpack stopped at a broken header */
	size_t bytes;            /* file data written */
	size_t pages_taken;      /* of it, pages kept where the archive had them */
	uint64_t ns;             /* time the unpack took */
};

/* Creates each entry under root (modes, owners, times, directories,
 * symlinks, hard links, device nodes and FIFOs). Broken headers and
 * refused entries are logged by name and offset; what came before stays.
 * Returns 0, or a negative errno when nothing could be unpacked (no
 * memory); stats may be NULL. */
int initramfs_unpack(const struct path *root, const void *buf, size_t len,
		     struct initramfs_stats *stats);

/* The same for the loader's archive (buf: boot_initrd()'s), which the
 * caller releases right after: the whole pages of a file's data that start
 * on a page boundary of the archive (scripts/mkinitrd.py lays them out so)
 * become the file's pages in a tmpfs, not copies (pmm_take_initrd and
 * tmpfs_adopt_page); anything else is copied as above. */
int initramfs_unpack_boot(const struct path *root, const void *buf, size_t len,
			  struct initramfs_stats *stats);

#endif
