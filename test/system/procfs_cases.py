"""System tests of /proc as BusyBox's process tools read it: in the boot
`make run` makes (init, shells on tty1 and ttyS0), a background `sleep` on
the serial shell shows in `ps` next to init and the shell, `top -b -n 1`
and `pidof` find the same pid, `kill` of that pid ends it (ash reports
the job terminated) and `ps` no longer lists it. Each step waits for a
serial line."""

import re

from harness import Case, serial_type
from user_cases import with_initrd

PROMPT_S0 = r"^BENCH prompt_ttyS0_memory_in_use \d+ KiB$"


def same_pid(log):
    """The job's pid ($!) is the one ps, top and pidof show; ps shows the
    shell init started on ttyS0."""
    job = re.search(r"^job (\d+)$", log, re.M)
    assert job, "no job pid ($!)"
    pid = job.group(1)
    assert re.search(rf"^\s*{pid} root\s+.*sleep 300$", log, re.M), f"ps shows no 'sleep 300' as {pid}"
    assert re.search(rf"^\s*{pid}\s+\d+\s+root\s+S\s.*sleep 300\s*$", log, re.M), f"top shows no {pid}"
    assert re.search(rf"^pidof {pid}$", log, re.M), f"pidof sleep did not give {pid}"
    sh = re.search(r"^init: starting /bin/sh on ttyS0 \(pid (\d+)\)", log, re.M)
    assert sh and re.search(rf"^\s*{sh.group(1)} root\s+(\d+:\d\d )?-(/bin/)?sh$", log, re.M), \
        "ps does not show the serial shell"


CASES = [
    Case("proc_busybox_ps_kill", cmdline="init=/sbin/init tty.bench", esp=with_initrd, timeout=120,
         exit_status=1,
         expect=[PROMPT_S0, r"^job \d+$",
                 # Debian's busybox: PID USER COMMAND, and {comm} before the
                 # arguments when they differ. Each applet names itself with
                 # prctl(PR_SET_NAME), as on Linux: sleep, run through
                 # /proc/self/exe, is "sleep", not "{exe} sleep"; ps, run
                 # in a fork of ash, is "{ps} -sh"
                 r"^\s*PID\s+USER\s+(TIME\s+)?COMMAND$",
                 r"^\s*1 root\s+(\d+:\d\d )?/sbin/init$",
                 r"^\s*\d+ root\s+(\d+:\d\d )?-(/bin/)?sh$",
                 r"^\s*\d+ root\s+(\d+:\d\d )?sleep 300$",
                 r"^\s*\d+ root\s+(\d+:\d\d )?\{ps\} -(/bin/)?sh$",
                 r"^ps-done$", r"^top-done$", r"^pidof \d+$",
                 r"^\[1\]\+\s+Terminated\s+sleep 300", r"^left 0$"],
         qmp=[(PROMPT_S0, serial_type("sleep 300 & until pidof sleep >/dev/null; do :; done; echo job $!\r")),
              (r"^job \d+$", serial_type("ps; echo ps-done\r")),
              (r"^ps-done$", serial_type("top -b -n 1; echo top-done\r")),
              (r"^top-done$", serial_type("echo pidof $(pidof sleep); kill $(pidof sleep); wait\r")),
              (r"^\[1\]\+\s+Terminated", serial_type("echo left $(ps | grep -c '[s]leep 300')\r")),
              (r"^left 0$", serial_type("poweroff\r"))],
         forbid=[r"KERNEL PANIC", r"unimplemented syscall 157 "],
         check=same_pid),
]
