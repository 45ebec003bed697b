"""System-test harness: boots the real loader and kernel in QEMU (through
scripts/qemu.sh, the one definition of the machine) and checks the serial log.

A case module, test/system/<topic>_cases.py, defines CASES, a list of Case:

    from harness import Case
    CASES = [Case("boot_banner", expect=[r"CosmOS \\S+ booting"])]

Case fields:
  name         unique; letters, digits, '_', '-', '.'; the log is
               $(BUILD)/test-logs/<name>.log
  cmdline      kernel command line written to /cosmos/cmdline.txt. The runner
               appends "panic=exit" and "shutdown=exit" unless the case sets
               its own panic= / shutdown=.
  expect       regexes (re.MULTILINE) that must match complete serial lines,
               in this order, each after the previous match
  forbid       regexes that must match nowhere (default [r"KERNEL PANIC"];
               pass [] when a panic is the point of the test)
  timeout      seconds for the whole run (ESP build + boot), default 60
  memory, smp  QEMU -m and -smp (default "512M", 1)
  qemu_args    extra QEMU arguments (e.g. a virtio disk); "{case_dir}" in
               them becomes this case's run directory (the esp hook gets
               its esp/ subdirectory, so it can make disk images there)
  defaults     add panic=exit and shutdown=exit when the command line has
               no panic= or shutdown= (default True; False for a boot that
               must look like a plain one, e.g. the default init's)
  exit_status  None: stop QEMU as soon as the last expect has matched.
               A number: wait for QEMU to exit by itself and compare its exit
               status (isa-debug-exit gives (code << 1) | 1: shutdown=exit with
               all ktests passing is 1, a panic with panic=exit is 7).
  esp          None, or a function esp(root) -> None called with a
               pathlib.Path to the staging directory of this case's ESP before
               the image is made. It holds
                   root/EFI/BOOT/BOOTX64.EFI   (a copy of the loader)
                   root/cosmos/kernel.elf      (a copy of the kernel)
                   root/cosmos/cmdline.txt     (cmdline + "\\n")
               The hook may rewrite, truncate or delete these and add files
               under EFI/BOOT/ or cosmos/; the image holds exactly what the
               directory holds afterwards.
  check        None, or a function check(log_text) -> None that raises
               AssertionError("why") for checks beyond ordered regexes.
  timed_check  None, or a function timed_check(lines) -> None, like check,
               given [(seconds since QEMU started, line), ...] with the time
               each serial line arrived (to within the 50 ms poll), for
               comparing the kernel's clock with the host's.
  qmp          steps driving QEMU through QMP (one connection on a unix
               socket, opened at the first step): a list of
               (regex, [action, ...]); the actions run, in order, once the
               regex has matched a serial line after the previous step's
               match. The case does not end before every step has run.
               Actions come from the helpers below: qmp_keys("shift-a",
               "ret", ...) (send-key per combination), qmp_mouse(dx, dy,
               wheel), qmp_buttons(pressed, released),
               qmp_screendump("tag") (PNG at $(BUILD)/test-logs/<name>.<tag>.png),
               serial_type("text") (bytes typed on COM1: the case then
               runs with COM1 on a socket and the harness logs it), or a
               raw ("command", {arguments}).
  screens      None, or a function screens(pngs, log_text) -> None, called
               at the end with {tag: Path} of the screendumps; raises
               AssertionError like check.
  ktap         None, or a name: the log holds KTAP from a program run as
               pid 1, and each result counts as a test named <ktap>/<case>
               (test/run.py); the program's end stops the kernel (panic=exit)
"""

import dataclasses
import json
import os
import socket
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, List, Optional

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.05             # seconds between looks at the serial log
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
ESP_DIRS = ("EFI/BOOT", "cosmos")


@dataclasses.dataclass
class Case:
    name: str
    cmdline: str = ""
    expect: List[str] = dataclasses.field(default_factory=list)
    forbid: List[str] = dataclasses.field(default_factory=lambda: [r"KERNEL PANIC"])
    timeout: float = 60
    memory: str = "512M"
    smp: int = 1
    qemu_args: List[str] = dataclasses.field(default_factory=list)
    exit_status: Optional[int] = None
    esp: Optional[Callable[[Path], None]] = None
    check: Optional[Callable[[str], None]] = None
    timed_check: Optional[Callable[[list], None]] = None
    qmp: list = dataclasses.field(default_factory=list)
    screens: Optional[Callable[[dict, str], None]] = None
    ktap: Optional[str] = None
    defaults: bool = True
    # Internal: wait for QEMU to exit but accept any status (the ktest run).
    wait_exit: bool = False

    def full_cmdline(self):
        words = self.cmdline.split()
        extra = [opt for opt in ("panic=exit", "shutdown=exit")
                 if self.defaults and not any(w.startswith(opt.split("=")[0] + "=") for w in words)]
        return " ".join([self.cmdline.strip()] + extra).strip()


