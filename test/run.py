#!/usr/bin/env python3
"""The CosmOS test runner behind `make test` and `make bench` (standard
library only). Levels: host unit tests (cmocka binaries), fuzz targets
(saved crash inputs replayed, a few seconds of fuzzing each), in-kernel tests
(one boot with ktest=all, KTAP parsed) and system tests (test/system/*_cases.py,
booted in QEMU two at a time). Prints one PASS/FAIL line per test and ends
with exactly one line "N passed, N failed"; exits non-zero on any failure."""

import argparse
import concurrent.futures
import importlib.util
import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "system"))
import harness  # noqa: E402
import lock_cases  # noqa: E402
from harness import Case  # noqa: E402

BANNER_RE = r"CosmOS \S+ booting"
HOST_TIMEOUT = 120


class Report:
    """Counts results and prints them as they arrive (from several threads)."""

    def __init__(self, verbose):
        self.passed = self.failed = 0
        self.verbose = verbose
        self.lock = threading.Lock()

    def ok(self, name, detail=""):
        with self.lock:
            self.passed += 1
            print(f"PASS {name}" + (f" ({detail})" if detail and self.verbose else ""), flush=True)

    def fail(self, name, reason, more=""):
        with self.lock:
            self.failed += 1
            print(f"FAIL {name} ({reason})", flush=True)
            for line in more.rstrip().splitlines()[:40]:
                print(f"    {line}", flush=True)

    def note(self, text):
        with self.lock:
            print(f"# {text}", flush=True)


# ---------------------------------------------------------------- host level

