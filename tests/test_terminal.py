"""The app in a real terminal (issue 7): a pseudo-terminal for TERM=dumb, linux, xterm and xterm-256color,
LANG=C and NO_COLOR, and tmux when it is installed. The app starts, takes a few keys, quits with q (or
ctrl+c), exits 0 with no traceback and leaves the terminal as it found it (main screen, cursor shown, mouse
tracking, paste and focus reporting off), also at the edges (a denormal lr, a run blowing up over 10^5
epochs); an error at start-up is one line and never takes over the screen. Takes about 25 s (each app gets
30 s for its first frame, so a loaded machine only makes it slower).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")

COLS, ROWS = 80, 24
FIRST_FRAME = 30.0  # seconds: generous, for a loaded machine
KEYS = [b"\x1b[C", b"\x1b", b"l", b"?", b"\x1b"]  # right, escape (to the commands), l, help, escape (then q)
# private modes an app may switch on, each of which it must switch off again: the alternate screen, the
# hidden cursor (off = shown), mouse tracking, bracketed paste, focus reporting
MODES = {"1049": "alternate screen", "1000": "mouse", "1002": "mouse", "1003": "mouse", "1006": "mouse",
         "1015": "mouse", "2004": "bracketed paste", "1004": "focus reporting"}


def _environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LC_", "TEXTUAL", "TMUX")) and k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(overrides)
    return env


def _spawn(argv: list[str], env: dict[str, str], cwd: str) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once (nothing of pytest's may run here)
        try:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def _read(fd: int, data: bytearray, *, until: bytes | None = None, quiet: float = 0.3, limit: float = 30.0) -> bool:
    """Read into ``data`` until ``until`` shows up, or nothing came for ``quiet`` seconds (when ``until``
    is None), or the terminal closed, or ``limit`` seconds passed. True when the marker (or quiet) came."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if until is not None and until in data:
            return True
        ready, _, _ = select.select([fd], [], [], quiet if until is None else 0.1)
        if not ready:
            if until is None:
                return True
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            return until is None or until in data
        data += chunk
    return False


