#!/usr/bin/env python3
"""Power cuts replayed from a disk's write log: QEMU's blklogwrites driver
records every write and flush of the disk in the dm-log-writes format
(a super block in sector 0: magic, version, entry count, sector size; then
per entry one sector of sector, sector count, flags, data length, followed
by the data). From the image before the run and that log this makes the
disk as a power cut would have left it:

  - cut right after each flush (everything up to it reached the disk);
  - cut between two flushes, with a random part of the writes since the
    last flush kept, in a random order (a volatile write cache may keep any
    of them, and of one sector any version written since the flush).

Every crash state is checked with `fsck.cosmfs -n` (0: clean, the journal
replayed in memory) and against what the workload logged
(user/crashload/crashload.c): a file whose fsync returned before the cut has
exactly its content, a rename or unlink in flight at the cut shows the old
or the new state whole, an append-only file keeps its fsynced prefix, and
the directory holds no name the workload never made.

Usage: crash_replay.py BASE LOG SERIAL TOOLS_DIR [--between N] [--seed S]
"""

import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

MAGIC = 0x6A736677736872
FLUSH, FUA, DISCARD = 1, 2, 4
ROOT = "/crash"                       # where the workload mounted the disk
LINE_RE = re.compile(r"crash: (ok|begin|prefix) (\S+) (\d+)(?: (\S+))?(?: (\S+))?$")


def read_log(path):
    """[(offset, data, flags)] in the order the disk saw them."""
    with open(path, "rb") as f:
        log = f.read()
    magic, version, count, ss = struct.unpack_from("<QQQI", log, 0)
    if magic != MAGIC or version != 1 or ss < 512 or ss & (ss - 1):
        raise ValueError(f"{path}: not a dm-log-writes log")
    out, off = [], ss
    for _ in range(count):
        if off + ss > len(log):
            raise ValueError(f"{path}: entry at {off} past the end")
        sector, nsec, flags, _dlen = struct.unpack_from("<QQQQ", log, off)
        off += ss
        data = log[off:off + nsec * ss]
        if len(data) != nsec * ss:
            raise ValueError(f"{path}: data at {off} past the end")
        off += nsec * ss
        if flags & DISCARD:
            data = bytes(nsec * ss)
        out.append((sector * ss, data, flags))
    return out


def read_expect(serial):
    """{path inside the image: [(kind, flushes, value)]} from the workload's
    lines, in order; value is (size, hash), None (absent) or, for prefix,
    (size, hash) of the first bytes."""
    events = {}
    for line in serial.splitlines():
        m = LINE_RE.search(line)
        if not m:
            continue
        kind, path, f, a, b = m.groups()
        if not path.startswith(ROOT + "/"):
            raise ValueError(f"workload line outside {ROOT}: {line}")
        path = path[len(ROOT):]
        value = None
        if kind in ("ok", "prefix") and a != "absent":
            value = (int(a), int(b, 16))
        events.setdefault(path, []).append((kind, int(f), value))
    return events


def allowed(events, cut):
    """What a path may hold with `cut` flushes on the disk: a set of states
    (size, hash) or None for absent."""
    now, states = None, set()
    for i, (kind, f, value) in enumerate(events):
        if f > cut:
            break
        if kind == "ok":
            now, states = value, set()
        elif kind == "begin":
            states = {next((v for k, _, v in events[i + 1:] if k == "ok"), now)}
    return {now} | states


