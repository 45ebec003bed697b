"""System tests of cosmfs on a virtio disk.

cosmfs_root: the build's disk.img (mkfs.cosmfs filled from the initramfs)
booted with root=vda is mounted read-write as /, and the file system the
boot left is clean for fsck.

cosmfs_root_programs: with no initramfs at all, init and busybox run from
the cosmfs root, and a program writes and reads back a file there.

cosmfs_usertests: the usertests' fs_ cases and mem_mmap_file run in a
directory of the cosmfs root (stat -f shows it is cosmfs); the procfs,
device and pipe cases among them touch cosmfs only for their directory;
then the power goes (init ends without
unmounting) and the host reads the file fs_mmap_shared_msync wrote only
through a mapping and msync'ed, and fsck -n finds the disk clean.

cosmfs_many_files: 100,000 files in one directory of a second cosmfs disk
(vdb, made with an inode per 4 KiB) created, listed, stat'ed and removed
by usertests' fs_many_files_one_dir, which prints the costs and checks
that a lookup missing in the full directory costs about what it does in
a near-empty one; fsck -n finds the disk clean after the unmount.

cosmfs_crash: power cuts replayed from QEMU's record of every write and
flush (blklogwrites) while a program, /bin/crashload (user/crashload),
writes, fsyncs, renames and removes files on the disk;
test/system/crash_replay.py checks each crash state with fsck and
against what the workload saw fsync and rename return.

cosmfs_shell_poweroff, cosmfs_shell_reboot, cosmfs_shell_halt: the boot
`make run` makes from disk.img (init, shells on tty1 and ttyS0); busybox's
poweroff, reboot or halt typed over serial at the serial shell's first
prompt (cosmfs_shell_poweroff first types issue 14's serial session there:
ls /bin | wc -l, ps, lspci, free, grep flags /proc/cpuinfo, dmesg | head,
cosinfo, and the shell-script test run from the disk): init
stops everything, syncs, remounts the root read-only (the kernel says it
marked it clean), and reboot(2) powers off through ACPI (QEMU exits 0),
resets (the second boot comes up and is powered off in turn) or halts. Afterwards the host
finds the clean bit set in the superblock and fsck -n finds nothing, and
the file written before the shutdown is on the disk."""

import re
import shutil
import subprocess
from pathlib import Path

from harness import Case, serial_type
from procfs_cases import PROMPT_S0
from shell_cases import PROMPT_TTY1, serial_checks, typed
from user_cases import PANIC_EXIT, with_initrd

import crash_replay

MIN_STATES = 1000
# files in directories nothing has looked in before the case's script runs
COLD_PATHS = ("/etc/inittab /etc/profile /usr/share/cosmos/tests/shell.sh /sbin/init "
              "/usr/bin/lspci /root").split()


class Disk:
    """An esp hook that puts a disk image in the case's directory: a copy of
    the build's disk.img, or a fresh cosmfs; the build is 3 up from the
    hook's root (BUILD/test-run/<case>/esp)."""

    def __init__(self, fresh=None):
        self.fresh = fresh
        self.dir = None

    def __call__(self, root):
        self.dir = root.parent
        build = root.parents[2]
        self.tools = build / "tools"
        disk = self.dir / "disk.img"
        disk.unlink(missing_ok=True)
        if self.fresh:
            subprocess.run([str(self.tools / "mkfs.cosmfs"), str(disk), self.fresh, "-L", "crashtest"],
                           check=True, stdout=subprocess.DEVNULL)
            shutil.copyfile(disk, self.dir / "base.img")
            (self.dir / "log.img").write_bytes(b"")
        else:
            shutil.copyfile(build / "disk.img", disk)


root_disk = Disk()


def check_root(log):
    r = subprocess.run([str(root_disk.tools / "fsck.cosmfs"), "-n", str(root_disk.dir / "disk.img")],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"fsck -n after the boot: status {r.returncode}: {r.stdout.strip()}")


