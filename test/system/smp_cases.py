"""System tests of SMP: under -smp N every CPU the MADT lists is started
and reported online (its own line and the summary) and listed in
/proc/cpuinfo with its own APIC id; nosmp and maxcpus= hold the others
back; the IPI and TLB-shootdown ktests on 4 CPUs; a panic on several CPUs
at once stops them all and is reported once."""

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


SMP_KTESTS = ["smp_ipi_reaches_every_cpu", "smp_tlb_shootdown_reaches_every_cpu",
              "smp_migrating_thread_keeps_fpu_state", "smp_freed_space_not_loaded_anywhere",
              "smp_alloc_drains_other_cpus_frame_caches", "smp_cpu_time_of_thread_running_elsewhere",
              "sync_mutex_exact_across_cpus"]
AFFINITY_UT = ["proc_sched_setaffinity_errors", "proc_sched_getaffinity_sizes",
               "proc_sched_affinity_moves_and_is_inherited", "proc_two_busy_processes_run_at_once"]
# scheduling across CPUs (kernel/tests/smp_sched_test.c)
SCHED_KTESTS = ["sched_spinners_one_per_cpu", "sched_idle_cpus_take_queued_threads",
                "sched_affinity_pins_and_moves", "timer_cancel_waits_for_running_callback"]


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
# panics. Free memory (MemFree counts the per-CPU frame caches) and heap
# bytes (Slab) are printed before and after; they are not checked: every
# exec keeps about 1.5 KiB of heap at -smp 1 as well (not found yet).
STRESS_S = 40
STRESS = sh("mount -t proc proc /proc; mount -t devtmpfs dev /dev; "
            "run() { i=0; while [ $(date +%s) -lt $2 ]; do echo line$i | cat | tr l L > /tmp/f$1_$((i % 7)); "
            "i=$((i + 1)); done; echo $i > /tmp/n$1; echo line$i | cat | tr l L > /tmp/f$1_last; echo loop $1 done; }; "
            "mem() { echo $(grep -e MemFree -e Slab /proc/meminfo); }; "
            "echo before $(mem); "
            f"end=$(($(date +%s) + {STRESS_S})); run a $end & run b $end & run c $end & run d $end & wait; "
            "echo after $(mem); cat /tmp/fa_last /tmp/fb_last /tmp/fc_last /tmp/fd_last; "
            "echo rounds $(cat /tmp/na /tmp/nb /tmp/nc /tmp/nd); echo stress done")


def last_lines(log):
    """Each loop's last file holds its own last round's line."""
    n = re.search(r"^rounds (\d+) (\d+) (\d+) (\d+)$", log, re.M)
    assert n, "no rounds line"
    for k in n.groups():
        assert re.search(rf"^Line{k}$", log, re.M), f"no Line{k}: a loop's last write was lost"


USERTESTS = next(c for c in USER_CASES if c.name == "usertests")


def boot_case(n):
    c = init_case(f"smp_boot_{n}", CPUINFO, online(n, n) + [r"^done$"], smp=n)
    c.check = cpuinfo_lists(n)
    return c


CASES = [boot_case(n) for n in (1, 2, 4, 8)] + [
    dataclasses.replace(
        init_case("smp_stress_4", STRESS,
                  online(4, 4) + [r"^before MemFree"] + [r"^loop [abcd] done$"] * 4 +
                  [r"^after MemFree", r"^rounds \d+ \d+ \d+ \d+$", r"^stress done$"], smp=4,
                  timeout=STRESS_S + 110),
        check=last_lines),
    Case("smp_nosmp", smp=4, cmdline="nosmp",
         expect=online(1, 4) + [r"left out by nosmp or maxcpus="],
         forbid=[r"KERNEL PANIC", r"smp: CPU 1 "]),
    Case("smp_maxcpus", smp=4, cmdline="maxcpus=2",
         expect=online(2, 4), forbid=[r"KERNEL PANIC", r"smp: CPU 2 "]),
    Case("smp_ktests_4", smp=4, cmdline="ktest=" + ",".join(SMP_KTESTS), exit_status=1, timeout=120,
         expect=online(4, 4) + [r"a thread spinning on CPU \d for \d+ ms was counted \d+ ms",
                                r"a 2-frame block was found while another CPU's cache held its frames",
                                r"after the space was freed 0 of 3 other CPUs still had it loaded",
                                r"ktest: 4 threads made 160 moves between 4 CPUs, FPU state intact",
                                r"after the shootdown 0 of 3 other CPUs saw the old page",
                                r"an IPI call reached 3 of 3 other CPUs",
                                r"ktest: 4 CPUs made 80000 locked increments",
                                r"^# ktest: 7 passed, 0 failed"],
         forbid=[r"KERNEL PANIC", r"^not ok"]),
] + [
    Case(f"smp_sched_ktests_{n}", smp=n, cmdline="ktest=" + ",".join(SCHED_KTESTS), exit_status=1,
         expect=online(n, n) + [r"ktest: a cancel waited for the callback running on CPU [1-9]",
                                r"ktest: pinned to CPU 1: 100\.0% on CPU 1; moved to CPU 0: \d+\.\d% on CPU 0",
                                rf"ktest: 3 threads queued on CPU 0 then ran on {min(n, 3)} CPUs",
                                r"^# ktest: 4 passed, 0 failed"],
         forbid=[r"KERNEL PANIC", r"^not ok"])
    for n in (2, 4)
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
    # once, the same cases as the one-CPU run but ipc_pingpong_100000 and
    # unix_pingpong_100000 (100,000 cross-CPU wake-ups each: every one
    # waits for the host to run the woken vCPU's thread, and with this case
    # and usertests_smp4 at once, six vCPUs share CI's two cores: over 300 s;
    # the one-CPU run keeps both)
    dataclasses.replace(USERTESTS, name="usertests_smp2", ktap="usertests_smp2", smp=2, timeout=600,
                        cmdline=USERTESTS.cmdline.replace("grep -v ^# ", "grep -v -e ^# -e ^ipc_pingpong_100000 -e ^unix_pingpong_100000 ")),
    # and with four: a thread alone on its CPU must still pass the checks
    # of the way back to ring 3 each slice (time_cpu_timer_thread_clock
    # never fired here before the slice-end IPI)
    dataclasses.replace(USERTESTS, name="usertests_smp4", ktap="usertests_smp4", smp=4, timeout=600,
                        cmdline=USERTESTS.cmdline.replace("grep -v ^# ", "grep -v -e ^# -e ^ipc_pingpong_100000 -e ^unix_pingpong_100000 ")),
]
