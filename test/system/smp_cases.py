"""System tests of SMP: under -smp N every CPU the MADT lists is started
and reported online (its own line and the summary) and listed in
/proc/cpuinfo with its own APIC id; nosmp and maxcpus= hold the others
back; the scheduling ktests on 2 CPUs (every ktest runs at -smp 4 and 8
in test/run.py's smp_ktest_all_4/8); a panic on several CPUs at once
stops them all and is reported once."""

import dataclasses
import re

from harness import Case
from user_cases import CASES as USER_CASES, init_case, sh


def online(n, listed):
    lines = [rf"smp: CPU {i} \(APIC id \d+\) online in \d+ us" for i in range(1, n)]
    # each CPU measures its own timer (in start order, before it counts as online)
    lines = [x for i in range(1, n) for x in (rf"timer: CPU {i}'s LAPIC timer \d+ kHz", lines[i - 1])]
    return lines + [rf"smp: {n} CPUs? online of {listed} listed \(0 not answering"]


def cpuinfo_lists(n):
    def check(log):
        procs = [int(x) for x in re.findall(r"^processor\s*:\s*(\d+)$", log, re.M)]
        apics = re.findall(r"^apicid\s*:\s*(\d+)$", log, re.M)
        assert procs == list(range(n)), f"/proc/cpuinfo lists processors {procs}, not 0..{n - 1}"
        assert len(set(apics)) == n, f"/proc/cpuinfo APIC ids {apics}: not {n} different ones"
    return check


AFFINITY_UT = ["proc_sched_setaffinity_errors", "proc_sched_getaffinity_sizes",
               "proc_sched_affinity_moves_and_is_inherited", "proc_two_busy_processes_run_at_once"]
# scheduling across CPUs (kernel/tests/smp_sched_test.c)
SCHED_KTESTS = ["sched_spinners_one_per_cpu", "sched_idle_cpus_take_queued_threads",
                "sched_affinity_pins_and_moves", "timer_cancel_waits_for_running_callback",
                "sched_waiting_creator_runs_its_new_thread"]
# ktests written for one CPU, run here with several: a thread they start or
# wake runs on another CPU at once, so each pins itself (and its threads) to
# CPU 0 or waits for what it checks (ktest=all at -smp 4 failed these)
ONE_CPU_KTESTS = ["sched_hand_off_jumps_the_queue", "sched_hand_off_respects_priority",
                  "percpu_boot_cpu_identity", "proc_no_thread_after_end",
                  "proc_orphan_freed_when_it_ends", "thread_suspended_until_resumed_exit_hook_runs",
                  "wait_intr_ended_by_thread_interrupt", "wait_plain_not_ended_by_thread_interrupt",
                  "wait_entries_three_queues", "wait_wake_one_reaches_pollers_and_one_sleeper",
                  "wait_sleep_ended_by_thread_interrupt", "channel_call_switches_directly",
                  "channel_call_direct_respects_priority", "channel_call_direct_respects_affinity"]


def once(pattern):
    def check(log):
        n = len(re.findall(pattern, log, re.M))
        assert n == 1, f"{pattern!r} appears {n} times, not once"
    return check


CPUINFO = sh("mount -t proc proc /proc && grep -e ^processor -e ^apicid /proc/cpuinfo; echo done")


# Forks, pipes and file writes with every CPU online: four shell loops at
# once (programs spread over the CPUs), each a pipeline of three programs
# writing a file, for STRESS_S seconds; each exit frees a kernel stack and
# an address space (a shootdown to the CPUs that ran it). Every loop must
# finish (no lost wake-up), the last files hold what was written, nothing
# panics, and memory comes back: free memory (MemFree, which counts the
# per-CPU frame caches) and kernel heap bytes (Slab) are read after one
# warm-up round of the same pipeline (caches filled) and again once the
# loops' files are removed; they must agree within MEM_SLACK_KB. /proc is
# mounted only while they are read: with it mounted, busybox runs its
# applets through /proc/self/exe, and each such exec kept a 256- and a
# 512-byte heap object (+508 kB in one run; a direct exec keeps nothing),
# a leak on the procfs side not found yet.
STRESS_S = 60
MEM_SLACK_KB = {"MemFree": 512, "Slab": 64}
STRESS = sh("mount -t devtmpfs dev /dev; "
            "run() { i=0; while [ $(date +%s) -lt $2 ]; do echo line$i | cat | tr l L > /tmp/f$1_$((i % 7)); "
            "i=$((i + 1)); done; echo $i > /tmp/n$1; echo line$i | cat | tr l L > /tmp/f$1_last; echo loop $1 done; }; "
            "mem() { mount -t proc proc /proc; echo $(grep -e MemFree -e Slab /proc/meminfo); umount /proc; }; "
            "run w 0; rm /tmp/fw_last /tmp/nw; echo before $(mem); "
            f"end=$(($(date +%s) + {STRESS_S})); run a $end & run b $end & run c $end & run d $end & wait; "
            "cat /tmp/fa_last /tmp/fb_last /tmp/fc_last /tmp/fd_last; "
            "echo rounds $(cat /tmp/na /tmp/nb /tmp/nc /tmp/nd); rm /tmp/f* /tmp/n*; "
            "echo after $(mem); echo stress done")


def last_lines(log):
    """Each loop's last file holds its own last round's line."""
    n = re.search(r"^rounds (\d+) (\d+) (\d+) (\d+)$", log, re.M)
    assert n, "no rounds line"
    for k in n.groups():
        assert re.search(rf"^Line{k}$", log, re.M), f"no Line{k}: a loop's last write was lost"


