/* execve and execveat: arguments, environment, descriptors and identity
 * across exec, and the errors. The programs they run are helpers inside
 * this binary (`usertests -H name`). */
#include "tests.h"

#include <pthread.h>

/* exit_with N: exits with status N. */
HELPER(exit_with)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}

/* echo_args: prints argc, then each argument and each environment string
 * on a line of its own. */
HELPER(echo_args)
{
	extern char **environ;
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("arg:%s\n", argv[i]);
	if (argv[argc] != NULL)
		printf("argv not terminated\n");
	for (char **e = environ; *e; e++)
		printf("env:%s\n", *e);
	return 0;
}

/* ids: prints pid, tid, uid, euid, gid and the working directory. */
HELPER(ids)
{
	(void)argc;
	(void)argv;
	char cwd[PATH_MAX];
	printf("%d %ld %d %d %d %s\n", getpid(), syscall(SYS_gettid), getuid(), geteuid(), getgid(),
	       getcwd(cwd, sizeof cwd) ? cwd : "?");
	return 0;
}

/* fds A B ...: exits with bit i set when descriptor argv[i+1] is open. */
HELPER(fds)
{
	int bits = 0;
	for (int i = 1; i < argc && i < 8; i++)
		if (fcntl(atoi(argv[i]), F_GETFD) >= 0)
			bits |= 1 << (i - 1);
	return bits;
}

static int run_self(char *const argv[], char *const envp[], char *out, size_t cap)
{
	return run_capture(self_exe(), argv, envp, false, out, cap);
}

TEST(exec_argv_envp)
{
	char *argv[] = { "name0", "-H", "echo_args", "one", "", "three words", NULL };
	char *envp[] = { "A=1", "EMPTY=", "LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL };
	char out[1024];
	CHECK_EQ(run_self(argv, envp, out, sizeof out), 0);
	CHECK_STR(out, "argc=4\narg:echo_args\narg:one\narg:\narg:three words\n"
		       "env:A=1\nenv:EMPTY=\nenv:LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	/* A NULL environment is an empty one. */
	char *argv2[] = { "x", "-H", "echo_args", NULL };
	CHECK_EQ(run_self(argv2, NULL, out, sizeof out), 0);
	CHECK_STR(out, "argc=1\narg:echo_args\n");
}

TEST(exec_many_arguments)
{
	enum { N = 2000 };
	static char *argv[N + 4];
	static char bufs[N][8];
	argv[0] = "x";
	argv[1] = "-H";
	argv[2] = "exit_with";
	argv[3] = "5";
	for (int i = 4; i < N; i++) {
		snprintf(bufs[i], sizeof bufs[i], "%d", i);
		argv[i] = bufs[i];
	}
	argv[N] = NULL;
	pid_t pid = xfork();
	if (pid == 0) {
		execve(self_exe(), argv, NULL);
		_exit(127);
	}
	wait_exit(pid, 5);
}

/* Arguments too big for the new stack: E2BIG, and the caller goes on. */
TEST(exec_e2big)
{
	/* One string over 128 KiB. */
	size_t len = 200 << 10;
	char *huge = malloc(len + 1);
	CHECK(huge != NULL);
	memset(huge, 'a', len);
	huge[len] = '\0';
	char *argv[] = { "x", "-H", "exit_with", huge, NULL };
	CHECK_ERR(execve(self_exe(), argv, NULL), E2BIG);
	char *envp[] = { huge, NULL };
	char *small[] = { "x", "-H", "exit_with", NULL };
	CHECK_ERR(execve(self_exe(), small, envp), E2BIG);
	/* 64 MiB in total, in strings of 64 KiB. */
	enum { COUNT = 1024 };
	static char *many[COUNT + 4];
	huge[64 << 10] = '\0';
	many[0] = "x";
	many[1] = "-H";
	many[2] = "exit_with";
	for (int i = 3; i < COUNT + 3; i++)
		many[i] = huge;
	CHECK_ERR(execve(self_exe(), many, NULL), E2BIG);
}

TEST(exec_errors)
{
	char *argv[] = { "x", NULL };
	write_file("noexec", "#!/bin/sh\n", 10, 0644);
	CHECK_OK(mkdir("dir", 0755));
	CHECK_OK(chmod("dir", 0755));
	write_text("file", "x");
	CHECK_ERR(execve("missing", argv, NULL), ENOENT);
	CHECK_ERR(execve("file/x", argv, NULL), ENOTDIR);
	CHECK_ERR(execve("dir", argv, NULL), EACCES);
	CHECK_ERR(execve("", argv, NULL), ENOENT);
	/* Root too needs an execute bit. */
	CHECK_ERR(execve("noexec", argv, NULL), EACCES);
	static char longname[300];
	memset(longname, 'n', 299);
	CHECK_ERR(execve(longname, argv, NULL), ENAMETOOLONG);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_execve, p, argv, NULL), EFAULT);
		if (!p)
			continue;   /* a NULL argv is allowed (Linux warns) */
		CHECK_ERR(syscall(SYS_execve, self_exe(), p, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_execve, self_exe(), argv, p), EFAULT);
		char *bad_elem[] = { "x", p, NULL };
		CHECK_ERR(syscall(SYS_execve, self_exe(), bad_elem, NULL), EFAULT);
	}
	ut_note(NULL);
	/* Without search permission on a directory of the path. */
	CHECK_OK(chmod("dir", 0700));
	CHECK_OK(symlink(self_exe(), "dir/prog"));
	AS_USER
		CHECK_ERR(execve("dir/prog", argv, NULL), EACCES);
}

