"""System tests of the screen console's shell driven from the PS/2
keyboard (QMP send-key): ^C ends a foreground sleep and the prompt comes
back, the up arrow recalls the last line in ash, busybox vi takes text and
saves it with :wq, less and top open and quit with q, and `sleep 100 &` / `jobs` / `kill %1` work; a
cursor position report (ESC [ 6 n) is answered by the screen with where
the cursor is, and on serial passes through both ways. Every
command typed on tty1 sends its result to /dev/ttyS0, so each step waits
for a serial line; the screen is read back once at the end."""

import re

from console_cases import read_screen_text
from harness import Case, qmp_keys, qmp_screendump, serial_type
from shell_cases import PROMPT_TTY1, typed
from user_cases import with_initrd

def raw_ready(name):
    """A background loop that says `<name>-ready` on serial once tty1 has
    left canonical mode (the program started after it reads keys one by
    one). It starts a line of its own: the serial shell's prompt, which
    ends in no newline, may have been printed just before."""
    return ("(until stty -F /dev/tty1 -a | grep -q -- -icanon; do :; done; "
            f"printf '\\n{name}-ready\\n' >/dev/ttyS0) & ")


# raw input of exactly six bytes, a cursor position question, and the six
# bytes of the answer shown with od
ASK_POSITION = "stty -icanon -echo min 6; printf '{}'; head -c 6 | od -An -c"
SCREEN_REPORT = r"033\s+\[\s+5\s+;\s+9\s+R"
SERIAL_REPORT = r"033\s+\[\s+7\s+;\s+3\s+R"


def screen_after_keys(pngs, log):
    screen, _ = read_screen_text(pngs["tty1"], 160, 50)
    # kernel log lines share the screen: leave them out
    rows = [r.rstrip() for r in screen if not re.match(r"\[\s*\d+\.\d+\] ", r)]
    # ^C echoed where the sleep ran, and the shell's prompt back under it
    i = next((n for n, r in enumerate(rows) if r.endswith("exec sleep 100)")), None)
    assert i is not None, "the sleep command line is not on the screen"
    assert rows[i + 1].startswith("^C"), f"the row under the sleep is {rows[i + 1]!r}, not ^C"
    assert any(r.endswith("# echo status $? >/dev/ttyS0") for r in rows[i + 1:i + 3]), \
        f"no prompt with the next command under ^C: {rows[i + 1:i + 3]!r}"
    # the recalled line was drawn as a second command line
    assert sum(r.endswith("# echo recall-me >/dev/ttyS0") for r in rows) == 2, \
        "the up arrow did not redraw 'echo recall-me' at a prompt"


def jobs_empty(log):
    lines = [l.strip() for l in log.splitlines()]
    i = lines.index("jobs-empty")
    assert not lines[i - 1].startswith("["), f"jobs still lists {lines[i - 1]!r} after kill %1"


CASES = [
    Case("shell_tty1_keyboard", cmdline="init=/sbin/init tty.bench", esp=with_initrd, timeout=180,
         expect=[PROMPT_TTY1, r"^running$", r"^status 130$", r"^recall-me$", r"^recall-me$",
                 r"^vi-ready$", r"^hello from vi$", r"^\[1\]\+\s+Running\s+sleep 100$",
                 r"^status 143$", r"^jobs-empty$", r"^screen-done$", SCREEN_REPORT,
                 r"A\x1b\[6nB", SERIAL_REPORT, r"^less-ready$", r"^less-done$",
                 r"^top-ready$", r"^top-done$"],
         qmp=[(PROMPT_TTY1, typed("(echo running >/dev/ttyS0; exec sleep 100)\n")),
              # ^C on the keyboard: SIGINT to the foreground group; the
              # shell reads the next line only when its prompt is back
              (r"^running$", qmp_keys("ctrl-c") + typed("echo status $? >/dev/ttyS0\n")),
              (r"^status 130$", typed("echo recall-me >/dev/ttyS0\n")),
              (r"^recall-me$", qmp_keys("up", "ret")),
              (r"^recall-me$", typed(raw_ready("vi") + "vi /tmp/v.txt; cat /tmp/v.txt >/dev/ttyS0\n")),
              (r"^vi-ready$", typed("ihello from vi\x1b:wq\n")),
              (r"^hello from vi$", typed("sleep 100 &\njobs >/dev/ttyS0\n")),
              (r"^\[1\]\+\s+Running\s+sleep 100$",
               typed("kill %1; wait %1; echo status $? >/dev/ttyS0\n")),
              (r"^status 143$", typed("jobs; jobs >/dev/ttyS0; echo jobs-empty >/dev/ttyS0\n")),
              (r"^jobs-empty$", qmp_screendump("tty1") + typed("echo screen-done >/dev/ttyS0\n")),
              # the screen answers where its cursor is: row 5, column 9
              (r"^screen-done$", typed(ASK_POSITION.format(r"\033[5;9H\033[6n") + " >/dev/ttyS0; stty sane\n")),
              # on serial the question reaches the other end as it is,
              # and the answer typed there is read by the program
              (SCREEN_REPORT, serial_type(ASK_POSITION.format(r"A\033[6nB\n") + "; stty sane\r")),
              (r"A\x1b\[6nB", serial_type("\x1b[7;3R")),
              # less and top on the screen, each left with q
              (SERIAL_REPORT, typed(raw_ready("less") + "less /etc/inittab; echo less-done >/dev/ttyS0\n")),
              (r"^less-ready$", typed("q")),
              (r"^less-done$", typed(raw_ready("top") + "top; echo top-done >/dev/ttyS0\n")),
              (r"^top-ready$", typed("q"))],
         check=jobs_empty, screens=screen_after_keys),
]
