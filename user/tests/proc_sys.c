/* System information and odds and ends: uname, sethostname, sysinfo,
 * times, getrusage, getrandom, reboot (refusals only), sched_yield,
 * sched_getaffinity, arch_prctl. */
#include "tests.h"

#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_CMD_CAD_OFF 0

TEST(proc_uname)
{
	struct utsname u;
	CHECK_OK(uname(&u));
	CHECK_STR(u.machine, "x86_64");
	CHECK(u.nodename[0] != '\0');
	/* A release that starts with a number of at least 6.1, so C
	 * libraries that compare versions accept it. */
	int major = 0, minor = 0;
	CHECK_EQ(sscanf(u.release, "%d.%d", &major, &minor), 2);
	CHECK(major > 6 || (major == 6 && minor >= 1));
	if (on_cosmos())
		CHECK_STR(u.sysname, "CosmOS");
	else
		CHECK_STR(u.sysname, "Linux");
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_uname, p), EFAULT);
}

TEST(proc_sethostname)
{
	/* On Linux in a UTS namespace of its own, so the host keeps its name. */
	IN_CHILD {
		if (!on_cosmos())
			CHECK_OK(unshare(CLONE_NEWUTS));
		struct utsname u;
		CHECK_OK(sethostname("cosmos-test", 11));
		CHECK_OK(uname(&u));
		CHECK_STR(u.nodename, "cosmos-test");
		char buf[65];
		CHECK_OK(gethostname(buf, sizeof buf));
		CHECK_STR(buf, "cosmos-test");
		static char longname[66];
		memset(longname, 'h', 65);
		CHECK_ERR(sethostname(longname, 65), EINVAL);
		CHECK_OK(sethostname(longname, 64));
		CHECK_ERR(syscall(SYS_sethostname, NULL, 5), EFAULT);
		become_user();
		CHECK_ERR(sethostname("x", 1), EPERM);
	}
	/* On CosmOS the child changed the one hostname: put it back. */
	if (on_cosmos()) {
		char old[65] = "cosmos";
		read_text("/etc/hostname", old, sizeof old);
		old[strcspn(old, "\n")] = '\0';
		CHECK_OK(sethostname(old, strlen(old)));
	}
}

TEST(proc_sysinfo)
{
	struct sysinfo si;
	CHECK_OK(sysinfo(&si));
	CHECK(si.uptime > 0);
	CHECK(si.totalram > 0);
	CHECK(si.freeram <= si.totalram);
	CHECK(si.mem_unit >= 1);
	CHECK(si.procs >= 2);
	struct timespec boot;
	CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &boot));
	CHECK((long)si.uptime <= boot.tv_sec + 1 && (long)si.uptime >= boot.tv_sec - 1);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_sysinfo, p), EFAULT);
}

static void burn_cpu_ms(long ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

TEST(proc_times)
{
	long hz = sysconf(_SC_CLK_TCK);
	CHECK_EQ(hz, 100);
	struct tms before, after;
	clock_t t0 = times(&before);
	burn_cpu_ms(100);
	clock_t t1 = times(&after);
	CHECK(t1 >= t0 + 9);
	long ticks = (after.tms_utime + after.tms_stime) - (before.tms_utime + before.tms_stime);
	CHECK(ticks >= 8 && ticks <= 200);
	/* Children count once reaped. */
	pid_t pid = xfork();
	if (pid == 0) {
		burn_cpu_ms(100);
		_exit(0);
	}
	wait_exit(pid, 0);
	CHECK_OK(times(&after));
	CHECK(after.tms_cutime + after.tms_cstime >= 8);
	CHECK_OK(syscall(SYS_times, NULL));
}

TEST(proc_getrusage)
{
	struct rusage a, b;
	CHECK_OK(getrusage(RUSAGE_SELF, &a));
	burn_cpu_ms(50);
	CHECK_OK(getrusage(RUSAGE_SELF, &b));
	long da = (b.ru_utime.tv_sec - a.ru_utime.tv_sec) * 1000000L +
		  (b.ru_utime.tv_usec - a.ru_utime.tv_usec) +
		  (b.ru_stime.tv_sec - a.ru_stime.tv_sec) * 1000000L +
		  (b.ru_stime.tv_usec - a.ru_stime.tv_usec);
	CHECK(da >= 40000 && da < 2000000);
	CHECK_OK(getrusage(RUSAGE_THREAD, &a));
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &a));
	CHECK_ERR(getrusage(42, &a), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, p), EFAULT);
}

TEST(proc_getrandom)
{
	unsigned char a[256], b[256];
	memset(a, 0, sizeof a);
	CHECK_EQ(getrandom(a, sizeof a, 0), sizeof a);
	CHECK_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), sizeof b);
	CHECK(memcmp(a, b, sizeof a) != 0);
	int zeros = 0;
	for (size_t i = 0; i < sizeof a; i++)
		zeros += a[i] == 0;
	CHECK(zeros < 16);
	CHECK_EQ(getrandom(a, 0, 0), 0);
	CHECK_EQ(getrandom(a, 16, GRND_RANDOM), 16);
	CHECK_ERR(getrandom(a, 16, 0x100), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_getrandom, p, 16, 0), EFAULT);
	ut_note(NULL);
	/* Into a buffer that runs off its mapping: the bytes that fit. */
	CHECK_EQ(syscall(SYS_getrandom, edge_ptr(8), 16, 0), 8);
}

