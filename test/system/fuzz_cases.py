"""The syscall fuzzer inside CosmOS (user/fuzz, issue 17): /bin/fuzz as pid
1 makes 100,000 random calls from the whole table in four worker processes
with forks among them and SIGALRM handlers (making calls of their own)
interrupting them, on a kernel with the heap's debug checks on. The
kernel must not panic, hang or report a heap or lock error, and once the
workers are gone the free memory is back near where it was before them:
the kernel keeps some of what the run grew (slabs, name caches), so up to
SLACK_KIB may stay; a leak per call would pass that quickly (seed 1 keeps
about 124 KiB after 100,000 calls, 32 KiB after 5,000)."""

import re

from harness import Case
from user_cases import PANIC_EXIT, with_initrd

CALLS = 100000
SLACK_KIB = 256


def signals_and_memory(log):
    m = re.search(r"^fuzz: (\d+) signals handled mid-run, (\d+) calls made in handlers, "
                  r"(\d+) calls interrupted$", log, re.M)
    assert m and all(int(g) > 0 for g in m.groups()), "no signals came in the middle of the calls"
    memory_back(log)


def memory_back(log):
    m = re.search(r"^fuzz: free memory (\d+) KiB before, (\d+) KiB after$", log, re.M)
    assert m, "no free-memory line"
    before, after = int(m.group(1)), int(m.group(2))
    assert before - after <= SLACK_KIB, \
        f"free memory {before} KiB before the run, {after} KiB after (more than {SLACK_KIB} KiB kept)"


CASES = [
    Case("fuzz_syscalls", esp=with_initrd, timeout=300,
         cmdline=f'init="/bin/fuzz -s 1 -n {CALLS} -p 4" heapdebug=on',
         expect=[r"^fuzz: seed 1, 100000 calls from \d+ in the table, 4 processes$",
                 r"^fuzz: 100000 calls in \d+ ms \(\d+ calls/s\), \d+ forks, \d+ workers replaced$",
                 r"^fuzz: \d+ signals handled mid-run, \d+ calls made in handlers, \d+ calls interrupted$",
                 r"^fuzz: \d+ workers killed by the watchdog$",
                 r"^fuzz: free memory \d+ KiB before, \d+ KiB after$",
                 r"init: pid 1 exited with status 0$"],
         forbid=[r"KERNEL PANIC(?!: init ended)", r"ERROR heap:", r"lock misuse"],
         check=signals_and_memory, exit_status=PANIC_EXIT),
]
