"""System tests of the boot chain: the loader starts the kernel, which reports
its memory and command line; the loader refuses broken kernels and bad
command-line files with a clear message and never jumps to them."""

import re

from harness import Case

BANNER = r"CosmOS \S+ booting"
MEM = r"pmm: total \d+ KiB, usable \d+ KiB, reserved \d+ KiB"
# What must never follow a refused kernel.
NO_KERNEL = [r"KERNEL PANIC", BANNER, r"loader: starting the kernel"]
LOADER_GAVE_UP = r"loader: not starting the kernel; returning to the firmware"


def usable_between(lo, hi):
    """A check: the usable memory the kernel reports lies in [lo, hi] MiB."""
    def check(log):
        m = re.search(r"pmm: total (\d+) KiB, usable (\d+) KiB", log)
        assert m, "no memory summary line"
        ram, usable = int(m.group(1)) // 1024, int(m.group(2)) // 1024
        assert lo <= usable <= hi, f"{usable} MiB usable, expected {lo}..{hi}"
        assert usable <= ram, f"{usable} MiB usable but only {ram} MiB RAM"
    return check


def truncate_kernel(size):
    def hook(root):
        kernel = root / "cosmos/kernel.elf"
        kernel.write_bytes(kernel.read_bytes()[:size])
    return hook


def bad_magic(root):
    kernel = root / "cosmos/kernel.elf"
    data = bytearray(kernel.read_bytes())
    data[1:4] = b"ELV"
    kernel.write_bytes(bytes(data))


def no_kernel(root):
    (root / "cosmos/kernel.elf").unlink()


def binary_cmdline(root):
    (root / "cosmos/cmdline.txt").write_bytes(b"ktest=all \x01\x02\xff bogus\n")


CASES = [
    Case("boot_banner", expect=[r"^CosmOS loader", r"loader: starting the kernel",
                                BANNER, MEM],
         memory="512M", check=usable_between(400, 512)),
    # The same kernel must see the larger machine (catches a hard-wired map).
    Case("boot_banner_1g", expect=[BANNER, MEM], memory="1G",
         check=usable_between(900, 1024)),
    # shutdown=exit (added by the runner) ends the run through isa-debug-exit.
    Case("boot_unknown_option", cmdline="frobnicate=7 quiet_please",
         expect=[BANNER, r'cmdline: unknown option "frobnicate"',
                 r'cmdline: unknown option "quiet_please"', r"kernel: shutdown=exit"],
         exit_status=1),
    Case("loader_truncated_kernel", esp=truncate_kernel(4096),
         expect=[r"loader: \\cosmos\\kernel\.elf \(4096 bytes\) is not a valid kernel: "
                 r"segment data lies outside the file", LOADER_GAVE_UP],
         forbid=NO_KERNEL),
    Case("loader_tiny_kernel", esp=truncate_kernel(40),
         expect=[r"loader: \\cosmos\\kernel\.elf \(40 bytes\) is not a valid kernel: "
                 r"file is truncated", LOADER_GAVE_UP],
         forbid=NO_KERNEL),
    Case("loader_bad_magic", esp=bad_magic,
         expect=[r"loader: \\cosmos\\kernel\.elf \(\d+ bytes\) is not a valid kernel: bad ELF magic",
                 LOADER_GAVE_UP],
         forbid=NO_KERNEL),
    Case("loader_no_kernel", esp=no_kernel,
         expect=[r"loader: cannot read \\cosmos\\kernel\.elf: ", LOADER_GAVE_UP],
         forbid=NO_KERNEL),
    # The loader drops a cmdline.txt that is not text; the kernel then boots
    # with an empty command line (so ktest= in the file did not get through).
    Case("loader_binary_cmdline", esp=binary_cmdline,
         expect=[r"loader: warning: \\cosmos\\cmdline\.txt is not printable text; ignored",
                 r'loader: command line ""', BANNER + r'; command line ""', MEM,
                 r"kernel: nothing more to do; halting"],
         forbid=[r"KERNEL PANIC", r"KTAP"]),
]

# The loader's ExitBootServices retry on a stale map key, forced by making
# the map change between GetMemoryMap and ExitBootServices.
CASES.append(Case("loader_exit_boot_services_retry", cmdline="loader.ebs_retry",
                  expect=[BANNER, r"boot: ExitBootServices succeeded on try 2"],
                  forbid=[r"KERNEL PANIC", r"unknown option \"loader\."]))
