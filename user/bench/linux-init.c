/* linux-init: PID 1 of the Linux peer boot (scripts/linux-bench.sh), which
 * runs CosmOS's own /bin/bench under Debian's Linux kernel in CosmOS's QEMU.
 * Built with musl-gcc -static on the host; never part of CosmOS's initramfs.
 *
 * It mounts /dev, /proc and a tmpfs on /tmp, prints the kernel log lines
 * about the initramfs unpack (populate_rootfs, with initcall_debug), loads
 * the modules named in /lib/modules/order (virtio and ext4: Debian builds
 * them as modules), waits for /dev/vda, then runs
 *   1. /bin/bench -d /tmp                              (section "tmpfs")
 *   2. /bin/bench -d /mnt with the ext4 disk on /mnt   (section "ext4")
 *   3. /bin/bench -d /tmp -m /dev/vda:ext4 mount_ cold_ (section "ext4")
 * Each section starts with a "PEER-SECTION name" line; the host script
 * renames the BENCH lines after it. Last line: "PEER-DONE failed=N", then
 * it syncs and powers off (PID 1 must never exit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failed;

static void fail(const char *what)
{
	printf("PEER-ERROR %s: %s\n", what, strerror(errno));
	fflush(stdout);
	failed++;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The kernel log lines naming populate_rootfs (printed at KERN_DEBUG, so
 * "quiet" keeps them off the console). */
static void print_unpack_lines(void)
{
	static char log[4 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof log - 1);

	if (n < 0) {
		fail("klogctl");
		return;
	}
	log[n] = 0;
	for (char *l = strtok(log, "\n"); l; l = strtok(NULL, "\n"))
		if (strstr(l, "populate_rootfs") || strstr(l, "initramfs"))
			printf("KLOG %s\n", l);
}

static void load_modules(void)
{
	static char list[8192];
	int fd = open("/lib/modules/order", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, list, sizeof list - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		fail("/lib/modules/order");
		return;
	}
	list[n] = 0;
	for (char *name = strtok(list, "\n"); name; name = strtok(NULL, "\n")) {
		char path[256];

		snprintf(path, sizeof path, "/lib/modules/%s", name);
		int m = open(path, O_RDONLY | O_CLOEXEC);
		if (m < 0 || (syscall(SYS_finit_module, m, "", 0) < 0 && errno != EEXIST))
			fail(path);
		if (m >= 0)
			close(m);
	}
}

static void run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
		printf("PEER-ERROR %s %s: status %#x\n", argv[0], argv[1], pid < 0 ? -1 : status);
		failed++;
	}
	fflush(stdout);
}

static void section(const char *name)
{
	printf("PEER-SECTION %s\n", name);
	fflush(stdout);
}

int main(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) == 0) {
		int fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	mkdir("/proc", 0555);
	mkdir("/tmp", 01777);
	mkdir("/mnt", 0755);
	if (mount("proc", "/proc", "proc", 0, NULL) || mount("tmpfs", "/tmp", "tmpfs", 0, NULL))
		fail("mount /proc or /tmp");
	printf("PEER-INIT\n");
	print_unpack_lines();
	load_modules();

	/* virtio-blk adds the disk from its probe, after finit_module returns */
	struct stat st;
	double t0 = now_ms();
	while (stat("/dev/vda", &st) != 0 && now_ms() - t0 < 10000)
		usleep(10000);

	section("tmpfs");
	run((char *const[]){ "/bin/bench", "-d", "/tmp", "-e", "/bin/exit0", NULL });
	section("ext4");
	if (mount("/dev/vda", "/mnt", "ext4", 0, NULL) != 0) {
		fail("mount /dev/vda on /mnt");
	} else {
		run((char *const[]){ "/bin/bench", "-d", "/mnt", "-e", "/bin/exit0", NULL });
		if (umount("/mnt") != 0)
			fail("umount /mnt");
		run((char *const[]){ "/bin/bench", "-d", "/tmp", "-m", "/dev/vda:ext4",
				     "mount_", "cold_", NULL });
	}
	printf("PEER-DONE failed=%d\n", failed);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