programs_disk = Disk()

crash_disk = Disk(fresh="16M")


usertests_disk = Disk()
MSYNC_FILE = "/root/mmap-msync.dat"


def check_usertests(log):
    d = usertests_disk.dir
    r = subprocess.run([str(usertests_disk.tools / "cosmfs"), str(d / "disk.img"), "cat", MSYNC_FILE],
                       capture_output=True)
    want = bytes(ord("A") + i % 23 for i in range(8 * 4096))
    if r.returncode or r.stdout != want:
        raise AssertionError(f"{MSYNC_FILE} after the power cut: status {r.returncode}, "
                             f"{len(r.stdout)} bytes, {'right' if r.stdout == want else 'wrong'} content")
    r = subprocess.run([str(usertests_disk.tools / "fsck.cosmfs"), "-n", str(d / "disk.img")],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"fsck -n after the boot: status {r.returncode}: {r.stdout.strip()}")


class ManyDisk(Disk):
    """The root disk, and a fresh 512 MiB cosmfs with 130,048 inodes as many.img."""

    def __call__(self, root):
        super().__call__(root)
        many = self.dir / "many.img"
        many.unlink(missing_ok=True)
        subprocess.run([str(self.tools / "mkfs.cosmfs"), str(many), "512M", "-L", "many", "-i", "4096"],
                       check=True, stdout=subprocess.DEVNULL)


many_disk = ManyDisk()


def check_many(log):
    r = subprocess.run([str(many_disk.tools / "fsck.cosmfs"), "-n", str(many_disk.dir / "many.img")],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"fsck -n of many.img: status {r.returncode}: {r.stdout.strip()}")


CLEAN_LINE = r"cosmfs: vda remounted read-only, marked clean$"


def shutdown_checks(disk):
    """The superblock's clean bit (state, offset 52), fsck -n, and the file
    the shell wrote before the shutdown."""
    def check(log):
        img = disk.dir / "disk.img"
        with open(img, "rb") as f:
            f.seek(52)
            state = int.from_bytes(f.read(4), "little")
        assert state & 1, f"superblock state {state:#x} after the shutdown: not clean"
        r = subprocess.run([str(disk.tools / "fsck.cosmfs"), "-n", str(img)], capture_output=True, text=True)
        assert r.returncode == 0, f"fsck -n after the shutdown: status {r.returncode}: {r.stdout.strip()}"
        r = subprocess.run([str(disk.tools / "cosmfs"), str(img), "cat", "/root/before-shutdown"],
                           capture_output=True)
        assert r.returncode == 0 and r.stdout == b"written\n", \
            f"/root/before-shutdown: status {r.returncode}, {r.stdout!r}"
    return check


def shutdown_case(name, command, expect, steps=(), session=(), **kw):
    """A boot of disk.img where each (line, regex) of session is typed over
    serial (the first at the serial shell's first prompt, each next one once
    the one before printed its regex), then the shutdown command."""
    disk = Disk()
    typing, after = [], PROMPT_S0
    for line, regex in session:
        typing.append((after, serial_type(line + "\r")))
        after = regex
    # the shell sleeps until init ends it, so no new prompt shares a line
    # with init's
    typing.append((after, serial_type(f"echo written > /root/before-shutdown; {command[0]}; sleep 100\r")))
    return Case(name, cmdline=f"root=vda init=/sbin/init tty.bench shutdown={kw.pop('shutdown', 'poweroff')}",
                esp=disk, timeout=kw.pop("timeout", 150),
                expect=[PROMPT_S0] + [regex for _, regex in session] +
                       [r"^init: shutting down to " + command[1], r"^init: synced$", CLEAN_LINE] + expect,
                qmp=typing + list(steps),
                qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                           "-device", "virtio-blk-pci,drive=root"] + kw.pop("qemu_args", []),
                check=session_checks(disk) if session else shutdown_checks(disk), **kw)


