/* Bringing the VFS up: its caches, the file-system types, and tmpfs
 * mounted as the root. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/internal.h>
#include <fs/super.h>
#include <fs/tmpfs.h>
#include <kernel/log.h>
#include <kernel/panic.h>

void vfs_init(void)
{
	const struct file_system_type *t;
	struct super_block *sb;
	int err;

	icache_init();
	dcache_init();
	mount_init();
	locks_init();
	anon_init();
	tmpfs_init();
	err = fs_find("tmpfs", &t);
	if (!err)
		err = t->mount(t, "rootfs", 0, "mode=0755", &sb);
	if (!err)
		err = mount_attach(sb, sb->root, NULL, 0, "rootfs", NULL);
	if (err)
		panic("vfs: cannot mount tmpfs as the root (error %d)", err);
	fs_ctx_init_kernel();
	log_info("vfs: tmpfs mounted as /");
}
