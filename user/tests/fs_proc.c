/* procfs as programs read it: /proc/self and /proc/<pid> files and a few
 * system-wide ones, in Linux's formats. */
#include "tests.h"

static char text[65536];

static const char *proc(const char *path)
{
	return read_text(path, text, sizeof text);
}

/* The value after "Key:" in a "Key:\tvalue" file, or NULL. */
static const char *field(const char *all, const char *key)
{
	static char value[256];
	size_t klen = strlen(key);

	for (const char *line = all; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			snprintf(value, sizeof value, "%.*s", (int)n, v);
			return value;
		}
	}
	return NULL;
}

TEST(fs_proc_self_stat)
{
	proc("/proc/self/stat");
	int pid, ppid;
	char comm[64], state;
	CHECK_EQ(sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid), 4);
	CHECK_EQ(pid, getpid());
	CHECK_EQ(ppid, getppid());
	CHECK_STR(comm, "usertests");
	CHECK_EQ(state, 'R');
}

TEST(fs_proc_self_status)
{
	proc("/proc/self/status");
	CHECK_STR(field(text, "Name"), "usertests");
	CHECK_EQ(atoi(field(text, "Pid")), getpid());
	CHECK_EQ(atoi(field(text, "PPid")), getppid());
	CHECK_STR(field(text, "Uid"), "0\t0\t0\t0");
	AS_USER {
		proc("/proc/self/status");
		CHECK_STR(field(text, "Uid"), "1000\t1000\t1000\t1000");
	}
}

TEST(fs_proc_self_cmdline_and_comm)
{
	/* all of it: usertests may have been given hundreds of case names */
	size_t n = read_file("/proc/self/cmdline", text, sizeof text);
	CHECK(n > 0 && n < sizeof text);
	CHECK_EQ(text[n - 1], '\0');
	CHECK(strstr(text, "usertests") != NULL);
	CHECK_STR(proc("/proc/self/comm"), "usertests\n");
	/* /proc/<pid> is the same process. */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", getpid());
	CHECK_STR(proc(path), "usertests\n");
}

TEST(fs_proc_self_exe_and_cwd)
{
	char buf[PATH_MAX], cwd[PATH_MAX];
	ssize_t n = CHECK_OK(readlink("/proc/self/exe", buf, sizeof buf - 1));
	buf[n] = '\0';
	CHECK_STR(buf, self_exe());
	n = CHECK_OK(readlink("/proc/self/cwd", buf, sizeof buf - 1));
	buf[n] = '\0';
	CHECK_STR(buf, getcwd(cwd, sizeof cwd));
}

