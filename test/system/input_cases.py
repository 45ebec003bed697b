"""System tests of PS/2 input through QMP, in one boot with input=echo:
typed text (lower and upper case, shifted symbols, caps lock, num lock and
the keypad, arrows and other special keys, ctrl combinations) decoded into
the right characters and events; mouse motion, clamping at the screen edge,
buttons and the wheel; a screendump with the pointer drawn; and finally
Ctrl+Alt+Del resetting the machine (QEMU runs with -no-reboot, so it exits)."""

import re

from console_cases import read_screen_text, shows_log_tail
from harness import Case, qmp_buttons, qmp_keys, qmp_mouse, qmp_screendump

READY = r"input: echo mode; events follow"

# (QEMU key combination, the text the kernel must produce for its press)
TYPING = [
    ("a", "a"), ("shift-b", "B"), ("1", "1"), ("shift-1", "!"), ("shift-slash", "?"),
    ("minus", "-"), ("shift-equal", "+"), ("spc", " "),
    ("caps_lock", ""), ("x", "X"), ("shift-y", "y"), ("5", "5"), ("caps_lock", ""), ("z", "z"),
    ("up", "\x1b[A"), ("down", "\x1b[B"), ("left", "\x1b[D"), ("right", "\x1b[C"),
    ("home", "\x1b[H"), ("end", "\x1b[F"), ("pgup", "\x1b[5~"), ("delete", "\x1b[3~"),
    ("ctrl-c", "\x03"), ("ctrl-shift-a", "\x01"), ("alt-f", "\x1bf"),
    ("ret", "\n"), ("tab", "\t"), ("backspace", "\b"), ("esc", "\x1b"), ("f1", "\x1bOP"),
    ("kp_7", "\x1b[H"), ("num_lock", ""), ("kp_7", "7"), ("kp_add", "+"), ("num_lock", ""),
    ("pause", ""), ("print", ""),
    ("shift-0", ")"),   # the last key: its line ends the typing step
]
LAST_KEY = r"input: key down 0 code=0x0b mods=0x001 text=29"
LAST_RELEASE = LAST_KEY + r"\n.*key up 0 .*\n.*key up lshift .*$"
VGA_MOVE = r"input: mouse dx=16 dy=32 wheel=0 buttons=--- pos=336,232$"

KEY_LINE = re.compile(r"input: key (down|up|repeat) (\S+) code=0x([0-9a-f]{2}) "
                      r"mods=0x([0-9a-f]{3}) text=(\S+)")
MOUSE_LINE = re.compile(r"input: mouse dx=(-?\d+) dy=(-?\d+) wheel=(-?\d+) buttons=(\S+) pos=(\d+),(\d+)")


def typed_text(log):
    out = ""
    for m in KEY_LINE.finditer(log):
        if m.group(1) == "down" and m.group(5) != "-":
            out += bytes.fromhex(m.group(5)).decode("latin-1")
    return out


def check_keys_and_mouse(log):
    want = "".join(t for _, t in TYPING)
    got = typed_text(log)
    assert got == want, f"typed {got!r}, expected {want!r}"
    keys = KEY_LINE.findall(log)
    held = {}
    for k in keys:
        if k[1] != "pause":     # pause has no release
            held[k[1]] = held.get(k[1], 0) + (1 if k[0] == "down" else -1 if k[0] == "up" else 0)
    held = {k: v for k, v in held.items() if v}
    # ctrl and alt were still down when Ctrl+Alt+Del reset the machine
    assert held == {"lctrl": 1, "lalt": 1}, f"presses and releases do not pair up: {held}"
    assert not any(k[0] == "repeat" for k in keys), "auto-repeat where none was typed"
    # caps lock state rides along in the modifiers while it is on
    caps = [k for k in keys if k[1] == "x" and k[0] == "down"]
    assert caps and int(caps[0][3], 16) & 0x100, "caps lock bit missing on x"
    moves = [tuple(int(v) if v.lstrip("-").isdigit() else v for v in m) for m in MOUSE_LINE.findall(log)]
    assert moves and moves[-1][4:] == (0, 0), f"pointer did not end clamped at 0,0: {moves[-1:]}"
    # every position is the previous one plus the packet's motion, clamped
    # to the 1280x800 screen (the pointer starts in the middle)
    x, y = 640, 400
    for m in moves:
        x, y = min(max(x + m[0], 0), 1279), min(max(y + m[1], 0), 799)
        assert m[4:] == (x, y), f"pointer at {m[4:]} after {m[:2]}, expected {(x, y)}"


def typed_exactly(combos):
    def check(log):
        want = "".join(t for _, t in combos)
        got = typed_text(log)
        assert got == want, f"typed {got!r}, expected {want!r}"
    return check


