"""System tests of the sampling profiler (kernel/prof.c): with profile=US a
read/write loop in a program shows up as the read and write paths among the
top functions of /proc/profile, and reading it starts a new period;
without the option the file says profiling is off. (On a loaded host QEMU
delivers fewer timer interrupts than asked for, so the counts are only
checked for being there, not for their number.)"""
import re

from user_cases import init_case, sh

LOOP = ("mount -t devtmpfs dev /dev && mount -t proc proc /proc && cat /proc/profile > /dev/null && "
        "dd if=/dev/zero of=/dev/null bs=1 count=100000 2> /dev/null && cat /proc/profile && "
        "head -1 /proc/profile; echo done")


def samples_then_reset(log):
    counts = [int(x) for x in re.findall(r"^samples (\d+) every 50 us", log, re.M)]
    assert len(counts) == 2, f"expected two reports, saw {counts}"
    assert counts[0] > 0, "the loop gave no samples"
    assert counts[1] < counts[0], f"the second read did not start afresh: {counts}"


def case_on():
    c = init_case("prof_read_write_on_top", sh(LOOP),
                  [r"prof: sampling every 50 us", r"^\s*\d+\s+[\d.]+% (sys|vfs)_(read|write)$",
                   r"^done$"], extra="profile=50")
    c.check = samples_then_reset
    return c


CASES = [
    case_on(),
    init_case("prof_off_by_default", sh("mount -t proc proc /proc && cat /proc/profile; echo done"),
              [r"^profiling is off: boot with profile=US", r"^done$"]),
    init_case("prof_bad_period_refused", sh("mount -t proc proc /proc && cat /proc/profile; echo done"),
              [r"prof: profile= wants a period from 20 to 1000000 us; not sampling",
               r"^profiling is off", r"^done$"], extra="profile=5"),
]