# issue 14's commands typed over serial, each with a line of its output
# (the log before the step cannot match: each search starts after the last)
SERIAL_SESSION = [
    ("ls /bin | wc -l", r"^\s*\d{2,}$"),
    ("ps", r"^\s*1 root\s+(\d+:\d\d )?/sbin/init$"),
    ("lspci", r"^(0000:)?00:1f\.3 Class 0c05: 8086:2930"),
    ("free", r"^Mem:\s+\d+\s+\d+\s+\d+"),
    ("grep flags /proc/cpuinfo", r"^flags\s*:.*\bfpu\b.*\bsse2\b"),
    ("dmesg | head", r"^\[\s*0\.\d+\] trap: GDT, TSS"),
    ("cosinfo", r"^Block devices$"),
    # the shell-script test as it is on the disk (KTAP; status 0: all passed)
    ("sh /usr/share/cosmos/tests/shell.sh /root; echo script status $?", r"^script status 0$"),
]


def session_checks(disk):
    """The shutdown's checks, /bin's count, lspci's VGA card and virtio
    disk, and ps listing both shells."""
    shutdown = shutdown_checks(disk)

    def check(log):
        shutdown(log)
        serial_checks(log)
        for dev in (r"01\.0 Class 0300: 1234:1111", r"0\d\.0 Class 0100: 1af4:1001"):
            assert re.search(rf"^(0000:)?00:{dev}", log, re.M), f"lspci shows no {dev}"
        for tty in ("tty1", "ttyS0"):
            m = re.search(rf"^init: starting /bin/sh on {tty} \(pid (\d+)\)", log, re.M)
            assert m and re.search(rf"^\s*{m.group(1)} root\s+(\d+:\d\d )?-(/bin/)?sh$", log, re.M), \
                f"ps does not show the shell on {tty}"
    return check


def crash_esp(root):
    crash_disk(root)
    with_initrd(root)


def check_crash(log):
    d = crash_disk.dir
    notes = []
    states, failures, flushes = crash_replay.replay(str(d / "base.img"), str(d / "log.img"), log,
                                                    str(crash_disk.tools), between=1, out=notes.append)
    (d / "crash-report.txt").write_text(
        "\n".join(notes + [f"{states} crash states over {flushes} flushes, {failures} with problems"]) + "\n")
    if failures:
        raise AssertionError(f"{failures} of {states} crash states with problems, first: {notes[0]}")
    if states < MIN_STATES:
        raise AssertionError(f"only {states} crash states (at least {MIN_STATES} wanted)")