# The same keyboard with the controller's translation off: set 2 decoded
SET2_TYPING = [("a", "a"), ("shift-b", "B"), ("caps_lock", ""), ("c", "C"), ("caps_lock", ""),
               ("up", "\x1b[A"), ("kp_divide", "/"), ("kp_enter", "\n"), ("ctrl-c", "\x03"),
               ("pause", ""), ("print", ""), ("f12", "\x1b[24~"), ("shift-0", ")")]


def pointer_drawn_at_corner(pngs, log):
    """The 10x16 arrow at 0,0 covers the first two cells of the top row;
    every other cell still reads as text."""
    rows, _ = read_screen_text(pngs["pointer"], 160, 50)
    bad = [(r, c) for r, line in enumerate(rows) for c, ch in enumerate(line) if ch == "?"]
    assert bad == [(0, 0), (0, 1)], f"cells not readable as text: {bad[:10]}"


CASES = [
    Case("input_keyboard_mouse", cmdline="input=echo shutdown=halt", timeout=45,
         expect=[READY,
                 r"input: key down a code=0x1e mods=0x000 text=61",
                 r"input: key up a code=0x1e mods=0x000 text=-",
                 r"input: key down b code=0x30 mods=0x001 text=42",
                 r"input: key down up code=0xc8 mods=0x000 text=1b5b41",
                 r"input: key down pause code=0x7f mods=0x000 text=-",
                 r"input: key down printscreen code=0xb7 mods=0x000 text=-",
                 LAST_KEY,
                 r"input: mouse dx=30 dy=20 wheel=0 buttons=--- pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=0 buttons=L-- pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=0 buttons=--- pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=0 buttons=--R pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=0 buttons=-M- pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=1 buttons=--- pos=670,420",
                 r"input: mouse dx=0 dy=0 wheel=-1 buttons=--- pos=670,420",
                 r"input: mouse dx=-20 dy=15 wheel=0 buttons=--- pos=650,435",
                 r"input: mouse dx=-19 dy=-19 wheel=0 buttons=--- pos=250,35",
                 r"pos=0,0$",
                 r"kbd: Ctrl\+Alt\+Del: resetting"],
         # QEMU's PS/2 queue holds 4 packets and merges what does not fit,
         # so each mouse step waits for the kernel to have read the last one
         qmp=[(READY, [a for combo, _ in TYPING for a in qmp_keys(combo)]),
              (LAST_KEY, qmp_mouse(30, 20)),
              (r"pos=670,420$", qmp_buttons(["left"], []) + qmp_buttons([], ["left"]) +
               qmp_buttons(["right"], []) + qmp_buttons([], ["right"])),
              (r"buttons=--R .*\n.*buttons=--- ", qmp_buttons(["middle"], []) +
               qmp_buttons([], ["middle"]) + qmp_mouse(wheel=1)),
              (r"wheel=1 .*\n.*wheel=0 ", qmp_mouse(wheel=-1) + qmp_mouse(-20, 15)),
              (r"pos=650,435$", qmp_mouse(-400, -400)),
              (r"pos=250,35$", qmp_mouse(-400, -400)),
              (r"pos=0,0$", qmp_screendump("pointer") + qmp_keys("ctrl-alt-delete"))],
         exit_status=0,
         check=check_keys_and_mouse,
         screens=pointer_drawn_at_corner),
    # the same keyboard with translation off (set 2 decoded), typed at a
    # VGA text console, whose screendump must show the echo lines
    Case("input_set2_vga_screen", cmdline="input=echo ps2=set2 console=serial,vga shutdown=halt", timeout=45,
         expect=[r"console: VGA text mode 80x25", r"ps2: i8042 .*keyboard on \(set 2\)", READY,
                 r"input: key down a code=0x1e mods=0x000 text=61",
                 r"input: key down up code=0xc8 mods=0x000 text=1b5b41",
                 r"input: key down kp/ code=0xb5 mods=0x000 text=2f",
                 r"input: key down pause code=0x7f mods=0x000 text=-",
                 LAST_RELEASE, VGA_MOVE],
         qmp=[(READY, [a for combo, _ in SET2_TYPING for a in qmp_keys(combo)]),
              (LAST_RELEASE, qmp_mouse(16, 32)),
              (VGA_MOVE, qmp_screendump("vga"))],
         check=typed_exactly(SET2_TYPING),
         # the pointer starts mid-screen (320,200): +16,+32 is cell 42, row 14
         screens=shows_log_tail("vga", 80, 25, 24, end=None, pointer=(42, 14))),
]