TEST(fs_proc_self_fd)
{
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDONLY));
	char path[64], buf[PATH_MAX], want[PATH_MAX];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = CHECK_OK(readlink(path, buf, sizeof buf - 1));
	buf[n] = '\0';
	CHECK(getcwd(want, sizeof want - 2) != NULL);
	strcat(want, "/f");
	CHECK_STR(buf, want);
	/* Opening it opens the same file. */
	int again = CHECK_OK(open(path, O_RDONLY));
	struct stat a, b;
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(fstat(again, &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	/* The directory lists exactly the open descriptors. */
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int seen = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (atoi(e->d_name) == fd && e->d_name[0] != '.')
			seen++;
	CHECK_EQ(seen, 1);
	CHECK_OK(close(fd));
	CHECK_ERR(readlink(path, buf, sizeof buf), ENOENT);
}

TEST(fs_proc_self_maps)
{
	void *m = CHECK_OK(mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	proc("/proc/self/maps");
	char want[64];
	snprintf(want, sizeof want, "%lx-%lx r--p ", (unsigned long)m, (unsigned long)m + 3 * PAGE);
	CHECK(strstr(text, want) != NULL);
	CHECK(strstr(text, "[stack]") != NULL);
	CHECK(strstr(text, " r-xp ") != NULL);
}

TEST(fs_proc_environ_owner_only)
{
	extern char **environ;
	char buf[4096] = { 0 };
	pid_t parent = getpid();
	/* The owner reads the environment the program started with. */
	size_t n = read_file("/proc/self/environ", buf, sizeof buf - 1);
	if (environ[0])
		CHECK(n > 0 && strncmp(buf, environ[0], sizeof buf - 1) == 0);
	AS_USER {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/environ", parent);
		CHECK_ERR(open(path, O_RDONLY), EACCES);
	}
}

TEST(fs_proc_meminfo)
{
	proc("/proc/meminfo");
	const char *total = field(text, "MemTotal");
	CHECK(total != NULL);
	CHECK(strstr(total, " kB") != NULL);
	CHECK(atol(total) > 0);
	CHECK(field(text, "MemFree") != NULL);
	CHECK(atol(field(text, "MemFree")) <= atol(total));
	CHECK(field(text, "MemAvailable") != NULL);
}

TEST(fs_proc_system_files)
{
	double up, idle;
	CHECK_EQ(sscanf(proc("/proc/uptime"), "%lf %lf", &up, &idle), 2);
	CHECK(up > 0);
	double l1, l5, l15;
	CHECK_EQ(sscanf(proc("/proc/loadavg"), "%lf %lf %lf", &l1, &l5, &l15), 3);
	CHECK(strncmp(proc("/proc/version"), "Linux version ", 14) == 0 ||
	      strncmp(text, "CosmOS version ", 15) == 0);
	CHECK(strstr(proc("/proc/filesystems"), "tmpfs") != NULL);
	CHECK(strstr(proc("/proc/mounts"), " / ") != NULL);
	CHECK(strstr(proc("/proc/cpuinfo"), "processor") != NULL);
	CHECK(strncmp(proc("/proc/stat"), "cpu ", 4) == 0);
	char buf[PATH_MAX];
	ssize_t n = CHECK_OK(readlink("/proc/self", buf, sizeof buf - 1));
	buf[n] = '\0';
	CHECK_EQ(atoi(buf), getpid());
}

/* A child for fs_proc_other_processes: moves to its own directory and
 * group, opens a marker at fd 20, maps a page, becomes TEST_UID if asked,
 * says it is ready and sleeps in a read until the parent lets go. */
static void proc_child(int n, int ready, int go, bool user)
{
	char dir[32];
	snprintf(dir, sizeof dir, "d%d", n);
	CHECK_OK(chdir(dir));
	CHECK_OK(setpgid(0, 0));
	int fd = CHECK_OK(open("marker", O_RDONLY | O_CREAT, 0644));
	CHECK_EQ(dup2(fd, 20), 20);
	CHECK_OK(mmap((void *)(0x50000000ul + 0x100000ul * (unsigned long)n), PAGE, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	if (user)
		become_user();
	sync_signal(ready);
	char c;
	read(go, &c, 1);
	_exit(0);
}

static bool listed(pid_t pid)
{
	DIR *d = opendir("/proc");
	bool seen = false;
	CHECK(d != NULL);
	for (struct dirent *e; (e = readdir(d));)
		if (atoi(e->d_name) == pid && e->d_type == DT_DIR)
			seen = true;
	closedir(d);
	return seen;
}

TEST(fs_proc_other_processes)
{
	enum { N = 3 };
	pid_t kids[N];
	int ready[2], go[2];
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(go));
	for (int i = 0; i < N; i++) {
		char dir[32];
		snprintf(dir, sizeof dir, "d%d", i);
		CHECK_OK(mkdir(dir, 0777));
		kids[i] = xfork();
		if (kids[i] == 0) {
			close(go[1]);
			proc_child(i, ready[1], go[0], i == N - 1);
		}
	}
	close(go[0]);
	for (int i = 0; i < N; i++)
		sync_wait(ready[0]);
	char path[64], buf[PATH_MAX], self[PATH_MAX];
	ssize_t n = CHECK_OK(readlink("/proc/self/exe", self, sizeof self - 1));
	self[n] = '\0';
	CHECK(listed(1));
	CHECK(listed(getpid()));
	for (int i = 0; i < N; i++) {
		pid_t k = kids[i];
		CHECK(listed(k));
		/* stat: pid, comm, state (asleep in read), parent, its own group */
		snprintf(path, sizeof path, "/proc/%d/stat", k);
		proc(path);
		int pid, ppid, pgrp, sid;
		char comm[64], state;
		CHECK_EQ(sscanf(text, "%d (%63[^)]) %c %d %d %d", &pid, comm, &state, &ppid, &pgrp, &sid), 6);
		CHECK_EQ(pid, k);
		CHECK_STR(comm, "usertests");
		CHECK_EQ(state, 'S');
		CHECK_EQ(ppid, getpid());
		CHECK_EQ(pgrp, k);
		CHECK_EQ(sid, getsid(0));
		/* status: the same, and whose it is */
		snprintf(path, sizeof path, "/proc/%d/status", k);
		proc(path);
		CHECK_EQ(atoi(field(text, "Pid")), k);
		CHECK_EQ(atoi(field(text, "PPid")), getpid());
		CHECK(strncmp(field(text, "State"), "S (sleeping)", 12) == 0);
		int uid = i == N - 1 ? TEST_UID : 0;
		CHECK_EQ(atoi(field(text, "Uid")), uid);
		/* ps takes the owner from the directory */
		struct stat st;
		snprintf(path, sizeof path, "/proc/%d", k);
		CHECK_OK(stat(path, &st));
		CHECK_EQ(st.st_uid, (uid_t)uid);
		snprintf(path, sizeof path, "/proc/%d/comm", k);
		CHECK_STR(proc(path), "usertests\n");
		/* cmdline: the same program and arguments as ours */
		static char mine[4096], theirs[4096];
		size_t a = read_file("/proc/self/cmdline", mine, sizeof mine);
		snprintf(path, sizeof path, "/proc/%d/cmdline", k);
		size_t b = read_file(path, theirs, sizeof theirs);
		CHECK(a > 0);
		CHECK_EQ(a, b);
		CHECK(memcmp(mine, theirs, a) == 0);
		/* environ: root reads anyone's */
		snprintf(path, sizeof path, "/proc/%d/environ", k);
		CHECK_OK(close(CHECK_OK(open(path, O_RDONLY))));
		/* exe, cwd, fd/20 */
		snprintf(path, sizeof path, "/proc/%d/exe", k);
		n = CHECK_OK(readlink(path, buf, sizeof buf - 1));
		buf[n] = '\0';
		CHECK_STR(buf, self);
		snprintf(path, sizeof path, "/proc/%d/cwd", k);
		n = CHECK_OK(readlink(path, buf, sizeof buf - 1));
		buf[n] = '\0';
		char want[32];
		snprintf(want, sizeof want, "/d%d", i);
		CHECK(n >= 3 && strcmp(buf + n - strlen(want), want) == 0);
		snprintf(path, sizeof path, "/proc/%d/fd/20", k);
		n = CHECK_OK(readlink(path, buf, sizeof buf - 1));
		buf[n] = '\0';
		snprintf(want, sizeof want, "/d%d/marker", i);
		CHECK(strcmp(buf + n - strlen(want), want) == 0);
		/* maps: the page it mapped */
		snprintf(path, sizeof path, "/proc/%d/maps", k);
		snprintf(want, sizeof want, "%lx-%lx r--p ", 0x50000000ul + 0x100000ul * (unsigned long)i,
			 0x50000000ul + 0x100000ul * (unsigned long)i + PAGE);
		CHECK(strstr(proc(path), want) != NULL);
		/* statm: a size in pages */
		snprintf(path, sizeof path, "/proc/%d/statm", k);
		CHECK(atol(proc(path)) > 0);
	}
	/* A file opened while the process lived reads ESRCH once it is
	 * gone; in between, a zombie shows state Z and no program. */
	snprintf(path, sizeof path, "/proc/%d/stat", kids[0]);
	int sfd = CHECK_OK(open(path, O_RDONLY));
	CHECK_OK(close(go[1]));
	siginfo_t si;
	CHECK_OK(waitid(P_PID, kids[0], &si, WEXITED | WNOWAIT));
	CHECK_OK(pread(sfd, buf, sizeof buf - 1, 0));
	char *rp = strrchr(buf, ')');
	CHECK(rp != NULL);
	CHECK_EQ(rp[2], 'Z');
	snprintf(path, sizeof path, "/proc/%d/exe", kids[0]);
	CHECK_ERR(readlink(path, buf, sizeof buf), ENOENT);
	for (int i = 0; i < N; i++)
		wait_exit(kids[i], 0);
	CHECK_ERR(pread(sfd, buf, sizeof buf, 0), ESRCH);
	CHECK_OK(close(sfd));
	snprintf(path, sizeof path, "/proc/%d/stat", kids[0]);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
	CHECK(!listed(kids[0]));
}

/* Readers walk every process's files while others come and go: a file of
 * a process that ends under the reader is an error, never a crash. */
TEST(fs_proc_readers_race_exits)
{
	pid_t reader = xfork();
	if (reader == 0) {
		static const char *const files[] = { "stat", "status", "cmdline", "environ",
						     "maps", "statm", "comm", "exe", "cwd", "fd" };
		for (int round = 0; round < 30; round++) {
			DIR *d = opendir("/proc");
			CHECK(d != NULL);
			for (struct dirent *e; (e = readdir(d));) {
				if (atoi(e->d_name) <= 0)
					continue;
				for (unsigned f = 0; f < sizeof files / sizeof files[0]; f++) {
					char path[300], buf[4096];
					snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, files[f]);
					int fd = open(path, O_RDONLY);
					if (fd < 0) {
						if (readlink(path, buf, sizeof buf) < 0)
							CHECK(errno == ENOENT || errno == EINVAL || errno == ESRCH);
						continue;
					}
					ssize_t r = read(fd, buf, sizeof buf);
					CHECK(r >= 0 || errno == ESRCH || errno == EISDIR);
					close(fd);
				}
			}
			closedir(d);
		}
		_exit(0);
	}
	for (int i = 0; i < 60; i++) {
		pid_t k = xfork();
		if (k == 0) {
			/* a second thread of work: map and unmap while being read */
			void *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			munmap(m, 4 * PAGE);
			_exit(0);
		}
		wait_exit(k, 0);
	}
	wait_exit(reader, 0);
}

static long stat_number(const char *key)
{
	const char *at = strstr(proc("/proc/stat"), key);
	return at ? atol(at + strlen(key)) : -1;
}

TEST(fs_proc_stat_process_counts)
{
	/* processes counts every process made since boot; procs_running
	 * the runnable ones, the reader and a spinning child among them */
	long before = stat_number("\nprocesses ");
	CHECK(before > 0);
	pid_t spinner = xfork();
	if (spinner == 0)
		for (;;)
			;
	CHECK(stat_number("\nprocesses ") >= before + 1);
	CHECK(stat_number("\nprocs_running ") >= 2);
	int running, threads;
	CHECK_EQ(sscanf(proc("/proc/loadavg"), "%*f %*f %*f %d/%d", &running, &threads), 2);
	CHECK(running >= 2 && threads >= running);
	CHECK_OK(kill(spinner, SIGKILL));
	wait_signal(spinner, SIGKILL);
}
