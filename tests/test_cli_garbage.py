"""Garbage on the command line: every subcommand (and the app with no command) given unknown options,
missing values, bad numbers, bad sizes, bad paths, binary junk, and spec or session files that are
garbage, binary, huge, a directory, a device or a FIFO. Each exits 2 with one line on stderr and nothing
on stdout, without opening the app; a handful go through a real process to show no traceback reaches the
terminal, and ctrl+c during a long run ends quietly. Takes about 4 s.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrtui.cli import SPEC_MAX_BYTES, main

ONE_LINE = re.compile(r"lrtui( [a-z-]+)?: [^\n]+\n")


@pytest.fixture
def no_app(monkeypatch):
    """The full-screen app must never open here: garbage is refused before it."""
    from lrtui.ui import app as app_module

    monkeypatch.setattr(app_module.LrtuiApp, "run", lambda self: pytest.fail("the app opened"))


@pytest.fixture
def files(tmp_path):
    """Spec and session files that are anything but."""
    made = {
        "garbage.json": b"{this is not json",
        "garbage.toml": b"name = = =",
        "binary.json": bytes(range(256)) * 4,
        "latin1.toml": 'name = "cosine caf\xe9"'.encode("latin-1"),
        "huge.json": b'{"name": "cosine", "params": {}}' + b" " * SPEC_MAX_BYTES,
        "empty.json": b"",
        "list.json": b"[1, 2, 3]",
        "nested.json": b"[" * 100_000 + b"]" * 100_000,
        "deep.toml": b"a = " + b"[" * 5000 + b"]" * 5000,
        "nameless.json": b'{"params": {"T_max": 10}}',
        "badparams.json": b'{"name": "cosine", "params": [1, 2]}',
        "session.toml": b"\x00\x01\x02 not a session",
        "session.json": b'{"lrtui_session": 999}',
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dir.json").mkdir()
    os.mkfifo(tmp_path / "fifo.json")
    return tmp_path


def refused(capsys, *argv: str) -> str:
    """Run the CLI in this process; it must exit 2 with one line on stderr and nothing on stdout."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), (code, out, err)
    assert ONE_LINE.fullmatch(err), repr(err)
    assert err[:-1].isprintable(), repr(err)  # no control characters reach the terminal
    return err


GARBAGE = {
    "list": [["--bogus"], ["extra"], ["--format"], ["--format", "xml"], ["-x"]],
    "curve": [["cosine", "--bogus"], ["cosine", "--epochs"], ["cosine", "--epochs", "1e999"],
              ["cosine", "--epochs", "-5"], ["cosine", "--epochs", "0x10"], ["cosine", "--epochs", "١٢"],
              ["cosine", "--format"], ["cosine", "--spec"], ["cosine", "T_max"], ["cosine", "=5"],
              ["cosine", "T_max==5"], ["cos ine"], ["\x00"], ["cosine", "lr=\x00"],
              ["cosine", "--plot", "--format", "json"], ["plateau"], ["cosine", "--ascii"]],
    "simulate": [["--bogus"], ["--epochs"], ["--epochs", "ten"], ["--seed", "-1"], ["--seed", "1e999"],
                 ["--steps-per-epoch", "0"], ["--problem"], ["--problem", "\x1b[2J"], ["--optimizer", "sgd\n"],
                 ["--plateau-metric", "best"], ["--format", "yaml"], ["problem.=1"], ["problem.noise"],
                 ["optimizer.momentum=0.5"], [".=."], ["lr=1", "lr=2"], ["--schedule", "cosine", "--spec"]],
    "range-test": [["--bogus"], ["--steps", "5"], ["--steps", "1e6"], ["--steps"], ["--lr-min", "0"],
                   ["--lr-min", "nan"], ["--lr-max", "-inf"], ["--lr-min", "10", "--lr-max", "1"], ["lr=0.1"],
                   ["--problem", "nope"], ["--optimizer", "adamax"], ["problem.L=0"], ["--seed", "x"]],
    "code": [["--bogus"], [], ["nope"], ["cosine", "--framework", "jax"], ["cosine", "--framework"],
             ["cosine", "T_max=x"], ["cosine", "T_max=1e999"], ["cosine", "junk"]],
    "presets": [["--bogus"], ["T1"], ["--format", "csv"], ["--format"]],
    "screenshot": [[], ["-o"], ["-o", "x.png"], ["-o", "/nonexistent/dir/x.svg"], ["-o", "x.svg", "--size", "10x10"],
                   ["-o", "x.svg", "--size", "abc"], ["-o", "x.svg", "--size", "120x"],
                   ["-o", "x.svg", "--size", "²²x40"], ["-o", "x.svg", "--size", "-120x40"],
                   ["-o", "x.svg", "--size", "99999999999999999999x40"],
                   ["-o", "x.svg", "--preset", "T99"], ["-o", "x.svg", "--load", "/nonexistent.toml"],
                   ["-o", "x.svg", "--epochs", "200000"], ["-o", "x.svg", "--bogus"]],
    "app": [["--bogus"], ["bogus"], ["--preset"], ["--preset", "T99"], ["--preset", ""], ["--load"],
            ["--load", "/nonexistent.toml"], ["--load", "/dev/zero"], ["--load", "x.csv"],
            ["--preset", "T1", "--load", "x.toml"],
            ["--preset", "T1", "lr=0.1"], ["--epochs", "100001"], ["--epochs", "1e999"], ["T_max=0"], ["lr"], ["-"],
            ["--schedule", "\udcff"], ["\udcff\udcfe"], ["--ascii", "--format", "json"]],
}
CASES = [(command, args) for command, many in GARBAGE.items() for args in many]


