/* The anonymous file system: a super block with no tree, whose inodes
 * stand behind pipes, sockets and other files with no name. Each goes
 * with its last reference (SB_NOCACHE). */
#include <fs/anon.h>
#include <cosmos/abi/statfs.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <fs/super.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>

static struct inode *anon_alloc(struct super_block *sb)
{
	(void)sb;
	return kmalloc(sizeof(struct inode));
}

static void anon_destroy(struct inode *ino) { kfree(ino); }

static int anon_statfs(struct super_block *sb, struct kstatfs *st)
{
	(void)sb;
	st->type = ANON_INODE_FS_MAGIC;
	st->bsize = 4096;
	st->namelen = 255;
	return 0;
}

static const struct super_ops anon_sops = {
	.alloc_inode = anon_alloc,
	.destroy_inode = anon_destroy,
	.statfs = anon_statfs,
};

static struct file_system_type anon_type = { .name = "anon_inodefs" };
static struct super_block *anon_sb;    /* written once by anon_init */
static uint64_t next_ino = 1;          /* atomic */

void anon_init(void)
{
	anon_sb = sb_alloc(&anon_type, &anon_sops);
	if (!anon_sb)
		panic("vfs: no memory for the anonymous file system");
	anon_sb->flags |= SB_NOCACHE;
}

struct inode *anon_inode_new(uint32_t mode)
{
	struct inode *ino = inode_new(anon_sb);

	if (!ino)
		return NULL;
	ino->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	inode_init_owner(ino, NULL, mode);
	return ino;
}
