#!/usr/bin/env python3
"""Writes first seeds for the fuzz targets into test/fuzz/corpus/<name>/, from
real inputs where there are any: the built kernel.elf and a static musl
program (elf_check), the command lines of the system tests (cmdline), the
format strings of the source tree (fmt), QEMU's ACPI tables dumped from a
running guest (acpi), GPT disks laid out like sgdisk's (gpt), the scancodes
QEMU's keyboard sends (kbd_decode), terminal output with escapes (term),
typing, reads and settings changes for the line discipline (ldisc),
device behaviour for the virtqueue, an OVMF-shaped firmware memory map, a
boot_info as the loader fills one, relocations of each kind and a small
program linked like the kernel (reloc), the built initramfs (cpio) and its
file names (path), signal frames as a handler hands them back (sigframe).
`make fuzz` then minimizes each corpus
into the inputs that add coverage. Run by hand, after `make`:

    test/fuzz/make_seeds.py --build build [target...]
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"


def put(name, data):
    d = CORPUS / name
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


# ------------------------------------------------------------------ elf_check

def elf_seed(path, limits):
    """The headers of an ELF file, with the rest of it as a count of zeros."""
    raw = Path(path).read_bytes()
    phoff, = struct.unpack_from("<Q", raw, 32)
    phnum, = struct.unpack_from("<H", raw, 56)
    head = phoff + 56 * phnum
    end = head
    for i in range(phnum):
        off, filesz = struct.unpack_from("<Q", raw, phoff + 56 * i + 8)[0], \
            struct.unpack_from("<Q", raw, phoff + 56 * i + 32)[0]
        end = max(end, off + filesz)
    return bytes([limits]) + struct.pack("<I", end - head) + raw[:head]


def seeds_elf_check(build):
    put("elf_check", elf_seed(build / "kernel/kernel.elf", 0))
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "hello.c", Path(tmp) / "hello"
        src.write_text('#include <stdio.h>\nint main(void){puts("hi");return 0;}\n')
        if subprocess.run(["musl-gcc", "-static", "-O2", str(src), "-o", str(exe)]).returncode == 0:
            put("elf_check", elf_seed(exe, 1))


# -------------------------------------------------------------------- cmdline

def seeds_cmdline(build):
    lines = set()
    for p in (ROOT / "test" / "system").glob("*_cases.py"):
        lines.update(re.findall(r'cmdline="([^"]*)"', p.read_text()))
    lines.update(['console=serial,vga ktest=a,b shutdown=exit', 'x="a b" y= z',
                  'n=0x1F m=18446744073709551615 flag', '  a=1\tb="=" ',
                  'k=' + 'v' * 1100, ' '.join(f'o{i}' for i in range(70))])   # too long, too many
    for line in sorted(lines):
        put("cmdline", line.encode())


# ------------------------------------------------------------------------ fmt

def seeds_fmt(build):
    """Format strings from the tree, each with arguments in fuzz_fmt's
    encoding (raw 64-bit integers; "abc" for strings)."""
    formats = set()
    for p in list(ROOT.glob("*/**/*.c")):
        if "test" in p.parts:
            continue
        for m in re.finditer(r'(?:log_\w+|klog|kprintf|fmt_snprintf|Print\w*)\s*\([^"]*"((?:[^"\\]|\\.)*)"',
                             p.read_text(errors="replace")):
            if "%" in m.group(1):
                formats.add(m.group(1).encode().decode("unicode_escape").encode("latin-1"))
    conv = re.compile(rb"%[-0+ #]*(\*|\d*)(\.(\*|\d*))?(hh|h|ll|l|z|t)?([a-zA-Z%])")
    for f in sorted(formats):
        args = b""
        for m in conv.finditer(f):
            n = (m.group(1) == b"*") + (m.group(3) == b"*")
            args += (b"\x20" + struct.pack("<q", 37)) * n
            if m.group(5) == b"s":
                args += b"\x03abc"
            elif m.group(5) != b"%":
                args += b"\x20" + struct.pack("<q", -1234567)
        put("fmt", b"\x10" + f + b"\0" + args)


# ----------------------------------------------------------------------- acpi

def qemu_memory(build, smp, lo, size, machine_args=()):
    """Boots the built image in QEMU (scripts/qemu.sh, 512 MiB), waits for the
    kernel to have read the ACPI tables, and returns physical memory
    [lo, lo+size) read through QMP's pmemsave."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(build / "esp.img", tmp / "esp.img")
        log, qmp, dump = tmp / "serial.log", tmp / "qmp.sock", tmp / "mem.bin"
        with open(log, "wb") as out:
            proc = subprocess.Popen([str(ROOT / "scripts/qemu.sh"), str(tmp / "esp.img"),
                                     "-qmp", f"unix:{qmp},server=on,wait=off", *machine_args],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL,
                                    env=dict(os.environ, SMP=str(smp), MEM="512M"))
        try:
            deadline = time.monotonic() + 60
            while b"acpi: power-off" not in log.read_bytes():
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the kernel did not report its ACPI tables")
                time.sleep(0.1)
            s = socket.socket(socket.AF_UNIX)
            s.connect(str(qmp))
            f = s.makefile("rw")
            f.readline()                                    # the QMP greeting
            for cmd in ({"execute": "qmp_capabilities"},
                        {"execute": "pmemsave", "arguments": {"val": lo, "size": size,
                                                              "filename": str(dump)}}):
                f.write(json.dumps(cmd) + "\n")
                f.flush()
                while True:                                 # skip events up to the reply
                    reply = json.loads(f.readline())
                    if "return" in reply or "error" in reply:
                        break
                if "error" in reply:
                    raise RuntimeError(f"QMP: {reply['error']}")
            s.close()
            return dump.read_bytes()
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.wait()