class Checker:
    def __init__(self, tools, image, events):
        self.fsck = os.path.join(tools, "fsck.cosmfs")
        self.tool = os.path.join(tools, "cosmfs")
        self.image = image
        self.events = events
        self.dirs = sorted({os.path.dirname(p) for p in events})

    def check(self, cut):
        """Problems of the image as it is (cut: flushes on it)."""
        r = subprocess.run([self.fsck, "-n", self.image], capture_output=True, text=True)
        if r.returncode:
            return [f"fsck -n: status {r.returncode}: " + " | ".join(r.stdout.splitlines()[-6:])]
        # one mount for every question: the directories' sums, then the
        # fsynced prefixes
        prefixes = []
        for path, evs in self.events.items():
            last = [v for k, f, v in evs if k == "prefix" and f <= cut]
            if last:
                prefixes.append((path, *last[-1]))
        cmds = [f"sums {d}" for d in self.dirs] + [f"sum {p} {size}" for p, size, _ in prefixes]
        r = subprocess.run([self.tool, self.image, "-"], input="\n".join(cmds) + "\n",
                           capture_output=True, text=True)
        outs, cur = [], []
        for line in r.stdout.splitlines():
            if line.startswith("-- "):
                outs.append((int(line[3:]), cur))
                cur = []
            else:
                cur.append(line)
        if len(outs) != len(cmds):
            return [f"cosmfs -: {len(outs)} answers to {len(cmds)} questions: {r.stderr.strip()}"]
        have = {}
        for d, (status, lines) in zip(self.dirs, outs):
            for line in lines if status == 0 else []:
                name, size, h = line.split()
                have[d.rstrip("/") + "/" + name] = (int(size), int(h, 16))
        problems = []
        for (path, size, h), (status, lines) in zip(prefixes, outs[len(self.dirs):]):
            if status or len(lines) != 1:
                problems.append(f"{path}: cannot read its fsynced bytes")
                continue
            got_size, got = lines[0].split()
            if int(got_size) < size:
                problems.append(f"{path}: {got_size} bytes, {size} were fsynced")
            elif int(got, 16) != h:
                problems.append(f"{path}: the fsynced first {size} bytes differ")
        for path, evs in self.events.items():
            if evs[0][0] == "prefix":
                continue
            ok = allowed(evs, cut)
            got = have.get(path)
            if got not in ok:
                problems.append(f"{path}: holds {got}, allowed {sorted(ok, key=str)}")
        for path in have:
            if path not in self.events and not path.endswith("/tmp"):
                problems.append(f"{path}: a name the workload never made")
        return problems


def replay(base, logpath, serial, tools, between=2, seed=1, out=print):
    entries = read_log(logpath)
    events = read_expect(serial)
    if not events:
        raise ValueError("no workload lines in the serial log")
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="cosmfs-crash-")
    try:
        image = os.path.join(work, "disk.img")
        shutil.copyfile(base, image)
        fd = os.open(image, os.O_RDWR)
        chk = Checker(tools, image, events)
        states = failures = 0
        cut = 0
        pending = []                   # writes since the last flush

        def judge(label):
            nonlocal states, failures
            states += 1
            probs = chk.check(cut)
            if probs:
                failures += 1
                if failures <= 10:
                    out(f"crash state {label} (flushes {cut}): " + "; ".join(probs[:5]))

        def between_states():
            for _ in range(between if pending else 0):
                chosen = [w for w in pending if rng.random() < 0.5]
                rng.shuffle(chosen)
                saved = [(o, os.pread(fd, len(d), o)) for o, d, _ in chosen]
                for o, d, _ in chosen:
                    os.pwrite(fd, d, o)
                judge(f"after flush {cut} + {len(chosen)} of {len(pending)} writes")
                for o, old in reversed(saved):
                    os.pwrite(fd, old, o)

        judge("before any write")
        for off, data, flags in entries:
            if data:
                pending.append((off, data, flags))
            if flags & FLUSH:
                between_states()
                for o, d, _ in pending:
                    os.pwrite(fd, d, o)
                pending = []
                cut += 1
                judge(f"at flush {cut}")
        between_states()
        os.close(fd)
        return states, failures, cut
    finally:
        shutil.rmtree(work)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("log")
    ap.add_argument("serial")
    ap.add_argument("tools")
    ap.add_argument("--between", type=int, default=2, help="random states between two flushes")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with open(a.serial, errors="replace") as f:
        serial = f.read()
    states, failures, flushes = replay(a.base, a.log, serial, a.tools, a.between, a.seed)
    print(f"crash: {states} crash states over {flushes} flushes, {failures} with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
