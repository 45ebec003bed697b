/* prctl: the thread's name (comm) and where /proc shows it, the dumpable
 * flag and what follows from it, the parent-death signal, no_new_privs,
 * the child subreaper, PR_GET_TID_ADDRESS, and the argument errors. */
#include "tests.h"

#include <pthread.h>
#include <sys/prctl.h>

#ifndef PR_GET_TID_ADDRESS
#define PR_GET_TID_ADDRESS 40
#endif

/* prctl with every argument given (Linux checks the unused ones of some
 * options). */
static long pr(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_prctl, option, a2, a3, a4, a5);
}

static void check_comm(const char *path, const char *want)
{
	char buf[64], line[64];
	snprintf(line, sizeof line, "%s\n", want);
	CHECK_STR(read_text(path, buf, sizeof buf), line);
}

/* stat's second field, between the parentheses. */
static void check_stat_comm(const char *path, const char *want)
{
	char buf[512], paren[40];
	read_text(path, buf, sizeof buf);
	snprintf(paren, sizeof paren, "(%s)", want);
	CHECK(strstr(buf, paren) != NULL);
}

static int name_pipe[2], go_pipe[2];

static void *renamed_thread(void *arg)
{
	(void)arg;
	char c, got[16];
	CHECK_OK(prctl(PR_SET_NAME, "worker-thread"));
	CHECK_OK(prctl(PR_GET_NAME, got));
	CHECK_STR(got, "worker-thread");
	pid_t tid = (pid_t)syscall(SYS_gettid);
	CHECK_EQ(write(name_pipe[1], &tid, sizeof tid), (ssize_t)sizeof tid);
	CHECK_EQ(read(go_pipe[0], &c, 1), 1);
	return NULL;
}