def acpi_sum_fix(t, at=9, length=None):
    t[at] = 0
    t[at] = (-sum(t[:length or len(t)])) & 0xff


def acpi_image(mem, lo, rsdt_only=False):
    """Finds the RSDP in a memory dump and lays the tables out again in one
    compact image, RSDP first, every pointer rewritten to PHYS_BASE +
    offset (fuzz_acpi's memory)."""
    base = 0x100000
    off = -1
    while (off := mem.find(b"RSD PTR ", off + 1)) >= 0:
        if sum(mem[off:off + 20]) & 0xff == 0 and \
                mem[off + 15] >= 2 and sum(mem[off:off + 36]) & 0xff == 0 and \
                lo <= struct.unpack_from("<Q", mem, off + 24)[0] < lo + len(mem):
            break
    if off < 0:
        raise RuntimeError("no ACPI 2.0 RSDP with its XSDT in the dump")
    rsdp = bytearray(mem[off:off + 36])
    rsdt, = struct.unpack_from("<I", rsdp, 16)
    xsdt, = struct.unpack_from("<Q", rsdp, 24)

    def table(phys):
        o = phys - lo
        n, = struct.unpack_from("<I", mem, o + 4)
        return bytearray(mem[o:o + n])

    out = bytearray(rsdp)
    placed = {}

    def place(t):
        nonlocal out
        out += b"\0" * (-len(out) % 16)
        at = base + len(out)
        out += t
        return at, len(out) - len(t)

    root = table(xsdt if xsdt and not rsdt_only else rsdt)
    esize = 4 if rsdt_only or not xsdt else 8
    entries = [int.from_bytes(root[36 + i:36 + i + esize], "little")
               for i in range(0, len(root) - 36, esize)]
    new_entries = []
    for e in entries:
        t = table(e)
        if t[:4] == b"FACP":
            dsdt = struct.unpack_from("<Q", t, 140)[0] if len(t) >= 148 else 0
            dsdt = dsdt or struct.unpack_from("<I", t, 40)[0]
            d = table(dsdt)
            s5 = d.find(b"_S5_")
            if s5 > 36:
                # only the AML around \_S5 (all CosmOS reads): ~100 bytes, not 8 KiB
                d = d[:36] + d[max(36, s5 - 48):s5 + 24]
                struct.pack_into("<I", d, 4, len(d))
            acpi_sum_fix(d)
            at, _ = place(d)
            struct.pack_into("<I", t, 40, at)
            struct.pack_into("<I", t, 36, 0)          # FACS: not read by CosmOS
            if len(t) >= 148:
                struct.pack_into("<Q", t, 140, at)
                struct.pack_into("<Q", t, 132, 0)
        acpi_sum_fix(t)
        at, _ = place(t)
        new_entries.append(at)
        placed[e] = at
    root = bytearray(root[:36]) + b"".join(x.to_bytes(esize, "little") for x in new_entries)
    struct.pack_into("<I", root, 4, len(root))
    acpi_sum_fix(root)
    at, _ = place(root)
    if rsdt_only:
        out[15] = 0
        struct.pack_into("<I", out, 16, at)
    else:
        struct.pack_into("<Q", out, 24, at)
        struct.pack_into("<I", out, 16, 0)
    acpi_sum_fix(out, 8, 20)
    acpi_sum_fix(out, 32, 36)
    return bytes(out), {sig: bytes(table(e)) for e in entries for sig in [bytes(table(e)[:4])]}


