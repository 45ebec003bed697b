/* System information and control: uname, sethostname, setdomainname,
 * sysinfo, times, getrusage, umask, getrandom and reboot; the native
 * memstat. */
#include <cosmos/abi/memstat.h>
#include <cosmos/abi/misc.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/utsname.h>
#include <cosmos/errno.h>
#include <fs/fs_ctx.h>
#include <hal/power.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/proc/process.h>
#include <kernel/random.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <kernel/uts.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <sys/sys.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define TICK_NS (1000000000ull / ABI_CLK_TCK)

long sys_uname(uptr_t buf)
{
	struct utsname copy;

	uts_get(&copy);
	return copy_to_user(buf, &copy, sizeof(copy));
}

static long set_name(bool domain, uptr_t name, size_t len)
{
	char buf[UTS_LEN];

	if (cred_current()->euid != 0)
		return -EPERM;
	if (len >= UTS_LEN)
		return -EINVAL;
	if (copy_from_user(buf, name, len))
		return -EFAULT;
	return uts_name_set(domain, buf, len);
}

long sys_memstat(uptr_t out)
{
	struct cosmos_memstat m = { 0 };
	struct heap_stats hs;

	if (cred_current()->euid != 0)
		return -EPERM;
	/* threads that ended wait for a reaper (thread.c frees them at the
	 * next thread_create or when idle): freed first, so their structs and
	 * stacks do not count as held (the fuzzer's before and after swung
	 * by 4 threads, 8 objects and their stacks, from this alone) */
	thread_reap();
	m.free_frames = pmm_free_pages();
	heap_get_stats(&hs);
	m.heap_objects = hs.large_objects;
	for (int i = 0; i < HEAP_CLASSES; i++) {
		m.heap_objects += hs.cls[i].objects;
		m.idle_heap_frames += hs.cls[i].empty_slabs * hs.cls[i].slab_pages;
	}
	return copy_to_user(out, &m, sizeof(m));
}

long sys_sethostname(uptr_t name, size_t len) { return set_name(false, name, len); }
long sys_setdomainname(uptr_t name, size_t len) { return set_name(true, name, len); }

long sys_sysinfo(uptr_t info)
{
	struct sysinfo si;
	struct pmm_stats ps;

	pmm_get_stats(&ps);
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(time_ns() / 1000000000u);
	si.totalram = ps.usable_pages * 4096;
	si.freeram = ps.free_pages * 4096;
	si.procs = (uint16_t)(process_count() > 0xffff ? 0xffff : process_count());
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si));
}

long sys_times(uptr_t buf)
{
	struct process *p = process_current();
	struct tms t = { 0 };

	t.tms_utime = (int64_t)(process_cpu_ns(p) / TICK_NS);
	t.tms_cutime = (int64_t)(p->child_cpu_ns / TICK_NS);
	if (!uptr_is_null(buf) && copy_to_user(buf, &t, sizeof(t)))
		return -EFAULT;
	return (long)(time_ns() / TICK_NS);
}

long sys_getrusage(int who, uptr_t usage)
{
	struct process *p = process_current();
	struct proc_usage u;

	switch (who) {
	case RUSAGE_SELF:
		process_usage_self(p, &u);
		break;
	case RUSAGE_CHILDREN:
		process_usage_children(p, &u);
		break;
	case RUSAGE_THREAD:
		thread_usage(thread_current(), &u);
		break;
	default:
		return -EINVAL;
	}
	if (uptr_is_null(usage))
		return -EFAULT;
	return sys_put_rusage(usage, &u);
}

long sys_umask(unsigned int mask)
{
	return fs_ctx_set_umask(fs_ctx_current(), mask & 0777);
}

#define GETRANDOM_MAX 33554431u    /* Linux's cap for one call */

long sys_getrandom(uptr_t buf, size_t len, unsigned int flags)
{
	uint8_t chunk[256];
	size_t done = 0;

	if ((flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) ||
	    (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		size_t put;

		random_bytes(chunk, n);
		put = copy_to_user_part(uptr_add(buf, done), chunk, n);
		done += put;
		if (put < n)
			return done ? (long)done : -EFAULT;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}

long sys_reboot(unsigned int magic1, unsigned int magic2, unsigned int cmd, uptr_t arg)
{
	const char *end = cmdline_get(boot_cmdline(), "shutdown");
	struct process *p = process_current();

	(void)arg;
	if (cred_current()->euid != 0)
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2:
		log_info("kernel: restart asked by pid %d (%s)", p->pid, p->name);
		power_reset();
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		log_info("kernel: %s asked by pid %d (%s)",
			 cmd == LINUX_REBOOT_CMD_HALT ? "halt" : "power off", p->pid, p->name);
		/* shutdown=exit: leave QEMU with status 0, so a test ends cleanly */
		if (end && (end[0] == 0 || strcmp(end, "exit") == 0))
			power_qemu_exit(0);
		if (cmd == LINUX_REBOOT_CMD_HALT)
			power_halt();
		power_off();
	}
	return -EINVAL;
}