CASES = [
    Case("cosmfs_root", cmdline="root=vda",
         expect=[r"cosmfs: vda mounted read-write \('cosmos', \d+ blocks\)", r"vfs: cosmfs mounted as /$"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root"],
         esp=root_disk, check=check_root, exit_status=1),
    Case("cosmfs_root_programs",
         cmdline="root=vda init=\"/bin/busybox sh -c 'cat /etc/hostname; echo written > /root/new; "
                 "cat /root/new; ls -l /root/new; /bin/hello'\"",
         expect=[r"vfs: cosmfs mounted as /$", r"^cosmos$", r"^written$",
                 r"^-rw-r--r-- +1 root +root +8 .* /root/new$", r"^hello from ring 3$",
                 r"init: pid 1 exited with status 0$"],
         forbid=[r"KERNEL PANIC(?!: init ended)"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root"],
         esp=programs_disk, exit_status=7, timeout=90),
    # Two programs looking up the same names on a cold cosmfs at once: the
    # second walk must wait for the first one's lookup, not take its
    # half-made entry for a missing name (init's two shells failed so)
    Case("cosmfs_root_concurrent_lookups",
         cmdline="root=vda init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev; for p in " + " ".join(COLD_PATHS) +
                 "; do ls -d $p & ls -d $p & wait; done; echo lookups done'\"",
         expect=[r"vfs: cosmfs mounted as /$", r"^lookups done$", r"init: pid 1 exited with status 0$"],
         forbid=[r"KERNEL PANIC(?!: init ended)", r"No such file"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root"],
         esp=Disk(), exit_status=7, timeout=120),
    Case("cosmfs_usertests", esp=usertests_disk, ktap="usertests", timeout=300,
         cmdline="root=vda init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mount -t proc proc /proc && "
                 "mount -t sysfs sys /sys && mkdir -p /root/ut && "
                 "cd /root/ut && stat -f -c cases_on_%t . && MMAP_KEEP_DIR=/root exec /bin/usertests fs_ "
                 "mem_mmap_file'\"",
         expect=[r"^cases_on_4d534f43$", r"^# usertests: \d+ passed, \d+ failed"], exit_status=PANIC_EXIT,
         forbid=[r"KERNEL PANIC: (?!init ended)"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root"],
         check=check_usertests),
    Case("cosmfs_many_files", esp=many_disk, ktap="usertests", timeout=600,
         cmdline="root=vda init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mkdir -p /mnt && "
                 "mount -t cosmfs /dev/vdb /mnt && cd /mnt && MANY_FILES=100000 /bin/usertests -t 1200 "
                 "fs_many_files_one_dir; cd / && umount /mnt && echo many: unmounted'\"",
         expect=[r"^# usertests: \d+ passed, \d+ failed", r"^many: unmounted$"], exit_status=PANIC_EXIT,
         forbid=[r"KERNEL PANIC: (?!init ended)"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root",
                    "-drive", "if=none,id=many,format=raw,file={case_dir}/many.img",
                    "-device", "virtio-blk-pci,drive=many"],
         check=check_many),
    Case("cosmfs_crash", timeout=240,
         cmdline="init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mkdir /crash && "
                 "mount -t cosmfs /dev/vda /crash && exec /bin/crashload /crash'\"",
         expect=[r"cosmfs: vda mounted read-write \('crashtest'", r"crash: done$"],
         forbid=[r"KERNEL PANIC: (?!init ended)", r"crash: workload failed"],
         qemu_args=["-blockdev", "driver=file,filename={case_dir}/disk.img,node-name=f0",
                    "-blockdev", "driver=file,filename={case_dir}/log.img,node-name=f1",
                    "-blockdev", "driver=blklogwrites,file=f0,log=f1,node-name=lw",
                    "-device", "virtio-blk-pci,drive=lw"],
         esp=crash_esp, check=check_crash, exit_status=PANIC_EXIT),
    # busybox's poweroff, reboot and halt at the shell of a cosmfs root;
    # shutdown=poweroff: reboot(2) powers off through ACPI \_S5, and QEMU
    # exits with 0 only then (isa-debug-exit would give an odd status)
    shutdown_case("cosmfs_shell_poweroff", ("poweroff", "power off"),
                  [r"kernel: power off asked by pid 1 \(init\)"], session=SERIAL_SESSION,
                  forbid=[r"KERNEL PANIC", r"^not ok "], exit_status=0),
    # QEMU resets instead of exiting; the second boot is powered off in turn
    shutdown_case("cosmfs_shell_reboot", ("reboot", "reboot"),
                  [r"kernel: restart asked by pid 1 \(init\)", r"CosmOS \S+ booting",
                   r"cosmfs: vda mounted read-write", PROMPT_TTY1, r"^init: shutting down to power off",
                   CLEAN_LINE, r"kernel: power off asked by pid 1 \(init\)"],
                  steps=[(r"CosmOS \S+ booting", []), (PROMPT_TTY1, typed("poweroff\n"))],
                  qemu_args=["-action", "reboot=reset"], exit_status=0, timeout=240),
    # shutdown=halt: the kernel halts the CPU instead of leaving QEMU
    shutdown_case("cosmfs_shell_halt", ("halt", "halt"), [r"kernel: halt asked by pid 1 \(init\)"],
                  shutdown="halt"),
]