def seeds_acpi(build):
    lo, size = 0x1F000000, 0x1000000     # the top 16 MiB of 512 MiB: where OVMF puts them
    for smp in (1, 4):
        mem = qemu_memory(build, smp, lo, size)
        img, tables = acpi_image(mem, lo)
        put("acpi", b"\0" + img)
        if smp == 1:
            put("acpi", b"\0" + acpi_image(mem, lo, rsdt_only=True)[0])
        put("acpi", b"\2" + tables[b"APIC"])


# ------------------------------------------------------------------------ gpt

def crc32(b):
    import zlib
    return zlib.crc32(b) & 0xffffffff


def gpt_disk(ss, sectors, parts, nent=128, arr_lba=2):
    """A disk laid out as sgdisk lays one out: protective MBR, header at
    LBA 1, entry array from LBA 2 (or where arr_lba says: the backup array
    sits at the end of the disk), partitions; only the sectors up to the end
    of the array at LBA 2 are returned (the rest of the disk is zeros)."""
    arr_sectors = (nent * 128 + ss - 1) // ss
    first_usable, last_usable = 2 + arr_sectors, sectors - 2 - arr_sectors
    mbr = bytearray(ss)
    mbr[446:462] = bytes([0, 0, 2, 0, 0xee, 0xff, 0xff, 0xff]) + struct.pack("<II", 1, min(sectors - 1, 0xffffffff))
    mbr[510:512] = b"\x55\xaa"
    arr = bytearray(nent * 128)
    for i, (first, last, name) in enumerate(parts):
        e = struct.pack("<16s16sQQQ", bytes.fromhex("af3dc60f838472478e793d69d8477de4"),
                        bytes([i + 1] * 16), first, last, 0) + name.encode("utf-16-le")
        arr[i * 128:i * 128 + len(e)] = e
    hdr = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, 1, sectors - 1,
                                first_usable, last_usable, bytes(range(16)), arr_lba, nent, 128,
                                crc32(arr)))
    struct.pack_into("<I", hdr, 16, crc32(hdr))
    return bytes(mbr) + bytes(hdr) + b"\0" * (ss - len(hdr)) + bytes(arr) + \
        b"\0" * (arr_sectors * ss - len(arr))


def seeds_gpt(build):
    def head(sel, sectors, nbytes, flags=0):
        """fuzz_gpt's parameters; the input holds 512 bytes of each sector."""
        n = (nbytes + 511) // 512
        return bytes([flags, sel]) + struct.pack("<I", sectors - max(3, n)) + bytes([0, 16])

    def chunks(disk, ss):
        return b"".join(disk[i:i + 512] for i in range(0, len(disk), ss))
    # sgdisk's layout, cut after the first sector of its 128-entry array:
    # the rest of the array (and of the disk) reads as zeros
    disk = gpt_disk(512, 4096, [(2048, 3071, "EFI system"), (3072, 4062, "data")])[:3 * 512]
    put("gpt", head(0, 4096, len(disk)) + disk)
    disk = gpt_disk(512, 8192, [(40, 99, "a"), (100, 8000, "b"), (8001, 8150, "c")], nent=4)
    put("gpt", head(0, 8192, len(disk)) + disk)
    disk = chunks(gpt_disk(4096, 1024, [(256, 1000, "big sectors")]), 4096)[:3 * 512]
    put("gpt", head(3, 1024, len(disk)) + disk)
    put("gpt", head(0, 100, 512, flags=2) + b"\0" * 512)      # no GPT, short disk
    # the header names the array at the end of the disk, where the backup one
    # lives (its entries read as zeros): one step from running off the end
    disk = gpt_disk(512, 4096, [], nent=4, arr_lba=4094)[:2 * 512]
    put("gpt", head(0, 4096, len(disk)) + disk)