/* A failed exec leaves the caller's image as it was. */
TEST(exec_failure_keeps_image)
{
	static volatile int marker = 0x5a5a;
	char *heap = malloc(100);
	CHECK(heap != NULL);
	strcpy(heap, "still here");
	write_file("garbage", "not a program at all\n", 21, 0755);
	char *argv[] = { "garbage", NULL };
	CHECK_ERR(execve("garbage", argv, NULL), ENOEXEC);
	CHECK_EQ(marker, 0x5a5a);
	CHECK_STR(heap, "still here");
	write_file("empty", "", 0, 0755);
	CHECK_ERR(execve("empty", argv, NULL), ENOEXEC);
	CHECK_STR(heap, "still here");
}

TEST(exec_cloexec)
{
	int keep = CHECK_OK(open("/dev/null", O_RDONLY));
	int drop = CHECK_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int dropped_later = CHECK_OK(open("/dev/null", O_RDONLY));
	CHECK_OK(fcntl(dropped_later, F_SETFD, FD_CLOEXEC));
	char a[8], b[8], c[8];
	snprintf(a, sizeof a, "%d", keep);
	snprintf(b, sizeof b, "%d", drop);
	snprintf(c, sizeof c, "%d", dropped_later);
	char *argv[] = { "x", "-H", "fds", a, b, c, NULL };
	char out[8];
	CHECK_EQ(run_self(argv, NULL, out, sizeof out), 1);
}

TEST(exec_keeps_identity)
{
	char out[PATH_MAX + 64], want[PATH_MAX + 64], cwd[PATH_MAX];
	CHECK_OK(mkdir("d", 0755));
	CHECK_OK(chdir("d"));
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	char *argv[] = { "x", "-H", "ids", NULL };
	CHECK_EQ(run_capture(self_exe(), argv, NULL, true, out, sizeof out), 0);
	int pid, tid;
	char rest[PATH_MAX + 64];
	CHECK_EQ(sscanf(out, "%d %d %[^\n]", &pid, &tid, rest), 3);
	CHECK_EQ(tid, pid);
	snprintf(want, sizeof want, "%d %d %d %s", TEST_UID, TEST_UID, TEST_GID, cwd);
	CHECK_STR(rest, want);
}

