/* kmain: the kernel's first C code. It brings the machine up in dependency
 * order: a console to report on, checked boot data, CPU tables, then the
 * subsystems; finally it runs what the command line asks for. */
#include <cosmos/boot_info.h>
#include <drivers/pci.h>
#include <drivers/console.h>
#include <fs/devfs.h>
#include <fs/initramfs.h>
#include <fs/pipe.h>
#include <fs/procfs.h>
#include <fs/sysfs.h>
#include <fs/vfs.h>
#include <hal/cpu.h>
#include <hal/platform.h>
#include <hal/power.h>
#include <hal/tsc.h>
#include <kernel/audit.h>
#include <kernel/boot.h>
#include <kernel/blk.h>
#include <kernel/console_setup.h>
#include <fs/tty_drivers.h>
#include <kernel/crash.h>
#include <kernel/hwreport.h>
#include <kernel/interrupts.h>
#include <kernel/ipc/unix.h>
#include <kernel/kbench.h>
#include <kernel/prof.h>
#include <kernel/ktest.h>
#include <kernel/exec/vdso.h>
#include <kernel/log.h>
#include <kernel/mm/mm.h>
#include <kernel/panic.h>
#include <kernel/proc/initproc.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/time.h>
#include <kernel/version.h>
#include <kernel/exception.h>
#include <kernel/failinject.h>
#include <lib/string.h>
#include <sys/sys.h>

void kmain(struct boot_info *bi);

extern uintptr_t __stack_chk_guard;

/* The canary must not be a constant: hal's best early entropy. */
static void seed_stack_guard(void)
{
	__stack_chk_guard = cpu_random_seed() & ~0xffULL; /* a zero byte stops string overflows */
}

/* sleep=MS: the system tests compare this sleep with their own clock. */
static void sleep_from_cmdline(void)
{
	unsigned long long ms;
	uint64_t t0;

	if (!cmdline_has(boot_cmdline(), "sleep"))
		return;
	if (cmdline_get_u64(boot_cmdline(), "sleep", &ms) != 0 || ms > 600000) {
		log_warn("time: sleep= takes milliseconds up to 600000");
		return;
	}
	log_info("time: sleeping %llu ms", ms);
	t0 = time_ns();
	if (thread_sleep_until(t0 + ms * 1000000ULL) != 0)
		log_warn("time: this thread may not sleep here");
	log_info("time: slept %llu ns", (unsigned long long)(time_ns() - t0));
}

/* The end of boot: run tests if asked; then the first program when init=
 * names one, or /sbin/init when an initramfs came and nothing else was
 * asked for (no tests, no shutdown=); else power off if asked, or idle. */
static void __attribute__((noreturn)) finish(bool have_root)
{
	struct cmdline *cl = boot_cmdline();
	const char *tests = cmdline_get(cl, "ktest");
	const char *benches = cmdline_get(cl, "kbench");
	const char *end = cmdline_get(cl, "shutdown");
	const char *init = cmdline_get(cl, "init");
	int failed = 0;
	bool started = false;

	crash_from_cmdline();   /* crash=: deliberate faults for system tests */
	sleep_from_cmdline();
	boot_report_unknown_options();
	if (tests)
		failed = (audit_boot() != 0) + ktest_run(tests);
	if (benches)
		kbench_run(benches);
	/* From here the machine is init's; shutdown= says what its power-off
	 * does (reboot(2)). */
	boot_initrd_release();
	if ((init || (have_root && !tests && !benches && !end)) &&
	    initproc_start(init && *init ? init : INITPROC_DEFAULT) == 0) {
		end = 0;
		started = true;
	}
	else if (end && end[0] == 0)
		end = "exit";
	if (end && !tests)
		log_info("kernel: shutdown=%s", end);
	if (end && strcmp(end, "exit") == 0)
		power_qemu_exit(failed ? 1 : 0);
	else if (end && strcmp(end, "poweroff") == 0)
		power_off();
	else if (end && strcmp(end, "reboot") == 0)
		power_reset();
	else if (end && strcmp(end, "halt") != 0)
		log_warn("kernel: unknown shutdown=%s (exit, poweroff, reboot, halt)", end);
	/* Boot is done; the machine stays up for the threads that run (input,
	 * drivers, programs). This thread just never wakes again. */
	if (!started)
		log_info("kernel: nothing more to do; halting");
	if (sched_active()) {
		struct waitq forever;

		waitq_init(&forever);
		waitq_wait_event(&forever, false, 0);
	}
	power_halt();
}

void kmain(struct boot_info *bi)
{
	uint64_t banner_ns;
	bool have_root;
	size_t initrd_len;

	tsc_early_init();
	seed_stack_guard();
	console_early_init();   /* serial first; screens join in console_setup */
	kmsg_init();            /* /dev/kmsg keeps the log from here on */
	exception_init();
	if (boot_info_accept(bi) != 0)
		panic("boot_info from the loader is unusable");
	panic_configure(cmdline_get(boot_cmdline(), "panic"));
	tsc_calibrate();

	banner_ns = time_ns();   /* since kernel entry */
	log_info(COSMOS_SYSNAME " %s booting; command line \"%s\"", COSMOS_VERSION, boot_info()->cmdline);
	if (boot_info()->exit_boot_tries > 1)
		log_info("boot: ExitBootServices succeeded on try %u", boot_info()->exit_boot_tries);
	log_info("boot: loader to kernel %llu us, kernel entry to banner %llu us (TSC %llu MHz)",
		 (unsigned long long)(tsc_to_ns(tsc_at_entry() - boot_info()->loader_tsc) / 1000),
		 (unsigned long long)(banner_ns / 1000),
		 (unsigned long long)(tsc_hz() / 1000000));
	failinject_init();      /* failslab=, failpage=: before the first allocation */
	mm_init();
	platform_init(boot_info()->acpi_rsdp_phys, boot_phys_map);
	hwreport_cpu();
	hwreport_memory();
	pci_init();
	console_setup();
	interrupts_init();
	sched_init();           /* kmain becomes the first thread */
	process_init();
	vdso_init();            /* after platform_init's final clock calibration */
	sys_init();             /* the system-call gate */
	prof_start_from_cmdline();
	sched_start_cpus();     /* the other CPUs, each with its own tables */
	input_setup();          /* PS/2 needs interrupts on */
	tty_init();             /* tty1 and ttyS0: consoles, input, threads */
	blk_init();             /* virtio disks, partitions: needs interrupts and timers */
	blk_test_from_cmdline();
	have_root = boot_initrd(&initrd_len) != NULL;
	/* tmpfs as /, the initramfs unpacked into it; or root=DEV's cosmfs */
	if (vfs_init())
		have_root = true;
	pipe_init();            /* FIFOs */
	unix_init();            /* AF_UNIX sockets */
	devfs_init();           /* device numbers and /dev's names: after blk_init */
	procfs_init();
	sysfs_init();
	/* subsystem init calls go here, in dependency order */
	finish(have_root);
}
