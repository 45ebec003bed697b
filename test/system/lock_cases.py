"""System tests of locking that needs QEMU's instruction counting to show:
without -icount, TCG takes interrupts only between translation blocks, and a
port write followed by a port read sits in one block, so a thread is never
preempted between the two. With -icount every I/O instruction ends its block
and a timer interrupt (and so a thread switch) can fall between them."""

import os
from pathlib import Path

from harness import Case

CASES = [
    Case("lock_pci_config_ports", cmdline="ktest=pci_port_access_is_atomic_across_threads",
         qemu_args=["-icount", "shift=auto"],
         expect=[r"^ok 1 pci_port_access_is_atomic_across_threads$"],
         forbid=[r"KERNEL PANIC", r"^not ok"], exit_status=1, timeout=120),
]


def lockdep_built():
    """Is this the LOCKDEP=1 build (make LOCKDEP=1 test)? Its kernel carries
    the checker's report text."""
    elf = Path(os.environ.get("COSMOS_BUILD", "build")) / "kernel/kernel.elf"
    try:
        return b"lockdep: lock order reversal" in elf.read_bytes()
    except OSError:
        return False


# The checker's reports as a person reads them: both orders' call sites by
# function name, and the spinlock held by a thread that tried to sleep
# (expected in the order the ktests run: the sleep test comes first). For a
# LOCKDEP=1 kernel only: `make test` boots them on build-lockdep's kernel
# (test/run.py --lockdep-kernel), `make LOCKDEP=1 test` on its own.
def lockdep_cases():
    return [
        Case("lockdep_reports_both_sites",
             cmdline="ktest=lockdep_reversal_reported_with_both_sites,lockdep_sleep_under_spinlock_reported",
             expect=[r'^lockdep:   held spinlock "ktest lockdep sleeper" at lockdep_sleep_under_spinlock',
                     r'^lockdep: lock order reversal: "ktest lockdep A" taken while holding "ktest lockdep B"$',
                     r'^lockdep:   this time: took "ktest lockdep A" at lockdep_take_b_then_a\+0x',
                     r'^lockdep:   earlier:   took "ktest lockdep B" at lockdep_take_a_then_b\+0x',
                     r"^ok 2 "],
             forbid=[r"KERNEL PANIC", r"^not ok"], exit_status=1, timeout=120),
    ]


if lockdep_built():
    CASES.extend(lockdep_cases())
