#!/usr/bin/env python3
"""Host test of scripts/mkinitrd.py's page alignment: the data of every file
of a page or more starts on a 4 KiB boundary of the archive, its name only
padded in front with "/"; smaller files, directories and symlinks are as
before; a name too long to pad stays unpadded; build() without page_align
(what scripts/linux-initramfs.py calls) pads nothing. Prints TAP, as the
cmocka tests do for test/run.py."""

import stat
import sys

import pytap

mk = pytap.load_script("mkinitrd", "scripts/mkinitrd.py")


def entries_of(data):
    """(raw name, data offset, mode, body, header offset) of each entry, as
    a newc reader finds them."""
    out, off = [], 0
    while off + 110 <= len(data):
        assert data[off:off + 6] == b"070701", f"bad magic at {off:#x}"
        f = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        size, namesize = f[6], f[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        assert data[off + 110 + namesize - 1] == 0 and "\0" not in name
        start = (off + 110 + namesize + 3) & ~3
        if name == "TRAILER!!!":
            return out
        out.append((name, start, f[1], data[start:start + size], off))
        off = (start + size + 3) & ~3
    raise AssertionError("no trailer")


def sample(long_name):
    E = mk.Entry
    entries = {}
    for i, size in enumerate((1, 4095, 4096, 4097, 20000, 3 * 4096, 100000)):
        name = f"bin/f{i}"
        entries[name] = E(name, "file", stat.S_IFREG | 0o755, 0, 0, bytes([i + 1]) * size)
    entries["bin/sh"] = E("bin/sh", "slink", stat.S_IFLNK | 0o777, 0, 0, b"f6")
    entries[long_name] = E(long_name, "file", stat.S_IFREG | 0o644, 0, 0, b"y" * 9000)
    return entries


LONG = "d/" + "n" * 4090     # 4,092 bytes: too long for the padding it needs


def t_big_files_aligned():
    data = mk.build(sample(LONG), 0, page_align=True)
    seen = 0
    for name, start, mode, body, _ in entries_of(data):
        plain = name.lstrip("/")
        if stat.S_ISREG(mode) and len(body) >= 4096 and plain != LONG:
            assert start % 4096 == 0, f"{plain}: data at {start:#x}"
            seen += 1
        elif plain != LONG or start % 4096:
            assert name == plain, f"{plain}: padded though it needs no alignment"
    assert seen == 5, f"{seen} files aligned, 5 are a page or more"


def t_contents_unchanged():
    """The same entries, bodies and modes as without alignment."""
    plain = [(n, m, b) for n, _, m, b, _ in entries_of(mk.build(sample(LONG), 0))]
    padded = [(n.lstrip("/"), m, b) for n, _, m, b, _ in
              entries_of(mk.build(sample(LONG), 0, page_align=True))]
    assert plain == padded


def t_too_long_name_left_alone():
    for name, start, _, _, _ in entries_of(mk.build(sample(LONG), 0, page_align=True)):
        if name.lstrip("/") == LONG:
            assert name == LONG, "padded past PATH_MAX"
            assert len(name) + 1 <= 4096
            return
    raise AssertionError("no long entry")


def t_no_padding_without_page_align():
    for name, *_ in entries_of(mk.build(sample(LONG), 0)):
        assert not name.startswith("/"), name


def t_pad_is_minimal():
    """The padding moves the data to the next page boundary, no further."""
    for name, start, _, _, off in entries_of(mk.build(sample(LONG), 0, page_align=True)):
        plain = name.lstrip("/")
        unpadded = (off + 110 + len(plain) + 1 + 3) & ~3
        assert unpadded <= start < unpadded + 4096, f"{plain}: {unpadded:#x} -> {start:#x}"


def main():
    return pytap.run([t_big_files_aligned, t_contents_unchanged, t_too_long_name_left_alone,
                      t_no_padding_without_page_align, t_pad_is_minimal])


if __name__ == "__main__":
    sys.exit(main())
