"""System tests of the screen consoles: the kernel log on the GOP
framebuffer console (the default) checked in a QMP screendump kept under
$(BUILD)/test-logs/ (VGA text mode is checked the same way in
input_cases.py, while typing), and the console= choices. The check reads
the screen back cell by cell with the kernel's own font source and compares
the rows with the tail of the serial log, wrapped the way the console wraps."""

import importlib.util
import re
import struct
import zlib
from pathlib import Path

from harness import Case, qmp_screendump

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gen_font", ROOT / "scripts/gen-font.py")
gen_font = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_font)

HALTED = r"kernel: nothing more to do; halting"


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) for 8-bit RGB/RGBA PNGs."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, f"unsupported PNG {hdr}"
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
    for _ in range(h):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def read_screen_text(path, cols, rows_n):
    """The characters on screen, found by matching each 8x16 cell against the
    font (the 9th column of VGA cells is ignored); '?' for a cell that
    matches no glyph. Background: the most common colour. VGA's
    hardware cursor (scan lines 13-14, blinking) may cover one cell: a cell
    that matches only with those lines ignored counts as a cursor.
    Returns (rows of text, number of cursor cells)."""
    w, h, px = read_png(path)
    cell_w, cell_h = w // cols, 16
    assert h // cell_h == rows_n, f"{path}: {w}x{h} is not {cols}x{rows_n} cells"
    font = gen_font.load_font(ROOT / "fonts/cosmos8x16.txt")
    by_bits = {}
    no_cursor = {}
    for code in sorted(font, reverse=True):     # space wins over other blank glyphs
        by_bits[tuple(font[code])] = chr(code)
        no_cursor[tuple(font[code][:13] + font[code][15:])] = chr(code)
    cursors = 0
    samples = [px[y][x] for y in range(0, h, 7) for x in range(0, w, 13)]
    bg = max(set(samples), key=samples.count)
    out = []
    for r in range(rows_n):
        line = []
        for c in range(cols):
            bits = []
            for y in range(16):
                row = px[r * cell_h + y]
                v = 0
                for x in range(8):
                    v = v << 1 | (row[c * cell_w + x] != bg)
                bits.append(v)
            ch = by_bits.get(tuple(bits))
            if ch is None and tuple(bits[:13] + bits[15:]) in no_cursor:
                ch = no_cursor[tuple(bits[:13] + bits[15:])]
                cursors += 1
            line.append(ch or "?")
        out.append("".join(line).rstrip())
    return out, cursors


def wrap_like_console(text, cols):
    """The rows a terminal of `cols` columns shows for text (deferred wrap)."""
    rows = []
    for line in text.split("\n"):
        line = line.replace("\r", "")
        while len(line) > cols:
            rows.append(line[:cols])
            line = line[cols:]
        rows.append(line)
    return [r.rstrip() for r in rows]


def shows_log_tail(tag, cols, rows_n, min_rows, end=HALTED, pointer=None):
    """The screen shows the last rows of the kernel's serial output up to
    the line matching end (None: all of it). pointer: (column, row) of the
    one cell a mouse pointer covers (it must be unreadable there)."""
    def check(pngs, log):
        assert tag in pngs and pngs[tag].exists(), f"no screendump {tag}"
        screen, cursors = read_screen_text(pngs[tag], cols, rows_n)
        assert cursors <= 1, f"{cursors} cells look like a cursor"
        while screen and screen[-1] == "":
            screen.pop()
        assert len(screen) >= min_rows, f"only {len(screen)} text rows on screen: {screen}"
        if pointer:
            col, row = pointer
            line = screen[row].ljust(col + 1)
            assert line[col] == "?", f"no pointer at cell {pointer}: row {screen[row]!r}"
            screen[row] = (line[:col] + "\0" + line[col + 1:]).rstrip()
        assert all("?" not in r for r in screen), \
            "unreadable cells: " + "; ".join(r for r in screen if "?" in r)
        kernel = log[re.search(r"^.*CosmOS \S+ booting", log, re.M).start():]
        if end:
            kernel = kernel[:re.search(end, kernel).end()]
        kernel = kernel.rstrip("\n")
        want = wrap_like_console(kernel, cols)
        tail = want[-len(screen):]
        if pointer and len(tail[pointer[1]]) > pointer[0]:     # the covered cell matches anything
            r = tail[pointer[1]]
            tail[pointer[1]] = r[:pointer[0]] + "\0" + r[pointer[0] + 1:]
        assert screen == tail, ("screen differs from the serial log:\n" +
                                "\n".join(f"  screen {a!r}\n  serial {b!r}"
                                          for a, b in zip(screen, tail) if a != b)[:2000])
    return check


def serial_stops_after_switch_off(log):
    lines = [l for l in log.strip().splitlines() if l.strip()]
    assert "console: serial output off" in lines[-1], f"serial went on after switch-off: {lines[-1]!r}"


CASES = [
    # default console under OVMF + -vga std: the 1280x800 GOP framebuffer;
    # also a machine without an i8042: detected, logged, no hang
    Case("console_fb_screen", cmdline="shutdown=halt",
         qemu_args=["-machine", "i8042=off"],
         expect=[r"console: framebuffer 1280x800, 160x50 text cells",
                 r"WARN ps2: no usable i8042 controller \(-19\)", HALTED],
         qmp=[(HALTED, qmp_screendump("fb"))],
         screens=shows_log_tail("fb", 160, 50, 45)),
    # VGA text mode: input_cases.py's input_set2_vga_screen (one boot for both)
    # console= names are checked, vga wins over fb on the shared adapter,
    # and leaving serial out silences it (the run still ends by itself)
    Case("console_choice", cmdline="console=vga,fb,bogus",
         expect=[r'WARN console: unknown console "bogus" \(serial, vga, fb\)',
                 r"WARN console: vga and fb are one adapter here; using vga",
                 r"console: VGA text mode 80x25",
                 r"console: serial output off \(console=vga,fb,bogus\)"],
         exit_status=1, check=serial_stops_after_switch_off),
]
