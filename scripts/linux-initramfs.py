#!/usr/bin/env python3
"""Writes the initramfs of the Linux peer boot (scripts/linux-bench.sh): an
uncompressed cpio "newc" archive made with scripts/mkinitrd.py's writer.

usage: linux-initramfs.py OUT.cpio INIT BENCH EXIT0 MODDIR [COPIES]

It holds /init (user/bench/linux-init.c), /bin/bench and /bin/exit0 (our
musl builds, the same files CosmOS runs), the kernel modules the Debian
kernel needs for a virtio-blk ext4 disk with their dependencies (each .ko's
.modinfo "depends=") as /lib/modules/NAME.ko plus /lib/modules/order in
load order, and COPIES (default 16) copies of the file mix of CosmOS's
initramfs_unpack benchmark (fs/tests/initramfs_test.c: 8 files of 64 KiB and
64 of 300 bytes), so that the unpack Linux times at boot is mostly that mix.
"""

import os
import re
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkinitrd  # noqa: E402

# ext4's checksums need the crc32c algorithm, which the kernel would ask
# modprobe for: there is none, so it is loaded by name.
MODULE_ROOTS = ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"]


def module_index(moddir):
    """Module name ('-' read as '_', as the kernel does) -> .ko path."""
    idx = {}
    for root, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                idx[f[:-3].replace("-", "_")] = os.path.join(root, f)
    return idx


def depends(path):
    with open(path, "rb") as f:
        m = re.search(rb"\0depends=([^\0]*)\0", f.read())
    return [d.decode().replace("-", "_") for d in m.group(1).split(b",") if d] if m else []


def load_order(moddir, roots):
    idx, order, seen = module_index(moddir), [], set()

    def visit(name, chain):
        if name in seen:
            return
        if name not in idx:
            raise mkinitrd.SpecError(f"module {name} (needed by {' <- '.join(chain) or 'us'}) "
                                     f"not found under {moddir}")
        seen.add(name)
        for dep in depends(idx[name]):
            visit(dep, [name] + chain)
        order.append(name)

    for r in roots:
        visit(r, [])
    return [(n, idx[n]) for n in order]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main(argv):
    if len(argv) not in (6, 7):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out, init, bench, exit0, moddir = argv[1:6]
    copies = int(argv[6]) if len(argv) == 7 else 16
    E = mkinitrd.Entry
    reg = stat.S_IFREG
    entries = {}

    def add(name, mode, data=b""):
        kind = "dir" if stat.S_ISDIR(mode) else "file"
        entries[name] = E(name, kind, mode, 0, 0, data)

    for d in ("dev", "proc", "tmp", "mnt"):
        add(d, stat.S_IFDIR | (0o1777 if d == "tmp" else 0o755))
    add("init", reg | 0o755, read(init))
    add("bin/bench", reg | 0o755, read(bench))
    add("bin/exit0", reg | 0o755, read(exit0))
    try:
        mods = load_order(moddir, MODULE_ROOTS)
    except mkinitrd.SpecError as e:
        print(f"linux-initramfs: {e}", file=sys.stderr)
        return 1
    for name, path in mods:
        add(f"lib/modules/{name}.ko", reg | 0o644, read(path))
    add("lib/modules/order", reg | 0o644, "".join(f"{n}.ko\n" for n, _ in mods).encode())
    body = bytes((i * 7) & 0xFF for i in range(65536))
    for c in range(copies):
        for i in range(8):
            add(f"payload/d{c:02d}/big{i}", reg | 0o644, body)
        for i in range(64):
            add(f"payload/d{c:02d}/small{i}", reg | 0o644, body[:300])
    archive = mkinitrd.build(entries, 0)
    with open(out, "wb") as f:
        f.write(archive)
    print(f"linux-initramfs: {out}: {len(archive)} bytes, modules: "
          + " ".join(n for n, _ in mods), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
