"""The headless CLI: output formats, plots, and one-line errors with exit status 2."""

import csv
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lrtui import schedules
from lrtui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_names_the_app_options_and_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["-h"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "usage: lrtui" in out and "--schedule" in out
    assert "lrtui list | curve | simulate | range-test | map | code | presets | screenshot" in " ".join(out.split())
    assert "--preset NAME" in out and "--load FILE" in out


@pytest.mark.parametrize("argv, schedule", [
    ([], {"name": "cosine", "params": {"lr": 0.1, "T_max": 50}}),  # the horizon follows the 50 epochs
    (["lr=0.3"], {"name": "cosine", "params": {"lr": "0.3", "T_max": 50}}),
    (["--schedule", "step", "step_size=5"], {"name": "step", "params": {"step_size": "5"}}),
])
def test_no_command_opens_the_app_on_the_described_run(monkeypatch, argv, schedule):
    from lrtui.ui import app as app_module

    opened = []
    monkeypatch.setattr(app_module.LrtuiApp, "run", lambda self: opened.append(self.config))
    monkeypatch.setattr("lrtui.cli.start.has_terminal", lambda: True)
    monkeypatch.setattr("lrtui.cli.start.has_terminal", lambda: True)
    assert main(argv + ["--problem", "ravine", "--epochs", "50", "problem.noise=0.5"]) == 0
    (config,) = opened
    assert config.schedule == schedule and config.problem == "ravine" and config.epochs == 50
    assert config.problem_params == {"noise": "0.5"}


def test_the_app_refuses_bad_input_before_opening(capsys, monkeypatch):
    from lrtui.ui import app as app_module

    monkeypatch.setattr(app_module.LrtuiApp, "run", lambda self: pytest.fail("the app must not open"))
    for argv, fragment in [(["T_max=0"], "T_max=0"), (["bogus"], "bogus is not a command"),
                           (["--epochs", "200000"], "epochs=200000 is not allowed: an integer in [1, 100000]")]:
        code, out, err = run(capsys, *argv)
        assert (code, out, err.count("\n")) == (2, "", 1) and fragment in err


def test_list_shows_every_schedule_with_parameters_defaults_ranges_and_help(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in schedules.names():
        assert f"\n{name}  (" in "\n" + out
    assert re.search(r"\n    T_max +default 100 +an integer in \[1, 10000000\]", out)  # (columns as wide as the
    assert re.search(r"\n    lr +default 0.1 +a number in \[0, 1000000\], log scale. base learning rate", out)  # names)


def test_list_json_is_the_declarations(capsys):
    code, out, _ = run(capsys, "list", "--format", "json")
    catalogue = json.loads(out)
    assert {p["name"] for p in catalogue["problems"]} >= {"quadratic", "ravine", "rosenbrock", "mlp"}
    assert {o["name"] for o in catalogue["optimizers"]} == {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop",
                                                          "adagrad", "schedulefree_sgd", "schedulefree_adamw"}
    data = {d["name"]: d for d in catalogue["schedules"]}
    assert set(data) == set(schedules.names())
    t_max = next(p for p in data["cosine"]["params"] if p["name"] == "T_max")
    assert t_max == {"name": "T_max", "kind": "int", "default": 100, "allowed": "an integer in [1, 10000000]",
                     "log": False, "help": t_max["help"]}


def test_list_shows_problems_and_optimizers(capsys):
    code, out, _ = run(capsys, "list")
    assert "== problems ==  (set with problem.key=value)" in out
    assert "\nrosenbrock  (analytic)" in out and "\nmlp  (data)" in out
    assert "== optimizers ==  (set with optimizer.key=value)" in out
    assert re.search(r"\n    momentum +default 0.9 +a number in \[0, 1\)", out)


def test_curve_table(capsys):
    code, out, _ = run(capsys, "curve", "cosine", "lr=0.1", "T_max=10", "--epochs", "11")
    rows = out.splitlines()
    assert code == 0 and rows[0].split() == ["epoch", "lr"] and len(rows) == 12
    assert rows[6].split() == ["5", "0.05"]
    assert float(rows[11].split()[1]) == pytest.approx(0.0, abs=1e-12)


def test_curve_csv_round_trips_exactly(capsys):
    code, out, _ = run(capsys, "curve", "multistep", "milestones=3,3,7", "gamma=0.5", "--epochs", "10",
                       "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = schedules.create("multistep", milestones=[3, 3, 7], gamma=0.5)(np.arange(10))
    assert [int(r["epoch"]) for r in rows] == list(range(10))
    assert [float(r["lr"]) for r in rows] == expected.tolist()


def test_curve_json(capsys):
    code, out, _ = run(capsys, "curve", "onecycle", "total_steps=20", "three_phase=true", "--epochs", "20",
                       "--format", "json")
    data = json.loads(out)
    assert data["epoch"] == list(range(20))
    assert data["lr"] == schedules.create("onecycle", total_steps=20, three_phase=True)(np.arange(20)).tolist()
    assert data["params"]["three_phase"] is True


def test_curve_spec_files_json_and_toml(capsys, tmp_path):
    spec = {"name": "sequential", "params": {"lr": 0.2, "milestones": [5], "schedulers": [
        {"name": "linear", "params": {"start_factor": 0.1, "total_iters": 5}},
        {"name": "cosine", "params": {"T_max": 15}}]}}
    (tmp_path / "s.json").write_text(json.dumps(spec))
    (tmp_path / "s.toml").write_text(
        'name = "sequential"\n[params]\nlr = 0.2\nmilestones = [5]\n'
        '[[params.schedulers]]\nname = "linear"\nparams = { start_factor = 0.1, total_iters = 5 }\n'
        '[[params.schedulers]]\nname = "cosine"\nparams = { T_max = 15 }\n'
    )
    expected = schedules.from_spec(spec)(np.arange(20)).tolist()
    for f in ("s.json", "s.toml"):
        code, out, err = run(capsys, "curve", "--spec", str(tmp_path / f), "--epochs", "20", "--format", "json")
        assert code == 0, err
        assert json.loads(out)["lr"] == expected
    code, out, _ = run(capsys, "curve", "--spec", str(tmp_path / "s.json"), "lr=0.4", "--epochs", "3",
                       "--format", "json")
    assert json.loads(out)["lr"][0] == pytest.approx(0.04)


def test_plot_is_sized_and_ascii_when_asked(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    monkeypatch.setenv("LINES", "20")
    code, out, _ = run(capsys, "curve", "cosine_restarts", "T_0=10", "--epochs", "100000", "--plot", "--ascii")
    assert code == 0
    lines = out.split("\n")
    assert lines[-1] == "" and lines[-2] != ""  # ends with one newline, no blank line
    assert all(ch.isascii() for ch in out)
    assert "*" in out and "epoch" in out and "cosine_restarts T_0=10" in lines[0]
    assert max(len(line) for line in lines) <= 70 and len(lines) - 1 == 19  # LINES less one for the prompt


def test_plot_of_tiny_values_scales_the_ticks(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("LINES", "14")
    code, out, _ = run(capsys, "curve", "cosine", "lr=1e-100", "--plot", "--ascii")
    assert "lr (x1e-100)" in out and "1.0 *" in out


def test_plot_braille_without_colour_when_piped(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run(capsys, "curve", "cosine", "--epochs", "200", "--plot")
    assert code == 0
    assert any(0x2800 <= ord(ch) <= 0x28FF for ch in out)  # braille
    assert "\x1b[" not in out  # no colour codes into a pipe


BAD_ARGS = [
    (["curve", "cosin"], "schedule cosin is unknown"),
    (["curve", "cosine", "T_max=0"], "T_max=0"),
    (["curve", "cosine", "foo=1"], "foo is not a parameter of cosine"),
    (["curve", "cosine", "T_max"], "'T_max' is not a param=value pair"),
    (["curve", "cosine", "T_max=5", "T_max=6"], "T_max is given twice"),
    (["curve", "cosine", "--epochs", "0"], "epochs=0"),
    (["curve", "cosine", "--epochs", "lots"], "epochs=lots"),
    (["curve", "cosine", "--format", "xml"], "invalid choice"),
    (["curve"], "a schedule name is required"),
    (["curve", "onecycle", "total_steps=100", "--epochs", "101"],
     "total_steps=100 is shorter than the run of 101 epochs"),
    (["curve", "onecycle", "epochs=10", "steps_per_epoch=5", "--epochs", "60"],  # (as typed: no total_steps)
     "epochs x steps_per_epoch=50 is shorter than the run of 60 epochs: allowed epochs x steps_per_epoch >= 60"),
    (["curve", "plateau"], "plateau follows the loss"),
    (["curve", "--spec", "/nonexistent/spec.json"], "cannot read spec file"),
    (["curve", "--spec", ""], "cannot read spec file"),
    (["curve", "cosine", "--plot", "--format", "csv"], "--plot draws the curve, --format prints numbers"),
    (["curve", "cosine", "--ascii"], "--ascii shapes a plot"),
    (["curve", "multistep", "milestones=30,,60"], "milestones=30,,60"),
    (["curve", "cosine", "T_max=1_000"], "T_max=1_000"),
    (["curve", "cosine", "T_max=1e400"], "T_max=1e400"),
    (["curve", "cosine", "T_max=1\n0"], "T_max='1\\n0'"),
    (["bogus"], "bogus is not a command"),
    (["curve", "cosine", "--bogus"], "unrecognized arguments"),
]


@pytest.mark.parametrize("argv, fragment", BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and fragment in err
    assert err.startswith("lrtui")


def test_bad_spec_files(capsys, tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "bad.toml").write_text("name = ")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "member.json").write_text(json.dumps({"name": "sequential", "params": {
        "schedulers": [{"name": "step", "params": {"step_size": 0}}, {"name": "cosine"}]}}))
    (tmp_path / "typo.json").write_text(json.dumps({"name": "cosine", "parms": {"T_max": 10}}))
    for f, fragment in [("bad.json", "not valid JSON"), ("bad.toml", "not valid TOML"),
                        ("list.json", 'must hold an object'), ("member.json", "schedulers[0].step_size=0"),
                        ("typo.json", "parms is not a key of a spec: allowed name, params")]:
        code, out, err = run(capsys, "curve", "--spec", str(tmp_path / f))
        assert (code, out, err.count("\n")) == (2, "", 1) and fragment in err


def _cli(*args, **kw):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "lrtui", *args], capture_output=True, text=True, env=env, **kw)


def test_python_dash_m_and_no_traceback_on_bad_input():
    proc = _cli("curve", "step", "step_size=0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "lrtui: step_size=0 is not allowed: an integer in [1, 10000000]"


def test_spec_with_a_stray_word(capsys, tmp_path):
    (tmp_path / "s.json").write_text(json.dumps({"name": "cosine", "params": {}}))
    code, _, err = run(capsys, "curve", "--spec", str(tmp_path / "s.json"), "T_max")
    assert code == 2 and "T_max is neither the spec file's schedule (cosine) nor a param=value pair" in err


def test_list_values_with_spaces(capsys):
    code, out, _ = run(capsys, "curve", "multistep", "milestones=3 6", "--epochs", "8", "--format", "json")
    assert json.loads(out)["params"]["milestones"] == [3, 6]


@pytest.mark.parametrize("redirect, message", [("> /dev/full", "cannot write the output: No space left on device"),
                                               (">&-", "stdout is closed: nowhere to write the output")])
def test_write_errors_end_with_one_line(redirect, message):
    proc = subprocess.run(f"{sys.executable} -m lrtui curve cosine T_max=50000 --epochs 50000 {redirect}", shell=True,
                          executable="/bin/bash", capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr == f"lrtui: {message}\n"


def test_closed_pipe_ends_quietly():
    proc = subprocess.run(
        f"{sys.executable} -m lrtui curve cosine lr=0.1 T_max=100000 --epochs 100000 | head -1; "
        "exit ${PIPESTATUS[0]}",
        shell=True, executable="/bin/bash", capture_output=True, text=True,
    )
    assert proc.returncode == 0
    assert proc.stdout.split() == ["epoch", "lr"]
    assert proc.stderr == ""
    proc = subprocess.run(  # the issue's own example: its T_max is shorter than the run, so a note, no error
        f"{sys.executable} -m lrtui curve cosine lr=0.1 T_max=10 --epochs 100000 | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", capture_output=True, text=True,
    )
    assert proc.returncode == 0 and proc.stdout.split() == ["epoch", "lr"]
    assert proc.stderr.startswith("lrtui: note: T_max=10 is shorter") and proc.stderr.count("\n") == 1


def test_simulate_json(capsys):
    code, out, _ = run(capsys, "simulate", "--problem", "ravine", "--optimizer", "momentum", "--schedule", "constant",
                       "lr=0.6", "optimizer.momentum=0.5", "--epochs", "20", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["epoch"] == list(range(20)) and data["diverged_at"] is None
    assert data["loss"][0] == pytest.approx(10.5) and data["lr"] == [0.6] * 20
    assert data["final_loss"] == pytest.approx(1.8e-5, rel=0.02)  # T2


def test_simulate_divergence_is_a_result(capsys):
    code, out, err = run(capsys, "simulate", "--schedule", "constant", "lr=2.5", "--epochs", "30", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["diverged_at"] == 18
    assert data["loss"][19:] == [None] * 11 and data["final_loss"] is None
    assert err == "lrtui: diverged at epoch 18 (the loss blew up: non-finite or above 1e6 x the start)\n"
    code, out, err = run(capsys, "simulate", "--schedule", "constant", "lr=2.5", "--epochs", "30")
    assert code == 0 and out.splitlines()[-1].startswith("diverged at epoch 18") and err == ""


def test_simulate_table_and_csv_with_heldout(capsys):
    code, out, _ = run(capsys, "simulate", "--problem", "mlp", "--optimizer", "adam", "lr=0.01", "--epochs", "3")
    lines = out.splitlines()
    assert lines[0].split() == ["epoch", "lr", "loss", "loss_lo", "loss_hi", "heldout_loss"] and len(lines) == 6
    assert lines[-2].startswith("final loss: ") and "mean over 8 seeds" in lines[-2]  # minibatches: 8 seeds
    assert lines[-1].startswith("verdict: ")
    code, out, _ = run(capsys, "simulate", "--problem", "quartic", "--schedule", "warmup_constant", "lr=1.5",
                       "num_warmup_steps=50", "--epochs", "5", "--format", "csv", "problem.x0=2.5")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["lr"]) for r in rows] == [1.5 * t / 50 for t in range(5)]
    assert float(rows[0]["loss"]) == 2.5**4 / 4 + 2.5**2 / 2


def test_simulate_plot(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    code, out, _ = run(capsys, "simulate", "--problem", "rosenbrock", "lr=2.1e-3", "--epochs", "50", "--plot",
                       "--ascii")
    assert code == 0 and all(ch.isascii() for ch in out)
    assert "loss: rosenbrock / sgd (log)" in out and out.rstrip().endswith(
        "diverged at epoch 7 (the loss blew up: non-finite or above 1e6 x the start)")
    # issue 13: a log axis labels values (1e3), not log10 exponents; the epoch axis is round, with its last epoch
    labels = [line for line in out.splitlines() if "1e" in line and line.lstrip()[:2] == "1e"]
    assert labels, out
    x_axis = next(line for line in out.splitlines() if line.split() and line.split()[0] == "0")
    assert x_axis.split() == ["0", "20", "49"]


BAD_SIMULATE = [
    (["simulate", "--problem", "nope"], "problem=nope is unknown"),
    (["simulate", "--optimizer", "lion"], "optimizer=lion is unknown"),
    (["simulate", "problem.noise=-1"], "problem.noise=-1"),
    (["simulate", "--problem", "ravine", "optimizer.momentum=0.5"],
     "optimizer.momentum is not a parameter of optimizer sgd"),
    (["simulate", "optimizer.=1"], "optimizer.=1"),
    (["simulate", "foo.bar=1"], "foo.bar=1 is not a parameter setting"),
    (["simulate", "--seed", "-1"], "seed=-1"),
    (["simulate", "--steps-per-epoch", "0"], "steps_per_epoch=0"),
    (["simulate", "--schedule", "onecycle", "total_steps=100", "--epochs", "200"],
     "total_steps=100 is shorter than the run of 200"),
    (["simulate", "lr=nan"], "lr=nan"),
]


@pytest.mark.parametrize("argv, fragment", BAD_SIMULATE, ids=[" ".join(a) for a, _ in BAD_SIMULATE])
def test_simulate_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1) and fragment in err


def test_list_keeps_its_columns_whatever_the_default(capsys):
    """A default such as 1/3 prints short (0.3333): the allowed range starts in one column on every line
    but the nested specs' (JSON, cut)."""
    import re

    assert main(["list"]) == 0
    starts = {m.start(3) for line in capsys.readouterr().out.splitlines()
              if (m := re.match(r"    (\S+)\s+default (\S+)\s+(\S)", line)) and m.group(1) != "schedulers"}
    assert len(starts) == 1, starts


@pytest.mark.parametrize("args, labels", [
    (["curve", "cosine"], ["0.100", "0.075", "0.050", "0.025", "0.000"]),  # (0.02 apart: 3.8 rows, not whole)
    (["simulate", "--schedule", "constant", "lr=2.5", "--epochs", "30"], ["2.50", "2.25", "2.00"]),  # and the limit 2
    (["curve", "warmup_cosine", "lr=0.02", "num_training_steps=200", "--epochs", "200"],
     ["0.020", "0.015", "0.010", "0.005", "0.000"]),
])
def test_plot_values_are_labelled_at_round_ticks(capsys, monkeypatch, args, labels):
    """Issue 13: the headless plot labels its value axis as the app does (0.08 0.06, not 0.083 0.067); issue 28:
    at round values that fall on rows of their own (lrtui.plotting.ticks.row_aligned_ticks)."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    code, out, _ = run(capsys, *args, "--plot", "--ascii")
    assert code == 0
    plot = out[: out.index("loss: ")] if args[0] == "simulate" else out  # simulate: the lr plot first
    labels_at = [re.match(r"\s*(\d[\d.]*)(?=[* ]|$)", line) for line in plot.splitlines()
                 if not re.fullmatch(r"[\s\d]+", line)]  # (the epoch axis: numbers only)
    shown = [m.group(1) for m in labels_at if m]
    assert shown == labels, plot


@pytest.mark.parametrize("args", [
    ["curve", "cosine", "--epochs", "200", "--format", "json"],
    ["simulate", "--problem", "mlp", "--optimizer", "adam", "--schedule", "warmup_cosine", "lr=0.02",
     "--epochs", "200", "--format", "json"],
    ["curve", "onecycle", "max_lr=0.1", "--epochs", "300", "--format", "json"],
])
def test_the_horizon_follows_the_epochs_unless_typed(capsys, args):
    """Issue 13 (a newcomer's try): the README's warmup example without num_training_steps climbed back to its
    peak headless while the app followed the run length. Now both follow it; a typed horizon is kept."""
    code, out, err = run(capsys, *args)
    assert code == 0 and "note" not in err, err
    lr = json.loads(out)["lr"]
    assert lr[-1] < 0.05 * max(lr)  # decayed to the end, not climbing back
    if args[1] == "cosine":
        code, out, err = run(capsys, *args, "T_max=50")
        assert code == 0 and "T_max=50 is shorter than the 200 epochs" in err  # kept as typed, and noted


def test_curve_and_code_take_the_schedule_as_simulate_does(capsys):
    """A newcomer's try (issue 13): lrtui curve --schedule cosine was 'unrecognized arguments'."""
    for command in ("curve", "code"):
        code, by_option, _ = run(capsys, command, "--schedule", "cosine", "lr=0.2")
        code2, by_name, _ = run(capsys, command, "cosine", "lr=0.2")
        assert code == code2 == 0 and by_option == by_name


def test_list_wraps_to_the_terminal_and_keeps_whole_lines_in_a_pipe(capsys, monkeypatch):
    """A newcomer's try (issue 13): 182 of lrtui list's lines were wider than an 80-column terminal."""
    code, piped, _ = run(capsys, "list")
    assert code == 0 and max(len(line) for line in piped.splitlines()) > 80  # a pipe gets whole lines
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, shown, _ = run(capsys, "list")
    assert code == 0 and max(len(line) for line in shown.splitlines()) <= 80
    assert shown.split() == piped.split()  # the same words, only wrapped


def test_list_one_name_gives_that_entry_and_a_schedules_formula(capsys):
    assert main(["list", "cosine"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== schedules ==") and "T_max" in out and "lr(t) = eta_min + (lr - eta_min)" in out
    assert "== problems ==" not in out and "exponential" not in out
    assert main(["list", "quadratic"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== problems ==") and "curvature L" in out and "lr(t)" not in out
    assert main(["list", "cosin"]) == 2
    err = capsys.readouterr().err
    assert "cosin is not a schedule, problem or optimizer (did you mean cosine?)" in err and err.count("\n") == 1


def test_simulate_and_the_app_take_the_schedules_name_first_as_curve_and_code_do(capsys, monkeypatch):
    """The newcomer's try: lrtui simulate cosine Tmax=10 said "'cosine' is not a param=value pair", while curve
    and code took the name first (code's --help says "the same as giving it first")."""
    assert main(["simulate", "cosine", "Tmax=10"]) == 2
    assert "Tmax is not a parameter of cosine (did you mean T_max?)" in capsys.readouterr().err
    assert main(["simulate", "cosine", "T_max=10", "--epochs", "12", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "epoch,lr,loss" and rows[11].startswith("10,0.0,")  # cosine reaches 0 at T_max = 10
    assert main(["simulate", "cosin"]) == 2
    assert "schedule cosin is unknown (did you mean cosine?)" in capsys.readouterr().err
    from lrtui.ui import app as app_module

    opened = []
    monkeypatch.setattr(app_module.LrtuiApp, "run", lambda self: opened.append(self.config))
    monkeypatch.setattr("lrtui.cli.start.has_terminal", lambda: True)
    assert main(["cosine", "T_max=20"]) == 0
    assert opened[0].schedule["name"] == "cosine" and int(opened[0].schedule["params"]["T_max"]) == 20
