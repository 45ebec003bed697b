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
