#!/usr/bin/env python3
"""A long run of the syscall fuzzer inside CosmOS (`make fuzz-kernel`): one
boot of /bin/fuzz as pid 1, judged as system/fuzz_syscalls is (no panic,
hang, heap or lock error; signals handled mid-run; free memory, kernel
heap objects and free frames back within fuzz_cases' slack), with the
number of calls, the seed and the worker count given here. The timeout
allows 200 calls a second (TCG on a loaded host makes 1,000-2,000), plus
two minutes for the boot and the checks.

    test/system/fuzz_kernel.py --build build --calls 1000000 [--seed 7] [--procs 4]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from fuzz_cases import fuzz_case  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--calls", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--procs", type=int, default=4)
    args = ap.parse_args()
    if args.calls <= 0 or args.procs <= 0 or args.seed < 0:
        ap.error("calls and procs must be positive, the seed not negative")

    build = Path(args.build)
    os.environ["COSMOS_BUILD"] = str(build.resolve())   # with_initrd finds the initramfs here
    env = harness.Env(build, build / "boot/BOOTX64.EFI", build / "kernel/kernel.elf")
    case = fuzz_case(f"fuzz_kernel_s{args.seed}_n{args.calls}", args.calls, args.seed, args.procs,
                     timeout=120 + args.calls / 200)
    print(f"fuzz-kernel: seed {args.seed}, {args.calls} calls, {args.procs} processes, "
          f"timeout {case.timeout:.0f} s", flush=True)
    res = harness.boot(env, case, harness.warm_vars(env))
    for line in res.log.splitlines():
        if line.startswith("fuzz: "):
            print(line, flush=True)
    if res.ok:
        print(f"fuzz-kernel: passed in {res.seconds:.0f} s; log {res.log_path}", flush=True)
        return 0
    print(f"fuzz-kernel: FAILED: {res.reason}; log {res.log_path}", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
