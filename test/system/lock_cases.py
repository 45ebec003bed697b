"""System tests of locking that needs QEMU's instruction counting to show:
without -icount, TCG takes interrupts only between translation blocks, and a
port write followed by a port read sits in one block, so a thread is never
preempted between the two. With -icount every I/O instruction ends its block
and a timer interrupt (and so a thread switch) can fall between them."""

from harness import Case

CASES = [
    Case("lock_pci_config_ports", cmdline="ktest=pci_port_access_is_atomic_across_threads",
         qemu_args=["-icount", "shift=auto"],
         expect=[r"^ok 1 pci_port_access_is_atomic_across_threads$"],
         forbid=[r"KERNEL PANIC", r"^not ok"], exit_status=1, timeout=120),
]
