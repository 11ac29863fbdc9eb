"""Numbers at the edges, through the engine and the CLI (issue 7): lr up to 1e6, denormal (5e-324) and
zero learning rates, gradient noise up to 1e3, on every problem with sgd, momentum and adam; 10^7 epochs
in the engine and 10^5 in the app. No crash, no numpy warning (pytest turns them into failures),
diverged runs marked as such, and NaN never printed as a number in JSON. Takes about 6 s.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import numpy as np
import pytest

from lrtui import schedules
from lrtui.cli import main
from lrtui.sim.optimizers import OPTIMIZERS
from lrtui.params import MAX_EPOCHS, MAX_SIM_EPOCHS, ConfigError
from lrtui.analysis.range_test import valley
from lrtui.sim.engine import simulate
from lrtui.sim.config import PROBLEMS, RunConfig, check_app_epochs, prepare
from lrtui.ui import fields as F
from lrtui.analysis.verdict import judge

DENORMAL = 5e-324
OPTIMIZER_NAMES = ["sgd", "momentum", "adam"]
ANALYTIC = [name for name, p in PROBLEMS.items() if p.kind == "analytic"]
DATA = [name for name, p in PROBLEMS.items() if p.kind == "data"]


def run(problem: str, optimizer: str, lr: float, noise: float | None = None, epochs: int = 200):
    params = {} if noise is None else {"noise": noise}
    config = RunConfig(schedule={"name": "constant", "params": {"lr": lr}}, problem=problem, optimizer=optimizer,
                       problem_params=params, epochs=epochs)
    trace = simulate(config)
    return trace, judge(trace)


def assert_marked(trace, verdict) -> None:
    """A diverged run is cut where it blew up and called diverged; any other run is finite throughout."""
    if trace.diverged_at is None:
        assert np.isfinite(trace.loss).all() and np.isfinite(trace.final_loss) and verdict.kind != "diverged"
    else:
        assert verdict.kind == "diverged" and verdict.epoch == trace.diverged_at
        assert np.isnan(trace.loss[trace.diverged_at + 1:]).all() and np.isnan(trace.final_loss)


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
@pytest.mark.parametrize("noise", [0.0, 1e3])
@pytest.mark.parametrize("problem", ANALYTIC)
def test_lr_1e6_blows_up_every_analytic_problem_and_says_so(problem, noise, optimizer):
    trace, verdict = run(problem, optimizer, 1e6, noise)
    assert trace.diverged_at is not None
    assert_marked(trace, verdict)


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
@pytest.mark.parametrize("problem", DATA)
def test_lr_1e6_on_the_data_problems(problem, optimizer):
    trace, verdict = run(problem, optimizer, 1e6, epochs=10)
    assert_marked(trace, verdict)
    if problem == "mlp":  # its tanh units saturate into a loss that blows up; logistic's grows only linearly
        assert verdict.kind == "diverged"


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
@pytest.mark.parametrize("lr", [DENORMAL, 0.0], ids=["denormal", "zero"])
@pytest.mark.parametrize("problem", ANALYTIC + DATA)
def test_denormal_and_zero_lr_leave_the_parameters_where_they_start(problem, lr, optimizer):
    for noise in ([0.0, 1e3] if problem in ANALYTIC else [None]):
        trace, verdict = run(problem, optimizer, lr, noise, epochs=30 if problem in DATA else 200)
        assert trace.diverged_at is None and verdict.kind != "diverged"
        assert (trace.loss == trace.loss[0]).all()  # lr * g (and lr * noise) is below the parameters' last digit
        assert_marked(trace, verdict)


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_noise_1e3_with_a_stable_lr_is_finite_or_marked(optimizer):
    for problem in ANALYTIC:
        assert_marked(*run(problem, optimizer, 1e-3, 1e3, epochs=300))


def test_a_run_that_blew_up_stops_even_when_its_parameters_stay_finite(monkeypatch):
    """Adam's steps are at most about lr, so at lr=1e6 its parameters grow but stay finite: the loop
    must still stop once the loss has blown up, not run on to the last epoch."""
    steps = []
    adam = OPTIMIZERS["adam"]

    def counted(*args):
        steps.append(1)
        return adam.step(*args)

    monkeypatch.setitem(OPTIMIZERS, "adam", replace(adam, step=counted))
    trace, verdict = run("ravine", "adam", 1e6, epochs=100_000)
    assert trace.diverged_at == 1 and verdict.kind == "diverged"
    assert len(steps) <= 128


def test_ten_million_epochs_in_the_engine_and_a_million_simulated():
    cosine = schedules.create("cosine", lr=1e6, T_max=MAX_EPOCHS)(np.arange(MAX_EPOCHS))
    assert cosine[0] == 1e6 and cosine[MAX_EPOCHS // 2] == pytest.approx(5e5) and 0 <= cosine[-1] < 1e-7
    onecycle = schedules.create("onecycle", max_lr=DENORMAL * 1e10, total_steps=MAX_EPOCHS)(np.arange(MAX_EPOCHS))
    assert np.isfinite(onecycle).all() and (onecycle >= 0).all() and onecycle.max() == DENORMAL * 1e10
    trace, verdict = run("quadratic", "sgd", 1e6, epochs=MAX_SIM_EPOCHS)
    assert len(trace.loss) == MAX_SIM_EPOCHS and trace.diverged_at == 1 and verdict.kind == "diverged"
    with pytest.raises(ConfigError, match=r"^epochs=1000001 is not allowed: an integer in \[1, 1000000\]$"):
        prepare(RunConfig(epochs=MAX_SIM_EPOCHS + 1))


def test_ten_million_epochs_on_the_command_line(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    assert main(["curve", "cosine", f"T_max={MAX_EPOCHS}", "--epochs", str(MAX_EPOCHS), "--plot", "--ascii"]) == 0
    out, err = capsys.readouterr()
    assert "cosine T_max=10000000" in out and err == ""
    assert main(["curve", "cosine", "--epochs", str(MAX_EPOCHS + 1)]) == 2
    assert "epochs=10000001 is not allowed" in capsys.readouterr().err


def test_the_app_goes_to_100000_epochs_and_no_further():
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, epochs=100)
    (epochs,) = [f for f in F.fields(prepare(config)) if f.key == "run.epochs"]
    assert F.set_value(prepare(config), epochs, "100000").epochs == F.APP_MAX_EPOCHS == 100_000
    with pytest.raises(ConfigError) as info:
        F.set_value(prepare(config), epochs, "100001")
    assert str(info.value) == "epochs=100001 is not allowed: an integer in [1, 100000]"
    with pytest.raises(ConfigError, match="more than the app shows"):
        check_app_epochs(replace(config, epochs=100_001))


def _no_nan(constant: str):
    raise AssertionError(f"{constant} printed as a number")


@pytest.mark.parametrize("argv, diverged", [
    (["--problem", "quadratic", "--optimizer", "sgd", "lr=1e6"], True),
    (["--problem", "rosenbrock", "--optimizer", "momentum", "lr=1e6", "problem.noise=1e3"], True),
    (["--problem", "ravine", "--optimizer", "adam", "lr=1e6"], True),
    (["--problem", "mlp", "--optimizer", "adam", "lr=1e6"], True),
    (["--problem", "beale", "--optimizer", "adam", "lr=5e-324", "problem.noise=1e3"], False),
    (["--problem", "spectrum", "--optimizer", "momentum", "lr=0"], False),
    (["--problem", "logistic", "--optimizer", "sgd", "lr=5e-324"], False),
])
def test_json_says_null_for_nan_and_names_the_divergence(capsys, argv, diverged):
    assert main(["simulate", "--format", "json", "--epochs", "40", *argv]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out, parse_constant=_no_nan)
    assert (data["diverged_at"] is not None) == diverged == (data["verdict"] == "diverged")
    if diverged:
        d = data["diverged_at"]
        assert data["final_loss"] is None and data["loss"][d + 1:] == [None] * (40 - d - 1)
        assert err == f"lrtui: diverged at epoch {d} (the loss blew up: non-finite or above 1e6 x the start)\n"
    else:
        assert None not in data["loss"] and err == ""


@pytest.mark.parametrize("argv, shown", [
    (["simulate", "lr=5e-324", "--plot", "--ascii"], ["lr: constant", "loss: quadratic / sgd", "lr (x1e-324)"]),
    (["simulate", "--problem", "ravine", "--optimizer", "momentum", "lr=5e-324", "problem.noise=1e3", "--plot"],
     ["lr: constant", "loss: ravine / momentum", "lr (x1e-324)"]),
    (["simulate", "lr=1e6", "--optimizer", "adam", "--plot", "--ascii"],
     ["lr: constant", "loss: quadratic / adam", "diverged"]),
    (["curve", "cosine", "lr=5e-324", "--plot", "--ascii"], ["cosine lr=5e-324", "lr (x1e-324)"]),
    (["range-test", "--lr-min", "1e-12", "--lr-max", "1e6", "--steps", "10000", "--plot", "--ascii"], ["1e-12", "lr"]),
])
def test_plots_of_extreme_values(capsys, monkeypatch, argv, shown):
    """A denormal lr is plotted on its own scale (10^-324 itself is 0 in floating point); the titles
    name the run's schedule, problem and optimizer, defaults included."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err and len(out.splitlines()) >= 10
    for text in shown:
        assert text in out


