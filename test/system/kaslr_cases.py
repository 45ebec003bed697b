"""System tests of KASLR: the loader places the kernel at a random 2 MiB
multiple in the top 2 GiB and says where and with what entropy; boots differ;
kaslr=off keeps the link address; a panic backtrace still names functions
when the kernel has been moved (and the TSC fallback for entropy works)."""

import re

from harness import Case

LINK = 0xffffffff80000000
TOP = 0xffffffffffe00000
ALIGN = 2 << 20
PLACE = r"boot: kernel at 0x([0-9a-f]{16}), linked at 0xffffffff80000000 \(KASLR: one of (\d+) places, entropy from (.+)\)$"
HEX16 = r"[0-9a-f]{16}"


def places(log):
    """Every kernel place the log reports, each checked to be a KASLR place."""
    found = [int(m.group(1), 16) for m in re.finditer(PLACE, log, re.M)]
    for at in found:
        assert at >= LINK and (at - LINK) % ALIGN == 0 and at < TOP, f"bad place {at:#x}"
    return found


def boots_differ(log):
    found = places(log)
    assert len(found) == 3, f"{len(found)} boots reported a place"
    # three boots at one place out of ~1000 would be a one-in-a-million
    # coincidence: the entropy is not reaching the placement
    assert len(set(found)) > 1, f"three boots, all at {found[0]:#x}"
    loader = [int(a, 16) for a in re.findall(r"^loader: kernel at ([0-9a-f]{16}), one of", log, re.M)]
    assert loader[:3] == found, f"the loader said {loader}, the kernel {found}"


def backtrace_in_image(log):
    at, = places(log)
    frames = [int(a, 16) for a in re.findall(r"^  \[<(" + HEX16 + r")>\] \w+\+0x", log, re.M)]
    assert len(frames) >= 3, "backtrace too short"
    for pc in frames:
        assert at <= pc < at + (16 << 20), f"frame {pc:#x} is not in the kernel at {at:#x}"


CASES = [
    # shutdown=reboot with QEMU told to reset rather than exit: the machine
    # boots again and again until the third place is seen
    Case("kaslr_boots_differ", cmdline="shutdown=reboot",
         qemu_args=["-action", "reboot=reset"],
         expect=[PLACE, r"kernel: shutdown=reboot", PLACE, r"kernel: shutdown=reboot", PLACE],
         check=boots_differ, timeout=120),
    Case("kaslr_off", cmdline="kaslr=off",
         expect=[r"^loader: kernel at its link address ffffffff80000000 \(kaslr=off\)$",
                 r"boot: kernel at its link address 0xffffffff80000000 \(kaslr=off\)$",
                 r"CosmOS \S+ booting"],
         forbid=[r"KERNEL PANIC", r"KASLR"]),
    # the TSC as the only entropy, and a panic in a moved kernel
    Case("kaslr_panic_backtrace", cmdline="loader.entropy=tsc crash=ud",
         expect=[r"^loader: kernel at " + HEX16 + r", one of \d+ places \(entropy from the TSC\)",
                 PLACE.replace("(.+)", "(the TSC)"),
                 r"^KERNEL PANIC: invalid opcode in kernel mode at crash_ud\+0x[0-9a-f]+$",
                 r"^backtrace:$",
                 r"^  \[<" + HEX16 + r">\] crash_ud\+0x[0-9a-f]+$",
                 r"^  \[<" + HEX16 + r">\] crash_from_cmdline\+0x[0-9a-f]+$",
                 r"^  \[<" + HEX16 + r">\] kmain\+0x[0-9a-f]+$"],
         forbid=[], exit_status=7, check=backtrace_in_image),
]
