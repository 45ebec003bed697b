"""System tests of program address spaces: aslr=off gives the fixed layout
(the vm_aslr_layout ktest checks the randomized one in the ktest boot)."""

from harness import Case

CASES = [
    Case("vm_aslr_off", cmdline="aslr=off ktest=vm_aslr_layout",
         expect=[r"vm: ASLR off \(aslr=off\)$", r"^ok 1 vm_aslr_layout$",
                 r"^# ktest: 1 passed, 0 failed$"],
         exit_status=1, timeout=60),
]
