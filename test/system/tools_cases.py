"""System tests of what issues 13 and 14 list that no other case tried.

user_hardware_tools: busybox sh as pid 1 runs the serial-terminal checks of
issue 14 (ls /bin | wc -l, lspci, free, grep flags /proc/cpuinfo,
dmesg, cosinfo) and each one's output is matched: lspci lists
QEMU's q35 devices (the VGA card and the SMBus controller), cosinfo its
sections.

cosmfs_root_readonly: `root=vda ro` mounts the cosmfs root read-only; a
write there fails with EROFS, and the disk is left as it was (fsck -n
clean, the file not there)."""

import subprocess

from cosmfs_cases import Disk
from harness import Case
from user_cases import PANIC_EXIT, with_initrd

AFTER_INIT = [r"KERNEL PANIC(?!: init ended)"]

MOUNTS = "mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev"
TOOLS = ("ls /bin | wc -l; lspci; free; grep -m 1 flags /proc/cpuinfo; dmesg | grep -m 1 booting; "
         "cosinfo; echo tools done")

ro_disk = Disk()


def untouched(log):
    img = ro_disk.dir / "disk.img"
    r = subprocess.run([str(ro_disk.tools / "fsck.cosmfs"), "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, f"fsck -n after a read-only boot: status {r.returncode}: {r.stdout.strip()}"
    r = subprocess.run([str(ro_disk.tools / "cosmfs"), str(img), "cat", "/root/ro-test"], capture_output=True)
    assert r.returncode != 0, "/root/ro-test was written to a read-only root"


CASES = [
    Case("user_hardware_tools", esp=with_initrd, timeout=120,
         cmdline=f"init=\"/bin/busybox sh -c '{MOUNTS} && {TOOLS}'\"",
         expect=[r"^\s*\d{2,}$",
                 r"^(0000:)?00:01\.0 Class 0300: 1234:1111", r"^(0000:)?00:1f\.3 Class 0c05: 8086:2930",
                 r"^\s+total\s+used\s+free", r"^Mem:\s+\d+\s+\d+\s+\d+",
                 r"^flags\s*:.*\bfpu\b.*\bsse2\b", r"^\[\s*\d+\.\d+\] CosmOS \S+ booting",
                 r"^cosinfo$", r"^Kernel$", r"^  system\s+CosmOS ", r"^CPU$", r"^Memory$", r"^PCI devices$",
                 # the SATA controller's AHCI registers: a BAR sized on first use, by this read
                 r"^    BAR5\s+mem 0x[0-9a-f]+-0x[0-9a-f]*fff \(",
                 r"^Block devices$", r"^tools done$", r"init: pid 1 exited with status 0$"],
         forbid=AFTER_INIT, exit_status=PANIC_EXIT),
    Case("cosmfs_root_readonly", esp=ro_disk, timeout=120,
         cmdline="root=vda ro init=\"/bin/busybox sh -c 'echo x > /root/ro-test; echo status $?'\"",
         expect=[r"cosmfs: vda mounted read-only \('cosmos', \d+ blocks\)", r"Read-only file system",
                 r"^status [1-9]", r"init: pid 1 exited with status 0$"],
         qemu_args=["-drive", "if=none,id=root,format=raw,file={case_dir}/disk.img",
                    "-device", "virtio-blk-pci,drive=root"],
         forbid=AFTER_INIT, check=untouched, exit_status=PANIC_EXIT),
]