@pytest.mark.parametrize("lr_min, lr_max, steps", [("1e-12", "1e6", "10000"), ("1e-12", "1.0000001e-12", "10"),
                                                   ("1e5", "1e6", "10")])
@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_range_test_at_its_bounds(capsys, optimizer, lr_min, lr_max, steps):
    argv = ["range-test", "--lr-min", lr_min, "--lr-max", lr_max, "--steps", steps, "--optimizer", optimizer]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out, parse_constant=_no_nan)
    assert len(data["lr"]) == len(data["loss"]) and all(np.isfinite(v) for v in data["suggestions"].values())
    if data["lr"]:
        assert data["lr"][0] == float(lr_min)
    else:  # the first step blew up: the test stops before it
        assert data["stopped_at"] == 0 and float(lr_min) == 1e5


def _fastai_valley(lrs, losses):
    """fastai's own double loop (fastai/callback/schedule.py, valley)."""
    n = len(losses)
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])


def test_the_valley_at_10000_steps_is_fastais_and_quick():
    rng = np.random.default_rng(7)
    for n in range(1, 60):  # ties (small integers) and noise, where the start index moves in steps
        losses = rng.integers(0, 4, n).astype(float) if n % 2 else rng.standard_normal(n)
        assert valley(np.arange(n) + 0.5, losses) == _fastai_valley(np.arange(n) + 0.5, losses)
    lrs = np.geomspace(1e-12, 1e6, 10_000)
    losses = np.r_[np.linspace(1, 0.1, 7000), np.linspace(0.1, 9, 3000)] + rng.standard_normal(10_000) * 1e-3
    start = time.perf_counter()
    assert 1e-12 < valley(lrs, losses) < 1e6
    assert time.perf_counter() - start < 2.0  # fastai's loop takes about 7 s here


def test_a_schedule_whose_defaults_do_not_fit_the_run_is_named():
    """Found by the fuzz test: wsd picked on a 12-epoch run (warmup plus decay default to 30 steps) was
    refused with a message about num_training_steps, which the student never typed."""
    config = RunConfig(schedule={"name": "constant", "params": {}}, epochs=12)
    (picker,) = [f for f in F.fields(prepare(config)) if f.picker and f.section == "schedule"]
    with pytest.raises(ConfigError) as info:
        F.set_value(prepare(config), picker, "wsd")
    assert str(info.value).startswith("schedule=wsd does not fit this run: num_training_steps=12 is shorter")
    wsd = F.set_value(prepare(replace(config, epochs=100)), picker, "wsd")  # it fits 100 epochs
    assert wsd.config.schedule["name"] == "wsd"
