"""System tests of memory management: boots with 128 MiB, 512 MiB and 4 GiB
and checks that the frame allocator's report agrees with the firmware's
memory map (kernel/mm/pmm.c prints both), that the kernel runs on its own
page tables with the CPU protections on, and that the mm ktests pass with
memory above 4 GiB."""

import re

from harness import Case

TS = r"^\[\s*\d+\.\d+\] "
OWNED = ("usable", "loader", "boot services", "kernel", "boot data")
NOT_RAM = ("MMIO", "reserved")
MIB = 1024


def parse(log):
    types = {}
    for m in re.finditer(TS + r"pmm: type (.+?)\s+(\d+) ranges\s+(\d+) KiB$", log, re.M):
        types[m.group(1)] = int(m.group(3))
    total = re.search(TS + r"pmm: total (\d+) KiB, usable (\d+) KiB, reserved (\d+) KiB$", log, re.M)
    pool = re.search(TS + r"pmm: (\d+) zones, metadata (\d+) KiB, free (\d+) pages \((\d+) KiB\), "
                     r"used (\d+) KiB$", log, re.M)
    assert types and total and pool, "the pmm report is missing or malformed"
    return types, [int(x) for x in total.groups()], [int(x) for x in pool.groups()]


def matches_map(ram_mib):
    """check(): the pmm's numbers are the firmware map's, and plausible for
    a machine with ram_mib of RAM."""
    def check(log):
        types, (total, usable, reserved), (zones, meta, free_pages, free, used) = parse(log)
        owned = sum(types.get(t, 0) for t in OWNED)
        ram = sum(v for t, v in types.items() if t not in NOT_RAM)
        assert usable == owned, f"usable {usable} KiB != map's owned types {owned} KiB"
        assert total == ram, f"total {total} KiB != map's RAM types {ram} KiB"
        assert reserved == total - usable, f"reserved {reserved} KiB != total - usable"
        assert free == free_pages * 4, "free pages and KiB disagree"
        assert free + used == usable, f"free {free} + used {used} != usable {usable} KiB"
        # the firmware keeps a few MiB; the total is the -m size within 5 %
        assert ram_mib * MIB * 0.95 <= total <= ram_mib * MIB, \
            f"total {total} KiB is not about {ram_mib} MiB"
        # after reclaiming boot memory, only the kernel, its tables and the
        # frame metadata are in use
        assert used <= meta + 4 * MIB, f"{used} KiB used after boot (metadata {meta} KiB)"
        # 16 bytes per 4 KiB frame of RAM, none for holes such as the MMIO window
        assert meta <= total / 256 + 64 * 4, f"metadata {meta} KiB for {total} KiB of RAM"
    return check


def boot_case(name, memory, ram_mib):
    return Case(name, memory=memory,
                expect=[TS + r"vmm: CPU protection enabled: NX WP( \w+)*$",
                        TS + r"vmm: kernel page tables live at 0x[0-9a-f]+; loader tables dropped$",
                        TS + r"pmm: reclaimed \d+ KiB of loader and boot-services memory, used last$",
                        TS + r"pmm: \d+ zones, metadata .* used \d+ KiB$"],
                check=matches_map(ram_mib))


MM_KTESTS = ("pmm_all_frames_come_back", "pmm_blocks_are_aligned", "pmm_accounting_matches_map",
             "paging_map_translate_unmap", "vmm_kernel_rights_are_exact",
             "heap_out_of_memory_returns_null", "heap_gives_back_every_page")

CASES = [
    boot_case("mem_map_128m", "128M", 128),
    boot_case("mem_map_512m", "512M", 512),
    boot_case("mem_map_4g", "4G", 4096),
    # frames above 4 GiB, a second high zone and the 32-bit hole
    Case("mem_ktests_4g", memory="4G", cmdline="ktest=" + ",".join(MM_KTESTS),
         expect=[r"^# ktest: %d passed, 0 failed$" % len(MM_KTESTS)],
         exit_status=1, timeout=120),
]

# The heap's per-CPU magazines are used only with the debug checks off
# (ktest= turns them on unless heapdebug=off says otherwise).
HEAP_MAG_KTESTS = ("heap_small_objects_skip_the_global_lock", "heap_gives_back_every_page",
                   "heap_out_of_memory_returns_null", "heap_alignment_and_stats",
                   "heap_krealloc_keeps_contents", "pmm_single_frames_skip_the_global_lock")
CASES.append(Case("heap_magazines_skip_the_global_lock",
                  cmdline="heapdebug=off ktest=" + ",".join(HEAP_MAG_KTESTS),
                  expect=[r"heap: .*debug checks off",
                          r"^# ktest: %d passed, 0 failed$" % len(HEAP_MAG_KTESTS)],
                  exit_status=1, timeout=120))