TEST(proc_prctl_name)
{
	IN_CHILD {
		char got[16], path[64];
		CHECK_OK(prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
		memset(got, 'z', sizeof got);
		CHECK_OK(prctl(PR_GET_NAME, got));
		CHECK_STR(got, "a-name-longer-t");
		check_comm("/proc/self/comm", "a-name-longer-t");
		check_stat_comm("/proc/self/stat", "a-name-longer-t");
		snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
		check_comm(path, "a-name-longer-t");

		/* a thread's name is its own; the process shows the first's */
		CHECK_OK(pipe(name_pipe));
		CHECK_OK(pipe(go_pipe));
		pthread_t th;
		pid_t tid;
		CHECK_EQ(pthread_create(&th, NULL, renamed_thread, NULL), 0);
		CHECK_EQ(read(name_pipe[0], &tid, sizeof tid), (ssize_t)sizeof tid);
		snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
		check_comm(path, "worker-thread");
		snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
		check_stat_comm(path, "worker-thread");
		check_comm("/proc/self/comm", "a-name-longer-t");
		CHECK_OK(prctl(PR_GET_NAME, got));
		CHECK_STR(got, "a-name-longer-t");
		CHECK_EQ(write(go_pipe[1], "g", 1), 1);
		CHECK_EQ(pthread_join(th, NULL), 0);

		/* a child starts with the name; exec sets the program's */
		pid_t pid = xfork();
		if (pid == 0) {
			char n[16];
			_exit(prctl(PR_GET_NAME, n) == 0 && !strcmp(n, "a-name-longer-t") ? 0 : 1);
		}
		wait_exit(pid, 0);
		char *argv[] = { "renamed-by-exec", "-H", "comm", NULL };
		char out[64];
		copy_file(self_exe(), "prog-name", 0755);
		CHECK_EQ(run_capture("prog-name", argv, NULL, false, out, sizeof out), 0);
		CHECK_STR(out, "prog-name\n");

		/* 15 bytes are read at most: a name running off the mapping
		 * is fine when its NUL or its 15th byte comes first */
		char *edge = edge_ptr(3);
		edge[2] = 0;
		CHECK_OK(prctl(PR_SET_NAME, edge));
		check_comm("/proc/self/comm", "xx");
		CHECK_ERR(prctl(PR_SET_NAME, edge_ptr(5)), EFAULT);
		CHECK_OK(prctl(PR_SET_NAME, edge_ptr(15)));
		check_comm("/proc/self/comm", "xxxxxxxxxxxxxxx");
		CHECK_ERR(prctl(PR_GET_NAME, edge_ptr(15)), EFAULT);
		void *p;
		FOR_EACH_BAD_PTR(p) {
			CHECK_ERR(prctl(PR_SET_NAME, p), EFAULT);
			CHECK_ERR(prctl(PR_GET_NAME, p), EFAULT);
		}
		check_comm("/proc/self/comm", "xxxxxxxxxxxxxxx");
	}
}

/* comm: prints the process's name as prctl reports it. */
HELPER(comm)
{
	(void)argc;
	(void)argv;
	char n[16];
	if (prctl(PR_GET_NAME, n))
		return 1;
	printf("%s\n", n);
	return 0;
}

static uid_t owner_of(const char *path)
{
	struct stat st;
	CHECK_OK(stat(path, &st));
	return st.st_uid;
}

TEST(proc_prctl_dumpable)
{
	CHECK_EQ(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_ERR(pr(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(PR_SET_DUMPABLE, (unsigned long)-1, 0, 0, 0), EINVAL);
	IN_CHILD {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/status", getpid());
		become_user();
		/* a change of effective id clears it (Linux gives suid_dumpable) */
		CHECK(pr(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1);
		CHECK_EQ(owner_of(path), 0);
		CHECK_OK(pr(PR_SET_DUMPABLE, 1, 0, 0, 0));
		CHECK_EQ(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
		CHECK_EQ(owner_of(path), TEST_UID);
		CHECK_EQ(owner_of("/proc/self/fd"), TEST_UID);
		/* kept across fork */
		pid_t pid = xfork();
		if (pid == 0)
			_exit(pr(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1 ? 0 : 1);
		wait_exit(pid, 0);
		CHECK_OK(pr(PR_SET_DUMPABLE, 0, 0, 0, 0));
		CHECK_EQ(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
		CHECK_EQ(owner_of(path), 0);
		CHECK_EQ(owner_of("/proc/self/fd"), 0);
		/* Linux: the world-readable directories keep the effective owner */
		CHECK_EQ(owner_of("/proc/self"), TEST_UID);
		CHECK_EQ(owner_of("/proc/self/task"), TEST_UID);
		pid = xfork();
		if (pid == 0)
			_exit(pr(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 1);
		wait_exit(pid, 0);
		/* exec with the same ids makes it dumpable again */
		char *argv[] = { "x", "-H", "dumpable", NULL };
		char out[16];
		CHECK_EQ(run_capture(self_exe(), argv, NULL, false, out, sizeof out), 0);
		CHECK_STR(out, "1\n");
	}
	/* a set-user-ID program is not dumpable */
	copy_file(self_exe(), "suid-dump", 04755);
	char *argv[] = { "suid-dump", "-H", "dumpable", NULL };
	char out[16];
	CHECK_EQ(run_capture("suid-dump", argv, NULL, true, out, sizeof out), 0);
	CHECK(strcmp(out, "1\n") != 0);
}

/* dumpable: prints PR_GET_DUMPABLE. */
HELPER(dumpable)
{
	(void)argc;
	(void)argv;
	printf("%ld\n", pr(PR_GET_DUMPABLE, 0, 0, 0, 0));
	return 0;
}

static int death_pipe[2];

/* In a child: asks for SIGUSR1 when its parent thread ends, says so on
 * death_pipe, and returns whether the signal came within 10 s (the
 * caller's exit status: 2 when a call failed). */
static int await_pdeathsig(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1))
		_exit(2);
	if (write(death_pipe[1], "r", 1) != 1)
		_exit(2);
	struct timespec ts = { 10, 0 };
	return sigtimedwait(&s, NULL, &ts) == SIGUSR1;
}

/* Forks a child that exits 0 once its parent thread's end signalled it
 * (3 on a timeout). */
static void *forking_thread(void *arg)
{
	pid_t *child = arg;
	*child = xfork();
	if (*child == 0)
		_exit(await_pdeathsig() ? 0 : 3);
	char c;
	CHECK_EQ(read(death_pipe[0], &c, 1), 1);
	return NULL;   /* the thread ends; its process goes on */
}

TEST(proc_prctl_pdeathsig)
{
	int sig = -1;
	CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
	CHECK_EQ(sig, 0);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, -1), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(prctl(PR_GET_PDEATHSIG, p), EFAULT);
	IN_CHILD {
		CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR2));
		CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
		CHECK_EQ(sig, SIGUSR2);
		/* not inherited */
		pid_t pid = xfork();
		if (pid == 0) {
			int s = -1;
			_exit(prctl(PR_GET_PDEATHSIG, &s) == 0 && s == 0 ? 0 : 1);
		}
		wait_exit(pid, 0);
		/* a change of effective id forgets it */
		become_user();
		CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
		CHECK_EQ(sig, 0);
	}
	/* the signal comes when the thread that forked ends, though its
	 * process lives on */
	CHECK_OK(pipe(death_pipe));
	pthread_t th;
	pid_t child = 0;
	CHECK_EQ(pthread_create(&th, NULL, forking_thread, &child), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	wait_exit(child, 0);
	close(death_pipe[0]);
	close(death_pipe[1]);
	/* and when the parent process ends */
	CHECK_OK(pipe(death_pipe));
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t c = xfork();
		if (c == 0) {
			char r = await_pdeathsig() ? 'y' : 'n';
			_exit(write(death_pipe[1], &r, 1) == 1 ? 0 : 2);
		}
		char c2;
		_exit(read(death_pipe[0], &c2, 1) == 1 ? 0 : 1);
	}
	wait_exit(mid, 0);
	char r = 0;
	CHECK_EQ(read(death_pipe[0], &r, 1), 1);
	CHECK_EQ(r, 'y');
	close(death_pipe[0]);
	close(death_pipe[1]);
}

TEST(proc_prctl_no_new_privs)
{
	CHECK_EQ(pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK_ERR(pr(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR(pr(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 1), EINVAL);
	CHECK_ERR(pr(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(PR_GET_NO_NEW_PRIVS, 0, 0, 1, 0), EINVAL);
	CHECK_EQ(pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	copy_file(self_exe(), "suid-nnp", 04755);
	IN_CHILD {
		CHECK_OK(pr(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		CHECK_EQ(pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
		/* kept across fork and exec: the set-user-ID bit gives nothing */
		char *argv[] = { "suid-nnp", "-H", "ids", NULL };
		char out[PATH_MAX + 64];
		CHECK_EQ(run_capture("suid-nnp", argv, NULL, true, out, sizeof out), 0);
		int pid, tid, uid, euid;
		CHECK_EQ(sscanf(out, "%d %d %d %d", &pid, &tid, &uid, &euid), 4);
		CHECK_EQ(uid, TEST_UID);
		CHECK_EQ(euid, TEST_UID);
		char *argv2[] = { "x", "-H", "nnp", NULL };
		CHECK_EQ(run_capture(self_exe(), argv2, NULL, false, out, sizeof out), 0);
		CHECK_STR(out, "1\n");
	}
	/* without it the same program runs as its owner */
	char *argv[] = { "suid-nnp", "-H", "ids", NULL };
	char out[PATH_MAX + 64];
	CHECK_EQ(run_capture("suid-nnp", argv, NULL, true, out, sizeof out), 0);
	int pid, tid, uid, euid;
	CHECK_EQ(sscanf(out, "%d %d %d %d", &pid, &tid, &uid, &euid), 4);
	CHECK_EQ(euid, 0);
}

/* nnp: prints PR_GET_NO_NEW_PRIVS. */
HELPER(nnp)
{
	(void)argc;
	(void)argv;
	printf("%ld\n", pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	return 0;
}

TEST(proc_prctl_child_subreaper)
{
	int v = -1;
	CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 0);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, p), EFAULT);
	IN_CHILD {
		pid_t reaper = getpid();
		CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 7));
		CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
		CHECK_EQ(v, 1);
		int up[2], down[2];
		CHECK_OK(pipe(up));
		CHECK_OK(pipe(down));
		/* mid forks the grandchild and exits; the grandchild, told mid
		 * is gone, reports its parent: the subreaper, not init */
		pid_t mid = xfork();
		if (mid == 0) {
			int s = -1;
			if (prctl(PR_GET_CHILD_SUBREAPER, &s) || s != 0)
				_exit(1);   /* not inherited */
			pid_t g = xfork();
			if (g == 0) {
				char c;
				if (read(down[0], &c, 1) != 1)
					_exit(2);
				pid_t pp = getppid();
				_exit(write(up[1], &pp, sizeof pp) == sizeof pp ? 5 : 2);
			}
			_exit(write(up[1], &g, sizeof g) == sizeof g ? 0 : 1);
		}
		pid_t g, pp;
		CHECK_EQ(read(up[0], &g, sizeof g), (ssize_t)sizeof g);
		wait_exit(mid, 0);
		CHECK_EQ(write(down[1], "x", 1), 1);
		CHECK_EQ(read(up[0], &pp, sizeof pp), (ssize_t)sizeof pp);
		CHECK_EQ(pp, reaper);
		wait_exit(g, 5);
		CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 0));
		CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
		CHECK_EQ(v, 0);
	}
}

TEST(proc_prctl_tid_address_and_unknown)
{
	IN_CHILD {
		static int word;
		int *got = NULL;
		syscall(SYS_set_tid_address, &word);
		CHECK_OK(prctl(PR_GET_TID_ADDRESS, &got));
		CHECK(got == &word);
		void *p;
		FOR_EACH_BAD_PTR(p)
			CHECK_ERR(prctl(PR_GET_TID_ADDRESS, p), EFAULT);
	}
	CHECK_ERR(pr(9999, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(-1, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(pr(0, 0, 0, 0, 0), EINVAL);
}