def _wait(pid: int, fd: int, data: bytearray, limit: float = 30.0) -> int | None:
    """The child's exit status, reading what it still writes; None (after killing it) when it does not end."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        _read(fd, data, quiet=0.1, limit=0.5)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            _read(fd, data, quiet=0.1, limit=2.0)
            return os.waitstatus_to_exitcode(status)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def run_in_pty(argv: list[str], env: dict[str, str], cwd, keys: list[bytes] = (), quit_key: bytes | None = b"q"):
    """Run ``lrtui argv`` in a fresh pseudo-terminal in ``cwd``: wait for the first frame, press ``keys``
    and quit with ``quit_key`` (None: the run is expected to end by itself)."""
    pid, fd = _spawn([sys.executable, "-m", "lrtui", *argv], env, str(cwd))
    data = bytearray()
    try:
        first = quit_key is None or _read(fd, data, until=b"lr:", limit=FIRST_FRAME)
        if first and quit_key is not None:
            _read(fd, data, quiet=0.5)  # let the first simulation land
            for key in [*keys, quit_key]:
                os.write(fd, key)
                _read(fd, data, quiet=0.25, limit=10)  # escape needs its own moment (it may start a sequence)
        status = _wait(pid, fd, data)
    finally:
        os.close(fd)
    return first, status, bytes(data)


def assert_restored(output: bytes) -> None:
    """Every private mode the app set is reset after it was last set; the cursor is shown again."""
    text = output.decode("utf-8", "replace")
    assert "\x1b[?1049h" in text, "the app never took over the screen"
    for mode, what in MODES.items():
        last_set, last_reset = text.rfind(f"\x1b[?{mode}h"), text.rfind(f"\x1b[?{mode}l")
        if last_set >= 0:
            assert last_reset > last_set, f"{what} ({mode}) left on"
    assert text.rfind("\x1b[?25h") > text.rfind("\x1b[?25l"), "the cursor is left hidden"


def _sgr_colours(text: str) -> set[str]:
    """The colours of SGR sequences: basic (31, 42...), 256-colour (5;N) and true colour (2;R;G;B)."""
    found = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        p = params.split(";")
        i = 0
        while i < len(p):
            if p[i] in ("38", "48") and i + 1 < len(p):
                n = 3 if p[i + 1] == "5" else 5
                found.add(";".join(p[i + 1 : i + n]))
                i += n
                continue
            if p[i] and (30 <= int(p[i]) <= 37 or 40 <= int(p[i]) <= 47 or 90 <= int(p[i]) <= 107):
                found.add(p[i])
            i += 1
    return found


def _grey(colour: str) -> bool:
    parts = colour.split(";")
    if parts[0] == "5":
        n = int(parts[1])
        return n in (0, 7, 8, 15, 16, 231) or 232 <= n <= 255
    if parts[0] == "2":
        return len(set(parts[1:])) == 1
    return colour in ("30", "37", "40", "47", "90", "97", "100", "107")


TERMINALS = [
    ("dumb", "C.UTF-8", False), ("linux", "C.UTF-8", False), ("xterm", "C.UTF-8", False),
    ("xterm-256color", "C.UTF-8", False), ("xterm-256color", "C", False), ("xterm-256color", "C.UTF-8", True),
]


@pytest.mark.parametrize("term, lang, no_color", TERMINALS,
                         ids=[f"{t}-LANG={lang}" + ("-NO_COLOR" if n else "") for t, lang, n in TERMINALS])
def test_the_app_starts_takes_keys_quits_and_restores_the_terminal(tmp_path, term, lang, no_color):
    env = _environment(TERM=term, LANG=lang, **({"NO_COLOR": "1"} if no_color else {}))
    first, status, output = run_in_pty(["--epochs", "50"], env, tmp_path, KEYS)
    text = output.decode("utf-8", "replace")
    assert first, f"no first frame in {FIRST_FRAME} s: {text[-500:]!r}"
    assert status == 0 and "Traceback" not in text, text[-2000:]
    assert "Keys (nothing needs a mouse)" in text  # the keys reached the app: ? opened the help
    assert_restored(output)
    if lang == "C" or term in ("dumb", "linux"):  # the terminal cannot show braille: the plots are ASCII
        assert not any(0x2800 <= ord(c) <= 0x28FF for c in text)
        assert "*" in text
    else:
        assert any(0x2800 <= ord(c) <= 0x28FF for c in text)
    if no_color:
        assert {c for c in _sgr_colours(text) if not _grey(c)} == set()
    else:
        assert {c for c in _sgr_colours(text) if not _grey(c)}  # the check above can fail: colour is seen


@pytest.mark.parametrize("argv", [["lr=5e-324", "--epochs", "50"],
                                  ["--optimizer", "adam", "lr=1e6", "T_max=100000", "--epochs", "100000"]],
                         ids=["denormal-lr", "lr-1e6-100000-epochs"])
def test_the_app_at_the_edges(tmp_path, argv):
    """A denormal lr on the log lr plot (L) and a run that blows up at once over the app's longest run."""
    env = _environment(TERM="xterm-256color", LANG="C.UTF-8")
    first, status, output = run_in_pty(argv, env, tmp_path, [b"\x1b[C", b"\x1b", b"l", b"L", b"\x1b[F"])
    assert first and status == 0 and b"Traceback" not in output
    assert_restored(output)
    if "lr=1e6" in argv:
        assert b"diverged at epoch 1" in output  # the status line marks it


def test_an_error_at_start_up_is_one_line_and_leaves_the_screen_alone(tmp_path):
    env = _environment(TERM="xterm-256color", LANG="C.UTF-8")
    first, status, output = run_in_pty(["--load", "/nonexistent.toml"], env, tmp_path, quit_key=None)
    text = output.decode("utf-8", "replace")
    assert status == 2 and "\x1b[" not in text and "Traceback" not in text
    assert re.fullmatch(r"lrtui: session file /nonexistent\.toml: [^\r\n]+\r\n", text), text


def test_ctrl_c_in_the_app_quits_and_restores_the_terminal(tmp_path):
    env = _environment(TERM="xterm-256color", LANG="C.UTF-8")
    first, status, output = run_in_pty(["--epochs", "50"], env, tmp_path, quit_key=b"\x03")
    assert first and status == 0 and b"Traceback" not in output
    assert_restored(output)


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                          timeout=30, env=_environment(LANG="C")).stdout