@dataclasses.dataclass
class Result:
    ok: bool
    reason: str = ""
    log: str = ""               # the serial log text
    status: Optional[int] = None  # QEMU's exit status, if it exited
    seconds: float = 0.0
    log_path: Optional[Path] = None


class Env:
    """Where the inputs are and where per-run files go."""

    def __init__(self, build, loader, kernel):
        self.build = Path(build)
        self.loader = Path(loader)
        self.kernel = Path(kernel)
        self.run_dir = self.build / "test-run"
        self.log_dir = self.build / "test-logs"
        self.warm_vars = self.run_dir / "ovmf-vars-warm.fd"


def make_esp(env, case, case_dir):
    """Stages the ESP's files, lets the case's hook change them, and makes
    the FAT image with scripts/mkesp.sh. Returns the image path."""
    stage = case_dir / "esp"
    if stage.exists():
        shutil.rmtree(stage)
    for d in ESP_DIRS:
        (stage / d).mkdir(parents=True)
    shutil.copyfile(env.loader, stage / "EFI/BOOT/BOOTX64.EFI")
    shutil.copyfile(env.kernel, stage / "cosmos/kernel.elf")
    (stage / "cosmos/cmdline.txt").write_text(case.full_cmdline() + "\n")
    if case.esp:
        case.esp(stage)

    loader = stage / "EFI/BOOT/BOOTX64.EFI"
    kernel = stage / "cosmos/kernel.elf"
    extras = []
    for path in sorted(p for p in stage.rglob("*") if p.is_file()):
        rel = path.relative_to(stage).as_posix()
        if path in (loader, kernel):
            continue
        if os.path.dirname(rel) not in ESP_DIRS:
            raise ValueError(f"esp hook added {rel}: only files under {' or '.join(ESP_DIRS)} are supported")
        extras.append(f"{path}=/{rel}")
    image = case_dir / "esp.img"
    cmd = [str(ROOT / "scripts/mkesp.sh"), str(image),
           str(loader) if loader.exists() else "-",
           str(kernel) if kernel.exists() else "-", "-"] + extras
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return image


