"""The work estimate against the work (issue 24): a run is refused when its estimate is over the budget, so
an estimate that is low lets through a run that keeps a core busy far longer (beale with adam under plateau
ran 11x its estimate). The model is held to the times benchmarks/bench_estimate.py recorded."""

import json

import pytest

from benchmarks.bench_estimate import runs
from lrtui.sim.config import OPTIMIZER_STEP_SECONDS, PROBLEMS, STEP_SECONDS, estimated_seconds, prepare
from lrtui.sim.optimizers import OPTIMIZERS
from tests.conftest import FIXTURES

RECORDED = json.loads((FIXTURES / "estimate_times.json").read_text())


def test_every_analytic_problem_and_optimizer_has_a_measured_cost():
    analytic = {name for name, p in PROBLEMS.items() if p.kind == "analytic"}
    assert analytic - set(STEP_SECONDS) == set(), "problems without a measured step (lrtui.sim.config.STEP_SECONDS)"
    assert set(OPTIMIZERS) - set(OPTIMIZER_STEP_SECONDS) == set(), "optimizers without a measured step"


def test_the_recorded_table_covers_every_problem_optimizer_and_kind():
    recorded = {(r["problem"], r["optimizer"], r["kind"]) for r in RECORDED}
    assert {(p, o, k) for p, o, k, _ in runs()} == recorded


@pytest.mark.parametrize("problem, optimizer, kind, config", runs(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_run_takes_more_than_twice_its_estimate_nor_a_quarter_of_it(problem, optimizer, kind, config):
    row = next(r for r in RECORDED if (r["problem"], r["optimizer"], r["kind"]) == (problem, optimizer, kind))
    if row["diverged_at"] is not None:
        pytest.skip("a run that blows up stops early: its time says nothing of a step's cost")
    ratio = row["seconds"] / estimated_seconds(prepare(config))
    assert 0.25 <= ratio <= 2.0, f"{problem} {optimizer} {kind}: took {ratio:.2f}x its estimate"


def test_the_issues_run_is_refused_in_one_line():
    """beale, adam, plateau on the running loss, 85 steps an epoch, 10^5 epochs: accepted as about 60 s, it
    ran about 480 s; now its estimate says so and it is refused."""
    from lrtui.params import ConfigError
    from lrtui.sim.config import RunConfig

    config = RunConfig(schedule={"name": "plateau", "params": {}}, problem="beale", problem_params={"noise": 0.1},
                       optimizer="adam", plateau_metric="running", steps_per_epoch=85, epochs=100_000, seeds=1)
    with pytest.raises(ConfigError, match=r"epochs=100000 is too long a simulation for beale .*about 5\d\d s"):
        prepare(config)


ONE_STEP_PLATEAU = [  # (problem, plateau_metric, measured us an epoch at one step an epoch), 2026-12-06, loaded
    ("quadratic", "end", 23.9), ("quadratic", "running", 28.1), ("nqm", "end", 81.8), ("nqm", "running", 46.5),
    ("beale", "end", 107.1), ("beale", "running", 104.5)]


@pytest.mark.parametrize("problem, metric, measured", ONE_STEP_PLATEAU)
def test_plateau_at_one_step_an_epoch_is_within_twice_its_estimate(problem, metric, measured):
    """The hostile retry: at one step an epoch, plateau's own cost an epoch was missing (quadratic ran 3.95x
    its estimate, a 521,739-epoch run 4.2x)."""
    from lrtui.sim.config import RunConfig

    config = RunConfig(schedule={"name": "plateau", "params": {"lr": 1e-4, "patience": 5}}, problem=problem,
                       problem_params={"noise": 0.1}, optimizer="sgd", epochs=80_000, seeds=1, plateau_metric=metric)
    estimate = estimated_seconds(prepare(config)) / config.epochs * 1e6
    assert 0.25 <= measured / estimate <= 2.0, f"{problem} {metric}: {measured / estimate:.2f}x its estimate"