def _poll_pane(socket: str, marker: str, limit: float) -> str:
    deadline = time.monotonic() + limit
    pane = ""
    while time.monotonic() < deadline:
        pane = _tmux(socket, "capture-pane", "-p", "-t", "lrtui")
        if marker in pane:
            return pane
        time.sleep(0.2)
    raise AssertionError(f"{marker!r} never showed in the pane:\n{pane}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_inside_tmux_with_lang_c_the_plots_are_ascii_and_q_quits(tmp_path):
    socket = f"lrtui-test-{os.getpid()}"
    command = f"{sys.executable} -m lrtui --epochs 50; echo EXITED $?; sleep 60"
    try:
        _tmux(socket, "new-session", "-d", "-s", "lrtui", "-x", str(COLS), "-y", str(ROWS), "-c", str(tmp_path),
              "env", "-u", "LC_ALL", "-u", "LC_CTYPE", "LANG=C", "sh", "-c", command)
        pane = _poll_pane(socket, "lr:", FIRST_FRAME)
        time.sleep(0.5)
        pane = _tmux(socket, "capture-pane", "-p", "-t", "lrtui")
        plot = [line.split("|", 1)[1] for line in pane.splitlines() if "|" in line]
        assert plot and any("*" in line for line in plot), pane  # drawn, with ASCII markers
        assert not any(0x2800 <= ord(c) <= 0x28FF for c in pane), pane
        assert not any("__" in line for line in plot), pane  # no braille shown as '_' by a C-locale terminal
        _tmux(socket, "send-keys", "-t", "lrtui", "Escape")  # from the form to the commands
        time.sleep(0.3)
        _tmux(socket, "send-keys", "-t", "lrtui", "q")
        pane = _poll_pane(socket, "EXITED", 30)
        assert "EXITED 0" in pane and "Traceback" not in pane and "lr:" not in pane, pane  # main screen again
    finally:
        _tmux(socket, "kill-server")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_app_like_ctrl_c_and_the_status_says_which(tmp_path, signum):
    env = _environment(TERM="xterm-256color", LANG="C.UTF-8")
    pid, fd = _spawn([sys.executable, "-m", "lrtui", "--epochs", "50"], env, str(tmp_path))
    data = bytearray()
    try:
        assert _read(fd, data, until=b"lr:", limit=FIRST_FRAME)
        _read(fd, data, quiet=0.5)
        os.kill(pid, signum)
        status = _wait(pid, fd, data)
    finally:
        os.close(fd)
    assert status == -signum and b"Traceback" not in data  # ended by the signal, as its parent expects
    assert_restored(bytes(data))


@pytest.mark.parametrize("stdin, stdout", [("pipe", "tty"), ("tty", "file"), ("pipe", "file")])
def test_without_a_terminal_the_app_says_so_and_exits_2(tmp_path, stdin, stdout):
    master, slave = pty.openpty()
    try:
        out = (tmp_path / "out").open("w") if stdout == "file" else slave
        done = subprocess.run([sys.executable, "-m", "lrtui", "--epochs", "20"], input=b"" if stdin == "pipe" else None,
                              stdin=slave if stdin == "tty" else None, stdout=out, stderr=subprocess.PIPE,
                              timeout=60, env=_environment(TERM="xterm-256color", LANG="C.UTF-8"))
    finally:
        os.close(master)
        os.close(slave)
        if stdout == "file":
            out.close()
    assert done.returncode == 2
    assert done.stderr.decode().startswith("lrtui: the app needs a terminal") and len(done.stderr.splitlines()) == 1


def test_sigterm_during_a_long_simulation_ends_the_app_at_once(tmp_path):
    """Found by a probe: q and SIGTERM during a 100,000-epoch MLP run took 23 s, the worker running on. The
    simulation stops at its next progress report (a few hundred epochs)."""
    env = _environment(TERM="xterm-256color", LANG="C.UTF-8")
    pid, fd = _spawn([sys.executable, "-m", "lrtui", "--problem", "mlp", "--epochs", "100000"], env, str(tmp_path))
    data = bytearray()
    try:
        assert _read(fd, data, until=b"simulating", limit=FIRST_FRAME), bytes(data[-500:])
        time.sleep(1.0)
        start = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        status = _wait(pid, fd, data)
        took = time.monotonic() - start
    finally:
        os.close(fd)
    assert status == -signal.SIGTERM and took < 5, (status, took)
    assert_restored(bytes(data))
