/* EFAULT from every call that takes a user pointer and had no case of its
 * own: each pointer argument given the bad pointers (FOR_EACH_BAD_PTR;
 * NULL skipped where the call accepts it), and buffers, arrays and
 * structures that run off the end of a mapping (edge_ptr). */
#include "tests.h"

#include <sys/select.h>
#include <sys/statfs.h>
#include <sys/times.h>
#include <sys/utsname.h>

#define SIGSET_BYTES 8

TEST(abi_efault_process_calls)
{
	void *p;
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	struct timespec zero = { 0, 0 };
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_rt_sigtimedwait, p, NULL, &zero, SIGSET_BYTES), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigsuspend, p, SIGSET_BYTES), EFAULT);
		CHECK_ERR(syscall(SYS_execveat, AT_FDCWD, p, NULL, NULL, 0), EFAULT);
		if (p == NULL)
			continue;        /* the calls below take NULL as "none" */
		CHECK_ERR(syscall(SYS_waitid, P_PID, pid, p, WEXITED | WNOWAIT, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigtimedwait, &usr1, NULL, p, SIGSET_BYTES), EFAULT);
		CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, p, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p), EFAULT);
		CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, p), EFAULT);
		CHECK_ERR(syscall(SYS_times, p), EFAULT);
	}
	ut_note(NULL);
	wait_exit(pid, 0);
	/* getgroups writes only as many entries as there are groups */
	IN_CHILD {
		gid_t groups[] = { 5, 6 };
		CHECK_OK(setgroups(2, groups));
		FOR_EACH_BAD_PTR(p)
			CHECK_ERR(syscall(SYS_getgroups, 16, p), EFAULT);
		CHECK_ERR(syscall(SYS_getgroups, 2, edge_ptr(sizeof(gid_t))), EFAULT);
	}
}

TEST(abi_efault_file_calls)
{
	void *p;
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_OK(symlink("f", "link"));
	CHECK_OK(mkdir("d", 0755));
	char buf[64];
	struct stat st;
	struct iovec iov = { buf, 1 };
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_pwrite64, fd, p, 10, 0), EFAULT);
		CHECK_ERR(syscall(SYS_pwritev, fd, p, 1, 0, 0), EFAULT);
		struct iovec bad = { p, 10 };
		CHECK_ERR(syscall(SYS_pwritev, fd, &bad, 1, 0, 0), EFAULT);
		CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, p, &st, 0), EFAULT);
		CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", p, 0), EFAULT);
		CHECK_ERR(syscall(SYS_fstatfs, fd, p), EFAULT);
		CHECK_ERR(syscall(SYS_mknodat, AT_FDCWD, p, S_IFIFO | 0644, 0), EFAULT);
		CHECK_ERR(syscall(SYS_chroot, p), EFAULT);
		CHECK_ERR(syscall(SYS_lchown, p, 0, 0), EFAULT);
		CHECK_ERR(syscall(SYS_readlinkat, AT_FDCWD, p, buf, sizeof buf), EFAULT);
		CHECK_ERR(syscall(SYS_readlinkat, AT_FDCWD, "link", p, sizeof buf), EFAULT);
		CHECK_ERR(syscall(SYS_fchmodat, AT_FDCWD, p, 0644), EFAULT);
		CHECK_ERR(syscall(SYS_mkdirat, AT_FDCWD, p, 0755), EFAULT);
		CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, p, 0), EFAULT);
		CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR), EFAULT);
		CHECK_ERR(syscall(SYS_linkat, AT_FDCWD, p, AT_FDCWD, "new", 0), EFAULT);
		CHECK_ERR(syscall(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, p, 0), EFAULT);
		CHECK_ERR(syscall(SYS_symlinkat, p, AT_FDCWD, "new"), EFAULT);
		CHECK_ERR(syscall(SYS_symlinkat, "f", AT_FDCWD, p), EFAULT);
		CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, "new", 0), EFAULT);
		CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "f", AT_FDCWD, p, 0), EFAULT);
		CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, p, R_OK, 0), EFAULT);
		CHECK_ERR(syscall(SYS_fchownat, AT_FDCWD, p, 0, 0, 0), EFAULT);
		if (p == NULL)
			continue;        /* pselect6 takes NULL sets and times */
		CHECK_ERR(syscall(SYS_pselect6, 1, p, NULL, NULL, NULL, NULL), EFAULT);
		struct timespec zero = { 0, 0 };
		CHECK_ERR(syscall(SYS_pselect6, 1, NULL, NULL, NULL, p, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_pselect6, 1, NULL, NULL, NULL, &zero, p), EFAULT);
	}
	ut_note(NULL);
	/* nothing was made, moved or removed */
	CHECK(!exists("new"));
	CHECK(exists("f") && exists("d"));
	CHECK_EQ(CHECK_OK(pwritev(fd, &iov, 1, 0)), 1);
	CHECK_OK(close(fd));
}

/* Arrays and structures whose first part is readable and the rest is not. */
TEST(abi_efault_edge_buffers)
{
	int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0644));
	CHECK_OK(symlink("a-target-name-longer-than-two", "link"));
	/* poll: the second pollfd runs off */
	struct pollfd *pf = edge_ptr(sizeof(struct pollfd));
	pf[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_ERR(poll(pf, 2, 0), EFAULT);
	/* readv, writev: the second iovec runs off */
	char buf[16] = "0123456789abcdef";
	struct iovec *iov = edge_ptr(sizeof(struct iovec));
	iov[0] = (struct iovec){ buf, 4 };
	CHECK_ERR(writev(fd, iov, 2), EFAULT);
	CHECK_ERR(readv(fd, iov, 2), EFAULT);
	/* getdents64: the first entry does not fit in what is mapped */
	int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(syscall(SYS_getdents64, dfd, edge_ptr(8), 4096), EFAULT);
	CHECK_OK(close(dfd));
	/* execve: argv's NULL lies past the mapping */
	char **argv = edge_ptr(sizeof(char *));
	argv[0] = "x";
	CHECK_ERR(execve(self_exe(), argv, NULL), EFAULT);
	/* select: 64 descriptors need 8 bytes of each set, 4 are there */
	uint32_t *set = edge_ptr(4);
	*set = 0;
	CHECK_ERR(syscall(SYS_select, 64, set, NULL, NULL, NULL), EFAULT);
	/* rt_sigaction: the new and the old action run off */
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, edge_ptr(16), NULL, SIGSET_BYTES), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, edge_ptr(16), SIGSET_BYTES), EFAULT);
	/* wait4: the status word runs off */
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	siginfo_t si;
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_ERR(syscall(SYS_wait4, pid, edge_ptr(2), 0, NULL), EFAULT);
	(void)waitpid(pid, NULL, 0);
	/* uname, getcwd, readlink, statx */
	CHECK_ERR(syscall(SYS_uname, edge_ptr(100)), EFAULT);
	CHECK_ERR(syscall(SYS_getcwd, edge_ptr(2), 4096), EFAULT);
	CHECK_ERR(syscall(SYS_readlink, "link", edge_ptr(2), 100), EFAULT);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, 0x7ff, edge_ptr(64)), EFAULT);
	CHECK_OK(close(fd));
}
