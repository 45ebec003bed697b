/* The path walk over names already in the name cache: every change to a
 * directory on the way (its mode, its name, a mount or a symlink in its
 * place, its removal) is seen by the very next lookup of a path through
 * it. Each case first looks the path up so that it is cached. */
#include "tests.h"

static void make_abcf(void)
{
	CHECK_OK(mkdir("a", 0755));
	CHECK_OK(mkdir("a/b", 0755));
	CHECK_OK(mkdir("a/b/c", 0755));
	write_text("a/b/c/f", "f");
}

static int stat_errno(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? 0 : errno;
}

/* Search permission taken away from a cached middle directory, for a
 * user that is not root: EACCES at once, and back when it is given back;
 * root is never refused. */
TEST(fs_walk_cached_chmod)
{
	make_abcf();
	CHECK_OK(chmod(".", 0755));
	AS_USER {
		CHECK_EQ(stat_errno("a/b/c/f"), 0);
	}
	CHECK_OK(chmod("a/b", 0644));
	AS_USER {
		CHECK_EQ(stat_errno("a/b/c/f"), EACCES);
		CHECK_EQ(stat_errno("a/b/c/../c/f"), EACCES);
	}
	CHECK_EQ(stat_errno("a/b/c/f"), 0);
	CHECK_OK(chmod("a/b", 0711));
	AS_USER {
		CHECK_EQ(stat_errno("a/b/c/f"), 0);
	}
}

/* A cached middle directory renamed, removed, or found to be a file. */
TEST(fs_walk_cached_rename_unlink)
{
	make_abcf();
	CHECK_EQ(stat_errno("a/b/c/f"), 0);
	CHECK_OK(rename("a/b", "a/x"));
	CHECK_EQ(stat_errno("a/b/c/f"), ENOENT);
	CHECK_EQ(stat_errno("a/x/c/f"), 0);
	CHECK_EQ(stat_errno("a/x/./c/../c/f"), 0);
	CHECK_OK(unlink("a/x/c/f"));
	CHECK_OK(rmdir("a/x/c"));
	CHECK_EQ(stat_errno("a/x/c/f"), ENOENT);
	write_text("a/x/c", "now a file");
	CHECK_EQ(stat_errno("a/x/c/f"), ENOTDIR);
	CHECK_EQ(stat_errno("a/x/c/.."), ENOTDIR);
}

/* A symlink put in a cached directory's place is followed; a mount on a
 * cached directory is crossed, and gone after umount. */
TEST(fs_walk_cached_symlink_mount)
{
	private_mounts();
	make_abcf();
	CHECK_EQ(stat_errno("a/b/c/f"), 0);
	CHECK_OK(rename("a/b", "a/y"));
	CHECK_OK(symlink("y", "a/b"));
	CHECK_EQ(stat_errno("a/b/c/f"), 0);
	CHECK_OK(symlink("../b/c", "a/y/l"));
	CHECK_EQ(stat_errno("a/b/l/f"), 0);
	mount_tmpfs("a/y/c", NULL);
	CHECK_EQ(stat_errno("a/b/c/f"), ENOENT);
	write_text("a/y/c/g", "in the mount");
	CHECK_EQ(stat_errno("a/b/c/g"), 0);
	CHECK_EQ(stat_errno("a/y/c/../c/g"), 0);
	CHECK_OK(umount2("a/y/c", 0));
	CHECK_EQ(stat_errno("a/b/c/g"), ENOENT);
	CHECK_EQ(stat_errno("a/b/c/f"), 0);
}
