"""System tests of busybox's applets inside CosmOS: the checklist of
docs/userland.md that needs no terminal (user/tests/scripts/applets.sh,
KTAP, one result per applet) and the shell-script test
(user/tests/scripts/shell.sh), each run by busybox sh as pid 1 over /proc,
/dev and a tmpfs on /tmp."""

from harness import Case
from user_cases import with_initrd

MOUNTS = "mount -t proc proc /proc && mount -t devtmpfs dev /dev && mount -t tmpfs tmp /tmp"


def script_case(name, script):
    init = f"/bin/busybox sh -c '{MOUNTS} && exec /bin/sh /usr/share/cosmos/tests/{script} /tmp'"
    return Case(name, esp=with_initrd, ktap=name, timeout=300, cmdline=f'init="{init}"',
                expect=[r"^(# applets: \d+ passed|ok \d+ \w+ # shell done|1\.\.\d+)"], exit_status=7, forbid=[])


CASES = [script_case("user_applets", "applets.sh"), script_case("user_shell_script", "shell.sh")]
