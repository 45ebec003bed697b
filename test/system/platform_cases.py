"""System tests of hardware discovery and time: the CPU count from the MADT
under -smp, the exact PCI function list with extra devices, the kernel's
clock against the host's over a 2-second sleep, and ACPI power-off."""

import re

from harness import Case

PCI_LINE = re.compile(r"pci: ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ([0-9a-f]{4}:[0-9a-f]{4}) ([0-9a-f]{6}) ")

# q35 with -vga std, plus what each case adds
Q35_BASE = [("8086:29c0", "060000"),   # host bridge
            ("1234:1111", "030000"),   # VGA
            ("8086:2918", "060100"),   # LPC/ISA bridge
            ("8086:2922", "010601"),   # AHCI (holds the ESP)
            ("8086:2930", "0c0500")]   # SMBus
VIRTIO_BLK = ("1af4:1001", "010000")   # transitional virtio-blk
VIRTIO_BLK_MODERN = ("1af4:1042", "010000")  # behind a PCIe port: modern only
ROOT_PORT = ("1b36:000c", "060400")    # PCIe root port: a PCI-to-PCI bridge
E1000 = ("8086:100e", "020000")


def cpus(n):
    return [rf"acpi: MADT: {n} CPUs", rf"cpu: {n} logical CPUs \(MADT\)"]


def pci_exactly(expected):
    def check(log):
        found = sorted((m.group(2), m.group(3)) for m in PCI_LINE.finditer(log))
        assert found == sorted(expected), f"PCI functions {found}, expected {sorted(expected)}"
        m = re.search(r"pci: (\d+) functions found", log)
        assert m and int(m.group(1)) == len(expected), "function count line disagrees"
    return check


# How far the kernel's measure of a sleep may differ from the host's. The
# host times each serial line to within the harness's 50 ms poll; over 26
# runs of this case (up to 2 at a time, load average 5-6 on 2 cores) the
# host saw 0.3% less to 2.8% more than the kernel. 6% leaves room for that
# and still fails a clock 10% fast or slow (0.2 s over a 2 s sleep, more than
# 0.12 s plus the 0.05 s the poll can hide).
RATE_TOLERANCE = 0.06


def slept_as_long_as_the_host_saw(lines):
    start = [t for t, l in lines if "time: sleeping 2000 ms" in l]
    end = [(t, l) for t, l in lines if "time: slept" in l]
    assert start and end, "sleep lines missing"
    host = end[0][0] - start[0]
    kernel = int(re.search(r"slept (\d+) ns", end[0][1]).group(1)) / 1e9
    # The kernel never wakes early. Late is allowed: on a loaded host TCG
    # delivered the timer up to 1.4 s late (both clocks agreed on it).
    assert 2.0 <= kernel <= 5.0, f"kernel measured {kernel:.3f} s for a 2 s sleep"
    assert abs(host - kernel) <= RATE_TOLERANCE * kernel, \
        f"host saw {host:.3f} s while the kernel measured {kernel:.3f} s " \
        f"({(host / kernel - 1) * 100:+.1f}%, more than {RATE_TOLERANCE:.0%} apart)"


def null_disk(i):
    return ["-blockdev", f"driver=null-co,node-name=nd{i},size=1048576",
            "-device", f"virtio-blk-pci,drive=nd{i}"]


CASES = [
    Case("platform_smp2", smp=2, expect=cpus(2)),
    Case("platform_smp4", smp=4, expect=cpus(4)),
    # two disks on the root bus, one behind a bridge (bus 1), and a NIC
    # 00:1f.3 is listed last (the bridge's bus comes first): the check
    # needs the whole list, so the case waits for it
    Case("platform_pci_devices", expect=cpus(1) + [r"pci: \d+ functions found through ECAM",
                                                   r"pci: 01:00\.0 1af4:1042 010000 .*vendor-caps",
                                                   r"pci: 00:1f\.3 8086:2930 "],
         qemu_args=null_disk(1) + null_disk(2) + ["-device", "e1000"] +
         ["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
          "-blockdev", "driver=null-co,node-name=nd3,size=1048576",
          "-device", "virtio-blk-pci,drive=nd3,bus=rp1"],
         check=pci_exactly(Q35_BASE + [VIRTIO_BLK, VIRTIO_BLK, E1000, ROOT_PORT,
                                       VIRTIO_BLK_MODERN])),
    Case("platform_sleep_2s", cmdline="sleep=2000",
         expect=[r"time: TSC \d+\.\d+ MHz measured against the HPET", r"time: RTC \d{4}-",
                 r"time: sleeping 2000 ms", r"time: slept \d+ ns"],
         timed_check=slept_as_long_as_the_host_saw),
    # ACPI S5 through the FADT: QEMU ends by itself with status 0
    Case("platform_acpi_poweroff", cmdline="shutdown=poweroff",
         expect=[r"acpi: power-off via \\_S5", r"kernel: shutdown=poweroff"], exit_status=0),
]
