"""Programs in ring 3 (issue 11): the first program from init=, musl's and
Debian busybox-static's programs printing on the console, faults ending a
program with one log line while the kernel goes on, fork and thread loops
that leak nothing, a fork bomb held by RLIMIT_NPROC, musl's clocks taken
from the vDSO, systrace=, the -ENOSYS log line, init's end and reboot(2)'s
power-off. Each boots with the
build's initramfs; pid 1 ending stops the kernel as panic=exit says (QEMU
status 7), which is how most of them end."""

import os
import re
import shutil
from pathlib import Path

from harness import Case

PANIC_EXIT = 7


def with_initrd(root):
    shutil.copyfile(Path(os.environ["COSMOS_BUILD"]) / "initrd.cpio", root / "cosmos/initrd.cpio")


def init_case(name, init, expect, forbid=(), extra="", **kw):
    """A boot whose first program is init (a command line), ending when pid 1
    ends (the last expect says how). Nothing may panic but init's end."""
    return Case(name, cmdline=f'init="{init}" {extra}'.strip(), esp=with_initrd,
                expect=list(expect),
                forbid=[r"KERNEL PANIC(?!: init ended)", r"ERROR (?!init:)"] + list(forbid),
                exit_status=PANIC_EXIT, **kw)


def sh(script):
    return f"/bin/busybox sh -c '{script}'"


def crash(kind):
    return f"/bin/crash {kind}; echo status $?"


def once(pattern):
    def check(log):
        n = len(re.findall(pattern, log, re.M))
        assert n == 1, f"{pattern!r} appears {n} times, not once"
    return check


