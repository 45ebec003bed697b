"""System tests of SMP bring-up: under -smp N every CPU the MADT lists is
started and reported online (its own line and the summary) and listed in
/proc/cpuinfo with its own APIC id; nosmp and maxcpus= hold the others
back."""

import re

from harness import Case
from user_cases import init_case, sh


def online(n, listed):
    lines = [rf"smp: CPU {i} \(APIC id \d+\) online in \d+ us" for i in range(1, n)]
    return lines + [rf"smp: {n} CPUs? online of {listed} listed \(0 not answering"]


def cpuinfo_lists(n):
    def check(log):
        procs = [int(x) for x in re.findall(r"^processor\s*:\s*(\d+)$", log, re.M)]
        apics = re.findall(r"^apicid\s*:\s*(\d+)$", log, re.M)
        assert procs == list(range(n)), f"/proc/cpuinfo lists processors {procs}, not 0..{n - 1}"
        assert len(set(apics)) == n, f"/proc/cpuinfo APIC ids {apics}: not {n} different ones"
    return check


CPUINFO = sh("mount -t proc proc /proc && grep -e ^processor -e ^apicid /proc/cpuinfo; echo done")


def boot_case(n):
    c = init_case(f"smp_boot_{n}", CPUINFO, online(n, n) + [r"^done$"], smp=n)
    c.check = cpuinfo_lists(n)
    return c


CASES = [boot_case(n) for n in (1, 2, 4, 8)] + [
    Case("smp_nosmp", smp=4, cmdline="nosmp",
         expect=online(1, 4) + [r"left out by nosmp or maxcpus="],
         forbid=[r"KERNEL PANIC", r"smp: CPU 1 "]),
    Case("smp_maxcpus", smp=4, cmdline="maxcpus=2",
         expect=online(2, 4), forbid=[r"KERNEL PANIC", r"smp: CPU 2 "]),
]
