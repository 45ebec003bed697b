"""System tests of the boot's initramfs unpack: the kernel unpacks the build's
real initrd.cpio into / and reports exactly what the archive holds (the counts
recomputed here from the file), busybox arrives byte for byte; a truncated
archive and one with a broken header in the middle are reported by entry name
and offset, what came before is kept, and the boot goes on."""

import re

from harness import Case

SUMMARY = (r"initramfs: (\d+) archives?, (\d+) files, (\d+) directories, (\d+) symlinks, "
           r"(\d+) hard links, (\d+) nodes, (\d+) bytes in \d+ us$")


def cpio_entries(data):
    """(offset, name, mode, ino, nlink, data, data offset) of each entry of a
    well-formed newc archive, up to and without its trailer (or the end of
    data). The name is without the "/"s mkinitrd.py pads it with in front
    to page-align the data."""
    out, off = [], 0
    while off + 110 <= len(data):
        f = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        namesize, size = f[11], f[6]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        start = (off + 110 + namesize + 3) & ~3
        if name == "TRAILER!!!":
            break
        out.append((off, name.lstrip("/"), f[1], f[0], f[4], data[start:start + size], start))
        off = (start + size + 3) & ~3
    return out


def unaligned(data):
    """The same archive with no name padded: no file's data page-aligned
    (the kernel then copies every file, as it does any other archive)."""
    out, off = bytearray(), 0
    while off + 110 <= len(data):
        f = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        namesize, size = f[11], f[6]
        name = data[off + 110:off + 110 + namesize - 1].lstrip(b"/")
        start = (off + 110 + namesize + 3) & ~3
        f[11] = len(name) + 1
        head = b"070701" + b"".join(b"%08X" % v for v in f) + name + b"\0"
        out += head + b"\0" * (-len(head) % 4)
        out += data[start:start + size] + b"\0" * (-size % 4)
        off = (start + size + 3) & ~3
        if name == b"TRAILER!!!":
            break
    return bytes(out)


def unpack_counts(entries):
    """What the kernel's summary line says for these entries: archives,
    files, directories, symlinks, hard links, nodes, bytes (fs/initramfs.c
    counts a further name of a multiply linked file as a hard link)."""
    files = dirs = links = symlinks = nodes = nbytes = 0
    seen = set()
    for _, name, mode, ino, nlink, body, _ in entries:
        kind = mode & 0o170000
        if kind == 0o100000:
            if nlink > 1 and ino in seen:
                links += 1
            else:
                files += 1
                seen.add(ino)
            nbytes += len(body)
        elif kind == 0o040000:
            dirs += name.strip("/") not in ("", ".")
        elif kind == 0o120000:
            symlinks += 1
        else:
            nodes += 1
    return (1, files, dirs, symlinks, links, nodes, nbytes)


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
    return h


class BuildInitrd:
    """An esp hook that puts the build's initrd.cpio (changed by transform)
    on the ESP, and keeps the bytes for the case's check. The hook's root is
    BUILD/test-run/<case>/esp (harness.make_esp), so the build is 3 up."""

    def __init__(self, transform=None):
        self.transform = transform or (lambda data: data)
        self.original = self.data = None

    def __call__(self, root):
        self.original = (root.parents[2] / "initrd.cpio").read_bytes()
        self.data = self.transform(self.original)
        (root / "cosmos/initrd.cpio").write_bytes(self.data)

    def entry(self, name):
        for e in cpio_entries(self.original):
            if e[1] == name:
                return e
        raise AssertionError(f"initrd.cpio has no {name}")


def summary_counts(log):
    m = re.search(SUMMARY, log, re.M)
    assert m, "no initramfs summary line"
    return tuple(int(g) for g in m.groups())