# ---------------------------------------------------- kbd_decode, term, virtqueue

def seeds_kbd_decode(build):
    # set 1, what QEMU sends for: a, shift-b, up, ret, ctrl-alt-delete, pause
    put("kbd_decode", bytes([0, 0x1e, 0x9e, 0x2a, 0x30, 0xb0, 0xaa, 0xe0, 0x48, 0xe0, 0xc8, 0x1c, 0x9c,
                             0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5,
                             0x3a, 0xba, 0x45, 0xc5, 0x47, 0xc7, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa]))
    # set 2: a, shift-b, up, ret, pause, caps, keypad, print screen
    put("kbd_decode", bytes([1, 0x1c, 0xf0, 0x1c, 0x12, 0x32, 0xf0, 0x32, 0xf0, 0x12, 0xe0, 0x75, 0xe0, 0xf0,
                             0x75, 0x5a, 0xf0, 0x5a, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77, 0x58, 0xf0,
                             0x58, 0x77, 0xf0, 0x77, 0x6c, 0xf0, 0x6c, 0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c,
                             0xe0, 0xf0, 0x12, 0xfa, 0xaa]))


def seeds_term(build):
    # columns and rows, where a log line cuts in (u16), then the output
    put("term", bytes([79, 24]) + struct.pack("<H", 20) + b"CosmOS booting\n\x1b[1;32mok\x1b[0m\ttab\rCR\bBS\n" +
        b"\x1b[2J\x1b[H\x1b[5;10Hxy\x1b[K\x1b[1J\x1b[3A\x1b[2B\x1b[4C\x1b[D\x1b[7mrev\x1b[27m" +
        b"\x1b[s\x1b[u\x1b7\x1b8\x1b[?25l\x1b[38;5;1m\x1b[97;104m\x1b[10G\x1b[3d\x1bc")
    put("term", bytes([9, 3]) + struct.pack("<H", 7) + b"0123456789abcdefghij\n\n\n\nwrap\x1b[99;99H!\x1b[;5f\x1b[0J")
    # busybox vi, less and ash (as test/host/test_term.c has them), scroll regions, the alternate screen
    put("term", bytes([19, 5]) + struct.pack("<H", 40) +
        b"\x1b[?1049h\x1b[H\x1b[J\x1b[1;1Halpha\x1b[2;1Hbeta\x1b[3;1Hgamma\x1b[4;1H~\x1b[5;1H~\x1b[1;1H"
        b"\x1b[6;1H\x1b[K- f.txt 1/3 33%\x1b[1;1H\x1b[2;1Heta \x1b[6;1H\x1b[K:q!\x1b[?1049l")
    put("term", bytes([19, 5]) + struct.pack("<H", 3) +
        b"\x1b[0;0H\x1b[Kline 1\r\n\x1b[Kline 2\r\n\x1b[6;0H\x1b[K\x1b[7mlong.txt\x1b[m")
    put("term", bytes([29, 5]) + struct.pack("<H", 9) +
        b"$ \x1b[6necho hello\r\nhello\r\n$ \x1b[6n\r$ echo hello\x1b[J\x08\x1b[J\x08\x08Xhe\x08\x08")
    put("term", bytes([9, 7]) + struct.pack("<H", 12) +
        b"1\r\n2\r\n3\r\n4\r\n5\x1b[2;4r\x1b[4;1H\nX\x1bMY\x1b" b"D\x1b[S\x1b[2T\x1b[?6h\x1b[1;1H\x1b[L"
        b"\x1b[2M\x1b[3@\x1b[2P\x1b[4X\x1b[4hab\x1b[4l\x1b[?7l0123456789abc\x1b[?47h\x1b]0;t\x07"
        b"\x1b(0\x1b[38;2;1;2;3;48;5;200m\x1b[c\x1b[5n\x1b[?1047l\x1b[20h\n\x1b[r")
    # every SGR form, more parameters than are kept, a second ?1049h, CPL
    put("term", bytes([39, 9]) + struct.pack("<H", 30) +
        b"\x1b[1;38;5;9m9\x1b[38;5;240m.\x1b[48;5;255;22;49;39;27;28m\x1b[38;5;999m\x1b[48;2;300;0;0m"
        b"\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19m\x1b[?1049h\x1b[?1049h\x1b[3F\x1b[2E!")


