"""System tests of the terminals before any program runs: with nobody
reading, the line discipline still echoes. Bytes typed on COM1 (over the
serial socket) come back on the serial line through the receive interrupt,
ttyS0's input thread and its canonical-mode echo (erase, kill, ^C as ^C,
CR as CR LF); keys pressed on the PS/2 keyboard (QMP) are echoed by tty1
on the screen, read back from a screendump cell by cell."""

from console_cases import read_screen_text
from harness import Case, qmp_screendump, serial_type

HALTED = r"kernel: nothing more to do; halting"


def keys_now(*combos):
    """Each combination pressed and released by one input-send-event: QEMU
    puts the scancodes in the keyboard's queue at once (send-key spaces
    them out with timers), one combination at a time (the queue is short)."""
    acts = []
    for combo in combos:
        keys = combo.split("-")
        acts.append(("input-send-event", {"events": [
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": k}}}
            for down, k in [(True, k) for k in keys] + [(False, k) for k in reversed(keys)]]}))
    return acts


def screen_echo(tag):
    """The row after the kernel's last log line shows what was typed."""
    def check(pngs, log):
        screen, cursors = read_screen_text(pngs[tag], 160, 50)
        assert cursors <= 1, f"{cursors} cells look like a cursor"
        rows = [i for i, r in enumerate(screen) if r.endswith("nothing more to do; halting")]
        assert rows, "the log's last line is not on the screen"
        typed = screen[rows[-1] + 1] if rows[-1] + 1 < len(screen) else ""
        assert typed == "echo Hi!", f"the row after the log shows {typed!r}"
    return check


CASES = [
    Case("tty_serial_echo", cmdline="shutdown=halt",
         expect=[r"tty: ttyS0 on COM1, input on IRQ 4", HALTED,
                 r"^hello$",
                 r"^ab\x08 \x08c$",                     # erase
                 r"^xyz\x08 \x08\x08 \x08\x08 \x08q$",  # kill, erasing on screen
                 r"^lost\^C$", r"^ok$"],                 # ^C echoed, the line flushed
         qmp=[(HALTED, serial_type("hello\r")),
              (r"^hello$", serial_type("ab\x7fc\r")),
              (r"^ab\x08", serial_type("xyz\x15q\r")),
              (r"^xyz\x08", serial_type("lost\x03\rok\r"))]),
    Case("tty_screen_echo", cmdline="shutdown=halt",
         expect=[r"tty: tty1 on the 160x50 screen with the keyboard", HALTED, r"^sync$"],
         # the serial line's echo comes after the keys' (typed later, after
         # a last key with no text, and the two input threads work in
         # arrival order): then the screen
         qmp=[(HALTED, keys_now("e", "c", "h", "o", "spc", "shift-h", "i", "shift-1", "shift") +
               serial_type("sync\r")),
              (r"^sync$", qmp_screendump("tty1"))],
         screens=screen_echo("tty1")),
]
