#!/usr/bin/env python3
"""Writes a cpio "newc" archive (the initramfs) from a staging description.

usage: mkinitrd.py OUT.cpio SPEC [SPEC...]

Each SPEC is a text file, one entry a line ('#' starts a comment):

    dir   NAME MODE UID GID
    file  NAME SOURCE MODE UID GID     copy the host file SOURCE
    text  NAME MODE UID GID TEXT...    a file holding TEXT plus a newline
                                       ("\\n" in TEXT is a newline)
    slink NAME TARGET UID GID          a symbolic link (mode 0777)
    hlink NAME EXISTING                a hard link to an earlier file entry

NAME is absolute ("/bin/sh") and is stored without the leading slash, as
Linux's initramfs expects. MODE is octal permission bits (with set-id and
sticky bits). A later entry for the same NAME replaces the earlier one, so a
generated list can be overridden by a hand-written one that follows it.
Parent directories that no entry names are made 0755 root:root.

The archive is reproducible: entries sorted by path (each directory before
its contents), inode numbers assigned in that order, every mtime the value
of SOURCE_DATE_EPOCH when set and 0 otherwise. Hard links share one inode
number and, as in Linux's gen_init_cpio, the data travels with the last
name of the group; the others have size 0.

The data of every file of a page or more starts on a 4 KiB boundary of the
archive: its name is padded in front with "/" (which every cpio reader,
CosmOS's and Linux's, strips or resolves away) until the header, the name
and newc's 4-byte padding end on one. The loader puts the archive on a page
boundary, so the kernel can keep those pages as the files' own instead of
copying them (fs/initramfs.c). A name that would pass PATH_MAX with its
padding is left as it is (the kernel copies such a file).
"""

import os
import stat
import sys

MAGIC = b"070701"
MAX_NAME = 4095          # PATH_MAX less the NUL, what a kernel will accept
PAGE = 4096
HEADER = 110             # a newc header's bytes before the name


class SpecError(Exception):
    pass


class Entry:
    def __init__(self, name, kind, mode, uid, gid, data=b"", target=None):
        self.name = name          # "bin/sh": no leading slash
        self.kind = kind          # "dir", "file", "slink" or "hlink"
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.data = data
        self.target = target      # hlink: the name of the file it shares


def clean_name(raw, where):
    if not raw.startswith("/"):
        raise SpecError(f"{where}: name must be absolute: {raw}")
    parts = [p for p in raw.split("/") if p]
    if not parts:
        raise SpecError(f"{where}: the root itself cannot be an entry")
    if any(p in (".", "..") for p in parts):
        raise SpecError(f"{where}: '.' or '..' in name: {raw}")
    name = "/".join(parts)
    if len(name.encode()) > MAX_NAME:
        raise SpecError(f"{where}: name too long: {raw[:40]}...")
    return name


def number(text, base, where, what):
    try:
        value = int(text, base)
    except ValueError:
        raise SpecError(f"{where}: bad {what}: {text}") from None
    if value < 0 or value > 0xFFFFFFFF:
        raise SpecError(f"{where}: {what} out of range: {text}")
    return value


def perm(text, where):
    mode = number(text, 8, where, "mode")
    if mode & ~0o7777:
        raise SpecError(f"{where}: mode has more than permission bits: {text}")
    return mode


