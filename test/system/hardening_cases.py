"""System tests of the kernel's own hardening: the stack protector is on
and stops a function that ran over its buffer; the fault-injection options
on the command line arm the injector (docs/hardening.md)."""

from harness import Case

HEX16 = r"[0-9a-f]{16}"

CASES = [
    # -fstack-protector-strong: the canary check on return panics, and the
    # backtrace names the function that smashed its stack
    Case("stack_protector_catches_smash", cmdline="crash=stack-smash",
         expect=[r"crash: writing 24 bytes into a 16-byte stack buffer$",
                 r"^KERNEL PANIC: stack smashing detected$",
                 r"^backtrace:$",
                 r"^  \[<" + HEX16 + r">\] __stack_chk_fail\+0x[0-9a-f]+$",
                 r"^  \[<" + HEX16 + r">\] crash_stack_smash\+0x[0-9a-f]+$",
                 r"^  \[<" + HEX16 + r">\] crash_from_cmdline\+0x[0-9a-f]+$"],
         forbid=[], exit_status=7),
    # failpage=1 for the kernel (process 0): its first frame allocation,
    # for its own page tables, fails, and boot stops with a clear report
    Case("failinject_first_frame", cmdline="failpage=1 failinject.pid=0",
         expect=[r"failinject: failing frame allocation 1 of process 0$",
                 r"vmm: cannot build the kernel page tables \(-12\)$",
                 r"^KERNEL PANIC: mm: kernel page tables failed \(-12\)$"],
         forbid=[], exit_status=7),
    # 1 in K with a seed, for a process that never exists: armed, and
    # nothing else happens
    Case("failinject_one_in_k_option",
         cmdline="failslab=1in:3 failinject.pid=7 failinject.seed=42",
         expect=[r"failinject: failing 1 in 3 heap allocations of process 7 "
                 r"\(failinject.seed=0x2a\)$",
                 r"kernel: shutdown=exit"],
         forbid=[r"KERNEL PANIC", r"cmdline: unknown option", r"failinject: .*expected"],
         exit_status=1),
]
