"""The Linux ABI seen from a whole boot (issues 11 and 12): the default
/sbin/init without init=, systrace=all and systrace=PID, a program that
eats memory until it is killed while the kernel goes on, a dynamically
linked program's log line, /proc/meminfo and busybox free against the
kernel's own frame count, and lspci against the machine's PCI functions."""

import re

from harness import Case
from platform_cases import PCI_LINE, Q35_BASE
from user_cases import PANIC_EXIT, init_case, sh, with_initrd


def meminfo_agrees(log):
    """MemTotal is the pmm's usable memory from its boot line (the memory it
    reclaims later was counted there already); free's total is MemTotal."""
    usable = int(re.search(r"pmm: total \d+ KiB, usable (\d+) KiB", log).group(1))
    total = int(re.search(r"^MemTotal:\s+(\d+) kB", log, re.M).group(1))
    assert total == usable, f"MemTotal {total} kB, pmm says usable {usable} KiB"
    free = int(re.search(r"^Mem:\s+(\d+)\s", log, re.M).group(1))
    assert free == total, f"free's total {free}, MemTotal {total}"


def lspci_agrees(log):
    """lspci lists exactly the functions the kernel found, which are q35's."""
    kernel = sorted((m.group(2), m.group(3)[:4]) for m in PCI_LINE.finditer(log))
    listed = sorted((m.group(3), m.group(2)) for m in
                    re.finditer(r"^[0-9a-f]{4}:([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) Class ([0-9a-f]{4}): "
                                r"([0-9a-f]{4}:[0-9a-f]{4})", log, re.M))
    base = sorted((d, c[:4]) for d, c in Q35_BASE)
    assert kernel == base, f"kernel found {kernel}, q35 has {base}"
    assert listed == base, f"lspci listed {listed}, q35 has {base}"


CASES = [
    # no init= and an initramfs: the kernel starts /sbin/init, which stays
    Case("abi_default_init", esp=with_initrd, defaults=False, cmdline="panic=exit",
         expect=[r'init: started "/sbin/init" as pid 1$'],
         forbid=[r"KERNEL PANIC", r"kernel: nothing more to do"]),
    # every call of every process, arguments decoded, errors by name
    init_case("abi_systrace_all", sh("cat /no/such/file; /bin/hello; echo done"),
              [r"systrace: tracing all$",
               r'systrace: \d+ \(\S+\) openat\(AT_FDCWD, "/no/such/file", O_RDONLY[^)]*\) = -1 ENOENT$',
               r"systrace: \d+ \(hello\) write\(1, 0x[0-9a-f]+, 18\) = 18$",
               r"^done$", r"init: pid 1 exited with status 0$"],
              extra="systrace=all"),
    # only pid 1: its own calls, none of its child's
    init_case("abi_systrace_pid", sh("/bin/hello; cd /no/such/dir; echo done"),
              [r"systrace: tracing 1$",
               r'systrace: 1 \(busybox\) chdir\("/no/such/dir"\) = -1 ENOENT$',
               r"^done$", r"init: pid 1 exited with status 0$"],
              forbid=[r"systrace: (?!1 )\d+ \("], extra="systrace=1"),
    # a program that touches memory until none is left dies; the kernel
    # and its parent go on
    init_case("abi_out_of_memory", sh("/bin/crash eat-memory; echo status $?; echo after"),
              [r"out of memory", r"^status 137$", r"^after$", r"init: pid 1 exited with status 0$"],
              memory="96M", timeout=180),
    # the loader refuses a PT_INTERP program and says why
    init_case("abi_dynamic_elf_logged", "/bin/usertests exec_elf_pt_interp",
              [r"exec: \S+ is dynamically linked \(PT_INTERP\); only static programs run",
               r"^ok 1 exec_elf_pt_interp", r"init: pid 1 exited with status 0$"]),
    init_case("abi_meminfo_free", sh("mount -t proc proc /proc && cat /proc/meminfo && free"),
              [r"^MemTotal:\s+\d+ kB$", r"^Mem:\s+\d+", r"init: pid 1 exited with status 0$"],
              check=meminfo_agrees),
    init_case("abi_lspci", sh("mount -t sysfs sys /sys && lspci"),
              [r"^0000:00:1f\.3 Class 0c05: 8086:2930", r"init: pid 1 exited with status 0$"],
              check=lspci_agrees),
]
