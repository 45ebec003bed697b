#!/usr/bin/env python3
"""Host test of scripts/bench-compare.py (make bench against make
bench-linux): its parsing of BENCH lines, the name pairs and which way a
speed-up goes. Prints TAP, as the cmocka tests do for test/run.py."""

import sys

import pytap

bc = pytap.load_script("bench_compare", "scripts/bench-compare.py")

COSMOS = """\
# kbench: done
BENCH user_open_close 9999 ns
BENCH user_open_close 1400.5 ns
BENCH user_open_close 2000 ns
BENCH user_pipe_throughput_64k 300.0 MiB/s
BENCH user_pipe_throughput_64k 400.0 MiB/s
BENCH user_cosmfs_create_write_unlink_4k 50.0 us
BENCH user_cosmfs_untar_1000_files 6000 files/s
BENCH cosmfs_seq_write_fsync 90.00 MiB/s
BENCH initramfs_unpack 300.00 MiB/s
BENCH initramfs_unpack_boot 20.00 MiB/s
BENCH user_broken abc ns
BENCH user_only_here 5 ns
  BENCH user_indented 5 ns
"""
LINUX = """\
# linux-bench: Linux 6.1.0-57-amd64
BENCH linux_tmpfs_open_close 3.0 us
BENCH linux_tmpfs_pipe_throughput_64k 100.0 MiB/s
BENCH linux_ext4_create_write_unlink_4k 80.0 us
BENCH linux_ext4_untar_1000_files 2000 files/s
BENCH linux_ext4_write_fsync_1m 30.0 MiB/s
BENCH linux_initramfs_unpack 8.30 MiB/s
BENCH linux_tmpfs_broken 7 ns
BENCH linux_tmpfs_indented 5 ns
BENCH linux_tmpfs_only_linux 5 ns
"""


def t_parse():
    c = bc.parse(COSMOS)
    # a metric seen again keeps its fastest figure: the lowest time, the highest rate
    assert c["user_open_close"] == (1400.5, "ns"), c["user_open_close"]
    assert c["user_pipe_throughput_64k"] == (400.0, "MiB/s"), c["user_pipe_throughput_64k"]
    assert "user_broken" not in c and "user_indented" not in c
    assert len(c) == 8, sorted(c)


def t_pairs():
    got = {(cn, ln) for _, cn, ln in bc.pairs(bc.parse(COSMOS), bc.parse(LINUX))}
    want = {("user_open_close", "linux_tmpfs_open_close"),
            ("user_pipe_throughput_64k", "linux_tmpfs_pipe_throughput_64k"),
            ("user_cosmfs_create_write_unlink_4k", "linux_ext4_create_write_unlink_4k"),
            ("user_cosmfs_untar_1000_files", "linux_ext4_untar_1000_files"),
            ("initramfs_unpack_boot", "linux_initramfs_unpack"),
            ("initramfs_unpack", "linux_initramfs_unpack"),
            ("cosmfs_seq_write_fsync", "linux_ext4_write_fsync_1m")}
    assert got == want, got ^ want


def t_speedup_direction():
    assert abs(bc.speedup(1500, "ns", 3.0, "us") - 2.0) < 1e-9    # time: Linux over CosmOS
    assert abs(bc.speedup(400, "MiB/s", 100, "MiB/s") - 4.0) < 1e-9  # rate: CosmOS over Linux
    assert bc.speedup(50, "us", 2000, "files/s") is None
    assert bc.speedup(0, "us", 5, "us") is None


def t_below_aim():
    rows, below = bc.table(bc.parse(COSMOS), bc.parse(LINUX))
    names = {n for n, _ in below}
    # 50 vs 80 us: 1.6x; 6000 vs 2000 files/s: 3x; 90 vs 30 MiB/s: 3x
    assert names == {"user_cosmfs_create_write_unlink_4k"}, below
    verdicts = {r[0]: r[4] for r in rows}
    assert verdicts["user_open_close"] == "faster"


def main():
    return pytap.run([t_parse, t_pairs, t_speedup_direction, t_below_aim])


if __name__ == "__main__":
    sys.exit(main())