def seeds_ldisc(build):
    # operations: 0/1 type 1+op/8 bytes, 2 read (u16 size; 0x40 nonblocking,
    # 0x80 a signal, 0x20 a fault after u8 bytes), 3 write (u8 length), 4 settings (iflag, oflag, lflag,
    # 19 control characters), 5 flush, 6 one byte u16 times, 6|0x80 hang-up, 7 poll
    def typed(b):
        out = b""
        for i in range(0, len(b), 31):
            chunk = b[i:i + 31]
            out += bytes([(len(chunk) - 1) * 8]) + chunk
        return out
    rd = lambda n, flags=0: bytes([2 | flags]) + struct.pack("<H", n)
    cc = bytes([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0])
    settings = lambda i, o, l, c=cc: bytes([4]) + struct.pack("<III", i, o, l) + c
    put("ldisc", typed(b"echo hello\recho x\x7f\x7fy\x15ls -l\x17\x17\t\x7f\r") + rd(100) + rd(3) + rd(100))
    put("ldisc", typed(b"abc\x04\x04\x16\x03\x12line\x03\x1c\x1a") + rd(2) + rd(50, 0x40) +
        bytes([3, 6]) + b"a\n\tb\rc")
    raw = cc[:5] + bytes([2, 3]) + cc[7:]
    put("ldisc", settings(0x100, 0x5, 0x8a31 & ~0x2, raw) + typed(b"vi keys\x1b[A\x1b[B:q!\r") +
        rd(4) + rd(100, 0x80) + bytes([5]) + typed(b"x") + rd(1) + bytes([0x86]) + rd(10))
    put("ldisc", settings(0x1c0 | 0x20, 0x1 | 0x8 | 0x10 | 0x20 | 0x1800, 0x8a3b) +
        typed(b"\r\n\xff\x80abc\r") + rd(10) + bytes([3, 4]) + b"\r\t\n\r" + bytes([7]))
    # a full queue: a long line, erased and ended; then raw mode filled up
    put("ldisc", bytes([6, ord("a")]) + struct.pack("<H", 5000) + typed(b"\x7fb\n") + rd(5000) +
        settings(0, 0, 0, raw) + bytes([6, ord("z")]) + struct.pack("<H", 4200) + rd(10) +
        settings(0x100, 0x5, 0x8a3b) + typed(b"\n"))
    # reads into buffers that fault, in both modes
    put("ldisc", typed(b"line one\rline two\r") + bytes([2 | 0x20]) + struct.pack("<H", 100) + bytes([3]) +
        bytes([2 | 0x20]) + struct.pack("<H", 100) + bytes([0]) + settings(0, 0, 0, raw) + typed(b"rawbytes") +
        bytes([2 | 0x20]) + struct.pack("<H", 100) + bytes([2]) + bytes([6 | 0x80]) + rd(10))


def seeds_virtqueue(build):
    # size 8: add three, device completes two, get them, lying index, get
    add = lambda n: bytes([0]) + struct.pack("<HI", n - 1, 1)    # n segments, writable from the 2nd
    put("virtqueue", bytes([3]) + add(3) + add(2) + add(1) + bytes([2, 7, 0, 0, 0, 2, 9, 0, 0, 0]) +
        bytes([1, 1, 1]) + bytes([4, 0x40, 0]) + bytes([1]))
    # size 1: the smallest ring, wrapping
    put("virtqueue", bytes([0]) + (add(1) + bytes([2, 0, 0, 0, 0, 1])) * 8 + bytes([3, 0, 0, 5, 0, 0, 0]))


# --------------------------------------------------------------------- memmap

def seeds_memmap(build):
    """A map shaped like OVMF's (48-byte descriptors): low RAM, boot services,
    the loader, ACPI tables and NVS, runtime services, MMIO, RAM above 4 GiB."""
    runs = [(7, 0, 0xa0), (7, 0x100000, 0x700), (4, 0x800000, 0x100), (2, 0x900000, 0x300),
            (1, 0xc00000, 0x40), (3, 0xc40000, 0x200), (9, 0x1f77c000, 4), (10, 0x1f780000, 0x80),
            (5, 0x1f800000, 0x100), (6, 0x1f900000, 0x80), (0, 0x1fa00000, 0x10),
            (11, 0xb0000000, 0x10000), (11, 0xffc00000, 0x400), (7, 0x100000000, 0x40000)]
    desc = b"".join(struct.pack("<IIQQQQ", t, 0, p, 0, n, 0xf) for t, p, n in runs)
    put("memmap", bytes([48]) + struct.pack("<H", 511) + desc)
    put("memmap", bytes([56]) + struct.pack("<H", 3) +
        b"".join(struct.pack("<IIQQQQQ", t, 0, p, 0, n, 0xf, 0) for t, p, n in runs[:6]))


