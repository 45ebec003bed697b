/* /proc/<pid> numbers that come from the address space and the terminal:
 * rss in stat (field 24) and statm (second number) and VmRSS in status
 * count the resident pages; tty_nr and tpgid (fields 7 and 8) are 0 and -1
 * without a controlling terminal (tty_proc.c checks them with one); task/
 * lists the threads. */
#include "tests.h"

#include <pthread.h>
#include <sys/prctl.h>

/* Field n (1-based, as proc(5) numbers them) of /proc/self/stat. */
long proc_stat_field(const char *path, int n)
{
	char buf[1024];
	read_text(path, buf, sizeof(buf));
	const char *p = strrchr(buf, ')');
	CHECK(p != NULL);
	p += 2;                     /* field 3, the state */
	for (int i = 3; i < n; i++) {
		p = strchr(p, ' ');
		CHECK(p != NULL);
		p++;
	}
	return strtol(p, NULL, 10);
}

static long statm_rss(void)
{
	char buf[256];
	long size = 0, rss = -1;
	read_text("/proc/self/statm", buf, sizeof(buf));
	CHECK_EQ(sscanf(buf, "%ld %ld", &size, &rss), 2);
	return rss;
}

static long status_vmrss_kb(void)
{
	char buf[4096];
	read_text("/proc/self/status", buf, sizeof(buf));
	const char *p = strstr(buf, "\nVmRSS:");
	CHECK(p != NULL);
	return strtol(p + 7, NULL, 10);
}

/* Touching 1024 fresh pages adds about 1024 to rss; unmapping them takes
 * them away again. The three files agree. Within SLACK pages: Linux
 * counts rss per CPU and sums it lazily (batches of 32 or more). */
#define SLACK 96
#define TOUCH 1024
TEST(fs_proc_rss_counts_resident_pages)
{
	long before = proc_stat_field("/proc/self/stat", 24);
	CHECK(before > 0);
	char *m = mmap(NULL, TOUCH * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK(proc_stat_field("/proc/self/stat", 24) < before + SLACK);   /* not touched yet */
	for (int i = 0; i < TOUCH; i++)
		m[i * PAGE] = 1;
	long touched = proc_stat_field("/proc/self/stat", 24);
	ut_diag("rss %ld -> %ld pages", before, touched);
	CHECK(touched >= before + TOUCH - SLACK);
	CHECK(touched < before + TOUCH + SLACK);
	long statm = statm_rss(), kb = status_vmrss_kb();
	ut_diag("statm rss %ld, VmRSS %ld kB", statm, kb);
	CHECK(statm >= touched - SLACK && statm <= touched + SLACK);
	CHECK(kb >= (touched - SLACK) * 4 && kb <= (touched + SLACK) * 4);
	CHECK_OK(munmap(m, TOUCH * PAGE));
	CHECK(proc_stat_field("/proc/self/stat", 24) < touched - TOUCH + SLACK);
}

/* A new session has no controlling terminal: tty_nr 0, tpgid -1. */
TEST(fs_proc_tty_nr_without_terminal)
{
	IN_CHILD {
		CHECK_OK(setsid());
		CHECK_EQ(proc_stat_field("/proc/self/stat", 7), 0);
		CHECK_EQ(proc_stat_field("/proc/self/stat", 8), -1);
	}
}

static int task_pipe[2];
static void *task_waiter(void *arg)
{
	*(volatile pid_t *)arg = gettid();
	char c;
	CHECK_EQ(read(task_pipe[0], &c, 1), 1);
	return NULL;
}

static bool listed_in(const char *dir, long id)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	bool found = false;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strtol(e->d_name, NULL, 10) == id)
			found = true;
	closedir(d);
	return found;
}

/* /proc/self/task lists every thread; each task/<tid>/ has stat (its own
 * id first), status (Pid the thread, Tgid the process) and comm. */
