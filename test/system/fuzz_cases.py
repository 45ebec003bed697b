"""The syscall fuzzer inside CosmOS (user/fuzz, issue 17): /bin/fuzz as pid
1 makes 100,000 random calls from the whole table in four worker processes
with forks among them and SIGALRM handlers (making calls of their own)
interrupting them, on a kernel with the heap's debug checks on. The
kernel must not panic, hang or report a heap or lock error, and once the
workers are gone the kernel's heap objects and free frames (the native
memstat call, which frees the threads still waiting for their reaper
first) are back where they were, but for what the file system keeps on
purpose. The fuzzer empties the name cache (/proc/sys/vm/drop_caches)
before it counts, both times: the cache keeps a dentry for every name
the workers looked up, found or not, and a random pointer into random
bytes is a new name (seed 7 at 200,000 calls ended 37 objects up twice;
three runs since ended 6 to 8 up, all dentries but one inode or tmpfs
entry, in the census; with the cache emptied, 969 objects before and 969
after). What stays is files a worker made under a random name and the
room tmpfs directories grew;
HEAP_SLACK objects and FRAME_SLACK frames cover those; a leak of one
object in every thousand calls would not fit. When the heap check fails
it names the allocating call sites whose counts changed (the fuzzer's
census of /proc/heapsites, heapdebug=on). sysinfo's free memory must
come back within SLACK_KIB too."""

import re

from harness import Case
from user_cases import PANIC_EXIT, with_initrd

CALLS = 100000
SLACK_KIB = 256
HEAP_SLACK = 32
FRAME_SLACK = 16


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
    m = re.search(r"^fuzz: kernel heap objects (\d+) before, (\d+) after; "
                  r"free frames (\d+) before, (\d+) after$", log, re.M)
    assert m, "no kernel heap line"
    hb, ha, fb, fa = map(int, m.groups())
    # the fuzzer's census of the heap by call site, for the reason
    sites = "; ".join(re.findall(r"^fuzz: heap site (.*)$", log, re.M)) or \
        "no site changed (the census needs heapdebug=on)"
    assert ha - hb <= HEAP_SLACK, \
        f"{ha - hb} more heap objects after the run (at most {HEAP_SLACK}); by call site: {sites}"
    assert fb - fa <= FRAME_SLACK, f"{fb - fa} fewer free frames after the run (at most {FRAME_SLACK})"


def fuzz_case(name, calls, seed=1, procs=4, timeout=300):
    """A boot running /bin/fuzz as pid 1 with these settings and the checks
    above; `make fuzz-kernel` (test/system/fuzz_kernel.py) runs one longer."""
    return Case(name, esp=with_initrd, timeout=timeout,
                cmdline=f'init="/bin/fuzz -s {seed} -n {calls} -p {procs}" heapdebug=on',
                expect=[rf"^fuzz: seed {seed}, {calls} calls from \d+ in the table, {procs} processes$",
                        rf"^fuzz: {calls} calls in \d+ ms \(\d+ calls/s\), \d+ forks, \d+ workers replaced$",
                        r"^fuzz: \d+ signals handled mid-run, \d+ calls made in handlers, \d+ calls interrupted$",
                        r"^fuzz: \d+ workers killed by the watchdog$",
                        r"^fuzz: free memory \d+ KiB before, \d+ KiB after$",
                        r"^fuzz: kernel heap objects \d+ before, \d+ after; free frames \d+ before, \d+ after$",
                        r"init: pid 1 exited with status 0$"],
                forbid=[r"KERNEL PANIC(?!: init ended)", r"ERROR heap:", r"lock misuse"],
                check=signals_and_memory, exit_status=PANIC_EXIT)


CASES = [fuzz_case("fuzz_syscalls", CALLS)]
