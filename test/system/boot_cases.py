"""System tests of the boot chain: the loader starts the kernel, which reports
its memory and command line; the loader refuses broken kernels and bad
command-line files with a clear message and never jumps to them; the
initramfs reaches the kernel byte for byte, or is refused when too large."""

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


def cpio_newc(files):
    """A cpio "newc" archive of (name, mode, data) entries and its trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(files + [("TRAILER!!!", 0, b"")], 1):
        fields = [ino if data or mode else 0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                  len(name) + 1, 0]
        out += b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
    return h


# Three pages and a bit, so the last page is partly used.
INITRD = cpio_newc([("etc", 0o40755, b""),
                    ("etc/motd", 0o100644, b"CosmOS initramfs test\n"),
                    ("data.bin", 0o100600, bytes((i * 7 + 3) % 251 for i in range(12000)))])


def with_initrd(data):
    def hook(root):
        (root / "cosmos/initrd.cpio").write_bytes(data)
    return hook


CASES = [
    Case("boot_banner", expect=[r"^CosmOS loader", r"loader: no \\cosmos\\initrd\.cpio$",
                                r"loader: starting the kernel", r"boot: no initrd$",
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

# The initramfs: the kernel sees the file's bytes (their hash, printed by the
# ktest, against the file's), keeps its frames from the allocator until it is
# released, and gets exactly its pages back then; the frame accounting
# counts them as the kernel's. retain_initrd keeps the archive after the
# VFS unpacked it, so the ktest finds it there.
CASES.append(Case("boot_initrd_handoff",
                  cmdline="ktest=boot_initrd_handoff,pmm_accounting_matches_map retain_initrd",
                  exit_status=1,
                  esp=with_initrd(INITRD),
                  expect=[rf"loader: initrd {len(INITRD)} bytes$",
                          rf"boot: initrd {len(INITRD)} bytes$",
                          rf"# boot_initrd: {len(INITRD)} bytes, fnv1a64 {fnv1a64(INITRD):#x}$",
                          r"pmm: released 16 KiB of initrd memory",
                          r"^ok 1 boot_initrd_handoff", r"^ok 2 pmm_accounting_matches_map"]))
# An empty file is no initrd.
CASES.append(Case("loader_empty_initrd", esp=with_initrd(b""),
                  expect=[r"loader: \\cosmos\\initrd\.cpio is empty; starting without one",
                          r"boot: no initrd$", BANNER]))
# Over the size limit (lowered by loader.initrd_max, so the test needs no
# 512 MiB file): the loader says so and does not start the kernel.
CASES.append(Case("loader_initrd_too_large", cmdline="loader.initrd_max=4096",
                  esp=with_initrd(INITRD),
                  expect=[rf"loader: \\cosmos\\initrd\.cpio is {len(INITRD)} bytes, "
                          r"more than the limit of 4096 bytes",
                          r"loader: error: the initramfs cannot be loaded", LOADER_GAVE_UP],
                  forbid=NO_KERNEL))
