"""System tests of the virtio block driver and the block layer. The runner
makes raw disk images in each case's run directory (from the esp hook, which
runs before QEMU starts), the kernel's blktest= mode reads and checks them
and writes its own pattern, and the check hook reads the images back after
QEMU has exited.

Pattern (kernel/blk_test.c): word k of 512-byte sector s is
(tag << 56) | (s << 8) | k, tag 'A' for vda, 'B' for vdb...; the kernel
writes tag 'W' over sectors 64..363 of vda."""

import struct
import zlib
from pathlib import Path

from harness import Case

WRITE_FIRST, WRITE_COUNT = 64, 300
_dirs = {}    # case name -> run directory, set by the esp hook


def sector(tag, s):
    return struct.pack("<64Q", *[(ord(tag) << 56) | (s << 8) | k for k in range(64)])


def pattern_image(path, tag, sectors):
    with open(path, "wb") as f:
        for s in range(sectors):
            f.write(sector(tag, s))


def guid(n):
    return bytes([n] * 16)


def gpt_header(my_lba, alt_lba, array_lba, sectors, array_crc, corrupt):
    hdr = bytearray(struct.pack("<8sIII4xQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, my_lba, alt_lba,
                                34, sectors - 34, guid(0x77), array_lba, 128, 128, array_crc))
    crc = zlib.crc32(bytes(hdr))
    if corrupt == "header-crc":
        crc ^= 1
    hdr[16:20] = struct.pack("<I", crc)
    return bytes(hdr).ljust(512, b"\0")


def gpt_image(path, tag, sectors, parts, corrupt=None):
    """A pattern disk with a GPT: protective MBR, primary header at LBA 1,
    128 entries at LBA 2, and (for a sound table) the backup copy in the
    last 33 sectors, as OVMF would otherwise rewrite it there. parts are
    (first, last) in 512-byte sectors. corrupt: None, "header-crc" or
    "array-crc" (then no backup, so the firmware leaves the disk alone)."""
    pattern_image(path, tag, sectors)
    entries = bytearray(128 * 128)
    for i, (first, last) in enumerate(parts):
        name = f"part{i + 1}".encode("utf-16-le")
        entries[i * 128:(i + 1) * 128] = (guid(0x11) + guid(0x20 + i) + struct.pack("<QQQ", first, last, 0)
                                          + name.ljust(72, b"\0"))
    array_crc = zlib.crc32(bytes(entries))
    if corrupt == "array-crc":
        array_crc ^= 1
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xff, 0xff, 0xff, 1, min(sectors - 1, 0xffffffff))
    mbr[510:512] = b"\x55\xaa"
    with open(path, "r+b") as f:
        f.write(mbr)
        f.write(gpt_header(1, sectors - 1, 2, sectors, array_crc, corrupt))
        f.write(bytes(entries))
        if corrupt is None:
            f.seek((sectors - 33) * 512)
            f.write(bytes(entries))
            f.write(gpt_header(sectors - 1, 1, sectors - 33, sectors, array_crc, corrupt))


def disks(name, specs):
    """esp hook that makes the case's images: specs are (file, maker)."""
    def esp(root):
        run = Path(root).parent
        _dirs[name] = run
        for fname, make in specs:
            make(run / fname)
    return esp


def drive(i, fname, *dev_opts, ro=False):
    return ["-drive", f"if=none,id=vd{i},format=raw,file={{case_dir}}/{fname}" + (",readonly=on" if ro else ""),
            "-device", ",".join(["virtio-blk-pci", f"drive=vd{i}"] + list(dev_opts))]


def image_has_write(name, fname, tag, sectors):
    """vda holds 'W' over the written range and its own pattern elsewhere."""
    def check(log):
        data = (_dirs[name] / fname).read_bytes()
        assert len(data) == sectors * 512, f"{fname} changed size"
        for s in range(sectors):
            want = sector("W" if WRITE_FIRST <= s < WRITE_FIRST + WRITE_COUNT else tag, s)
            assert data[s * 512:(s + 1) * 512] == want, f"{fname} sector {s} is not as expected"
    return check


def unchanged(name, fname, tag, sectors):
    def check(log):
        data = (_dirs[name] / fname).read_bytes()
        assert data == b"".join(sector(tag, s) for s in range(sectors)), f"{fname} was modified"
    return check


def both(*checks):
    def check(log):
        for c in checks:
            c(log)
    return check


ALL = "blktest=read,inflight,range,ro,write"

