"""WSD's branch view: the decay started from earlier points of the stable phase (lrtui.analysis.branches, key w)."""

import re
from dataclasses import replace

import numpy as np
import pytest

from lrtui.analysis.branches import branches, end_loss
from lrtui.analysis.smoothing import trailing_mean
from lrtui.params import ConfigError
from lrtui.presets import find
from lrtui.sim.engine import simulate, simulate_many
from lrtui.sim.config import RunConfig, prepare
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle
from tests.conftest import started, status


def wsd(**params):
    p = {"lr": 0.1, "num_warmup_steps": 100, "num_decay_steps": 300, "num_training_steps": 3000, **params}
    return RunConfig(schedule={"name": "wsd", "params": p}, problem="river_valley", problem_params={"noise": 3.0},
                     epochs=3000)


def test_branches_start_evenly_through_the_stable_phase_and_the_last_is_the_run():
    found = branches(prepare(wsd()))
    assert found.starts == (750, 1400, 2050, 2700)  # 100 + i * 2600 / 4
    assert [r.epochs for r in found.runs] == [1050, 1700, 2350, 3000]
    assert simulate(found.runs[-1]).final_loss == simulate(wsd()).final_loss
    trunk = prepare(found.trunk).schedule(np.arange(3000))
    assert trunk[100:].min() == trunk[100:].max() == pytest.approx(0.1)  # no decay: the peak to the end


def test_each_branch_follows_the_trunk_exactly_until_its_decay_starts():
    found = branches(prepare(wsd()))
    trunk, *runs = simulate_many([found.trunk, *found.runs])
    for k, run in zip(found.starts, runs):
        assert np.array_equal(run.loss[: k + 1], trunk.loss[: k + 1])  # the same seed, the same lr until k
        assert not np.array_equal(run.loss[k + 2 :], trunk.loss[k + 2 : len(run.loss)])


def test_decaying_brings_the_loss_below_the_stable_phase():
    # T10: the stable phase sits near the noise floor in y (about 0.45); a decay drops the loss at once
    found = branches(prepare(wsd()))
    trunk, *runs = simulate_many([found.trunk, *found.runs])
    no_decay = end_loss(trunk.loss, trunk.final_loss, 30)
    assert 0.2 < no_decay < 1.0
    assert all(end_loss(r.loss, r.final_loss, 30) < no_decay / 3 for r in runs)


def test_only_wsd_has_branches():
    with pytest.raises(ConfigError, match="the branch view is for wsd"):
        branches(prepare(RunConfig(schedule={"name": "cosine", "params": {}})))


def test_trailing_mean_is_causal():
    y = np.arange(10.0)
    m = trailing_mean(y, 3)
    assert m[0] == 0 and m[1] == 0.5 and m[9] == 8.0
    assert np.array_equal(trailing_mean(y[:5], 3), m[:5])  # a prefix's mean is the mean's prefix


async def test_w_shows_the_branches_of_a_wsd_run_and_only_of_one():
    preset = find("T10")
    app = make_app(Start(preset.config, Options(), pinned=preset.pinned, preset=preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "w")
        await settle(app, pilot)  # (16 seeds of five runs: on the worker)
        assert app.view == "branches" and app.query_one("#branches-panel").display
        plot = app.query_one("#branches-panel").plot
        assert len(plot.series) == 5 and plot.series[-1].colour == "gray"
        assert re.match(r"16 seeds ±\.\d+, last 30: 675 \.", status(app))  # the means over the run's seeds
        await pilot.press("escape", "w")
        assert app.view == "loss"
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"T_max": 100}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "w")
        assert app.view == "loss" and any("for wsd" in n.message for n in app._notifications)


async def test_branches_of_a_run_from_the_command_line():
    # the CLI's spec keeps the values as typed text: the view must read the validated numbers
    from lrtui.cli import app_start, build_parser

    parser, _ = build_parser()
    start = app_start(parser.parse_intermixed_args(
        ["--schedule", "wsd", "num_decay_steps=30", "num_training_steps=300", "--problem", "river_valley",
         "problem.noise=3", "--epochs", "300"]))
    app = make_app(replace(start, options=Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "w")
        await settle(app, pilot)
        assert app.view == "branches" and re.match(r"16 seeds ±\.\d+, last 3: ", status(app))


def test_the_branches_ends_over_seeds_are_each_seeds_end_averaged_with_their_standard_error():
    """Issue 23: the branches of a run over seeds show the mean over them with its interval: each branch's
    end is the mean over its seeds of each seed's end (its last tenth of the decay and its final loss), the
    status line gives the largest standard error of those means. Checked against the branches simulated one
    seed at a time."""
    from lrtui.plotting.series import Look
    from lrtui.ui.views import BranchesView, Run

    config = RunConfig(schedule={"name": "wsd", "params": {"lr": 0.1, "num_decay_steps": 40,
                                                          "num_training_steps": 400}},
                       problem="river_valley", problem_params={"noise": 3.0}, epochs=400, seeds=6)
    prepared = prepare(config)
    run = Run(simulate(prepared), prepared)
    view = BranchesView()
    work = view.work(run)
    view.keep(work, work.compute(None))
    summary = view.figure(run, Look()).summary
    found = branches(prepared)
    tail = 4
    ends, errors = [], []
    for branch in found.runs:
        alone = [simulate(replace(branch, seed=branch.seed + i, seeds=1)) for i in range(6)]
        per_seed = np.array([end_loss(t.loss, t.final_loss, tail) for t in alone])
        ends.append(per_seed.mean())
        errors.append(per_seed.std(ddof=1) / np.sqrt(6))
    shown = dict(re.findall(r"(\d+) (-?\.?[\d.e-]+)", summary.split(": ", 1)[1].split(";")[0]))
    assert [float(shown[str(k)]) for k in found.starts] == pytest.approx(ends, rel=0.05, abs=1e-3)
    largest = float(re.match(r"6 seeds ±(\.\d+)", summary).group(1))
    assert largest == pytest.approx(max(errors), rel=0.1), (summary, errors)


def test_the_branches_are_held_to_the_work_budget():
    """The hostile retry: the branches are about 3.5 runs, and nothing held them to the budget (84 s of CPU
    for a run estimated at 51 s). A run within it whose branches are not says so in one line."""
    from lrtui.sim.config import WORK_BUDGET, estimated_seconds
    from lrtui.ui.views import BranchesView, Run

    long = RunConfig(schedule={"name": "wsd", "params": {"lr": 0.001, "num_decay_steps": 10_000,
                                                         "num_training_steps": 100_000}}, problem="beale",
                     optimizer="adamw", problem_params={"noise": 0.1}, epochs=100_000, steps_per_epoch=5, seeds=1)
    prepared = prepare(long)
    assert estimated_seconds(prepared) <= WORK_BUDGET  # the run itself is allowed
    shown = simulate(prepare(replace(long, epochs=20, schedule={"name": "constant", "params": {}})))
    with pytest.raises(ConfigError, match=r"^the branches of this run are 5 runs, about \d+ s of work: allowed "
                                          r"about 60 s"):
        BranchesView().work(Run(shown, prepared))