def _complete_lines(data, finished):
    """Serial text up to the last newline (all of it once QEMU has exited),
    so a regex never matches a line that is still being written."""
    text = data.decode("utf-8", errors="replace").replace("\r", "")
    if not finished:
        cut = text.rfind("\n")
        text = text[:cut + 1] if cut >= 0 else ""
    return text


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def boot(env, case, vars_template=None, on_line=None, poll=POLL):
    """Runs one case in QEMU and returns a Result (never raises for a
    failing case). vars_template: the OVMF vars file copied for this run;
    on_line(line, seconds_since_qemu_start) sees each complete serial line."""
    start = time.monotonic()
    case_dir = env.run_dir / case.name
    env.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = env.log_dir / f"{case.name}.log"
    err_path = env.log_dir / f"{case.name}.qemu-stderr"
    res = Result(ok=False, log_path=log_path)
    try:
        case_dir.mkdir(parents=True, exist_ok=True)
        image = make_esp(env, case, case_dir)
        shutil.copyfile(vars_template or OVMF_VARS, case_dir / "ovmf-vars.fd")
    except subprocess.CalledProcessError as e:
        res.reason = f"mkesp.sh failed: {e.stderr.decode(errors='replace').strip()}"
        return res
    except Exception as e:  # a broken esp hook is a failed case, not a crash
        res.reason = f"preparing the ESP failed: {type(e).__name__}: {e}"
        return res

    forbid = [re.compile(f, re.M) for f in case.forbid]
    expect = [re.compile(e, re.M) for e in case.expect]
    want_exit = case.exit_status is not None or case.wait_exit
    run_env = dict(os.environ, MEM=str(case.memory), SMP=str(case.smp))
    run_env.pop("KVM", None)
    deadline = start + case.timeout
    qmp_args, qmp_path = [], case_dir / "qmp.sock"
    if case.qmp:
        if qmp_path.exists():
            qmp_path.unlink()
        qmp_args = ["-qmp", f"unix:{qmp_path},server=on,wait=off"]
    # typing on COM1: its chardev becomes a socket, whose output the harness logs
    serial_path = case_dir / "serial.sock"
    typing = any(a[0] == "serial" for _, acts in case.qmp for a in acts)
    if typing:
        if serial_path.exists():
            serial_path.unlink()
        log_path.write_bytes(b"")
        # QEMU waits for the harness to connect before the machine runs,
        # and the harness writes what arrives to the log: QEMU's own
        # logfile= doubled or lost bytes when the socket was slow or had
        # no client
        qmp_args += ["-chardev", f"socket,id=com1,path={serial_path},server=on,wait=on"]
        run_env["SERIAL"] = "chardev:com1"
    with open(os.devnull if typing else log_path, "wb") as log, open(err_path, "wb") as err:
        proc = subprocess.Popen([str(ROOT / "scripts/qemu.sh"), str(image)] + [a.replace("{case_dir}", str(case_dir)) for a in case.qemu_args] + qmp_args,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=err, env=run_env)
    qemu_start = time.monotonic()
    arrivals = []
    if case.timed_check:
        user_on_line = on_line

        def on_line(line, seconds):
            arrivals.append((seconds, line))
            if user_on_line:
                user_on_line(line, seconds)
    idx, pos, seen_lines = 0, 0, 0
    step, step_pos, qmp, com1, pngs = 0, 0, None, None, {}
    qmp_steps = [(re.compile(r, re.M), acts) for r, acts in case.qmp]
    text = ""
    try:
        if typing:
            try:
                com1 = SerialLine(serial_path, log_path)
            except OSError as e:
                res.reason = f"cannot connect to COM1's socket: {e}"
                return res
        while True:
            status = proc.poll()
            finished = status is not None
            if com1:
                com1.drain(finished)
            text = _complete_lines(log_path.read_bytes(), finished)
            if on_line:
                lines = text.splitlines()
                for line in lines[seen_lines:]:
                    on_line(line, time.monotonic() - qemu_start)
                seen_lines = len(lines)
            for f in forbid:
                m = f.search(text)
                if m:
                    res.reason = f"forbidden /{f.pattern}/ matched: {_line_at(text, m.start())!r}"
                    return res
            while step < len(qmp_steps) and not finished:
                m = qmp_steps[step][0].search(text, step_pos)
                if not m:
                    break
                try:
                    for action in qmp_steps[step][1]:
                        if action[0] == "serial":
                            com1.send(action[1])
                            continue
                        if qmp is None:
                            qmp = Qmp(qmp_path)
                        _run_qmp_action(qmp, env, case, action, pngs)
                except (OSError, RuntimeError, ValueError) as e:
                    res.reason = f"QMP step {step} (after /{qmp_steps[step][0].pattern}/) failed: {e}"
                    return res
                step_pos, step = m.end(), step + 1
            while idx < len(expect):
                m = expect[idx].search(text, pos)
                if not m:
                    break
                pos, idx = m.end(), idx + 1
            if idx == len(expect) and step == len(qmp_steps) and not want_exit:
                break
            if finished:
                res.status = status
                if idx < len(expect):
                    res.reason = (f"QEMU exited with status {status} before "
                                  f"/{expect[idx].pattern}/ appeared")
                    return res
                if step < len(qmp_steps):
                    res.reason = (f"QEMU exited with status {status} before QMP step {step} "
                                  f"(after /{qmp_steps[step][0].pattern}/)")
                    return res
                if case.exit_status is not None and status != case.exit_status:
                    res.reason = f"QEMU exit status {status}, expected {case.exit_status}"
                    return res
                break
            if time.monotonic() > deadline:
                what = (f"/{expect[idx].pattern}/" if idx < len(expect)
                        else f"/{qmp_steps[step][0].pattern}/ for QMP step {step}"
                        if step < len(qmp_steps) else "QEMU to exit")
                last = text.strip().splitlines()[-1:] or ["(no output)"]
                res.reason = f"timeout after {case.timeout:g} s waiting for {what}; last line: {last[0]!r}"
                return res
            time.sleep(poll)
        screens = (lambda arg: case.screens(pngs, arg)) if case.screens else None
        for hook, arg in ((case.check, text), (case.timed_check, arrivals), (screens, text)):
            if not hook:
                continue
            try:
                hook(arg)
            except AssertionError as e:
                res.reason = f"check failed: {e}"
                return res
            except Exception as e:
                res.reason = f"check raised {type(e).__name__}: {e}"
                return res
        res.ok = True
        return res
    finally:
        if qmp:
            qmp.close()
        if com1:
            com1.close()
        _stop(proc)
        res.log = text if text else _complete_lines(log_path.read_bytes(), True)
        res.seconds = time.monotonic() - start
        # QEMU notes that we stopped it; anything else it printed is kept.
        err_text = "\n".join(line for line in err_path.read_text(errors="replace").splitlines()
                             if "terminating on signal" not in line).strip()
        if not err_text:
            err_path.unlink()
        elif not res.ok and res.reason:
            res.reason += f"; QEMU stderr: {err_text[:300]}"