CASES = [
    # transitional (default) vda read-write, modern-only read-only vdb, a
    # modern disk with 4 KiB logical blocks and a legacy-only one: all at
    # once, all with MSI-X
    Case("blk_four_disks", cmdline=ALL,
         esp=disks("blk_four_disks", [("a.img", lambda p: pattern_image(p, "A", 4096)),
                                      ("b.img", lambda p: pattern_image(p, "B", 2048)),
                                      ("c.img", lambda p: pattern_image(p, "C", 2048)),
                                      ("d.img", lambda p: pattern_image(p, "D", 1024))]),
         qemu_args=drive(0, "a.img") + drive(1, "b.img", "disable-legacy=on", ro=True)
         + drive(2, "c.img", "disable-legacy=on", "logical_block_size=4096", "physical_block_size=4096")
         + drive(3, "d.img", "disable-modern=on"),
         expect=[r"virtio-blk: 00:02\.0 modern, queue 256, MSI-X",
                 r"virtio-blk: 00:03\.0 modern, queue 256, MSI-X",
                 r"virtio-blk: 00:04\.0 modern, queue 256, MSI-X",
                 r"virtio-blk: 00:05\.0 legacy, queue 256, MSI-X",
                 r"vda: 4096 sectors of 512 bytes \(2 MiB\)$",
                 r"vdb: 2048 sectors of 512 bytes \(1 MiB\), read-only",
                 r"vdc: 256 sectors of 4096 bytes \(1 MiB\)$",
                 r"vdd: 1024 sectors of 512 bytes",
                 r"blktest: read vda ok", r"blktest: read vdb ok", r"blktest: read vdc ok",
                 r"blktest: read vdd ok",
                 r"blktest: inflight vda ok", r"blktest: range vda ok", r"blktest: after-range vda ok",
                 r"blktest: ro vdb ok \(write error -30\)", r"blktest: write vda ok",
                 r"blktest: done, 0 failed"],
         forbid=[r"KERNEL PANIC", r"FAIL"], exit_status=1,
         check=both(image_has_write("blk_four_disks", "a.img", "A", 4096),
                    unchanged("blk_four_disks", "b.img", "B", 2048),
                    unchanged("blk_four_disks", "c.img", "C", 2048),
                    unchanged("blk_four_disks", "d.img", "D", 1024))),

    # legacy-only device through the I/O BAR with INTx; a device whose
    # queue and segment limits are too small is refused and boot goes on
    Case("blk_legacy_intx", cmdline="blktest=read,inflight,write blk.irq=intx",
         esp=disks("blk_legacy_intx", [("a.img", lambda p: pattern_image(p, "A", 4096)),
                                       ("b.img", lambda p: pattern_image(p, "B", 64))]),
         qemu_args=drive(0, "a.img", "disable-modern=on") + drive(1, "b.img", "disable-legacy=on", "queue-size=16"),
         expect=[r"virtio-blk: 00:02\.0 legacy, queue 256, INTx",
                 r"virtio-blk: 00:03\.0 refused: segment limit",
                 r"vda: 4096 sectors", r"blktest: read vda ok", r"blktest: inflight vda ok",
                 r"blktest: write vda ok", r"blktest: done, 0 failed"],
         forbid=[r"KERNEL PANIC", r"FAIL", r"vdb"], exit_status=1,
         check=image_has_write("blk_legacy_intx", "a.img", "A", 4096)),

    # a GPT disk with two partitions, and one whose entry array CRC is wrong:
    # reported and ignored, the raw disk still usable; vdc returns a device
    # error (QEMU blkdebug) for reads of sector 2040: -EIO, and it goes on;
    # then vdc is stopped with a request in flight (abort)
    Case("blk_gpt_ioerr", cmdline="blktest=parts,read-data,ioerr,abort",
         esp=disks("blk_gpt_ioerr", [("a.img", lambda p: gpt_image(p, "A", 4096, [(64, 1087), (1088, 4000)])),
                                     ("b.img", lambda p: gpt_image(p, "B", 2048, [(64, 1000)], corrupt="array-crc")),
                                     ("c.img", lambda p: pattern_image(p, "C", 2048))]),
         qemu_args=drive(0, "a.img") + drive(1, "b.img") + [
             "-blockdev", '{"driver":"raw","node-name":"vd2","file":{"driver":"blkdebug",'
             '"image":{"driver":"file","filename":"{case_dir}/c.img"},'
             '"inject-error":[{"event":"read_aio","sector":2040,"errno":5}]}}',
             "-device", "virtio-blk-pci,drive=vd2"],
         expect=[r"vda: GPT with 2 partitions",
                 r"vda1: sectors 64\.\.1087 \(512 KiB\) \"part1\"",
                 r"vda2: sectors 1088\.\.4000 \(1456 KiB\) \"part2\"",
                 r"vdb: GPT ignored \(entry array CRC mismatch",
                 r"blktest: read vda ok \(sectors 3998\)", r"blktest: read vdb ok \(sectors 1950\)",
                 r"blktest: read vdc ok \(sectors 1950\)",
                 r"blktest: ioerr vdc ok \(error -5\)",
                 r"blktest: part vda1 ok", r"blktest: part vda2 ok", r"blktest: 2 partitions",
                 r"blktest: abort vdc ok", r"blktest: done, 0 failed"],
         forbid=[r"KERNEL PANIC", r"FAIL", r"vdb1"], exit_status=1),
]