static void *exec_from_thread(void *arg)
{
	(void)arg;
	char *argv[] = { "x", "-H", "ids", NULL };
	execve(self_exe(), argv, NULL);
	_exit(127);
	return NULL;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* execve from a second thread: the other threads end, and the new program
 * runs as the process (its pid, with tid == pid). */
TEST(exec_from_second_thread)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(dup2(p[1], 1));
		pthread_t idle, t;
		CHECK_EQ(pthread_create(&idle, NULL, idle_thread, NULL), 0);
		CHECK_EQ(pthread_create(&t, NULL, exec_from_thread, NULL), 0);
		for (;;)
			pause();
	}
	CHECK_OK(close(p[1]));
	char out[PATH_MAX + 64];
	ssize_t n = CHECK_OK(read(p[0], out, sizeof out - 1));
	out[n] = '\0';
	wait_exit(pid, 0);
	int got_pid, got_tid;
	CHECK_EQ(sscanf(out, "%d %d", &got_pid, &got_tid), 2);
	CHECK_EQ(got_pid, pid);
	CHECK_EQ(got_tid, pid);
}

static long execveat_call(int dfd, const char *path, char *const argv[], int flags)
{
	return syscall(SYS_execveat, dfd, path, argv, NULL, flags);
}

TEST(exec_execveat)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", self_exe());
	char *slash = strrchr(dir, '/');
	CHECK(slash != NULL);
	*slash = '\0';
	int dfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
	char *argv[] = { "x", "-H", "exit_with", "12", NULL };
	pid_t pid = xfork();
	if (pid == 0) {
		execveat_call(dfd, slash + 1, argv, 0);
		_exit(127);
	}
	wait_exit(pid, 12);
	/* AT_EMPTY_PATH runs the file the descriptor names. */
	int fd = CHECK_OK(open(self_exe(), O_RDONLY));
	pid = xfork();
	if (pid == 0) {
		execveat_call(fd, "", argv, AT_EMPTY_PATH);
		_exit(127);
	}
	wait_exit(pid, 12);
	CHECK_ERR(execveat_call(fd, "", argv, 0), ENOENT);
	CHECK_ERR(execveat_call(-1, "x", argv, 0), EBADF);
	CHECK_ERR(execveat_call(fd, "x", argv, 0), ENOTDIR);
	CHECK_ERR(execveat_call(dfd, slash + 1, argv, 0x8000000), EINVAL);
	/* AT_SYMLINK_NOFOLLOW refuses a symlink. */
	CHECK_OK(symlink(self_exe(), "link"));
	CHECK_ERR(execveat_call(AT_FDCWD, "link", argv, AT_SYMLINK_NOFOLLOW), ELOOP);
}

/* A set-user-ID program runs with its owner's effective uid. */
TEST(exec_setuid_program)
{
	copy_file(self_exe(), "suid", 04755);
	char *argv[] = { "suid", "-H", "ids", NULL };
	char out[PATH_MAX + 64];
	CHECK_EQ(run_capture("suid", argv, NULL, true, out, sizeof out), 0);
	int pid, tid, uid, euid;
	CHECK_EQ(sscanf(out, "%d %d %d %d", &pid, &tid, &uid, &euid), 4);
	CHECK_EQ(uid, TEST_UID);
	CHECK_EQ(euid, 0);
}

/* On a nosuid mount the set-user-ID bit is ignored: the program runs
 * with the caller's effective uid. */
TEST(exec_setuid_nosuid_mount)
{
	private_mounts();
	if (mkdir("ns", 0755) != 0)
		UT_FAIL("mkdir ns: %s", ut_errname(errno));
	CHECK_OK(mount("tmpfs", "ns", "tmpfs", MS_NOSUID, NULL));
	copy_file(self_exe(), "ns/suid", 04755);
	char *argv[] = { "suid", "-H", "ids", NULL };
	char out[PATH_MAX + 64];
	CHECK_EQ(run_capture("ns/suid", argv, NULL, true, out, sizeof out), 0);
	int pid, tid, uid, euid;
	CHECK_EQ(sscanf(out, "%d %d %d %d", &pid, &tid, &uid, &euid), 4);
	CHECK_EQ(uid, TEST_UID);
	CHECK_EQ(euid, TEST_UID);
	CHECK_OK(umount("ns"));
}
