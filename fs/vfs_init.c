/* Bringing the VFS up: its caches, the file-system types, tmpfs mounted
 * as the root, and the initramfs the loader passed unpacked into it; or,
 * with root=DEV, the cosmfs on that disk as the root. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/cosmfs/cosmfs.h>
#include <fs/initramfs.h>
#include <fs/internal.h>
#include <fs/super.h>
#include <fs/tmpfs.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/panic.h>

/* The loader's initramfs into /, then its frames back to the allocator
 * (unless the command line says retain_initrd, as on Linux: the handoff
 * test reads the archive after boot). A broken archive is reported by
 * initramfs_unpack and the boot goes on with what came before. */
static void unpack_boot_initrd(void)
{
	size_t len;
	const void *buf = boot_initrd(&len);
	struct path root;
	int err;

	if (!buf) {
		log_info("vfs: no initramfs to unpack");
		return;
	}
	vfs_root_path(&root);
	/* a retained archive stays whole: its pages are not the files' */
	if (cmdline_has(boot_cmdline(), "retain_initrd"))
		err = initramfs_unpack(&root, buf, len, NULL);
	else
		err = initramfs_unpack_boot(&root, buf, len, NULL);
	path_put(&root);
	if (err)
		log_err("vfs: cannot unpack the initramfs (error %d)", err);
	if (!cmdline_has(boot_cmdline(), "retain_initrd"))
		boot_initrd_release();
}

bool vfs_init(void)
{
	const struct file_system_type *t;
	struct super_block *sb;
	bool disk;
	int err;

	icache_init();
	dcache_init();
	mount_init();
	locks_init();
	anon_init();
	tmpfs_init();
	cosmfs_init();
	/* root=DEV: the cosmfs on that disk is / instead of a tmpfs holding
	 * the initramfs (which stays the root when the disk will not mount) */
	disk = cosmfs_root(&sb) == 0 && mount_attach(sb, sb->root, NULL, 0, "root", NULL) == 0;
	if (!disk) {
		err = fs_find("tmpfs", &t);
		if (!err)
			err = t->mount(t, "rootfs", 0, "mode=0755", &sb);
		if (!err)
			err = mount_attach(sb, sb->root, NULL, 0, "rootfs", NULL);
		if (err)
			panic("vfs: cannot mount tmpfs as the root (error %d)", err);
	}
	fs_ctx_init_kernel();
	log_info("vfs: %s mounted as /", disk ? "cosmfs" : "tmpfs");
	if (disk && !cmdline_has(boot_cmdline(), "retain_initrd"))
		boot_initrd_release();
	else if (!disk)
		unpack_boot_initrd();
	return disk;
}