def parse_spec(path, entries):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for lineno, line in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        if line.lstrip().startswith("#") or not line.strip():
            continue
        kind, *args = line.split(None, 5 if line.split(None, 1)[0] == "text" else -1)
        if kind == "dir" and len(args) == 4:
            name = clean_name(args[0], where)
            entries[name] = Entry(name, "dir", stat.S_IFDIR | perm(args[1], where),
                                  number(args[2], 10, where, "uid"),
                                  number(args[3], 10, where, "gid"))
        elif kind == "file" and len(args) == 5:
            name = clean_name(args[0], where)
            try:
                with open(args[1], "rb") as src:
                    data = src.read()
            except OSError as e:
                raise SpecError(f"{where}: cannot read {args[1]}: {e.strerror}") from None
            entries[name] = Entry(name, "file", stat.S_IFREG | perm(args[2], where),
                                  number(args[3], 10, where, "uid"),
                                  number(args[4], 10, where, "gid"), data)
        elif kind == "text" and len(args) == 5:
            name = clean_name(args[0], where)
            data = (args[4].replace("\\n", "\n") + "\n").encode()
            entries[name] = Entry(name, "file", stat.S_IFREG | perm(args[1], where),
                                  number(args[2], 10, where, "uid"),
                                  number(args[3], 10, where, "gid"), data)
        elif kind == "slink" and len(args) == 4:
            name = clean_name(args[0], where)
            if not args[1] or len(args[1].encode()) > MAX_NAME:
                raise SpecError(f"{where}: bad symlink target")
            entries[name] = Entry(name, "slink", stat.S_IFLNK | 0o777,
                                  number(args[2], 10, where, "uid"),
                                  number(args[3], 10, where, "gid"),
                                  args[1].encode())
        elif kind == "hlink" and len(args) == 2:
            name = clean_name(args[0], where)
            target = clean_name(args[1], where)
            entries[name] = Entry(name, "hlink", 0, 0, 0, target=target)
        else:
            raise SpecError(f"{where}: cannot parse: {line.strip()}")


def add_parents(entries):
    for name in list(entries):
        parts = name.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in entries:
                entries[parent] = Entry(parent, "dir", stat.S_IFDIR | 0o755, 0, 0)
            elif entries[parent].kind != "dir":
                raise SpecError(f"/{name}: parent /{parent} is not a directory")


def header(ino, mode, uid, gid, nlink, mtime, size, name):
    encoded = name.encode() + b"\0"
    fields = (ino, mode, uid, gid, nlink, mtime, size, 0, 0, 0, 0, len(encoded), 0)
    out = MAGIC + b"".join(b"%08X" % v for v in fields) + encoded
    return out + b"\0" * (-len(out) % 4)


def page_pad(offset, name, size):
    """How many "/" to put before name so that the data of a header at
    offset starts on a page (0 for files under a page, or when the padded
    name would be too long)."""
    if size < PAGE:
        return 0
    end = offset + HEADER + len(name.encode()) + 1
    boundary = -(-end // PAGE) * PAGE
    pad = max(0, boundary - end - 3)      # newc pads the name to 4 bytes
    return pad if len(name.encode()) + pad <= MAX_NAME else 0


def build(entries, mtime, page_align=False):
    add_parents(entries)
    order = sorted(entries, key=lambda n: n.split("/"))

    # Resolve hard links to the file entry they share an inode with.
    groups = {}
    for name in order:
        e = entries[name]
        if e.kind != "hlink":
            continue
        base = entries.get(e.target)
        if base is None or base.kind != "file":
            raise SpecError(f"/{name}: hard link to /{e.target}, which is not a file entry")
        groups.setdefault(e.target, [e.target]).append(name)
    member_of = {n: base for base, names in groups.items() for n in names}

    subdirs = {}
    for name in order:
        if entries[name].kind == "dir" and "/" in name:
            parent = name.rsplit("/", 1)[0]
            subdirs[parent] = subdirs.get(parent, 0) + 1

    out = bytearray()
    inodes = {}
    next_ino = 1
    for name in order:
        e = entries[name]
        base = member_of.get(name, name)
        if base not in inodes:
            inodes[base] = next_ino
            next_ino += 1
        ino = inodes[base]
        src = entries[base]
        if e.kind == "dir":
            nlink, data = 2 + subdirs.get(name, 0), b""
        elif name in member_of:
            group = groups[base]
            nlink = len(group)
            last = max(group, key=lambda n: n.split("/"))
            data = src.data if name == last else b""
        else:
            nlink, data = 1, e.data
        if page_align and e.kind != "dir":
            name = "/" * page_pad(len(out), name, len(data)) + name
        out += header(ino, src.mode, src.uid, src.gid, nlink, mtime, len(data), name)
        out += data + b"\0" * (-len(data) % 4)
    out += header(0, 0, 0, 0, 1, 0, 0, "TRAILER!!!")
    return bytes(out)


def main(argv):
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out_path, specs = argv[1], argv[2:]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    try:
        mtime = number(epoch, 10, "SOURCE_DATE_EPOCH", "time")
        entries = {}
        for spec in specs:
            parse_spec(spec, entries)
        archive = build(entries, mtime, page_align=True)
    except SpecError as e:
        print(f"mkinitrd: {e}", file=sys.stderr)
        return 1
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