# ------------------------------------------------------------------ boot_info

def seeds_boot_info(build):
    """A boot_info as the loader fills one on a small machine (4 GiB direct
    map, kernel, initrd, framebuffer, RSDP, command line) and its map."""
    bi = bytearray(1208)
    # header, direct map, kernel (placed 37 x 2 MiB above its link address
    # with RDRAND's entropy, one of 1023 places), page tables, memory map
    struct.pack_into("<QIIQQQQQQIIQQII", bi, 0, 0x4f464e49534f4d43, 3, 1208, 0xffff800000000000,
                     4 << 30, 0x200000, 0xffffffff80000000 + 37 * (2 << 20), 0x200000,
                     0xffffffff80000000, 4, 1023, 0x1000, 0x100000, 7, 24)
    struct.pack_into("<QQ", bi, 96, 0x400000, 512 * 1024 + 123)
    struct.pack_into("<QQIIIII", bi, 112, 0xc0000000, 0x3e8000, 1280, 800, 5120, 2, 0)
    struct.pack_into("<QQII", bi, 160, 0x1f77d014, 0, 1, 9)
    bi[184:193] = b"ktest=all"
    runs = [(0, 0x9f, 1), (0x100000, 0x100, 5), (0x200000, 0x200, 4), (0x400000, 0x81, 13),
            (0x481000, 0x1f000, 1), (0x1f77c000, 4, 6), (0xfec00000, 1, 9)]
    mm = b"".join(struct.pack("<QQII", p, n, t, 0) for p, n, t in runs)
    put("boot_info", bytes([0]) + struct.pack("<H", 0) + bytes(bi) + mm)


# ---------------------------------------------------------------------- reloc

KBASE = 0xffffffff80000000
RELOC_SNIPPET = r"""
struct ops { void (*fn)(void); const char *name; };
extern char __kernel_end[];
static void hello(void) { }
const struct ops table[2] = { { hello, "hello" }, { 0, "none" } };
void *end_ptr = __kernel_end;
long counter;
long _start(long i) { counter += i; table[i & 1].fn(); return (long)&counter + (long)table[i].name; }
"""
# kernel/kernel.ld's segments without its page padding, so the file is
# 2 KiB rather than 14: each segment starts on a new page in memory but
# right after the last in the file.
RELOC_LDS = """ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); rodata PT_LOAD FLAGS(4); data PT_LOAD FLAGS(6); }
SECTIONS {
    . = 0xffffffff80000000 + SIZEOF_HEADERS;
    .text : { *(.text .text.*) } :text
    . = ALIGN(0x1000) + (. & 0xfff);
    .rodata : { *(.rodata .rodata.*) } :rodata
    . = ALIGN(0x1000) + (. & 0xfff);
    .data : { *(.data .data.*) } :data
    .bss : { *(.bss .bss.*) *(COMMON) } :data
    __kernel_end = .;
    /DISCARD/ : { *(.eh_frame) *(.note .note.*) *(.comment) }
}
"""