def run_with_pty(cmd, env, timeout):
    """Runs cmd with stdout on a pseudo-terminal, so cmocka's output is line
    buffered and survives a sanitizer abort; stderr is captured apart.
    Returns (exit status or None on timeout, stdout text, stderr text)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = bytearray()
    err_chunks = []
    err_thread = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()))
    err_thread.start()
    deadline = time.monotonic() + timeout
    status = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                break
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                out += chunk
        status = proc.wait() if time.monotonic() < deadline else None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        err_thread.join()
    text = out.decode(errors="replace").replace("\r", "")
    return status, text, b"".join(err_chunks).decode(errors="replace")


TAP_RESULT = re.compile(r"^(not )?ok (\d+) - (.*?)\s*$")
TAP_PLAN = re.compile(r"^\s*1\.\.(\d+)\s*$")


def run_host(report, build, kernel, selected):
    # cmocka programs, and Python scripts (for the tools in scripts/) that print TAP
    sources = sorted((HERE / "host").glob("test_*.c")) + sorted((HERE / "host").glob("test_*.py"))
    if not sources:
        report.note("host: no tests")
    for src in sources:
        mod = src.stem[len("test_"):]
        unit = f"host/{mod}"
        if not selected(unit):
            continue
        binary = build / "test" / "host" / src.stem
        if src.suffix == ".py":
            binary = src
        elif not binary.exists():
            report.fail(unit, f"{src.stem} did not build; see the compiler output above")
            continue
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", COSMOS_KERNEL_ELF=str(kernel),
                   ASAN_OPTIONS="abort_on_error=0:detect_leaks=1",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        cmd = [sys.executable, str(binary)] if src.suffix == ".py" else [str(binary)]
        status, out, err = run_with_pty(cmd, env, HOST_TIMEOUT)
        planned, reported, failures = 0, 0, 0
        last_fail = None
        diag = {}
        for line in out.splitlines():
            m = TAP_PLAN.match(line)
            if m:
                planned += int(m.group(1))
                continue
            m = TAP_RESULT.match(line)
            if m:
                reported += 1
                name = f"{unit}/{m.group(3)}"
                if m.group(1):
                    failures += 1
                    last_fail = name
                    diag[name] = []
                else:
                    last_fail = None
                    report.ok(name)
                continue
            if line.startswith("# ") and last_fail and not line.startswith("# not ok -"):
                diag[last_fail].append(line[2:])
        for name, lines in diag.items():
            # cmocka's fail_msg text goes to stderr; show it with the failure.
            more = "\n".join(lines)
            report.fail(name, (lines[-1] if lines else "failed"),
                        more + ("\n" + err if err.strip() else ""))
        if status is None:
            report.fail(unit, f"timed out after {HOST_TIMEOUT} s", err)
        elif reported < planned or planned == 0:
            report.fail(unit, f"crashed after {reported} of {planned} tests, exit status {status}", err)
        elif status != 0 and failures == 0:
            report.fail(unit, f"exit status {status} with all tests passing", err)


# --------------------------------------------------------------- fuzz level

FUZZ_TEST_SECONDS = 5


def run_fuzz(report, build, selected):
    """Each libFuzzer target of test/fuzz/ replays its saved crash inputs (one
    result each, fuzz/<name>/<file>) and then fuzzes from its corpus for a
    few seconds (one result, fuzz/<name>), two targets at a time."""
    sys.path.insert(0, str(HERE / "fuzz"))
    import fuzz  # noqa: E402
    runs = []
    for name in fuzz.names():
        unit = f"fuzz/{name}"
        exe = fuzz.binary(build, name)
        crashes = [c for c in fuzz.crash_inputs(name) if selected(f"{unit}/{c.name}")]
        if not selected(unit) and not crashes:
            continue
        if not exe.exists():
            report.fail(unit, f"fuzz_{name} did not build; see the compiler output above")
            continue
        for c in crashes:
            ok, out = fuzz.replay(exe, c)
            if ok:
                report.ok(f"{unit}/{c.name}")
            else:
                report.fail(f"{unit}/{c.name}", "saved crash input fails again", fuzz.crash_summary(out))
        if selected(unit):
            runs.append((name, unit, exe))

    def one(job):
        name, unit, exe = job
        base = build / "fuzz" / "test-run" / name
        if base.exists():
            shutil.rmtree(base)
        return job, fuzz.run_for(exe, name, FUZZ_TEST_SECONDS, base / "corpus", base)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for (name, unit, exe), (ok, st, out, crash) in pool.map(one, runs):
            detail = f"{st['runs']} runs, {st['per_sec']}/s, cov {st['cov']}"
            if ok:
                report.ok(unit, detail)
            else:
                report.fail(unit, f"crash after {detail}; input {crash}",
                            fuzz.crash_summary(out) + f"\nonce fixed, keep the input: mkdir -p "
                            f"test/fuzz/crashes/{name} && cp {crash} test/fuzz/crashes/{name}/")


# ------------------------------------------------------------- kernel level

KTAP_RESULT = re.compile(r"^(not )?ok (\d+) (\S+)")


def with_build_initrd(root):
    """ESP hook: the initramfs the build made, for tests that run programs."""
    shutil.copyfile(Path(os.environ["COSMOS_BUILD"]) / "initrd.cpio", root / "cosmos/initrd.cpio")


# ktest=all with several CPUs as well (issue 16): the same boot at -smp 4
# and 8, each result a test of its own (<name>/<ktest>), selected as
# system/<name>. They replace the SMP ktest subsets smp_ktests_4 and
# smp_sched_ktests_4 ran.
SMP_KTEST_BOOTS = (("smp_ktest_all_4", 4), ("smp_ktest_all_8", 8))
LOCKDEP_KTEST = "lockdep_ktest_all_2"


def ktest_case(name="ktest", smp=1):
    """The boot that runs every ktest. It has a scratch disk for the tests of
    block-device files: vda, 4096 sectors in blk_cases' pattern with tag 'K',
    GPT partitions vda1 (sectors 64-1087) and vda2 (1088-4000), and the
    build's initramfs (the ktests that run programs take them from it);
    retain_initrd keeps the archive for boot_initrd_handoff to check."""
    from blk_cases import gpt_image

    def esp(root):
        gpt_image(Path(root).parent / "ktest-disk.img", "K", 4096, [(64, 1087), (1088, 4000)])
        with_build_initrd(root)
    return Case(name, cmdline="ktest=all retain_initrd", expect=[r"^KTAP version 1$"],
                forbid=[], timeout=180 if smp == 1 else 300, smp=smp, wait_exit=True, esp=esp,
                qemu_args=["-drive", "if=none,id=kdisk,format=raw,file={case_dir}/ktest-disk.img",
                           "-device", "virtio-blk-pci,drive=kdisk"])


def parse_ktap(log):
    """The first KTAP block of a serial log: (plan or None, [(ok, number,
    name, diagnostics)]), or None when there is none."""
    start = log.find("KTAP version 1")
    if start < 0:
        return None
    plan = None
    results = []
    diag = []
    for line in log[start:].splitlines()[1:]:
        m = re.match(r"^1\.\.(\d+)\s*$", line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = KTAP_RESULT.match(line)
        if m:
            results.append((not m.group(1), int(m.group(2)), m.group(3), diag))
            diag = []
        elif line.lstrip().startswith("#"):
            diag.append(line.strip())
    return plan, results


def judge_ktap(report, unit, res, exit_ok, allowed_panic=None):
    """Each KTAP result in the log is one test, unit/<name>; a missing plan, a
    count mismatch, a panic (but allowed_panic), a timeout or an exit status
    exit_ok(status, all_passed) refuses is one more failure, named unit."""
    log = res.log
    parsed = parse_ktap(log)
    if parsed is None:
        report.fail(unit, f"no KTAP output ({res.reason or 'the tests did not run'})",
                    "log: " + str(res.log_path))
        return
    plan, results = parsed
    for ok, num, name, d in results:
        if ok:
            report.ok(f"{unit}/{name}")
        else:
            report.fail(f"{unit}/{name}", d[-1] if d else "not ok", "\n".join(d))
    problems = []
    if plan is None:
        problems.append("no KTAP plan line")
    elif plan != len(results):
        problems.append(f"plan says {plan} tests, {len(results)} reported")
    nums = [r[1] for r in results]
    if nums != list(range(1, len(nums) + 1)):
        problems.append(f"results numbered {nums}, not 1..{len(nums)}")
    for m in re.finditer(r"KERNEL PANIC.*", log):
        if not allowed_panic or not re.search(allowed_panic, m.group(0)):
            problems.append("kernel panic: " + m.group(0).strip())
            break
    # the page-table audit kmain runs before the tests (kernel/audit.c)
    m = re.search(r"audit: \d+ page-table violations.*$", log, re.M)
    if m:
        problems.append("boot-time " + m.group(0))
    if not res.ok:
        problems.append(res.reason)
    elif not exit_ok(res.status, all(r[0] for r in results)):
        problems.append(f"QEMU exit status {res.status}")
    if problems:
        report.fail(unit, "; ".join(problems), "log: " + str(res.log_path))


def judge_ktest(report, res, unit="ktest"):
    """A ktest=all boot: QEMU exits with 1 when every test passed, else 3."""
    judge_ktap(report, unit, res, lambda status, passed: status == (1 if passed else 3))


# ------------------------------------------------------------- system level

def load_cases(report):
    cases, seen = [], {}
    for path in sorted((HERE / "system").glob("*_cases.py")):
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            found = list(module.CASES)
        except Exception:
            report.fail(f"system/{path.stem}", "cannot load the case module",
                        traceback.format_exc(limit=3))
            continue
        for case in found:
            if not isinstance(case, Case) or not harness.NAME_RE.match(case.name):
                report.fail(f"system/{path.stem}", f"bad case {case!r}")
            elif case.name in seen or case.name in ["ktest", LOCKDEP_KTEST] + [b[0] for b in SMP_KTEST_BOOTS]:
                report.fail(f"system/{case.name}", f"duplicate case name (also in {seen.get(case.name)})")
            else:
                seen[case.name] = path.name
                cases.append(case)
    return cases


def judge_case(report, case, res):
    name = f"system/{case.name}"
    if case.ktap:
        # a program printing KTAP as pid 1: its end stops the kernel
        # (panic=exit, status 7) after it said how it exited
        judge_ktap(report, case.ktap, res,
                   lambda status, passed: status == 7 and re.search(
                       r"init: pid 1 exited with status %d$" % (0 if passed else 1), res.log, re.M),
                   allowed_panic=r"KERNEL PANIC: init ended")
        return
    if res.ok:
        report.ok(name, f"{res.seconds:.1f} s")
    else:
        report.fail(name, res.reason, f"log: {res.log_path}")


# ------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--loader", help="default: BUILD/boot/BOOTX64.EFI")
    ap.add_argument("--kernel", help="default: BUILD/kernel/kernel.elf")
    ap.add_argument("--lockdep-kernel",
                    help="the LOCKDEP=1 kernel: also boot ktest=all and the checker's own case on it")
    ap.add_argument("--filter", help="regex on unit names: host/<mod>, fuzz/<name>, ktest, system/<case>")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="QEMUs at a time")
    ap.add_argument("--image-build-failed", type=int, default=0)
    ap.add_argument("--bench", action="store_true", help="run the benchmarks instead of tests")
    ap.add_argument("--fresh-vars", action="store_true",
                    help="boot every case from a fresh OVMF vars copy (slower; for comparison)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    build = Path(args.build)
    # case modules find the build's outputs (the initramfs) here
    os.environ["COSMOS_BUILD"] = str(build.resolve())
    env = harness.Env(build, args.loader or build / "boot/BOOTX64.EFI",
                      args.kernel or build / "kernel/kernel.elf")
    if args.bench:
        return run_bench(env)

    t0 = time.monotonic()
    report = Report(args.verbose)
    flt = re.compile(args.filter) if args.filter else None
    selected = lambda unit: flt is None or flt.search(unit) is not None  # noqa: E731

    run_host(report, build, env.kernel, selected)
    run_fuzz(report, build, selected)

    jobs = []       # (kind, case, env)
    if selected("ktest"):
        jobs.append(("ktest", ktest_case(), env))
    for name, n in SMP_KTEST_BOOTS:
        if selected(f"system/{name}"):
            jobs.append(("ktest", ktest_case(name, n), env))
    for case in load_cases(report):
        if selected(f"system/{case.name}"):
            jobs.append(("system", case, env))
    # The lock-order checker's build (issue 17: it joins the test build's
    # stack protector and red zones): the same loader and initramfs with the
    # LOCKDEP=1 kernel, every ktest at -smp 2 (a lock-order reversal or a
    # sleep under a spinlock fails the boot) and the case that shows a report.
    if args.lockdep_kernel and not Path(args.lockdep_kernel).exists():
        for name in [LOCKDEP_KTEST] + [c.name for c in lock_cases.lockdep_cases()]:
            if selected(f"system/{name}"):
                report.fail(f"system/{name}", f"{args.lockdep_kernel} did not build")
    elif args.lockdep_kernel:
        ld_env = harness.Env(build, env.loader, args.lockdep_kernel)
        if selected(f"system/{LOCKDEP_KTEST}"):
            case = ktest_case(LOCKDEP_KTEST, 2)
            # the lockdep_* ktests' own reversal is expected; any other is not
            case.forbid = case.forbid + [r'^lockdep: lock order reversal: (?!"ktest lockdep )',
                                         r"^lockdep: edge table full"]
            jobs.append(("ktest", case, ld_env))
        for case in lock_cases.lockdep_cases():
            if selected(f"system/{case.name}"):
                jobs.append(("system", case, ld_env))

    if jobs and (args.image_build_failed or not env.kernel.exists() or not env.loader.exists()):
        report.fail("build/image", "the loader or kernel did not build; boot tests not run")
        for kind, case, _ in jobs:
            report.fail(case.name if kind == "ktest" else f"system/{case.name}", "not run")
        jobs = []

    if jobs:
        template = None if args.fresh_vars else harness.warm_vars(env)
        if not args.fresh_vars and template is None:
            report.note("could not warm an OVMF vars file; using fresh copies (slower)")
        report.note(f"booting {len(jobs)} QEMU runs, {args.jobs} at a time")
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(harness.boot, e, case, template): (kind, case)
                       for kind, case, e in jobs}
            for fut in concurrent.futures.as_completed(futures):
                kind, case = futures[fut]
                try:
                    res = fut.result()
                except Exception:
                    report.fail(f"system/{case.name}", "runner error", traceback.format_exc())
                    continue
                if kind == "ktest":
                    judge_ktest(report, res, case.name)
                else:
                    judge_case(report, case, res)

    report.note(f"logs in {env.log_dir}; {time.monotonic() - t0:.0f} s")
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed or report.passed == 0 else 0


# ------------------------------------------------------------------ bench

def bench_prompt(env, template, runs, kbench, walls):
    """Boots `runs` times to the shells init starts (tty.bench: the kernel
    prints BENCH lines when each shell first waits for input), adding them
    to kbench and QEMU start to the serial shell's prompt (s) to walls.
    False when a boot failed."""
    initrd = env.build / "initrd.cpio"
    if not initrd.exists():
        print("# no initramfs: no prompt benchmarks", flush=True)
        return True
    ok = True
    for i in range(runs):
        seen = {}

        def on_line(line, t, seen=seen):
            if "prompt" not in seen and line.startswith("BENCH prompt_ttyS0_"):
                seen["prompt"] = t
        case = Case(f"bench-prompt-{i + 1}", cmdline="init=/sbin/init tty.bench",
                    esp=lambda root: shutil.copyfile(initrd, root / "cosmos/initrd.cpio"),
                    # the two shells reach their prompts in either order
                    expect=[r"^BENCH prompt_tty\S*_memory_in_use"] * 2,
                    timeout=120)
        res = harness.boot(env, case, template, on_line=on_line, poll=0.005)
        if not res.ok:
            print(f"# prompt boot {i + 1} failed: {res.reason} (log: {res.log_path})", flush=True)
            ok = False
            continue
        walls.append(seen["prompt"])
        for m in re.finditer(r"^BENCH (prompt_\S+) (\S+) (\S+)\s*$", res.log, re.M):
            kbench.setdefault((m.group(1), m.group(3)), []).append(m.group(2))
    return ok


# user/bench's programs inside CosmOS, in /tmp (a tmpfs) ...
USER_BENCHES = ("null_syscall write_devnull_1b read_devzero_4k clock_gettime signal_roundtrip pipe_ "
                "fork_ thread_create_join page_fault_anon mmap_munmap_1m open_close "
                "stat_3_components create_write_unlink_4k getdents_1000 create_stat_ unix_ channel_call_")
# ... and the file ones on a fresh 512 MiB cosmfs disk (host mkfs.cosmfs) at
# /mnt, then mount_umount and cold_seq_read_32m, which mount that disk
# themselves; these are named user_cosmfs_NAME (issue 13's list, the same
# program as make bench-linux's linux_ext4_NAME)
DISK_BENCHES = ("open_close stat_3_components create_write_unlink_4k getdents_1000 write_fsync_1m "
                "untar_ create_stat_")
DISK_MARK = "bench: on cosmfs"


def user_bench(env, template, results):
    """One boot whose init mounts /dev and runs /bin/bench over USER_BENCHES
    in /tmp and DISK_BENCHES on a cosmfs disk (each its own median of
    rounds); adds its lines to results. False if the boot failed."""
    def esp(root):
        shutil.copyfile(env.build / "initrd.cpio", root / "cosmos/initrd.cpio")
    env.run_dir.mkdir(parents=True, exist_ok=True)
    disk = env.run_dir / "bench-user-disk.img"
    disk.unlink(missing_ok=True)
    subprocess.run([str(env.build / "tools" / "mkfs.cosmfs"), str(disk), "512M", "-L", "bench"],
                   check=True, stdout=subprocess.DEVNULL)
    init = ("/bin/busybox sh -c 'mount -t devtmpfs dev /dev && /bin/bench -d /tmp "
            f"{USER_BENCHES} && echo {DISK_MARK} && mkdir -p /mnt && mount -t cosmfs /dev/vda /mnt && "
            f"/bin/bench -d /mnt {DISK_BENCHES} && umount /mnt && "
            "/bin/bench -d /tmp -m /dev/vda:cosmfs mount_ cold_ && echo bench: done'")
    case = Case("bench-user", cmdline=f'init="{init}"', esp=esp, timeout=900,
                expect=[BANNER_RE, r"^bench: done"], forbid=[r"KERNEL PANIC(?!: init ended)"],
                qemu_args=["-drive", f"if=none,id=bench,format=raw,file={disk}",
                           "-device", "virtio-blk-pci,drive=bench"],
                exit_status=7)
    res = harness.boot(env, case, template)
    if not res.ok:
        print(f"# user bench boot failed: {res.reason} (log: {res.log_path})", flush=True)
        return False
    tmpfs, cosmfs = (re.split(rf"^{DISK_MARK}\s*$", res.log, maxsplit=1, flags=re.M) + [""])[:2]
    for prefix, text in (("user_", tmpfs), ("user_cosmfs_", cosmfs)):
        for m in re.finditer(r"^BENCH (\S+) (\S+) (\S+)\s*$", text, re.M):
            results.setdefault((prefix + m.group(1), m.group(3)), []).append(m.group(2))
    # the boot's own unpack of build/initrd.cpio, one pass into a fresh
    # root (the initramfs_unpack KBENCH is the best of 10 of a small archive)
    m = re.search(r"initramfs: .* (\d+) bytes in (\d+) us", res.log)
    if m and int(m.group(2)):
        results.setdefault(("initramfs_unpack_boot", "MiB/s"), []).append(
            f"{int(m.group(1)) / (1 << 20) / (int(m.group(2)) / 1e6):.2f}")
    return True


# two processes at once on 1 and 2 CPUs, in one boot at -smp 2 (QEMU's
# multi-threaded TCG): pinned to CPU 0 (bench -c 0), then free to use both;
# the ratio of their wall times is how far independent programs scale. A
# pair runs a millisecond or two, so one host preemption moves a ratio:
# SMP_RUNS alternating runs, and the median ratio is the figure. Then the
# pipe and AF_UNIX round trips with both CPUs online (sync wake-ups keep a
# ping-pong on one CPU).
PAIR_BENCHES = "pair_"
SMP_RUNS = 5
SMP_IPC_BENCHES = "pipe_roundtrip unix_stream_roundtrip_64b"


def smp_scaling(env, template, results):
    """Adds /bin/bench's pair_ benchmarks on one CPU and on two, their
    speed-up (1-CPU time over 2-CPU time, the median of SMP_RUNS runs) and
    the round trips on two CPUs to results. False if the boot failed."""
    def esp(root):
        shutil.copyfile(env.build / "initrd.cpio", root / "cosmos/initrd.cpio")
    init = ("/bin/busybox sh -c 'mount -t devtmpfs dev /dev && "
            f"for i in {' '.join(str(i) for i in range(SMP_RUNS))}; do echo on 1 CPU && "
            f"/bin/bench -c 0 -r 9 -d /tmp {PAIR_BENCHES} && echo on 2 CPUs && "
            f"/bin/bench -r 9 -d /tmp {PAIR_BENCHES} || exit 1; done && echo ipc on 2 CPUs && "
            f"/bin/bench -d /tmp {SMP_IPC_BENCHES} && echo bench: done'")
    case = Case("bench-smp", cmdline=f'init="{init}"', esp=esp, timeout=900, smp=2,
                expect=[BANNER_RE, r"^bench: done"], forbid=[r"KERNEL PANIC(?!: init ended)"],
                exit_status=7)
    res = harness.boot(env, case, template)
    if not res.ok:
        print(f"# smp bench boot failed: {res.reason} (log: {res.log_path})", flush=True)
        return False
    pairs, ipc = res.log.split("\nipc on 2 CPUs", 1) if "\nipc on 2 CPUs" in res.log else (res.log, "")
    got = {}                         # (name, cpus) -> [value per run]
    parts = re.split(r"^on (\d) CPUs?$", pairs, flags=re.M)
    for n, text in ((int(parts[i]), parts[i + 1]) for i in range(1, len(parts) - 1, 2)):
        for m in re.finditer(r"^BENCH (pair_\S+) (\S+) (\S+)\s*$", text, re.M):
            got.setdefault((m.group(1), n), []).append(float(m.group(2)))
            results.setdefault((f"user_{m.group(1)}_{n}cpu", m.group(3)), []).append(m.group(2))
    for (name, n), twos in got.items():
        ones = got.get((name, 1), [])
        if n != 2 or len(ones) != len(twos) or not all(twos):
            continue
        ratios = sorted(a / b for a, b in zip(ones, twos))
        print(f"# {name} speed-up on 2 CPUs, {len(ratios)} runs: "
              + " ".join(f"{r:.2f}" for r in ratios), flush=True)
        results.setdefault((f"user_{name}_speedup_2cpu", "x"), []).append(
            f"{statistics.median(ratios):.2f}")
    for m in re.finditer(r"^BENCH (\S+) (\S+) (\S+)\s*$", ipc, re.M):
        results.setdefault((f"user_{m.group(1)}_smp2", m.group(3)), []).append(m.group(2))
    return True


def run_bench(env, runs=3):
    """Boots `runs` times (one at a time, so timings are not disturbed by each
    other) with kbench=all and prints medians as "BENCH name value unit"."""
    template = harness.warm_vars(env)
    walls, entry_us, loader_us = [], [], []
    kbench = {}
    failed = False
    for i in range(runs):
        seen = {}

        def on_line(line, t, seen=seen):
            if "banner" not in seen and re.search(BANNER_RE, line):
                seen["banner"] = t
        # a fresh sparse 512 MiB scratch disk for the block and cosmfs benchmarks (vda)
        disk = env.run_dir / "bench-disk.img"
        env.run_dir.mkdir(parents=True, exist_ok=True)
        disk.unlink(missing_ok=True)
        with open(disk, "wb") as f:
            f.truncate(512 << 20)
        case = Case(f"bench-{i + 1}", cmdline="kbench=all", expect=[BANNER_RE, r"# kbench: done"],
                    exit_status=1, timeout=300,
                    qemu_args=["-drive", f"if=none,id=bench,format=raw,file={disk}",
                               "-device", "virtio-blk-pci,drive=bench"])
        res = harness.boot(env, case, template, on_line=on_line, poll=0.005)
        if not res.ok:
            print(f"# bench boot {i + 1} failed: {res.reason} (log: {res.log_path})", flush=True)
            failed = True
            continue
        walls.append(seen["banner"] * 1000)
        m = re.search(r"loader to kernel (\d+) us, kernel entry to banner (\d+) us", res.log)
        if m:
            loader_us.append(int(m.group(1)))
            entry_us.append(int(m.group(2)))
        for m in re.finditer(r"^BENCH (\S+) (\S+) (\S+)\s*$", res.log, re.M):
            kbench.setdefault((m.group(1), m.group(3)), []).append(m.group(2))
    failed |= not user_bench(env, template, kbench)
    failed |= not smp_scaling(env, template, kbench)
    failed |= not bench_prompt(env, template, runs, kbench, prompt_walls := [])
    if walls:
        print(f"BENCH boot_wall_to_banner {statistics.median(walls):.0f} ms", flush=True)
    if prompt_walls:
        print(f"BENCH boot_wall_to_prompt {statistics.median(prompt_walls):.2f} s", flush=True)
    if entry_us:
        print(f"BENCH boot_kernel_entry_to_banner {statistics.median(entry_us):.0f} us")
        print(f"BENCH boot_loader_to_kernel {statistics.median(loader_us):.0f} us")
    for (name, unit), values in kbench.items():
        print(f"BENCH {name} {sorted(values, key=float)[len(values) // 2]} {unit}")
    print(f"# medians of {len(walls)} boots; logs in {env.log_dir}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
