"""System tests of the terminals with programs. usertests_tty: the tty_*
cases of usertests (controlling terminals, groups, job-control stops,
hang-ups). shell_tty1_and_serial: the shells init starts (user/etc/inittab:
sh on tty1 and on ttyS0) in one boot of the build's initramfs, as `make
run` boots it: a command typed on the PS/2 keyboard shows its output on
the screen (read back from a screendump); commands typed over serial
(COM1's socket) print what they should, ^C and ^Z reach the foreground
job, and poweroff ends QEMU. Each step waits for a serial line."""

import re
from pathlib import Path

from console_cases import read_screen_text
from harness import Case, qmp_keys, qmp_screendump, serial_type
from user_cases import with_initrd

# tty1's shell waits for its first line of input (with tty.bench the
# kernel says so: fs/tty.c's note_first_prompt)
PROMPT_TTY1 = r"^BENCH prompt_tty1_memory_in_use \d+ KiB$"

_KEYS = {" ": "spc", ";": "semicolon", ":": "shift-semicolon", ">": "shift-dot", "<": "shift-comma",
         "/": "slash", "-": "minus", ".": "dot", ",": "comma", "|": "shift-backslash",
         "(": "shift-9", ")": "shift-0", "$": "shift-4", "?": "shift-slash", "%": "shift-5",
         "&": "shift-7", "=": "equal", "'": "apostrophe", "\\": "backslash", "[": "bracket_left", "\n": "ret", "\x1b": "esc"}


def typed(text):
    """send-key combinations that type text on a US keyboard."""
    combos = []
    for ch in text:
        if ch.isalpha() and ch.isupper():
            combos.append("shift-" + ch.lower())
        elif ch.isalnum():
            combos.append(ch)
        else:
            combos.append(_KEYS[ch])
    return qmp_keys(*combos)


def initrd_bin_entries():
    """How many names the initramfs has directly under /bin (cpio newc)."""
    from os import environ
    data = (Path(environ["COSMOS_BUILD"]) / "initrd.cpio").read_bytes()
    pos, names = 0, set()
    while pos + 110 <= len(data) and data[pos:pos + 6] == b"070701":
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        size, namesize = fields[6], fields[11]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            break
        parts = name.lstrip("./").split("/")
        if len(parts) == 2 and parts[0] == "bin":
            names.add(parts[1])
    return len(names)


def serial_checks(log):
    m = re.search(r"^\s*(\d+)$", log, re.M)
    want = initrd_bin_entries()
    assert m and int(m.group(1)) == want, f"ls /bin | wc -l gave {m and m.group(1)}, /bin has {want}"


def screen_hello(pngs, log):
    screen, _ = read_screen_text(pngs["tty1"], 160, 50)
    assert "hello" in screen, "no row of the screen is just 'hello'"
    i = screen.index("hello")
    assert "echo hello" in screen[i - 1], f"the row above 'hello' is {screen[i - 1]!r}"


TTY_CASES = ("tty_ctty_by_open tty_tiocsctty_rules tty_tiocspgrp tty_leader_exit_hangs_up "
             "tty_background_job_control tty_tiocsti tty_proc_stat_tty_nr tty_sigio_on_input")

CASES = [
    # controlling terminals, sessions and groups from programs: usertests
    # as pid 1 (init mounts nothing: usertests mounts /dev itself)
    Case("usertests_tty", esp=with_initrd, ktap="usertests_tty", timeout=120,
         cmdline=f"init=\"/bin/busybox sh -c 'mount -t devtmpfs dev /dev && mount -t proc proc /proc && "
                 f"exec /bin/usertests {TTY_CASES}'\"",
         expect=[r"^# usertests: \d+ passed, \d+ failed"], exit_status=7, forbid=[]),
    # poweroff: init's reboot(2) is the only way this boot leaves QEMU with
    # status 1 (shutdown=exit)
    Case("shell_tty1_and_serial", cmdline="init=/sbin/init tty.bench", esp=with_initrd, timeout=120, exit_status=1,
         expect=[PROMPT_TTY1, r"^screen-done$", r"^hello$", r"^\s*\d+$", r"^running$", r"^status 130$",
                 r"^running again$", r"\[1\]\+\s+Stopped\s",
                 r"^\[1\] \(echo running again", r"^status 143$"],
         qmp=[(PROMPT_TTY1, typed("echo hello; echo screen-done >/dev/ttyS0\n")),
              (r"^screen-done$", qmp_screendump("tty1") +
               serial_type("echo hello > /tmp/a; cat /tmp/a\r")),
              (r"^hello$", serial_type("ls /bin | wc -l\r")),
              # the subshell prints once it is the terminal's foreground
              # group, and becomes sleep: ^C ends it with SIGINT
              (r"^\s*\d+$", serial_type("(echo running; exec sleep 100)\r")),
              (r"^running$", serial_type("\x03")),
              (r"\^C$", serial_type("echo status $?\r")),
              # ^Z stops the next one (SIGTSTP to the foreground group);
              # continued in the background, SIGTERM ends it
              (r"^status 130$", serial_type("(echo running again; exec sleep 100)\r")),
              (r"^running again$", serial_type("\x1a")),
              (r"\[1\]\+\s+Stopped\s", serial_type("bg\r")),
              (r"^\[1\] \(echo running again", serial_type("kill %1; wait %1; echo status $?\r")),
              (r"^status 143$", serial_type("poweroff\r"))],
         check=serial_checks, screens=screen_hello),
]
