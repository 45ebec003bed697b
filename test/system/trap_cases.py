"""System tests of the kernel's exception reports: crash=KIND raises a real,
uncaught fault after boot (kernel/crash.c); the serial report and the QEMU
exit status (panic=exit: 7) are checked."""

import re

from harness import Case

PANIC_EXIT = 7          # panic=exit: isa-debug-exit code 3
CLEAN_EXIT = 1          # shutdown=exit with nothing failed
HEX16 = r"[0-9a-f]{16}"


def report(headline, exception_line, func, before=(), after=()):
    """Ordered regexes for a fatal trap report raised in crash.c's func;
    before/after: lines expected around the exception line."""
    return ([r"^KERNEL PANIC: " + headline + r" in kernel mode at " + func + r"\+0x[0-9a-f]+$"]
            + list(before)
            + [r"^" + exception_line + r", in kernel mode$"]
            + list(after)
            + [r"^RIP: 0008:" + HEX16 + r"  RFLAGS: " + HEX16 + r"$",
               r"^RSP: 0010:" + HEX16 + r"$",
               r"^RAX: " + HEX16 + r"  RBX: " + HEX16 + r"  RCX: " + HEX16 + r"$",
               r"^RDX: " + HEX16 + r"  RSI: " + HEX16 + r"  RDI: " + HEX16 + r"$",
               r"^RBP: " + HEX16 + r"  R8:  " + HEX16 + r"  R9:  " + HEX16 + r"$",
               r"^R10: " + HEX16 + r"  R11: " + HEX16 + r"  R12: " + HEX16 + r"$",
               r"^R13: " + HEX16 + r"  R14: " + HEX16 + r"  R15: " + HEX16 + r"$",
               r"^CR0: " + HEX16 + r"  CR2: " + HEX16 + r"  CR3: " + HEX16 + r"  CR4: " + HEX16 + r"$",
               r"^backtrace:$",
               r"^  \[<" + HEX16 + r">\] " + func + r"\+0x[0-9a-f]+$"]
            + ([] if func == "crash_recurse" else
               [r"^  \[<" + HEX16 + r">\] crash_from_cmdline\+0x[0-9a-f]+$",
                r"^  \[<" + HEX16 + r">\] kmain\+0x[0-9a-f]+$"])
            + [r"^--- end of kernel panic ---$"])


def field(log, regex, what):
    m = re.search(regex, log, re.M)
    assert m, f"no {what} in the log"
    return int(m.group(1), 16)


def rip_is_first_frame(log):
    """The RIP line and the backtrace's first frame name the same address."""
    rip = field(log, r"^RIP: 0008:(" + HEX16 + ")", "RIP line")
    first = field(log, r"^backtrace:\n  \[<(" + HEX16 + r")>\]", "backtrace")
    assert rip == first, f"RIP {rip:#x} but the backtrace starts at {first:#x}"


def cr2_is(address_regex, what):
    """CR2 in the register dump equals the address the crash announced."""
    def check(log):
        rip_is_first_frame(log)
        want = field(log, address_regex, what)
        cr2 = field(log, r"^CR0: " + HEX16 + r"  CR2: (" + HEX16 + ")", "CR2")
        pf = field(log, r"^page fault at (" + HEX16 + "):", "page-fault line")
        assert cr2 == want and pf == want, f"CR2 {cr2:#x} / page fault at {pf:#x}, expected {want:#x}"
    return check


def crash(name, kind, expect, check=rip_is_first_frame):
    return Case("trap_" + name, cmdline="crash=" + kind, expect=expect, forbid=[],
                exit_status=PANIC_EXIT, check=check)


CASES = [
    crash("divide_error", "de",
          [r"crash: dividing by zero$"]
          + report("divide error", r"#DE divide error \(vector 0\), error code 0", "crash_de")),
    crash("invalid_opcode", "ud",
          [r"crash: executing ud2$"]
          + report("invalid opcode", r"#UD invalid opcode \(vector 6\), error code 0", "crash_ud")),
    crash("general_protection", "gp",
          [r"crash: reading non-canonical address 0x8000000000000000$"]
          + report("general protection fault",
                   r"#GP general protection fault \(vector 13\), error code 0", "crash_gp")),
    crash("page_fault_unmapped", "pf",
          [r"crash: reading unmapped address 0xffffbffffffff008$"]
          + report("page fault", r"#PF page fault \(vector 14\), error code 0", "crash_pf",
                   after=[r"^page fault at ffffbffffffff008: not-present page, read, kernel mode$"]),
          check=cr2_is(r"crash: reading unmapped address 0x([0-9a-f]+)$", "announced address")),
    # KASLR puts the text anywhere in the top 2 GiB
    crash("page_fault_text_write", "pf-text",
          [r"crash: writing kernel text at 0xffffffff[89a-f][0-9a-f]{7}$"]
          + report("page fault", r"#PF page fault \(vector 14\), error code 0x3", "crash_pf_text",
                   after=[r"^page fault at ffffffff[89a-f][0-9a-f]{7}: protection violation \(present\), "
                          r"write, kernel mode$"]),
          check=cr2_is(r"crash: writing kernel text at 0x([0-9a-f]+)$", "announced address")),
    crash("stack_overflow_double_fault", "stack-overflow",
          [r"crash: overflowing the kernel stack$"]
          + report("double fault", r"#DF double fault \(vector 8\), error code 0", "crash_recurse",
                   before=[r"^kernel stack overflow: RSP " + HEX16 + ", fault address " + HEX16
                          + " hit a stack guard page$"])),
    # #BP is reported and execution goes on to a clean shutdown.
    Case("trap_breakpoint_continues", cmdline="crash=bp",
         expect=[r"crash: executing int3$",
                 r"trap: breakpoint at crash_bp\+0x[0-9a-f]+$",
                 r"crash: breakpoint returned; boot continues$"],
         exit_status=CLEAN_EXIT),
    Case("trap_crash_unknown_kind", cmdline="crash=bogus",
         expect=[r'crash: unknown kind "bogus"'], exit_status=CLEAN_EXIT),
]