/* Only refusals: nothing here may reboot the machine. */
TEST(proc_reboot_refused)
{
	/* Bad magic numbers are refused before anything happens. */
	CHECK_ERR(syscall(SYS_reboot, 0x12345678, REBOOT_MAGIC2, REBOOT_CMD_CAD_OFF, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_reboot, REBOOT_MAGIC1, 42, REBOOT_CMD_CAD_OFF, NULL), EINVAL);
	AS_USER
		CHECK_ERR(syscall(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_CAD_OFF, NULL), EPERM);
}

TEST(proc_sched_yield)
{
	for (int i = 0; i < 100; i++)
		CHECK_EQ(sched_yield(), 0);
}

TEST(proc_sched_getaffinity)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = CHECK_OK(syscall(SYS_sched_getaffinity, 0, sizeof set, &set));
	/* The kernel returns the size of its mask, a multiple of 8. */
	CHECK(n > 0 && n % 8 == 0 && (size_t)n <= sizeof set);
	CHECK(CPU_COUNT(&set) >= 1);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, sizeof set, &set), ESRCH);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, p), EFAULT);
}

/* arch_prctl's codes (asm/prctl.h, which musl does not carry). */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* A raw arch_prctl: while %fs points elsewhere musl must not run, so no
 * libc call (not even errno) may come between setting and restoring it. */
static long raw_arch_prctl(long code, unsigned long addr)
{
	long r = SYS_arch_prctl;
	__asm__ volatile("syscall" : "+a"(r) : "D"(code), "S"(addr) : "rcx", "r11", "memory");
	return r;
}

/* ARCH_GET_FS is the TLS block musl set up (its first word points at
 * itself); SET/GET of FS and GS round trip and move what %fs:0 and %gs:0
 * read; kernel addresses are EPERM, unknown codes EINVAL, a bad result
 * pointer EFAULT. */
TEST(proc_arch_prctl)
{
	uint64_t fs = 0, self, got_fs = 0, got_gs = 1, seen_fs, seen_gs;
	CHECK_EQ(raw_arch_prctl(ARCH_GET_FS, (unsigned long)&fs), 0);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK_EQ(fs, self);
	CHECK(fs != 0);

	static uint64_t fake_tcb[4] = { 0x1111222233334444ULL }, gs_block[4];
	gs_block[0] = 0x5555666677778888ULL;
	long set_fs = raw_arch_prctl(ARCH_SET_FS, (unsigned long)fake_tcb);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(seen_fs));
	long get_fs = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&got_fs);
	long back = raw_arch_prctl(ARCH_SET_FS, fs);
	CHECK_EQ(back, 0);                /* musl is usable again from here */
	CHECK_EQ(set_fs, 0);
	CHECK_EQ(get_fs, 0);
	CHECK_EQ(got_fs, (uint64_t)fake_tcb);
	CHECK_EQ(seen_fs, fake_tcb[0]);

	CHECK_EQ(raw_arch_prctl(ARCH_SET_GS, (unsigned long)gs_block), 0);
	__asm__ volatile("mov %%gs:0, %0" : "=r"(seen_gs));
	CHECK_EQ(raw_arch_prctl(ARCH_GET_GS, (unsigned long)&got_gs), 0);
	CHECK_EQ(got_gs, (uint64_t)gs_block);
	CHECK_EQ(seen_gs, gs_block[0]);
	CHECK_EQ(raw_arch_prctl(ARCH_SET_GS, 0), 0);
	CHECK_EQ(raw_arch_prctl(ARCH_GET_GS, (unsigned long)&got_gs), 0);
	CHECK_EQ(got_gs, 0);

	CHECK_EQ(raw_arch_prctl(ARCH_SET_FS, 0xffff800000000000UL), -EPERM);
	CHECK_EQ(raw_arch_prctl(ARCH_SET_GS, 0xffffffff80000000UL), -EPERM);
	CHECK_EQ(raw_arch_prctl(0x9999, (unsigned long)&got_fs), -EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		ut_note("bad pointer %p", p);
		CHECK_EQ(raw_arch_prctl(ARCH_GET_FS, (unsigned long)p), -EFAULT);
		CHECK_EQ(raw_arch_prctl(ARCH_GET_GS, (unsigned long)p), -EFAULT);
	}
	ut_note(NULL);
	/* a failed call changed nothing */
	CHECK_EQ(raw_arch_prctl(ARCH_GET_FS, (unsigned long)&got_fs), 0);
	CHECK_EQ(got_fs, fs);
}
