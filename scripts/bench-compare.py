#!/usr/bin/env python3
"""Compares a `make bench` output (CosmOS) with a `make bench-linux` output
(the same user/bench under Linux 6.1 in the same QEMU), metric by metric.

usage: bench-compare.py COSMOS.txt LINUX.txt

Both files hold "BENCH name value unit" lines (anything else is ignored);
runs concatenated into one file give each metric's fastest figure.
The pairs, CosmOS name <- Linux name:
    user_NAME          <- linux_tmpfs_NAME   the user bench in a tmpfs (/tmp)
    user_cosmfs_NAME   <- linux_ext4_NAME    the user bench on a 512 MiB disk
                                             (cosmfs; ext4) and its mount_/cold_
    initramfs_unpack_boot <- linux_initramfs_unpack  the boot's one pass over
                                             its initramfs, timed by each kernel
and in-kernel benchmarks (KBENCH: fs/cosmfs/kbench.c, initramfs_test.c;
no system call in them) against the nearest Linux figure, marked "(kernel)":
    cosmfs_seq_write_fsync       <- linux_ext4_write_fsync_1m
    cosmfs_cold_seq_read         <- linux_ext4_cold_seq_read_32m
    cosmfs_create_write4k_unlink <- linux_ext4_create_write_unlink_4k
    cosmfs_mount                 <- linux_ext4_mount_umount
    initramfs_unpack             <- linux_initramfs_unpack  (the best of 10
                                    unpacks of a 530 KiB archive, warm)
The speed-up is how many times faster CosmOS is (time units: Linux over
CosmOS; rates: CosmOS over Linux). The table ends with every metric below
the issues' aim of 2x.
"""

import re
import sys

BENCH = re.compile(r"^BENCH (\S+) (\S+) (\S+)\s*$")
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
RATE_UNITS = {"MiB/s", "files/s", "IOPS", "KiB/s", "chars/s"}
KERNEL_PAIRS = [
    ("cosmfs_seq_write_fsync", "linux_ext4_write_fsync_1m"),
    ("cosmfs_cold_seq_read", "linux_ext4_cold_seq_read_32m"),
    ("cosmfs_create_write4k_unlink", "linux_ext4_create_write_unlink_4k"),
    ("cosmfs_mount", "linux_ext4_mount_umount"),
    ("initramfs_unpack", "linux_initramfs_unpack"),
]
AIM = 2.0


def better(a, b):
    """The faster of two (value, unit) figures of one metric: the lower
    time, the higher rate; a when the units differ or do not say."""
    (av, au), (bv, bu) = a, b
    if au != bu:
        return a
    if au in TIME_UNITS:
        return b if bv < av else a
    if au in RATE_UNITS:
        return b if bv > av else a
    return a


def parse(text):
    """name -> (value, unit) for each well-formed BENCH line; other lines
    and values that are not numbers are skipped. A name seen again (several
    runs in one file) keeps its fastest figure: a busy host only ever
    slows a run down."""
    out = {}
    for line in text.splitlines():
        m = BENCH.match(line)
        if not m:
            continue
        try:
            fig = (float(m.group(2)), m.group(3))
        except ValueError:
            continue
        name = m.group(1)
        out[name] = better(out[name], fig) if name in out else fig
    return out


def pairs(cosmos, linux):
    """(label, CosmOS name, Linux name) for every metric both sides have."""
    found = []
    for lname in sorted(linux):
        if lname.startswith("linux_tmpfs_"):
            cname = "user_" + lname[len("linux_tmpfs_"):]
        elif lname.startswith("linux_ext4_"):
            cname = "user_cosmfs_" + lname[len("linux_ext4_"):]
        elif lname == "linux_initramfs_unpack":
            cname = "initramfs_unpack_boot"
        else:
            continue
        if cname in cosmos:
            found.append((cname, cname, lname))
    for cname, lname in KERNEL_PAIRS:
        if cname in cosmos and lname in linux:
            found.append((cname + " (kernel)", cname, lname))
    return found


def speedup(cval, cunit, lval, lunit):
    """How many times faster CosmOS is, or None when the units do not
    compare (or a value is zero)."""
    if cunit in TIME_UNITS and lunit in TIME_UNITS:
        c, l_ = cval * TIME_UNITS[cunit], lval * TIME_UNITS[lunit]
        return l_ / c if c > 0 else None
    if cunit == lunit and cunit in RATE_UNITS:
        return cval / lval if lval > 0 else None
    return None


def table(cosmos, linux):
    rows, below = [], []
    for label, cname, lname in pairs(cosmos, linux):
        (cval, cunit), (lval, lunit) = cosmos[cname], linux[lname]
        x = speedup(cval, cunit, lval, lunit)
        if x is None:
            verdict = "units differ"
        else:
            verdict = "faster" if x >= 1 else "slower"
            if x < AIM:
                below.append((label, x))
        rows.append((label, f"{cval:g} {cunit}", f"{lval:g} {lunit}",
                     "-" if x is None else f"{x:.2f}x", verdict))
    return rows, below


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        cosmos = parse(f.read())
    with open(argv[2]) as f:
        linux = parse(f.read())
    rows, below = table(cosmos, linux)
    if not rows:
        print("bench-compare: no metric in both files", file=sys.stderr)
        return 1
    head = ("metric", "CosmOS", "Linux", "speed-up", "")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for r in [head] + rows:
        print("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    print(f"\nbelow {AIM:g}x ({len(below)} of {len(rows)}): "
          + (", ".join(f"{n} {x:.2f}x" for n, x in below) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
