"""System test of the kernel services on a channel (docs/ipc.md): in the
boot `make run` makes, init passes the kernel services' endpoint on to the
shells it starts (COSMOS_KSERVICE_FD), cosinfo reads its CPU and memory
reports through it, and without the variable it falls back to /proc.
Each step waits for a serial line."""

from harness import Case, serial_type
from user_cases import with_initrd

PROMPT_S0 = r"^BENCH prompt_ttyS0_memory_in_use \d+ KiB$"
VIA = r"^\(CPU and memory reports through the kernel services' channel\)$"

CASES = [
    Case("kservice_cosinfo", cmdline="init=/sbin/init tty.bench", esp=with_initrd, timeout=120,
         exit_status=1,
         expect=[PROMPT_S0, r"^  in use\s+\S+ \S+ of \S+ \S+ \(\d+%\)$", VIA, r"^via-done$",
                 r"^fallback 0 [1-9]$"],
         qmp=[(PROMPT_S0, serial_type("cosinfo cpu memory; echo via-done\r")),
              (r"^via-done$", serial_type(
                  "echo fallback $(env -u COSMOS_KSERVICE_FD cosinfo memory | grep -c 'kernel services')"
                  " $(env -u COSMOS_KSERVICE_FD cosinfo memory | grep -c 'in use')\r")),
              (r"^fallback 0 [1-9]$", serial_type("poweroff\r"))]),
]
