/* Removing a directory tree (see tree.h). */
#define _GNU_SOURCE
#include "tree.h"

#include <errno.h>
#include <ftw.h>
#include <sys/mount.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type != FTW_DP) {
		unlink(path);
		return 0;
	}
	if (rmdir(path) != 0 && errno == EBUSY && umount2(path, MNT_DETACH) == 0)
		rmdir(path);
	return 0;
}

void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