TEST(fs_proc_task_lists_threads)
{
	CHECK_OK(pipe(task_pipe));
	pthread_t th[3];
	volatile pid_t tids[3] = { 0, 0, 0 };
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, task_waiter, (void *)&tids[i]), 0);
	for (int i = 0; i < 3; i++)
		while (!tids[i])
			sched_yield();
	CHECK(listed_in("/proc/self/task", getpid()));
	char path[64], buf[4096], comm[64];
	read_text("/proc/self/comm", comm, sizeof(comm));
	for (int i = 0; i < 3; i++) {
		ut_note("thread %d", (int)tids[i]);
		CHECK(tids[i] != getpid());
		CHECK(listed_in("/proc/self/task", tids[i]));
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)getpid(), (int)tids[i]);
		CHECK_EQ(strtol(read_text(path, buf, sizeof(buf)), NULL, 10), tids[i]);
		CHECK_EQ(proc_stat_field(path, 4), getppid());
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tids[i]);
		read_text(path, buf, sizeof(buf));
		char want[64];
		snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)tids[i]);
		CHECK(strstr(buf, want) != NULL);
		snprintf(want, sizeof(want), "\nTgid:\t%d\n", (int)getpid());
		CHECK(strstr(buf, want) != NULL);
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tids[i]);
		char tc[64];
		CHECK(!strcmp(read_text(path, tc, sizeof(tc)), comm));
	}
	ut_note(NULL);
	CHECK(!exists("/proc/self/task/999999"));
	CHECK_EQ(write(task_pipe[1], "xxx", 3), 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	/* another process's: one thread, its pid */
	pid_t pid = xfork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	CHECK(listed_in(path, pid));
	kill(pid, SIGKILL);
	wait_signal(pid, SIGKILL);
}

/* /proc/<tid> of a thread of another process that does not lead it: found
 * by lookup though /proc does not list it; stat and status show the
 * thread (its id, Tgid the process), comm its own name, exe and task/ the
 * process's. Gone once the thread has ended. */
static int other_pipe[2], other_go[2];
static void *other_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "other-thread");
	pid_t tid = gettid();
	CHECK_EQ(write(other_pipe[1], &tid, sizeof(tid)), (ssize_t)sizeof(tid));
	char c;
	CHECK_EQ(read(other_go[0], &c, 1), 1);
	return NULL;
}

TEST(fs_proc_tid_of_other_process)
{
	CHECK_OK(pipe(other_pipe));
	CHECK_OK(pipe(other_go));
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t th;
		CHECK_EQ(pthread_create(&th, NULL, other_thread, NULL), 0);
		CHECK_EQ(pthread_join(th, NULL), 0);
		pid_t none = 0;
		CHECK_EQ(write(other_pipe[1], &none, sizeof(none)), (ssize_t)sizeof(none));
		pause();
		_exit(0);
	}
	pid_t tid = 0;
	CHECK_EQ(read(other_pipe[0], &tid, sizeof(tid)), (ssize_t)sizeof(tid));
	CHECK(tid > 0 && tid != pid);
	char path[64], buf[4096], want[64], exe[256], texe[256];
	snprintf(path, sizeof(path), "/proc/%d", (int)tid);
	struct stat st;
	CHECK_OK(stat(path, &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK(!listed_in("/proc", tid));
	CHECK(listed_in("/proc", pid));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	CHECK_EQ(strtol(read_text(path, buf, sizeof(buf)), NULL, 10), tid);
	CHECK(strstr(buf, "(other-thread)") != NULL);
	CHECK_EQ(proc_stat_field(path, 4), getpid());
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	read_text(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)tid);
	CHECK(strstr(buf, want) != NULL);
	snprintf(want, sizeof(want), "\nTgid:\t%d\n", (int)pid);
	CHECK(strstr(buf, want) != NULL);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	CHECK(!strcmp(read_text(path, buf, sizeof(buf)), "other-thread\n"));
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, texe, sizeof(texe) - 1);
	CHECK(n > 0);
	texe[n] = 0;
	CHECK(!strcmp(exe, texe));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)tid);
	CHECK(listed_in(path, pid));
	CHECK(listed_in(path, tid));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)tid, (int)tid);
	CHECK(!strcmp(read_text(path, buf, sizeof(buf)), "other-thread\n"));
	/* the thread ends: its directory goes; the process's stays */
	CHECK_EQ(write(other_go[1], "x", 1), 1);
	pid_t none = -1;
	CHECK_EQ(read(other_pipe[0], &none, sizeof(none)), (ssize_t)sizeof(none));
	CHECK_EQ(none, 0);
	/* joined once it cleared its tid word: it leaves the process's
	 * list a moment later (2 s at most) */
	snprintf(path, sizeof(path), "/proc/%d", (int)tid);
	for (int i = 0; i < 2000 && exists(path); i++)
		usleep(1000);
	CHECK(!exists(path));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	CHECK(exists(path));
	kill(pid, SIGKILL);
	wait_signal(pid, SIGKILL);
	close(other_pipe[0]);
	close(other_pipe[1]);
	close(other_go[0]);
	close(other_go[1]);
}