def check_whole(initrd, aligned=True):
    """The summary counts what the archive holds and busybox arrived byte
    for byte; the pages of the page-aligned files were kept in place (as
    many as they hold whole pages), or none when the archive has none."""
    def check(log):
        entries = cpio_entries(initrd.data)
        pages = sum(len(body) // 4096 for _, _, mode, _, _, body, start in entries
                    if mode & 0o170000 == 0o100000 and start % 4096 == 0)
        m = re.search(r"initramfs: (\d+) KiB of file data kept in place$", log, re.M)
        assert (int(m.group(1)) if m else 0) == pages * 4, \
            f"kept {m and m.group(1)} KiB in place, the archive has {pages * 4} KiB aligned"
        assert (pages > 0) == aligned, f"{pages} aligned pages in the archive"
        got, want = summary_counts(log), unpack_counts(entries)
        assert got == want, f"unpacked {got}, the archive holds {want}"
        busybox = initrd.entry("bin/busybox")[5]
        line = f"# /bin/busybox: {len(busybox)} bytes, fnv1a64 {fnv1a64(busybox):#x}"
        assert line in log, f"no line {line!r}: busybox differs from the archive's"
    return check


def check_broken(initrd, name, why):
    """The report names the entry at fault and its offset; the summary
    counts exactly the entries before it."""
    def check(log):
        off = initrd.entry(name)[0]
        line = (f"initramfs: broken archive at offset {off:#x} (entry '{name}'): {why}; "
                "keeping what came before")
        assert line in log, f"no line {line!r}"
        before = [e for e in cpio_entries(initrd.original) if e[0] < off]
        got, want = summary_counts(log), unpack_counts(before)
        assert got == want, f"unpacked {got}, expected what came before: {want}"
    return check


def cut_in(name):
    """Truncates the archive in the middle of name's data."""
    def transform(data):
        for _, n, _, _, _, body, start in cpio_entries(data):
            if n == name:
                return data[:start + len(body) // 2]
        raise AssertionError(f"initrd.cpio has no {name}")
    return transform


def bad_mode_digit(name):
    """Puts a non-hex digit into name's mode field."""
    def transform(data):
        for off, n, *_ in cpio_entries(data):
            if n == name:
                pos = off + 6 + 8 + 3
                return data[:pos] + b"g" + data[pos + 1:]
        raise AssertionError(f"initrd.cpio has no {name}")
    return transform


whole = BuildInitrd()
whole_unaligned = BuildInitrd(unaligned)
truncated = BuildInitrd(cut_in("bin/busybox"))
bad_header = BuildInitrd(bad_mode_digit("etc/hostname"))
BOOT_GOES_ON = [r"pmm: released \d+ KiB of initrd memory", r"kernel: shutdown=exit"]

CASES = [
    Case("fs_boot_initrd", cmdline="ktest=vfs_boot_initramfs", esp=whole, exit_status=1,
         expect=[r"boot: initrd \d+ bytes$", SUMMARY, r"pmm: released \d+ KiB of initrd memory",
                 r"^ok 1 vfs_boot_initramfs"],
         check=check_whole(whole)),
    # the same files from an archive whose data is nowhere page-aligned:
    # all copied, the same result
    Case("fs_boot_initrd_unaligned", cmdline="ktest=vfs_boot_initramfs", esp=whole_unaligned,
         exit_status=1,
         expect=[r"boot: initrd \d+ bytes$", SUMMARY, r"pmm: released \d+ KiB of initrd memory",
                 r"^ok 1 vfs_boot_initramfs"],
         forbid=[r"KERNEL PANIC", r"kept in place"],
         check=check_whole(whole_unaligned, aligned=False)),
    Case("fs_boot_initrd_truncated", esp=truncated, exit_status=1,
         expect=[r"initramfs: broken archive at offset 0x[0-9a-f]+ \(entry 'bin/busybox'\)",
                 SUMMARY] + BOOT_GOES_ON,
         check=check_broken(truncated, "bin/busybox", "data runs past the end")),
    Case("fs_boot_initrd_bad_header", esp=bad_header, exit_status=1,
         expect=[r"initramfs: broken archive at offset 0x[0-9a-f]+ \(entry 'etc/hostname'\)",
                 SUMMARY] + BOOT_GOES_ON,
         check=check_broken(bad_header, "etc/hostname", "non-hex digit in mode")),
]
