/* EBADF and ENOTDIR from the *at calls' directory descriptor (one not
 * open, -1, and a regular file's), the descriptor ignored for an absolute
 * path, and EBADF from pwrite64, pwritev, fstatfs and pselect6 for
 * descriptors not open or not open for writing. */
#include "tests.h"

#include <sys/select.h>
#include <sys/statfs.h>

#define NOT_OPEN 999

/* Each *at call with dirfd and a relative path that would succeed from
 * the case's directory (it holds f, link -> f and d/). */
static long at_call(int i, int dirfd, const char *path)
{
	struct stat st;
	char buf[64];

	switch (i) {
	case 0: return syscall(SYS_openat, dirfd, path, O_RDONLY);
	case 1: return syscall(SYS_newfstatat, dirfd, path, &st, 0);
	case 2: return syscall(SYS_faccessat2, dirfd, path, R_OK, 0);
	case 3: return syscall(SYS_fchmodat, dirfd, path, 0644);
	case 4: return syscall(SYS_fchownat, dirfd, path, 0, 0, 0);
	case 5: return syscall(SYS_utimensat, dirfd, path, NULL, 0);
	case 6: return syscall(SYS_readlinkat, dirfd, path, buf, sizeof buf);
	case 7: return syscall(SYS_mknodat, dirfd, "fifo", S_IFIFO | 0644, 0);
	case 8: return syscall(SYS_mkdirat, dirfd, "newdir", 0755);
	case 9: return syscall(SYS_symlinkat, "f", dirfd, "newlink");
	case 10: return syscall(SYS_linkat, dirfd, path, AT_FDCWD, "hard", 0);
	case 11: return syscall(SYS_linkat, AT_FDCWD, path, dirfd, "hard", 0);
	case 12: return syscall(SYS_renameat2, dirfd, "nothere", AT_FDCWD, "x", 0);
	case 13: return syscall(SYS_renameat2, AT_FDCWD, "nothere", dirfd, "x", 0);
	case 14: return syscall(SYS_unlinkat, dirfd, "nothere", 0);
	case 15: return syscall(SYS_unlinkat, dirfd, "d", AT_REMOVEDIR);
	default: return syscall(SYS_execveat, dirfd, "nothere", NULL, NULL, 0);
	}
}
#define N_AT_CALLS 17
/* The calls whose absolute-path form changes nothing (so it can be run). */
static bool harmless(int i) { return i <= 6; }

TEST(abi_at_calls_bad_dirfd)
{
	int ffd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_OK(symlink("f", "link"));
	CHECK_OK(mkdir("d", 0755));
	char cwd[PATH_MAX], abs[PATH_MAX + 8], abs_link[PATH_MAX + 8];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	snprintf(abs, sizeof abs, "%s/f", cwd);
	snprintf(abs_link, sizeof abs_link, "%s/link", cwd);
	for (int i = 0; i < N_AT_CALLS; i++) {
		ut_diag("call %d", i);
		CHECK_ERR(at_call(i, NOT_OPEN, "f"), EBADF);
		CHECK_ERR(at_call(i, -1, "f"), EBADF);
		CHECK_ERR(at_call(i, ffd, "f"), ENOTDIR);
		if (harmless(i)) {
			long r = at_call(i, NOT_OPEN, i == 6 ? abs_link : abs);
			CHECK(r >= 0);
			if (i == 0 && r >= 0)
				close((int)r);
		}
	}
	/* nothing was made or removed on the way */
	CHECK(!exists("fifo") && !exists("newdir") && !exists("newlink") && !exists("hard"));
	CHECK(exists("d"));
	close(ffd);
}

TEST(abi_ebadf_rw_stat_select)
{
	int ro = CHECK_OK(open("f", O_RDONLY | O_CREAT, 0644));
	char c = 'x';
	struct iovec iov = { &c, 1 };
	struct statfs sf;
	CHECK_ERR(syscall(SYS_pwrite64, NOT_OPEN, &c, 1, 0), EBADF);
	CHECK_ERR(syscall(SYS_pwrite64, -1, &c, 1, 0), EBADF);
	CHECK_ERR(syscall(SYS_pwrite64, ro, &c, 1, 0), EBADF);
	CHECK_ERR(syscall(SYS_pwritev, NOT_OPEN, &iov, 1, 0, 0), EBADF);
	CHECK_ERR(syscall(SYS_pwritev, ro, &iov, 1, 0, 0), EBADF);
	CHECK_ERR(syscall(SYS_fstatfs, NOT_OPEN, &sf), EBADF);
	CHECK_ERR(syscall(SYS_fstatfs, -1, &sf), EBADF);
	/* pselect6: a descriptor in a set that is not open (one inside the
	 * descriptor table: Linux ignores bits beyond its size) */
	int cl = CHECK_OK(dup(ro));
	CHECK_OK(close(cl));
	struct timespec zero = { 0, 0 };
	fd_set set;
	for (int which = 0; which < 3; which++) {
		FD_ZERO(&set);
		FD_SET(cl, &set);
		CHECK_ERR(syscall(SYS_pselect6, cl + 1, which == 0 ? &set : NULL, which == 1 ? &set : NULL,
				  which == 2 ? &set : NULL, &zero, NULL),
			  EBADF);
	}
	/* beyond nfds it is not looked at */
	FD_ZERO(&set);
	FD_SET(cl, &set);
	CHECK_EQ(syscall(SYS_pselect6, cl, &set, NULL, NULL, &zero, NULL), 0);
	/* lchown and chroot take no descriptor: their path errors */
	CHECK_ERR(lchown("nothere", 0, 0), ENOENT);
	CHECK_ERR(chroot("nothere"), ENOENT);
	CHECK_ERR(chroot("f"), ENOTDIR);
	close(ro);
}
