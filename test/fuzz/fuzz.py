#!/usr/bin/env python3
"""Runs the libFuzzer targets of test/fuzz/ (standard library only).

`make fuzz [FUZZ=name] [FUZZ_TIME=s]` fuzzes each target in turn for
FUZZ_TIME seconds, starting from its corpus in test/fuzz/corpus/<name>/, and
then merges what it learnt back into that directory, minimized (only inputs
that add coverage are kept). Crash inputs land in test/fuzz/crashes/<name>/,
where `make test` replays them. `make fuzz-cov` reports the lines of each
parser its corpus reaches. test/run.py imports run_for() and replay() for
the fuzz level of `make test`."""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"
CRASHES = HERE / "crashes"

ENV = dict(os.environ,
           ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:symbolize=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")


def names():
    return sorted(p.stem[len("fuzz_"):] for p in HERE.glob("fuzz_*.c"))


def binary(build, name, kind="fuzz"):
    return Path(build) / "fuzz" / f"{kind}_{name}"


def crash_inputs(name):
    d = CRASHES / name
    return sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []


def _stats(out):
    """Executions, executions per second and coverage from libFuzzer's output."""
    st = {}
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    st["runs"] = int(m.group(1)) if m else 0
    m = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
    st["per_sec"] = int(m.group(1)) if m else 0
    covs = re.findall(r"\bcov: (\d+) ft: (\d+)", out)
    st["cov"], st["ft"] = (int(covs[-1][0]), int(covs[-1][1])) if covs else (0, 0)
    return st


def crash_summary(out):
    """The lines that say what went wrong: the sanitizer's or the check's
    report and the top of its stack."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^(==\d+==ERROR|==FUZZ CHECK==|.*runtime error:|==\d+== ERROR: libFuzzer)", line):
            return "\n".join(lines[i:i + 14])
    return "\n".join(lines[-14:])


def run_for(binary, name, seconds, work, artifacts, timeout=None):
    """Fuzzes for `seconds`, reading the saved corpus and writing new inputs
    to `work` and any crash input under `artifacts`. Returns (ok, stats,
    output, crash file or None)."""
    work.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    seeds = CORPUS / name
    cmd = [str(binary), f"-max_total_time={seconds}", "-timeout=10", "-print_final_stats=1",
           f"-artifact_prefix={artifacts}/", str(work)]
    if seeds.is_dir():
        cmd.append(str(seeds))
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=ENV,
                              timeout=timeout or seconds + 120)
        out, status = proc.stdout.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode(errors="replace") + "\n(fuzzer hung)", None
    m = re.findall(r"Test unit written to (\S+)", out)
    crash = Path(m[-1]) if m else None
    return status == 0, _stats(out), out, crash


def replay(binary, path, timeout=60):
    """Runs one saved input once. Returns (ok, output)."""
    try:
        proc = subprocess.run([str(binary), "-timeout=10", str(path)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"replay of {path} hung"
    return proc.returncode == 0, proc.stdout.decode(errors="replace")


def merge_into_tree(binary, name, work, scratch):
    """Replaces test/fuzz/corpus/<name>/ by a minimal set of inputs that
    reaches every edge the saved corpus and the new inputs in `work` reach.
    -use_counters=0 keeps one input per edge rather than one per hit-count
    bucket (tens of files, not hundreds); fuzzing rebuilds that variety in
    seconds."""
    seeds = CORPUS / name
    seeds.mkdir(parents=True, exist_ok=True)
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    proc = subprocess.run([str(binary), "-merge=1", "-use_counters=0",
                           str(scratch), str(seeds), str(work)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=ENV)
    kept = sorted(scratch.iterdir())
    if proc.returncode != 0 or not kept:
        print(f"# fuzz/{name}: merge failed; corpus left as it was", flush=True)
        print(proc.stdout.decode(errors="replace")[-2000:], flush=True)
        return
    for old in seeds.iterdir():
        if old.is_file():
            old.unlink()
    for f in kept:
        shutil.copy2(f, seeds / f.name)


def fuzz(build, chosen, seconds):
    failed = 0
    for name in chosen:
        exe = binary(build, name)
        work = Path(build) / "fuzz" / "work" / name
        if work.exists():
            shutil.rmtree(work)
        print(f"# fuzz/{name}: {seconds} s", flush=True)
        ok, st, out, crash = run_for(exe, name, seconds, work, CRASHES / name)
        merge_into_tree(exe, name, work, Path(build) / "fuzz" / "merged" / name)
        files = list((CORPUS / name).iterdir())
        size = sum(f.stat().st_size for f in files)
        print(f"fuzz/{name}: {st['runs']} runs, {st['per_sec']} exec/s, cov {st['cov']} ft {st['ft']}, "
              f"corpus {len(files)} files {size} bytes", flush=True)
        if not ok:
            failed += 1
            print(f"FAIL fuzz/{name}: crash input {crash or '(none written)'}", flush=True)
            for line in crash_summary(out).splitlines():
                print(f"    {line}", flush=True)
    return 1 if failed else 0


def coverage(build, chosen):
    """Runs every corpus and crash input once through the coverage build and
    prints the line and branch coverage of the parser's own sources (its
    .deps list)."""
    import json
    status = 0
    for name in chosen:
        exe = binary(build, name, "cov")
        out_dir = Path(build) / "fuzz" / "cov" / name
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        deps = [ln.split("#")[0].strip() for ln in
                (ROOT / "test" / "host" / f"test_{name}.deps").read_text().splitlines()]
        deps = [str(ROOT / d) for d in deps if d.split("#")[0].strip()]
        env = dict(ENV, LLVM_PROFILE_FILE=str(out_dir / "%p.profraw"))
        # a directory and single files cannot share one libFuzzer command line
        runs = [[str(CORPUS / name)]] + [[str(p)] for p in crash_inputs(name)]
        for inputs in runs:
            subprocess.run([str(exe), "-runs=0", *inputs], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        prof = out_dir / "all.profdata"
        subprocess.run(["llvm-profdata", "merge", "-sparse", *map(str, out_dir.glob("*.profraw")),
                        "-o", str(prof)], check=True)
        rep = subprocess.run(["llvm-cov", "export", "-summary-only", str(exe), f"-instr-profile={prof}",
                              *deps], stdout=subprocess.PIPE, text=True)
        try:
            files = json.loads(rep.stdout)["data"][0]["files"]
        except (ValueError, KeyError, IndexError):
            print(f"cov/{name}: no report")
            status = 1
            continue
        for f in files:
            ln, br = f["summary"]["lines"], f["summary"]["branches"]
            print(f"cov/{name}: {Path(f['filename']).relative_to(ROOT)}: lines {ln['covered']}/{ln['count']}"
                  f" ({ln['percent']:.1f}%), branches {br['covered']}/{br['count']}", flush=True)
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--time", type=int, default=60, help="seconds per target")
    ap.add_argument("--coverage", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    chosen = args.targets or names()
    unknown = [t for t in chosen if t not in names()]
    if unknown:
        print(f"fuzz: no such target: {' '.join(unknown)} (have: {' '.join(names())})")
        return 2
    if args.coverage:
        return coverage(args.build, chosen)
    return fuzz(args.build, chosen, args.time)


if __name__ == "__main__":
    sys.exit(main())