def qmp_keys(*combos, hold_ms=20):
    """One send-key per combination; "ctrl-alt-delete" presses all three."""
    return [("send-key", {"keys": [{"type": "qcode", "data": k} for k in c.split("-") if k]
                          if c != "minus" else [{"type": "qcode", "data": "minus"}],
                          "hold-time": hold_ms}) for c in combos]


def qmp_mouse(dx=0, dy=0, wheel=0):
    """Relative motion (QEMU's y grows downwards) and wheel clicks (up > 0)."""
    events = [{"type": "rel", "data": {"axis": a, "value": v}}
              for a, v in (("x", dx), ("y", dy)) if v]
    acts = [("input-send-event", {"events": events})] if events else []
    for _ in range(abs(wheel)):
        b = "wheel-up" if wheel > 0 else "wheel-down"
        acts += qmp_buttons([b], []) + qmp_buttons([], [b])
    return acts


def qmp_buttons(pressed, released):
    events = ([{"type": "btn", "data": {"down": True, "button": b}} for b in pressed] +
              [{"type": "btn", "data": {"down": False, "button": b}} for b in released])
    return [("input-send-event", {"events": events})]


def qmp_screendump(tag):
    return [("screendump", tag)]


def serial_type(text):
    """Bytes typed on COM1 (a str is encoded as latin-1, so "\x03" is ^C)."""
    return [("serial", text.encode("latin-1") if isinstance(text, str) else bytes(text))]


class SerialLine:
    """COM1's socket: typing goes in, and what the guest writes comes out
    and is appended to the case's log."""

    def __init__(self, path, log_path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(POLL)
        self.sock.setblocking(False)
        self.log = open(log_path, "ab")

    def send(self, data):
        self.sock.setblocking(True)
        self.sock.sendall(data)
        self.sock.setblocking(False)

    def drain(self, to_end=False):
        """What has arrived, into the log; to_end (QEMU has exited): until
        the socket closes."""
        if to_end:
            self.sock.settimeout(2)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.log.write(data)
        except (BlockingIOError, socket.timeout, OSError):
            pass
        self.log.flush()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.log.close()


class Qmp:
    """One QMP connection (a QMP socket serves one client at a time)."""

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.settimeout(timeout)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(POLL)
        self.file = self.sock.makefile("rw")
        self._reply()                        # the greeting
        self.command("qmp_capabilities")

    def _reply(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("QMP connection closed")
        return json.loads(line)

    def command(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.file.write(json.dumps(msg) + "\n")
        self.file.flush()
        while True:
            r = self._reply()
            if "error" in r:
                raise RuntimeError(f"QMP {name}: {r['error'].get('desc', r['error'])}")
            if "return" in r:
                return r["return"]       # anything else is an event

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


def _run_qmp_action(qmp, env, case, action, pngs):
    name, arg = action
    if name == "screendump":
        path = (env.log_dir / f"{case.name}.{arg}.png").resolve()
        if path.exists():
            path.unlink()
        qmp.command("screendump", {"filename": str(path), "format": "png"})
        pngs[arg] = path
    else:
        qmp.command(name, arg)


def _line_at(text, offset):
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start:end if end >= 0 else len(text)]


def warm_vars(env, timeout=90):
    """OVMF boots faster from a vars file that has booted once (it stores
    its boot options), so one boot with a fresh copy makes a template that
    every case then copies. OVMF has written its variables by the time our
    loader runs, so the warm-up stops there and does not depend on the
    kernel. Returns the template, or None if warming failed."""
    if env.warm_vars.exists() and env.warm_vars.stat().st_mtime >= OVMF_VARS.stat().st_mtime:
        return env.warm_vars
    case = Case("ovmf-warmup", expect=[r"^CosmOS loader"], timeout=timeout, forbid=[])
    res = boot(env, case, vars_template=OVMF_VARS)
    warmed = env.run_dir / case.name / "ovmf-vars.fd"
    if not res.ok or not warmed.exists():
        return None
    tmp = env.warm_vars.with_suffix(".tmp")
    shutil.copyfile(warmed, tmp)
    tmp.replace(env.warm_vars)
    return env.warm_vars
