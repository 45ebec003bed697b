/* /proc/<pid> numbers that come from the address space and the terminal:
 * rss in stat (field 24) and statm (second number) and VmRSS in status
 * count the resident pages; tty_nr and tpgid (fields 7 and 8) are 0 and -1
 * without a controlling terminal (tty_proc.c checks them with one); task/
 * lists the threads. */
#include "tests.h"

#include <pthread.h>

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
