/* mount and umount2: tmpfs with a size limit (ENOSPC), read-only remounts
 * (EROFS), bind mounts, EXDEV across mounts, noexec and nodev, and EBUSY.
 * Every case calls private_mounts() first (tests.h). */
#include "tests.h"

#include <sys/statfs.h>
#include <sys/sysmacros.h>

static void remount(const char *dir, unsigned long flags)
{
	CHECK_OK(mount(NULL, dir, NULL, MS_REMOUNT | flags, NULL));
}

TEST(fs_mount_tmpfs)
{
	private_mounts();
	CHECK_OK(mkdir("t", 0755));
	write_text("t/hidden", "under");
	mount_tmpfs("t", "mode=0700");
	/* The new file system covers what was in the directory. */
	CHECK(!exists("t/hidden"));
	struct stat st;
	CHECK_OK(stat("t", &st));
	CHECK_EQ(st.st_mode & 0777, 0700);
	write_text("t/new", "x");
	CHECK_OK(umount2("t", 0));
	CHECK(exists("t/hidden"));
	CHECK(!exists("t/new"));
}

TEST(fs_mount_errors)
{
	private_mounts();
	write_text("f", "x");
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(mount("none", "d", "nosuchfs", 0, NULL), ENODEV);
	CHECK_ERR(mount("tmpfs", "missing", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(umount2("d", 0), EINVAL);       /* not a mount point */
	CHECK_ERR(umount2("missing", 0), ENOENT);
	mount_tmpfs("t", NULL);
	CHECK_ERR(umount2("t", 0x80000000), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(syscall(SYS_mount, "tmpfs", p, "tmpfs", 0, NULL), EFAULT);
	ut_note(NULL);
	AS_USER {
		CHECK_ERR(mount("tmpfs", "d", "tmpfs", 0, NULL), EPERM);
		CHECK_ERR(umount2("t", 0), EPERM);
	}
}

/* A tmpfs with size=64k takes 64 KiB of data and then says ENOSPC; freeing
 * a file makes room again. */
TEST(fs_mount_tmpfs_enospc)
{
	private_mounts();
	mount_tmpfs("t", "size=64k");
	int fd = CHECK_OK(open("t/f", O_WRONLY | O_CREAT, 0644));
	static char buf[4096];
	long total = 0;
	for (;;) {
		ssize_t n = write(fd, buf, sizeof buf);
		if (n < 0) {
			CHECK_EQ(errno, ENOSPC);
			break;
		}
		total += n;
		CHECK(total <= 64 << 10);
	}
	CHECK_EQ(total, 64 << 10);
	/* Nothing partial: the size is what the writes said. */
	CHECK_EQ(file_size("t/f"), total);
	CHECK_ERR(write(fd, buf, 1), ENOSPC);
	CHECK_OK(ftruncate(fd, 0));
	CHECK_EQ(write(fd, buf, sizeof buf), sizeof buf);
	/* A hole costs nothing, and filling it is what fails. */
	int g = CHECK_OK(open("t/g", O_WRONLY | O_CREAT, 0644));
	CHECK_EQ(pwrite(g, "x", 1, 1 << 30), 1);
	CHECK_ERR(fallocate(g, 0, 0, 1 << 20), ENOSPC);
}

TEST(fs_mount_remount_readonly)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	write_text("t/f", "data");
	CHECK_OK(mkdir("t/d", 0755));
	int wfd = CHECK_OK(open("t/f", O_WRONLY));
	CHECK_OK(close(wfd));
	remount("t", MS_RDONLY);
	char buf[8];
	CHECK_STR(read_text("t/f", buf, sizeof buf), "data");
	CHECK_ERR(open("t/f", O_WRONLY), EROFS);
	CHECK_ERR(open("t/f", O_RDWR), EROFS);
	CHECK_ERR(open("t/new", O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERR(mkdir("t/e", 0755), EROFS);
	CHECK_ERR(rmdir("t/d"), EROFS);
	CHECK_ERR(unlink("t/f"), EROFS);
	CHECK_ERR(rename("t/f", "t/g"), EROFS);
	CHECK_ERR(symlink("x", "t/l"), EROFS);
	CHECK_ERR(link("t/f", "t/h"), EROFS);
	CHECK_ERR(chmod("t/f", 0600), EROFS);
	CHECK_ERR(chown("t/f", 1, 1), EROFS);
	CHECK_ERR(truncate("t/f", 0), EROFS);
	CHECK_ERR(utimensat(AT_FDCWD, "t/f", NULL, 0), EROFS);
	CHECK_ERR(mknod("t/p", S_IFIFO | 0600, 0), EROFS);
	CHECK_ERR(access("t/f", W_OK), EROFS);
	struct statfs sf;
	CHECK_OK(statfs("t", &sf));
	CHECK(sf.f_flags & ST_RDONLY);
	/* And writable again. */
	remount("t", 0);
	CHECK_OK(close(CHECK_OK(open("t/f", O_WRONLY))));
	write_text("t/new", "x");
}

TEST(fs_mount_bind)
{
	private_mounts();
	CHECK_OK(mkdir("src", 0755));
	CHECK_OK(mkdir("dst", 0755));
	write_text("src/f", "shared");
	CHECK_OK(mount("src", "dst", NULL, MS_BIND, NULL));
	char buf[16];
	CHECK_STR(read_text("dst/f", buf, sizeof buf), "shared");
	/* The same file through both paths. */
	struct stat a, b;
	CHECK_OK(stat("src/f", &a));
	CHECK_OK(stat("dst/f", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	write_text("dst/g", "new");
	CHECK(exists("src/g"));
	/* A read-only bind: only that path refuses writes. */
	CHECK_OK(mount(NULL, "dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	CHECK_ERR(open("dst/h", O_CREAT | O_WRONLY, 0644), EROFS);
	write_text("src/h", "fine");
	CHECK_OK(umount2("dst", 0));
	CHECK(!exists("dst/f"));
}

TEST(fs_mount_exdev)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	write_text("f", "x");
	write_text("t/g", "y");
	CHECK_OK(mkdir("d", 0755));
	CHECK_ERR(rename("f", "t/f"), EXDEV);
	CHECK_ERR(rename("t/g", "g"), EXDEV);
	CHECK_ERR(rename("d", "t/d"), EXDEV);
	CHECK_ERR(link("f", "t/f"), EXDEV);
	CHECK_ERR(link("t/g", "g"), EXDEV);
	/* A bind mount of the same file system is still another mount. */
	CHECK_OK(mkdir("b", 0755));
	CHECK_OK(mount("d", "b", NULL, MS_BIND, NULL));
	CHECK_ERR(rename("f", "b/f"), EXDEV);
	CHECK(exists("f") && exists("t/g"));
}

TEST(fs_mount_crossing)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	CHECK_OK(mkdir("t/inner", 0755));
	struct stat root, mnt, up, here;
	CHECK_OK(stat("t", &mnt));
	CHECK_OK(stat(".", &here));
	CHECK(mnt.st_dev != here.st_dev);
	/* ".." from the mount's root leads back to the directory it covers'
	 * parent. */
	CHECK_OK(stat("t/..", &up));
	CHECK_EQ(up.st_ino, here.st_ino);
	CHECK_EQ(up.st_dev, here.st_dev);
	CHECK_OK(chdir("t/inner"));
	CHECK_OK(stat("../..", &root));
	CHECK_EQ(root.st_ino, here.st_ino);
}

TEST(fs_mount_umount_busy)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	write_text("t/f", "x");
	int fd = CHECK_OK(open("t/f", O_RDONLY));
	CHECK_ERR(umount2("t", 0), EBUSY);
	CHECK_OK(close(fd));
	CHECK_OK(chdir("t"));
	CHECK_ERR(umount2("../t", 0), EBUSY);
	CHECK_OK(chdir(".."));
	/* A mount under it keeps it busy too. */
	mount_tmpfs("t/sub", NULL);
	CHECK_ERR(umount2("t", 0), EBUSY);
	CHECK_OK(umount2("t/sub", 0));
	CHECK_OK(umount2("t", 0));
	CHECK(!exists("t/f"));
}

TEST(fs_mount_detach)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	write_text("t/f", "still here");
	int fd = CHECK_OK(open("t/f", O_RDONLY));
	/* MNT_DETACH takes the name away now and the file system later. */
	CHECK_OK(umount2("t", MNT_DETACH));
	CHECK(!exists("t/f"));
	char buf[16];
	CHECK_EQ(read(fd, buf, sizeof buf), 10);
	CHECK_MEM(buf, "still here", 10);
}

TEST(fs_mount_noexec)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	copy_file(self_exe(), "t/prog", 0755);
	remount("t", MS_NOEXEC);
	char *argv[] = { "prog", "-H", "exit_with", "0", NULL };
	CHECK_ERR(execve("t/prog", argv, NULL), EACCES);
	CHECK_ERR(access("t/prog", X_OK), EACCES);
	/* Without noexec the same file runs. */
	remount("t", 0);
	pid_t pid = xfork();
	if (pid == 0) {
		execve("t/prog", argv, NULL);
		_exit(99);
	}
	wait_exit(pid, 0);
}

TEST(fs_mount_nodev)
{
	private_mounts();
	mount_tmpfs("t", NULL);
	CHECK_OK(mknod("t/null", S_IFCHR | 0666, makedev(1, 3)));
	CHECK_OK(close(CHECK_OK(open("t/null", O_RDWR))));
	remount("t", MS_NODEV);
	CHECK_ERR(open("t/null", O_RDWR), EACCES);
	/* FIFOs are not devices. */
	CHECK_OK(mkfifo("t/fifo", 0600));
	CHECK_OK(close(CHECK_OK(open("t/fifo", O_RDONLY | O_NONBLOCK))));
}

TEST(fs_mount_readonly_tmpfs_from_start)
{
	private_mounts();
	CHECK_OK(mkdir("t", 0755));
	CHECK_OK(mount("tmpfs", "t", "tmpfs", MS_RDONLY, NULL));
	CHECK_ERR(mkdir("t/d", 0755), EROFS);
	struct stat st;
	CHECK_OK(stat("t", &st));
	CHECK(S_ISDIR(st.st_mode));
}