@pytest.mark.parametrize("command, args", CASES, ids=[f"{c}:{' '.join(a)!r}" for c, a in CASES])
def test_garbage_arguments_exit_2_with_one_line(capsys, no_app, tmp_path, monkeypatch, command, args):
    monkeypatch.chdir(tmp_path)  # a screenshot that got through would land here (and fail the test)
    refused(capsys, *([] if command == "app" else [command]), *args)
    assert list(tmp_path.iterdir()) == []


SPEC_FILES = ["garbage.json", "garbage.toml", "binary.json", "latin1.toml", "huge.json", "empty.json", "list.json",
              "nested.json", "deep.toml", "nameless.json", "badparams.json", "dir.json", "fifo.json", "missing.json"]


SPEC_COMMANDS = {"curve": ["curve", "--epochs", "5"], "code": ["code"], "simulate": ["simulate", "--epochs", "5"],
                 "app": ["--epochs", "5"]}


@pytest.mark.parametrize("name", SPEC_FILES)
@pytest.mark.parametrize("command", SPEC_COMMANDS)
def test_spec_files_that_are_no_spec(capsys, no_app, files, command, name):
    assert "spec file" in refused(capsys, *SPEC_COMMANDS[command], "--spec", str(files / name))


def test_devices_are_not_read(capsys):
    err = refused(capsys, "curve", "--spec", "/dev/zero")
    assert err == "lrtui: spec file /dev/zero is not a regular file: allowed a JSON or TOML file\n"


@pytest.mark.parametrize("name", ["session.toml", "session.json", "binary.json", "huge.json", "dir.json", "fifo.json",
                                  "garbage.toml"])
def test_session_files_that_are_no_session(capsys, no_app, files, name):
    assert "session file" in refused(capsys, "--load", str(files / name))


def test_what_was_typed_is_echoed_escaped():
    """A newline or an escape sequence in an argument reaches the terminal as text, on the one line."""
    proc = _lrtui("\x1b[2J\nrm", "T_max=1\r")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(r"lrtui: \x1b[2J\nrm is not a command") and proc.stderr.count("\n") == 1
    assert "\x1b" not in proc.stderr


def _lrtui(*argv: str | bytes, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "error", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "lrtui", *argv], capture_output=True, text=True, env=env,
                          errors="replace", timeout=60, **kw)


# Through a real process: what the terminal would see (argv as raw bytes too)
PROCESS_CASES = [
    ["curve", "cosine", b"T_max=\xff\xfe"],
    [b"\xff\xfe", "--epochs", "5"],
    ["simulate", "--epochs", "\u0661\u0662", "--bogus"],
    ["screenshot", "-o", "/nonexistent/x.svg"],
    ["--load", "/nonexistent.toml"],
    ["range-test", "--lr-max", "1e999"],
    ["curve", "--spec", "/dev/zero"],
]


@pytest.mark.parametrize("argv", PROCESS_CASES, ids=[repr(a) for a in PROCESS_CASES])
def test_no_traceback_reaches_the_terminal(argv):
    proc = _lrtui(*argv)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert ONE_LINE.fullmatch(proc.stderr) and proc.stdout == "", proc.stderr
    assert "\x1b[?1049h" not in proc.stdout  # the app never started (no alternate screen)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process's CPU time from /proc")
def test_ctrl_c_during_a_long_run_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "lrtui", "simulate", "--problem", "ravine", "--epochs", "1000000",
                             "--format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # a suite started in the background (&, nohup) ignores SIGINT, and a child
                            # would inherit that: the child gets the default back, as from a terminal
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while _cpu_seconds(proc.pid) < 1.5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # past the imports, into the simulation (10^6 epochs of the ravine take about 7 s)
        assert proc.poll() is None, "the run ended before ctrl+c"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130  # main() answers KeyboardInterrupt with 128 + SIGINT
    assert out == "" and all(line.startswith("lrtui: simulating: ") for line in err.splitlines()), err  # progress only


@pytest.mark.parametrize("argv, hint", [
    (["simulate", "--problem", "quadratic", "noise=0.3"], "(the problem's: problem.noise=0.3)"),
    (["simulate", "--optimizer", "momentum", "momentum=0.5"], "(the optimizer's: optimizer.momentum=0.5)"),
])
def test_a_problem_or_optimizer_parameter_set_bare_says_how_to_set_it(argv, hint, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(hint) and "is not a parameter of" in err[0]


@pytest.mark.parametrize("argv, message", [
    (["screenshot", "-o", "x.svg", "--size", "-80x24"], "lrtui: --size=-80x24 is not allowed: COLUMNSxROWS, 20 to"),
    (["map", "--cells", "-3x4"], "lrtui map: --cells=-3x4 is not allowed: COLUMNSxROWS"),
    (["map", "--x-range", "-1,2"], "lrtui map: --x-range=-1,2 is not allowed: the lr's range is above 0"),
    (["simulate", "--epochs", "-5e3"], "lrtui: epochs=-5e3 is not allowed: an integer in [1, "),
    (["--epochs", "-1e2"], "lrtui: epochs=-1e2 is not allowed: an integer in [1, "),
])
def test_a_value_starting_with_a_dash_gets_our_message_not_argparses(capsys, no_app, tmp_path, monkeypatch, argv,
                                                                     message):
    """Issue 28: `--size -80x24` said argparse's 'expected one argument' (it takes the value for an option);
    the value now reaches our own check, which names what is allowed."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "expected one argument" not in err


def test_an_option_after_an_option_missing_its_value_is_still_an_option(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", "--epochs", "--seed", "3"]) == 2
    assert "--epochs: expected one argument" in capsys.readouterr().err
    assert main(["screenshot", "-o", "-x.svg", "--size", "80x24", "--press", "q"]) == 0  # a value is a value
    assert (tmp_path / "-x.svg").read_text().startswith("<svg")
