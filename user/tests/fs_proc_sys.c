/* /proc/sys: kernel.ostype, osrelease and version agree with uname;
 * hostname and domainname with uname and sethostname, and root writes
 * them; kernel.core_pattern names the core file (%p %e %s %t %%, unknown
 * pairs and a lone % dropped), is cut at 127 bytes, and only root may
 * write it. The cases that write need root and put back what was there. */
#include "tests.h"

#include <sys/prctl.h>
#include <sys/utsname.h>

#define CORE_PATTERN "/proc/sys/kernel/core_pattern"

static bool listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	bool found = false;
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = true;
	closedir(d);
	return found;
}

/* Writes text to path in one write: the write's result (-errno). */
static ssize_t put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	return n < 0 ? -err : n;
}

static void check_line(const char *path, const char *want)
{
	char buf[512], line[512];
	snprintf(line, sizeof(line), "%s\n", want);
	read_text(path, buf, sizeof(buf));
	ut_note("%s", path);
	CHECK(!strcmp(buf, line));
	ut_note(NULL);
}

TEST(fs_proc_sys_kernel_names)
{
	struct utsname u;
	CHECK_OK(uname(&u));
	CHECK(listed("/proc", "sys"));
	CHECK(listed("/proc/sys", "kernel"));
	CHECK(listed("/proc/sys/kernel", "core_pattern"));
	check_line("/proc/sys/kernel/ostype", u.sysname);
	check_line("/proc/sys/kernel/osrelease", u.release);
	check_line("/proc/sys/kernel/version", u.version);
	check_line("/proc/sys/kernel/hostname", u.nodename);
	check_line("/proc/sys/kernel/domainname", u.domainname);
	struct stat st;
	CHECK_OK(stat(CORE_PATTERN, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(st.st_uid, 0);
	/* read-only for everyone, root too */
	CHECK_EQ(put("/proc/sys/kernel/ostype", "Other\n"), -EACCES);
	AS_USER {
		CHECK_EQ(put("/proc/sys/kernel/hostname", "other\n"), -EACCES);
		check_line("/proc/sys/kernel/hostname", u.nodename);
	}
	if (geteuid() != 0)
		ut_skip("writes need root");
	/* root: a write is the new name, as sethostname */
	CHECK_EQ(put("/proc/sys/kernel/hostname", "proc-sys-host\n"), 14);
	struct utsname v;
	CHECK_OK(uname(&v));
	CHECK(!strcmp(v.nodename, "proc-sys-host"));
	CHECK_OK(sethostname("set-by-call", 11));
	check_line("/proc/sys/kernel/hostname", "set-by-call");
	CHECK_OK(sethostname(u.nodename, strlen(u.nodename)));
	check_line("/proc/sys/kernel/hostname", u.nodename);
}

/* The child: named "dumper", ends by SIGABRT with cores allowed. */
static int dump_child(void)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
		setrlimit(RLIMIT_CORE, &r);
		prctl(PR_SET_NAME, "dumper");
		raise(SIGABRT);
		_exit(99);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	return WCOREDUMP(st) ? pid : -pid;
}

TEST(fs_proc_sys_core_pattern)
{
	char old[256], buf[512], name[300], want[160];
	read_text(CORE_PATTERN, old, sizeof(old));
	if (on_cosmos())
		CHECK(!strcmp(old, "core\n"));
	AS_USER {
		CHECK(open(CORE_PATTERN, O_RDONLY) >= 0);
		CHECK_EQ(put(CORE_PATTERN, "x\n"), -EACCES);
	}
	if (geteuid() != 0)
		ut_skip("writes need root");
	struct rlimit r;
	CHECK_OK(getrlimit(RLIMIT_CORE, &r));
	if (r.rlim_max != RLIM_INFINITY)
		ut_skip("RLIMIT_CORE's hard limit is not unlimited");

	const char *pat = "core.%p.%e.%s.%%.%t.%z%";
	CHECK_EQ(put(CORE_PATTERN, "core.%p.%e.%s.%%.%t.%z%\n"), (ssize_t)strlen(pat) + 1);
	check_line(CORE_PATTERN, pat);
	time_t before = time(NULL);
	int pid = dump_child();
	time_t after = time(NULL);
	CHECK(pid > 0);
	snprintf(want, sizeof(want), "core.%d.dumper.6.%%.", pid);
	DIR *d = opendir(".");
	CHECK(d != NULL);
	struct dirent *e;
	name[0] = 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, want, strlen(want)))
			snprintf(name, sizeof(name), "%s", e->d_name);
	closedir(d);
	ut_diag("core file: %s", name);
	CHECK(name[0] != 0);
	long t = strtol(name + strlen(want), NULL, 10);
	CHECK(t >= before && t <= after);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "%ld.", t);
	CHECK(!strcmp(name, want));          /* %z and the lone % vanished */
	CHECK(file_size(name) > 0);
	CHECK_OK(unlink(name));

	/* a path: the core goes there */
	CHECK_OK(mkdir("cores", 0700));
	CHECK_EQ(put(CORE_PATTERN, "cores/c-%p"), 10);
	pid = dump_child();
	CHECK(pid > 0);
	snprintf(name, sizeof(name), "cores/c-%d", pid);
	CHECK(file_size(name) > 0);
	CHECK_OK(unlink(name));
	CHECK_OK(rmdir("cores"));

	/* too long: cut at 127 bytes, the whole write taken */
	char longp[201];
	memset(longp, 'a', 200);
	longp[200] = 0;
	CHECK_EQ(put(CORE_PATTERN, longp), 200);
	read_text(CORE_PATTERN, buf, sizeof(buf));
	CHECK_EQ(strlen(buf), 128);
	CHECK_EQ(buf[127], '\n');
	CHECK(!strncmp(buf, longp, 127));
	if (on_cosmos()) {
		/* no program runs for a core here: a pipe is refused */
		CHECK_EQ(put(CORE_PATTERN, "|/bin/true"), -EINVAL);
		CHECK(!strncmp(read_text(CORE_PATTERN, buf, sizeof(buf)), longp, 127));
		/* empty: no core file */
		CHECK_EQ(put(CORE_PATTERN, "\n"), 1);
		check_line(CORE_PATTERN, "");
		CHECK(dump_child() < 0);
	}
	CHECK_EQ(put(CORE_PATTERN, old), (ssize_t)strlen(old));
	CHECK(!strcmp(read_text(CORE_PATTERN, buf, sizeof(buf)), old));
}