CASES = [
    init_case("user_hello", "/bin/hello",
              [r"init: started \"/bin/hello\" as pid 1$", r"^hello from ring 3$",
               r"init: pid 1 exited with status 0$"]),
    init_case("user_busybox_echo", "/bin/busybox echo hi",
              [r"^hi$", r"init: pid 1 exited with status 0$"]),
    init_case("user_busybox_sh_arithmetic", sh("a=$((6*7)); echo $a"),
              [r"^42$", r"init: pid 1 exited with status 0$"]),
    init_case("user_faults_end_programs",
              sh("; ".join(crash(k) for k in ("kernel-write", "null-jump", "exec-stack", "div0", "ud2")) +
                 "; /bin/hello"),
              [r"proc: pid \d+ \(crash\) killed by SIGSEGV \(SEGV_MAPERR\) at rip 0x[0-9a-f]+, "
               r"address 0xffffffff80000000$", r"^status 139$",
               r"proc: pid \d+ \(crash\) killed by SIGSEGV \(SEGV_MAPERR\) at rip 0, address 0$",
               r"^status 139$",
               r"proc: pid \d+ \(crash\) killed by SIGSEGV \(SEGV_ACCERR\) at rip (0x7f[0-9a-f]+), "
               r"address \1$", r"^status 139$",
               r"proc: pid \d+ \(crash\) killed by SIGFPE \(FPE_INTDIV\)", r"^status 136$",
               r"proc: pid \d+ \(crash\) killed by SIGILL \(ILL_ILLOPN\)", r"^status 132$",
               r"^hello from ring 3$", r"init: pid 1 exited with status 0$"], timeout=90),
    # A forged rt_sigreturn frame (the kernel's CS, IOPL 3) ends only that
    # program; the shell and the next program go on.
    init_case("user_forged_sigreturn",
              sh(crash("forged-sigreturn") + "; /bin/hello"),
              [r"proc: pid \d+ \(crash\) killed by SIGSEGV \(forged signal frame\)", r"^status 139$",
               r"^hello from ring 3$", r"init: pid 1 exited with status 0$"]),
    # 100 fork+exit+wait, 1,000 thread create+join and 100 fork+exec of
    # /bin/exit0 and 100 of /proc/self/exe (as BusyBox runs an applet; its
    # /proc/<pid> names once stayed cached: 2 dentries and 2 inodes each)
    # (heap debug checks off: the CPUs' magazines in use), each run twice: the
    # second run leaves free frames and heap objects as it found them
    # (the kernel's counts from the native memstat call, read by spawn)
    init_case("user_fork_threads_no_leak",
              sh("/bin/spawn leakcheck fork 100 && /bin/spawn leakcheck threads 1000"
                 " && /bin/spawn leakcheck exec 100 && mount -t proc proc /proc"
                 " && /bin/spawn leakcheck selfexec 100"),
              [r"^spawn: fork 100: free frames \+0, heap objects \+0$", r"^spawn: leakcheck ok$",
               r"^spawn: threads 1000: free frames \+0, heap objects \+0$", r"^spawn: leakcheck ok$",
               r"^spawn: exec 100: free frames \+0, heap objects \+0$", r"^spawn: leakcheck ok$",
               r"^spawn: selfexec 100: free frames \+0, heap objects \+0$", r"^spawn: leakcheck ok$",
               r"init: pid 1 exited with status 0$"], timeout=180),
    # a fork bomb as uid 1000 under RLIMIT_NPROC 40: forks until EAGAIN
    # (how many it made in all depends on how soon its first leaves exit
    # and free their places); root forks while it holds, and afterwards
    # programs run as before
    init_case("user_forkbomb_contained",
              sh("/bin/spawn forkbomb 40 && /bin/spawn fork 10 && /bin/hello"),
              [r"^spawn: root forked while the bomb held its limit$",
               r"^spawn: forkbomb: \d+ processes, then fork failed with Resource temporarily unavailable$",
               r"^spawn: forkbomb ok$", r"^spawn: fork ok$", r"^hello from ring 3$",
               r"init: pid 1 exited with status 0$"], timeout=120),
    init_case("user_systrace", "/bin/hello",
              [r"systrace: tracing hello$",
               r"systrace: 1 \(hello\) write\(1, 0x[0-9a-f]+, 18\) = 18$",
               r"systrace: 1 \(hello\) exit_group\(0\) = \?$",
               r"init: pid 1 exited with status 0$"], extra="systrace=hello"),
    # musl finds the vDSO and takes the clocks from it: no system call for
    # them, while the CPU-time clock (not in the vDSO) still makes one
    init_case("user_vdso_clocks_without_syscalls", "/bin/spawn clock",
              [r"systrace: tracing spawn$",
               r"systrace: 1 \(spawn\) clock_gettime\(2, 0x[0-9a-f]+\) = 0$",
               r"^spawn: clock ok$", r"init: pid 1 exited with status 0$"],
              forbid=[r"systrace: \d+ \(spawn\) (clock_gettime\([01],|gettimeofday\(|time\()"],
              extra="systrace=spawn"),
    init_case("user_enosys_logged_once", "/bin/spawn nosys",
              [r"sys: pid 1 \(spawn\) called unimplemented syscall 444 \(landlock_create_ruleset\)$",
               r"sys: pid 1 \(spawn\) called unimplemented syscall 600 \(unknown\)$",
               r"^spawn: nosys ok$", r"init: pid 1 exited with status 0$"],
              check=lambda log: (once(r"unimplemented syscall 444 ")(log),
                                 once(r"unimplemented syscall 600 ")(log))),
    Case("user_init_missing", cmdline="init=/bin/no-such-init", esp=with_initrd,
         expect=[r"proc: cannot run /bin/no-such-init: error -2$",
                 r"init: pid 1 exited with status 127$", r"KERNEL PANIC: init ended"],
         forbid=[], exit_status=PANIC_EXIT),
    # busybox's view of the file systems: mount, /proc/mounts, ls -l /dev, df
    init_case("user_busybox_mounts",
              sh("mount -t proc proc /proc && mount -t devtmpfs dev /dev && cat /proc/mounts && "
                 "ls -l /dev && df && stat -f / && echo status $?"),
              [r"^rootfs / tmpfs rw\S* 0 0$", r"^proc /proc proc rw\S* 0 0$",
               r"^dev /dev devtmpfs rw\S* 0 0$",
               r"^crw-rw-rw-\s+1 root\s+root\s+1,\s+3 .* null$",
               r"^lrwxrwxrwx\s+1 root\s+root\s+\d+ .* stdin -> /proc/self/fd/0$",
               r"^crw-rw-rw-\s+1 root\s+root\s+1,\s+5 .* zero$",
               # busybox's df skips "rootfs", as for Linux's initramfs root
               r"^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use% Mounted on$",
               r"^dev\s+\d+\s+0\s+\d+\s+0% /dev$",
               r"^\s+ID: [0-9a-f]+\s+Namelen: 255\s+Type: tmpfs$",
               r"^status 0$", r"init: pid 1 exited with status 0$"]),
    # usertests inside CosmOS: the cases user/tests/issue11.select names,
    # each a result of its own (usertests/<case>); pid 1 is usertests
    # itself, in the root directory, where each case makes its own. As
    # on Linux, init mounts /dev, /proc and /sys first.
    Case("usertests", esp=with_initrd, ktap="usertests", timeout=420,
         cmdline="init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mount -t proc proc /proc && "
                 "mount -t sysfs sys /sys && exec /bin/usertests $(grep -v ^# /etc/usertests.select)'\"",
         expect=[r"^# usertests: \d+ passed, \d+ failed"], exit_status=PANIC_EXIT,
         forbid=[r"KERNEL PANIC: (?!init ended)"]),
    Case("user_poweroff_leaves_qemu", cmdline='init="/bin/busybox poweroff -f"', esp=with_initrd,
         expect=[r"kernel: power off asked by pid 1 \(busybox\)$"], exit_status=1),
    # issue 15's million calls through one channel (too long for the
    # usertests run): none lost or reordered, kernel heap and frames back
    Case("ipc_scale", esp=with_initrd, ktap="usertests", timeout=1500,
         cmdline="init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mount -t proc proc /proc && "
                 "exec /bin/usertests ipc_pingpong_1000000'\"",
         expect=[r"^# usertests: 1 passed, 0 failed"], exit_status=PANIC_EXIT,
         forbid=[r"KERNEL PANIC: (?!init ended)"]),
    # BusyBox ps reads rss and tty_nr from /proc/N/stat: ps in a session
    # whose controlling terminal is ttyS0 shows a resident size and 4,64
    # (BusyBox prints major,minor, as on Linux); init has no terminal: ?
    init_case("proc_busybox_ps_rss_tty",
              "/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mount -t proc proc /proc && "
              "setsid -c ps -o pid,rss,tty,comm </dev/ttyS0 >/dev/ttyS0 2>&1; echo ps-done'",
              [r"^PID\s+RSS\s+TT\s+COMMAND$", r"^\s+1\s+[1-9]\d*\s+\?\s+busybox$",
               r"^\s+\d+\s+[1-9]\d*\s+4,64\s+ps$", r"^ps-done$", r"init: pid 1 exited with status 0$"]),
    # issue 15: BusyBox's syslogd and logger over /dev/log (an AF_UNIX
    # datagram socket bound in the file system): the logged line arrives
    Case("unix_syslogd_logger", esp=with_initrd, timeout=180,
         cmdline="init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev; syslogd -n -O /tmp/log & "
                 "n=0; while [ ! -S /dev/log ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done; "
                 "logger -t cosmos hello-from-logger; "
                 "n=0; while ! grep -q hello-from-logger /tmp/log && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done; "
                 "echo log: $(cat /tmp/log)'\"",
         expect=[r"^log: .*cosmos(\[\d+\])?: hello-from-logger"], exit_status=PANIC_EXIT,
         forbid=[r"KERNEL PANIC: (?!init ended)"]),
]