def seeds_reloc(build):
    """Harness-assembled files (fuzz_reloc.c's layout) with each kind of
    relocation, and a small kernel-like program compiled and linked the way
    the kernel is (-mcmodel=kernel, --emit-relocs, kernel.ld's segments)."""
    text, data = KBASE + 0x1000, KBASE + 0x2000

    def sym(where, value):          # where: 0 undef, 1 text, 2 data, 3 abs, 4 debug
        return struct.pack("<IBBHQQ", 0, 0, 0, where, value, 0)

    def rela(off, type_, symi, addend):
        return struct.pack("<QQq", off, (symi << 32) | type_, addend)

    # 1 text, 2 data, 3 absolute below the image, 4 weak undefined, 5 the
    # end of data, 6 a small constant
    syms = [sym(1, 0x10), sym(2, 0x20), sym(3, KBASE - 0x5000), sym(0, 0), sym(2, 0x100),
            sym(3, 0x1234)]
    # types as fuzz_reloc.c numbers them: 0 NONE, 1 64, 2 PC32, 3 PLT32,
    # 4 32, 5 32S, 6 PC64
    text_r = [rela(0x00, 1, 1, 0), rela(0x08, 2, 2, -4), rela(0x0c, 3, 1, -4),
              rela(0x10, 4, 6, 0), rela(0x14, 5, 2, 8), rela(0x18, 6, 3, 0),
              rela(0x20, 2, 3, -4), rela(0x28, 1, 4, 0), rela(0x30, 0, 0, 0)]
    data_r = [rela(8 * i, 1, 1 + i, 8 * i) for i in range(6)]
    debug_r = [rela(0, 1, 1, 0)]
    for flags, pick in ((0, 37), (2, 0x7000)):      # a place; a raw slide
        body = bytes([flags]) + struct.pack("<Q", pick) + bytes([len(syms)])   # the harness adds the null symbol
        body += bytes(range(256)) + bytes(256) + b"".join(syms)
        for rs in (text_r, data_r, debug_r):
            body += bytes([len(rs)]) + b"".join(rs)
        put("reloc", body)
    with tempfile.TemporaryDirectory() as tmp:
        src, obj, exe = Path(tmp) / "k.c", Path(tmp) / "k.o", Path(tmp) / "k.elf"
        lds = Path(tmp) / "k.ld"
        src.write_text(RELOC_SNIPPET)
        lds.write_text(RELOC_LDS)
        cc = ["gcc", "-c", "-O2", "-ffreestanding", "-fno-pic", "-fno-pie", "-mcmodel=kernel",
              "-fno-asynchronous-unwind-tables", str(src), "-o", str(obj)]
        ld = ["ld", "-nostdlib", "-static", "-n", "-z", "max-page-size=0x1000", "--build-id=none",
              "--emit-relocs", "-T", str(lds), str(obj), "-o", str(exe)]
        if subprocess.run(cc).returncode == 0 and subprocess.run(ld).returncode == 0:
            put("reloc", bytes([1]) + struct.pack("<Q", 37) + exe.read_bytes())


# ----------------------------------------------------------------------- cpio

