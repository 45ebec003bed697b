#!/usr/bin/env python3
"""The host test of cosinfo (`make cosinfo-host`): runs it on this Linux
host, checking it against what the kernel's files say (lspci against the
uevent files busybox's lspci reads), and on made-up /proc and /sys trees
(-r) with the cases a real machine rarely shows: capability lists that
loop or point outside the config space, a config space cut at 64 bytes,
a firmware map entry whose end is before its start, missing files.
Prints KTAP.

usage: test-host.py COSINFO WORKDIR
"""

import os
import re
import shutil
import struct
import subprocess
import sys

COSINFO, WORK = sys.argv[1], sys.argv[2]
results = []


def case(name):
    def wrap(fn):
        results.append((name, fn))
        return fn
    return wrap


def run(*args, root=None):
    cmd = [COSINFO] + (["-r", root] if root else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def has(out, regex):
    expect(re.search(regex, out, re.M), f"no line matching {regex!r}")


def write(root, path, data):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def fixture(name):
    root = os.path.join(WORK, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root


def pci_device(root, slot, config, vendor=0x1af4, device=0x1042, cls=0x010000, resource=""):
    d = f"/sys/bus/pci/devices/{slot}"
    write(root, d + "/vendor", f"{vendor:#06x}\n")
    write(root, d + "/device", f"{device:#06x}\n")
    write(root, d + "/class", f"{cls:#08x}\n")
    write(root, d + "/config", config)
    write(root, d + "/resource", resource or "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 7)


def config_space(size, caps_ptr=0, patches=()):
    """A type-0 header; with caps_ptr the status says there is a list."""
    c = bytearray(size)
    struct.pack_into("<HH", c, 0, 0x1af4, 0x1042)
    if caps_ptr:
        struct.pack_into("<H", c, 0x06, 0x0010)
        c[0x34] = caps_ptr
    for off, data in patches:
        c[off:off + len(data)] = data
    return bytes(c)


# --- on this host ------------------------------------------------------

@case("cosinfo_host_all_sections")
def _():
    rc, out, err = run()
    expect(rc == 0, f"exit status {rc}: {err}")
    for title in ("Kernel", "CPU", "Memory", "PCI devices", "Block devices"):
        has(out, f"^{title}$")
    for f in ("/proc/cpuinfo", "/proc/meminfo", "/proc/uptime", "/proc/version"):
        expect(f"missing: {f}" not in out, f"says {f} is missing")
    has(out, r"^  system        Linux ")
    has(out, r"^  processors    \d+")
    has(out, r"^  in use        ")


@case("cosinfo_host_pci_devices_match_sysfs")
def _():
    rc, out, _ = run("pci")
    devs = sorted(os.listdir("/sys/bus/pci/devices"))
    shown = re.findall(r"^  (\S+)  [0-9a-f]{4}:[0-9a-f]{4}  ", out, re.M)
    expect(shown == devs, f"shown {shown}, sysfs has {devs}")


@case("lspci_matches_uevent")
def _():
    # busybox's lspci prints each device's uevent: slot, class >> 8, ids.
    want = []
    for dev in sorted(os.listdir("/sys/bus/pci/devices")):
        ev = dict(line.split("=", 1) for line in
                  open(f"/sys/bus/pci/devices/{dev}/uevent").read().split("\n") if "=" in line)
        vid, did = ev["PCI_ID"].lower().split(":")
        want.append(f"{ev['PCI_SLOT_NAME']} Class {int(ev['PCI_CLASS'], 16) >> 8:04x}: {vid}:{did}")
    link = os.path.join(WORK, "lspci")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(COSINFO, link)
    p = subprocess.run([link], capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, f"exit status {p.returncode}")
    expect(p.stdout.splitlines() == want, f"got {p.stdout.splitlines()}, want {want}")


@case("cosinfo_host_memmap_matches_sysfs")
def _():
    rc, out, _ = run("memory")
    d = "/sys/firmware/memmap"
    want = []
    for i in sorted(os.listdir(d), key=int):
        s = int(open(f"{d}/{i}/start").read(), 16)
        e = int(open(f"{d}/{i}/end").read(), 16)
        want.append(f"0x{s:016x}-0x{e:016x}")
    got = re.findall(r"^    (0x[0-9a-f]{16}-0x[0-9a-f]{16}) ", out, re.M)
    expect(got == want, f"got {got}, want {want}")


# --- made-up trees -----------------------------------------------------

@case("cosinfo_pci_capabilities_parsed")
def _():
    root = fixture("caps")
    cfg = config_space(4096, 0x40, [
        (0x40, bytes([0x05, 0x50, 0x81, 0x00])),                 # MSI, 1 vector, 64-bit, on
        (0x50, bytes([0x10, 0x70, 0x02, 0x00])),                 # PCIe v2 endpoint
        (0x62, struct.pack("<H", 0x0043)),                       # link: 8 GT/s x4
        (0x70, bytes([0x11, 0x00]) + struct.pack("<H", 0x8007)), # MSI-X, 8 vectors, on
        (0x100, struct.pack("<I", 0x14010001)),                  # AER v1, next 0x140
        (0x140, struct.pack("<I", 0x0001000e)),                  # ARI v1, last
    ])
    res = ("0x000000000000c000 0x000000000000c03f 0x0000000000040101\n"
           "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
           "0x00000000fe000000 0x00000000fe003fff 0x000000000014220c\n"
           + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 3
           + "0x00000000feb80000 0x00000000febbffff 0x0000000000046200\n")
    pci_device(root, "0000:00:03.0", cfg, resource=res)
    rc, out, _ = run("pci", root=root)
    expect(rc == 0, f"exit status {rc}")
    has(out, r"^  0000:00:03\.0  1af4:1042  SCSI storage controller \[0100\], Red Hat \(virtio\)$")
    has(out, r"^    BAR0  I/O 0xc000-0xc03f \(64 B\)$")
    has(out, r"^    BAR2  mem 0xfe000000-0xfe003fff \(16 KiB, 64-bit, prefetchable\)$")
    has(out, r"^    ROM   mem 0xfeb80000-0xfebbffff \(256 KiB, prefetchable\)$")
    has(out, r"^    \[40\] MSI \(1 vectors, 64-bit, enabled\)$")
    has(out, r"^    \[50\] PCI Express \(endpoint, link 8 GT/s x4\)$")
    has(out, r"^    \[70\] MSI-X \(8 vectors, enabled\)$")
    has(out, r"^    \[100\] Advanced Error Reporting \(version 1\)$")
    has(out, r"^    \[140\] Alternative Routing-ID \(version 1\)$")


@case("cosinfo_pci_bad_capability_lists")
def _():
    root = fixture("badcaps")
    pci_device(root, "0000:00:01.0", config_space(256, 0x40, [          # 0x40 -> 0x48 -> 0x40
        (0x40, bytes([0x09, 0x48])), (0x48, bytes([0x09, 0x40]))]))
    pci_device(root, "0000:00:02.0", config_space(64, 0x40))            # unprivileged read
    pci_device(root, "0000:00:03.0", config_space(256, 0x20))           # into the header
    pci_device(root, "0000:00:04.0", config_space(4096, 0, [            # extended loop
        (0x100, struct.pack("<I", 0x10010001))]))
    pci_device(root, "0000:00:05.0", config_space(512, 0, [             # past the end
        (0x100, struct.pack("<I", 0x30010001))]))
    pci_device(root, "0000:00:06.0", b"\x00" * 10)                      # too short
    rc, out, _ = run("pci", root=root)
    expect(rc == 0, f"exit status {rc}")
    has(out, r"^    capability list loops back to 0x40; stopped$")
    has(out, r"^    capabilities from 0x40 on: the config space is readable only to 64 bytes \(root reads it all\)$")
    has(out, r"^    capability pointer 0x20 is outside the capability area$")
    has(out, r"^    extended capability list loops back to 0x100; stopped$")
    has(out, r"^    extended capability pointer 0x300 is outside the config space$")
    has(out, r"config has 10 bytes; the header alone is 64\)$")


@case("cosinfo_memmap_by_type")
def _():
    root = fixture("memmap")
    for i, (s, e, t) in enumerate([(0, 0x9fbff, "System RAM"), (0x9fc00, 0xfffff, "Reserved"),
                                   (0x100000, 0x7fffffff, "System RAM"), (0x2000, 0x1000, "Reserved"),
                                   (0xfee00000, 0xfee00fff, "Reserved")]):
        write(root, f"/sys/firmware/memmap/{i}/start", f"{s:#x}\n")
        write(root, f"/sys/firmware/memmap/{i}/end", f"{e:#x}\n")
        write(root, f"/sys/firmware/memmap/{i}/type", t + "\n")
    write(root, "/proc/meminfo", "MemTotal:  2000000 kB\nMemFree: 500000 kB\nMemAvailable: 1000000 kB\n"
          "Cached: lots kB\n")
    rc, out, _ = run("memory", root=root)
    expect(rc == 0, f"exit status {rc}")
    has(out, r"^  in use        976 MiB of 1\.9 GiB \(50%\)$")
    has(out, r"^  cached        \(Cached missing or not a number in .*/proc/meminfo\)$")
    has(out, r"^  \(firmware map entry 3 unreadable or its end is before its start\)$")
    has(out, r"^  firmware memory map \(4 ranges, some unreadable\):$")
    has(out, r"^    System RAM +1\.9 GiB in 2 ranges$")
    has(out, r"^    Reserved +389 KiB in 2 ranges$")


@case("cosinfo_cpu_and_caches_from_files")
def _():
    root = fixture("cpu")
    block = ("processor\t: {n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
             "model name\t: Test CPU @ 2.00GHz\nstepping\t: 7\nphysical id\t: {p}\ncpu cores\t: 2\n"
             "flags\t\t: fpu nx smep smap umip lm\nbugs\t\t:\n\n")
    write(root, "/proc/cpuinfo", "".join(block.format(n=n, p=n // 2) for n in range(4)))
    c = "/sys/devices/system/cpu/cpu0/cache/index0"
    for f, v in (("level", "1"), ("type", "Data"), ("size", "48K"), ("ways_of_associativity", "12"),
                 ("coherency_line_size", "64"), ("shared_cpu_list", "0-1")):
        write(root, f"{c}/{f}", v + "\n")
    rc, out, _ = run("cpu", root=root)
    expect(rc == 0, f"exit status {rc}")
    has(out, r"^  model         Test CPU @ 2\.00GHz$")
    has(out, r"^  vendor        GenuineIntel, family 6, model 85, stepping 7$")
    has(out, r"^  processors    4 in 2 packages, 2 cores each$")
    has(out, r"^  security      nx smep smap umip$")
    has(out, r"^    L1 Data           48 KiB  12-way, 64 B lines, shared by cpus 0-1$")
    has(out, r"^  bugs          \(none\)$")
    has(out, r"^  \(missing: .*/sys/devices/system/cpu/vulnerabilities: No such file or directory\)$")


@case("cosinfo_block_devices")
def _():
    root = fixture("block")
    write(root, "/sys/block/vda/size", "2097152\n")
    write(root, "/sys/block/vda/ro", "0\n")
    write(root, "/sys/block/vda/queue/logical_block_size", "512\n")
    for n, (start, size) in enumerate([(2048, 204800), (206848, 1888256)], 1):
        for f, v in (("partition", n), ("start", start), ("size", size)):
            write(root, f"/sys/block/vda/vda{n}/{f}", f"{v}\n")
    write(root, "/sys/block/loop0/size", "0\n")
    write(root, "/proc/partitions", "major minor  #blocks  name\n\n 254 0 1048576 vda\n 254 1 102400 vda1\n")
    rc, out, _ = run("block", root=root)
    expect(rc == 0, f"exit status {rc}")
    has(out, r"^    vda              1 GiB  2097152 sectors of 512 B, 512 B blocks$")
    has(out, r"^      vda1         100 MiB  partition 1, sectors 2048-206847$")
    has(out, r"^      vda2         922 MiB  partition 2, sectors 206848-2095103$")
    has(out, r"^    \(1 empty device not shown\)$")
    has(out, r"^    vda1 +100 MiB  254:1$")


@case("cosinfo_everything_missing")
def _():
    root = fixture("empty")
    rc, out, _ = run(root=root)
    expect(rc == 0, f"exit status {rc}")
    for f in ("/proc/version", "/proc/cmdline", "/proc/uptime", "/proc/cpuinfo",
              "/sys/devices/system/cpu/cpu0/cache", "/proc/meminfo", "/sys/firmware/memmap",
              "/sys/bus/pci/devices", "/sys/block", "/proc/partitions"):
        has(out, rf"\(missing: {re.escape(root + f)}: No such file or directory\)$")


@case("cosinfo_refuses_unknown_section")
def _():
    rc, _, err = run("disks")
    expect(rc == 2 and err.startswith("usage: cosinfo"), f"exit status {rc}, {err!r}")


def main():
    os.makedirs(WORK, exist_ok=True)
    print("KTAP version 1")
    print(f"1..{len(results)}")
    failed = 0
    for n, (name, fn) in enumerate(results, 1):
        try:
            fn()
            print(f"ok {n} {name}")
        except (AssertionError, OSError, subprocess.SubprocessError, KeyError, ValueError) as e:
            print(f"# {e}")
            print(f"not ok {n} {name}")
            failed += 1
    print(f"# cosinfo-host: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