def memory_back(log):
    """MemFree and Slab after the loops within MEM_SLACK_KB of before."""
    got = {}
    for when in ("before", "after"):
        m = re.search(rf"^{when} MemFree: (\d+) kB Slab: (\d+) kB$", log, re.M)
        assert m, f"no {when} memory line"
        got[when] = {"MemFree": int(m.group(1)), "Slab": int(m.group(2))}
    lost = got["before"]["MemFree"] - got["after"]["MemFree"]
    grown = got["after"]["Slab"] - got["before"]["Slab"]
    assert lost <= MEM_SLACK_KB["MemFree"], f"MemFree {lost} kB lower after the loops: {got}"
    assert grown <= MEM_SLACK_KB["Slab"], f"Slab {grown} kB higher after the loops: {got}"


USERTESTS = next(c for c in USER_CASES if c.name == "usertests")


def boot_case(n):
    c = init_case(f"smp_boot_{n}", CPUINFO, online(n, n) + [r"^done$"], smp=n)
    c.check = cpuinfo_lists(n)
    return c


CASES = [boot_case(n) for n in (1, 2, 4, 8)] + [
    dataclasses.replace(
        init_case("smp_stress_4", STRESS,
                  online(4, 4) + [r"^before MemFree"] + [r"^loop [abcd] done$"] * 4 +
                  [r"^rounds \d+ \d+ \d+ \d+$", r"^after MemFree", r"^stress done$"], smp=4,
                  timeout=STRESS_S + 110),
        check=lambda log: (last_lines(log), memory_back(log))),
    Case("smp_nosmp", smp=4, cmdline="nosmp",
         expect=online(1, 4) + [r"left out by nosmp or maxcpus="],
         forbid=[r"KERNEL PANIC", r"smp: CPU 1 "]),
    Case("smp_maxcpus", smp=4, cmdline="maxcpus=2",
         expect=online(2, 4), forbid=[r"KERNEL PANIC", r"smp: CPU 2 "]),
] + [
    Case(f"smp_sched_ktests_{n}", smp=n, cmdline="ktest=" + ",".join(SCHED_KTESTS + ONE_CPU_KTESTS),
         exit_status=1, timeout=120,
         expect=online(n, n) + [r"ktest: a cancel waited for the callback running on CPU [1-9]",
                                r"ktest: pinned to CPU 1: 100\.0% on CPU 1; moved to CPU 0: \d+\.\d% on CPU 0",
                                rf"ktest: 3 threads queued on CPU 0 then ran on {min(n, 3)} CPUs",
                                rf"^# ktest: {len(SCHED_KTESTS + ONE_CPU_KTESTS)} passed, 0 failed"],
         forbid=[r"KERNEL PANIC", r"^not ok"])
    for n in (2,)
] + [
    # programs on two CPUs: affinity calls, and two busy processes at once
    # (their CPU time twice the wall time, getcpu different)
    init_case("smp_usertests_affinity_2",
              "/bin/busybox sh -c 'mount -t proc proc /proc && exec /bin/usertests " + " ".join(AFFINITY_UT) + "'",
              online(2, 2) + [r"# two busy processes: \d+ ms CPU in \d+ ms wall, last on CPUs [01] and [01]",
                              rf"^# usertests: {len(AFFINITY_UT)} passed, 0 failed"],
              forbid=[r"^not ok"], smp=2, ktap="usertests", timeout=120),
    # the SMP benchmarks on 2 vCPUs, one per host core (make bench boots one
    # CPU, where they print nothing)
    Case("smp_bench_2", smp=2, cmdline="kbench=smp_ipi,smp_threads", exit_status=1, timeout=120,
         expect=[r"^BENCH smp_cpu_threads_speedup \d+\.\d+ x",
                 r"^BENCH smp_ipi_round_trip \d+ ns", r"^BENCH smp_tlb_shootdown_2_cpus \d+ ns",
                 r"^BENCH smp_ap_start \d+ us"]),
    Case("smp_panic_on_every_cpu", smp=4, cmdline="crash=panic-others", exit_status=7,
         expect=[r"crash: every other CPU panics at once",
                 r"KERNEL PANIC: crash: CPU [123] panics",
                 r"other CPUs stopped: 3 of 3", r"--- end of kernel panic ---"],
         forbid=[r"crash: no other CPU panicked"],
         check=lambda log: (once(r"KERNEL PANIC")(log), once(r"end of kernel panic")(log))),
    # the whole usertests selection with two CPUs in one boot, each case a
    # result of its own (usertests_smp2/<case>): programs on both CPUs at
    # once, the same cases as the one-CPU run, ipc_pingpong_100000 and
    # unix_pingpong_100000 among them (each message wakes the peer on the
    # sender's CPU: sync wake-ups; before them every one of the 100,000
    # round trips woke the other, idle, vCPU and the pair took over 300 s)
    dataclasses.replace(USERTESTS, name="usertests_smp2", ktap="usertests_smp2", smp=2, timeout=900),
    # and with four: a thread alone on its CPU must still pass the checks
    # of the way back to ring 3 each slice (time_cpu_timer_thread_clock
    # never fired here before the slice-end IPI)
    dataclasses.replace(USERTESTS, name="usertests_smp4", ktap="usertests_smp4", smp=4, timeout=900),
    # and eight, more vCPUs than CI's host has cores; the two 100,000
    # round-trip cases left out there (the two boots above run them)
    dataclasses.replace(USERTESTS, name="usertests_smp8", ktap="usertests_smp8", smp=8, timeout=600,
                        cmdline=USERTESTS.cmdline.replace("grep -v ^# ", "grep -v -e ^# -e _pingpong_100000 ")),
]