def cpio_entries(raw):
    """(magic, fields, name, data) of each entry of a newc archive."""
    out, off = [], 0
    while off + 110 <= len(raw) and raw[off:off + 5] == b"07070":
        f = [int(raw[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        nend = off + 110 + f[11]
        name = raw[off + 110:nend - 1]
        doff = (nend + 3) & ~3
        out.append((raw[off:off + 6], f, name, raw[doff:doff + f[6]]))
        off = (doff + f[6] + 3) & ~3
        if name == b"TRAILER!!!":
            break
    return out


def cpio_write(entries, magic=b"070701"):
    out = b""
    for _, f, name, data in entries:
        f = list(f)
        f[6], f[11] = len(data), len(name) + 1
        f[12] = sum(data) & 0xffffffff if magic == b"070702" else 0
        out += magic + b"".join(b"%08X" % v for v in f) + name + b"\0"
        out += bytes(-len(out) % 4)
        out += data + bytes(-len(data) % 4)
    return out


def seeds_cpio(build):
    """The built initramfs, its file bodies cut to 8 bytes (symlink targets
    kept) so an input stays small: whole, its first entries with a
    checksummed magic, two archives back to back, and with allocations
    failing; the first byte is the harness's allocation budget."""
    ents = cpio_entries((build / "initrd.cpio").read_bytes())
    cut = [(m, f, n, d if (f[1] & 0o170000) == 0o120000 else d[:8]) for m, f, n, d in ents]
    body, trailer = [e for e in cut if e[2] != b"TRAILER!!!"], [e for e in cut if e[2] == b"TRAILER!!!"]
    put("cpio", bytes([0]) + cpio_write(cut))
    put("cpio", bytes([0]) + cpio_write(body[:24] + trailer, b"070702"))
    put("cpio", bytes([0]) + cpio_write(body[:8] + trailer) + bytes(12) + cpio_write(body[4:12] + trailer))
    put("cpio", bytes([3]) + cpio_write(body[:80] + trailer))
    # what the reader refuses or rewrites: "..", a name that is only "./",
    # one over PATH_MAX, a duplicate, a symlink target with a NUL
    d, f, r = body[0][1], next(e[1] for e in body if (e[1][1] & 0o170000) == 0o100000), \
        next(e[1] for e in body if (e[1][1] & 0o170000) == 0o120000)
    odd = [(b"", d, b"./", b""), (b"", d, b"a/../b", b""), (b"", f, b"n" * 4100, b"x"),
           (b"", f, b"bin//x/", b"1"), (b"", f, b"/bin/x", b"2"), (b"", r, b"l", b"a\0b")]
    put("cpio", bytes([0]) + cpio_write(odd + trailer))


# ----------------------------------------------------------------------- path

def seeds_path(build):
    """Every name in the built initramfs as an absolute path, and paths at
    the edges: dots, repeated and trailing slashes, NAME_MAX and PATH_MAX."""
    for _, _, name, _ in cpio_entries((build / "initrd.cpio").read_bytes()):
        if name not in (b".", b"TRAILER!!!"):
            put("path", bytes([0]) + b"/" + name)
    for p in (b"", b"/", b"//", b".", b"..", b"./a/../b/", b"/bin//sh/", b"a/./b/.../..c/",
              b"/" + b"n" * 255, b"/" + b"n" * 256 + b"/x", b"a/" * 2047 + b"b",
              b"/proc/self/fd/0", b"../../../../etc/passwd", b"dir/\0hidden"):
        put("path", bytes([1]) + p)


# ------------------------------------------------------------------- sigframe

def seeds_sigframe(build):
    """What rt_sigreturn meets: the frame a handler got back unchanged (from
    a program interrupted in user code), one with a kernel rip, and with
    FXSAVE and XSAVE (x87/SSE/AVX) save areas as the CPU writes them."""
    regs = list(range(1, 16))                         # r15..r8, rbp, rdi, ..., rax
    rip, rsp, rflags, cs, ss = 0x401234, 0x7ffffffde000, 0x246, 0x2b, 0x23
    trap = struct.pack("<Q", 0) + struct.pack("<15Q", *regs) + struct.pack("<QQ", 0x100, 14) + \
        struct.pack("<5Q", rip, cs, rflags, rsp, ss)

    def ucontext(rip_):
        mc = struct.pack("<18Q", *regs[7::-1], 5, 6, 7, 8, 9, 10, 11, rsp, rip_, rflags)
        mc += struct.pack("<4H", cs, 0, 0, ss) + struct.pack("<5Q", 0, 0, 0, 0, 0x7ffffffdd000)
        mc += bytes(64)
        return struct.pack("<QQQiiQ", 1, 0, 0, 2, 0, 0) + mc + struct.pack("<Q", 1 << 13)

    area = bytearray(512)
    struct.pack_into("<HH", area, 0, 0x37f, 0)        # FCW, FSW
    struct.pack_into("<II", area, 24, 0x1f80, 0xffff)  # MXCSR, its mask
    for xsave, bv in ((0, 0), (1, 7)):
        a = bytes(area) + (struct.pack("<QQ", bv, 0) + bytes(48) + bytes(256) if xsave else b"")
        for r in (rip, 0xffffffff80001000):
            head = bytes([xsave]) + struct.pack("<Q", 7) + (bytes([3]) if xsave else b"")
            put("sigframe", head + trap + ucontext(r) + struct.pack("<Q", rsp) + a)


TARGETS = {
    "elf_check": seeds_elf_check,
    "cmdline": seeds_cmdline,
    "fmt": seeds_fmt,
    "acpi": seeds_acpi,
    "gpt": seeds_gpt,
    "kbd_decode": seeds_kbd_decode,
    "term": seeds_term,
    "ldisc": seeds_ldisc,
    "virtqueue": seeds_virtqueue,
    "memmap": seeds_memmap,
    "boot_info": seeds_boot_info,
    "reloc": seeds_reloc,
    "cpio": seeds_cpio,
    "path": seeds_path,
    "sigframe": seeds_sigframe,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    for t in args.targets or TARGETS:
        TARGETS[t](Path(args.build))
        print(f"seeds: {t}: {len(list((CORPUS / t).iterdir()))} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
