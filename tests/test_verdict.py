"""Verdicts on the scenarios whose answer is known (../shared/teaching.md)."""

import json

import pytest

from lrtui.cli import main
from lrtui.sim.engine import simulate
from lrtui.sim.config import RunConfig
from lrtui.analysis.verdict import KINDS, Verdict, judge, per_epoch


def S(name, **params):
    return {"name": name, "params": params}


CASES = [
    # T1: the stability ladder on x^2/2
    ("T1 lr 0.5 monotone", RunConfig(schedule=S("constant", lr=0.5), epochs=31), "converged", 10),
    ("T1 lr 1.5 damped zig-zag", RunConfig(schedule=S("constant", lr=1.5), epochs=31), "converged", 10),
    ("T1 lr 1.9 slow zig-zag", RunConfig(schedule=S("constant", lr=1.9), epochs=31), "converging", 0),
    ("T1 lr 2.0 period 2", RunConfig(schedule=S("constant", lr=2.0), epochs=31), "oscillating", 0),
    ("T1 lr 2.5 diverges", RunConfig(schedule=S("constant", lr=2.5), epochs=31), "diverged", 18),
    # T2: the ravine's edge at 0.5; momentum's wider range
    ("T2 GD 0.5 period 2", RunConfig(schedule=S("constant", lr=0.5), problem="ravine", epochs=40), "oscillating", 0),
    ("T2 GD 0.6 diverges", RunConfig(schedule=S("constant", lr=0.6), problem="ravine", epochs=40), "diverged", 21),
    ("T2 momentum 0.5 at lr 0.6", RunConfig(schedule=S("constant", lr=0.6), problem="ravine", epochs=40,
                                            optimizer="momentum", optimizer_params={"momentum": 0.5}),
     "converged", None),
    # T3: a constant lr with noisy gradients stalls at the floor
    ("T3 noise floor", RunConfig(schedule=S("constant", lr=0.1), problem_params={"noise": 1.0}, epochs=2000),
     "noise_floor", None),
    # T6: the catapult window 0.32 < lr < 0.64
    ("T6 lazy 0.05", RunConfig(schedule=S("constant", lr=0.05), problem="catapult", epochs=500), "converged", None),
    ("T6 sub-critical 0.3", RunConfig(schedule=S("constant", lr=0.3), problem="catapult", epochs=500),
     "converged", None),
    ("T6 catapult 0.5", RunConfig(schedule=S("constant", lr=0.5), problem="catapult", epochs=500), "catapult", 2),
    ("T6 too large 0.7", RunConfig(schedule=S("constant", lr=0.7), problem="catapult", epochs=500), "diverged", 5),
    # T7: a small lr rests in the sharp local minimum; a large one is thrown out
    ("T7 sharp basin", RunConfig(schedule=S("constant", lr=0.005), problem="two_basins", epochs=1500),
     "converged", None),
    ("T7 wanderer", RunConfig(schedule=S("constant", lr=0.05), problem="two_basins", epochs=1500), "running", None),
    # T12: Rosenbrock's edge of stability
    ("T12 lr 1e-3", RunConfig(schedule=S("constant", lr=1e-3), problem="rosenbrock", epochs=20000), "converged", None),
    ("T12 lr 2e-3 hovers", RunConfig(schedule=S("constant", lr=2e-3), problem="rosenbrock", epochs=20000),
     "oscillating", None),
    ("T12 lr 2.1e-3", RunConfig(schedule=S("constant", lr=2.1e-3), problem="rosenbrock", epochs=100), "diverged", 7),
]


@pytest.mark.parametrize("label, config, kind, epoch", CASES, ids=[c[0] for c in CASES])
def test_verdicts_on_known_scenarios(label, config, kind, epoch):
    v = judge(simulate(config))
    assert v.kind == kind
    if epoch is not None:
        assert v.epoch == epoch


@pytest.mark.parametrize("problem, lr, kind, factor", [
    ("quadratic", 1.99, "converging", 0.99 ** 2), ("quadratic", 2.0, "oscillating", 1.0),
    ("quadratic", 2.01, "diverging", 1.01 ** 2), ("quadratic", 2.1, "diverging", 1.1 ** 2),
    ("ravine", 0.49, "converging", 0.96 ** 2), ("ravine", 0.5, "oscillating", 1.0),
    ("ravine", 0.51, "diverging", 1.04 ** 2),
])
def test_verdicts_either_side_of_the_stability_bound(problem, lr, kind, factor):
    """Issue 13: at lr = 2/L +- 0.01 a constant lr gets three verdicts, each with the loss's factor an epoch
    (x_t = (1 - lr L)^t on a quadratic: the loss goes as (1 - lr L)^2t), long before the 1e6 blow-up limit.
    The ravine's steep axis has L = 4 (2/L = 0.5): its factor is (1 - 4 lr)^2."""
    v = judge(simulate(RunConfig(schedule=S("constant", lr=lr), problem=problem, epochs=30)))
    assert v.kind == kind and v.factor == pytest.approx(factor, abs=1e-9)
    assert per_epoch(v.factor) in v.describe() or v.describe() == "oscillating from epoch 0"


def test_the_t1_ladder_reads_as_its_note_says():
    from lrtui.presets import find

    t1 = find("T1")
    verdicts = {c.schedule["params"]["lr"]: judge(simulate(c)).kind for c in (t1.config, *t1.pinned)}
    assert verdicts == {0.5: "converged", 1.0: "converged", 1.5: "converged", 1.9: "converging",
                        2.0: "oscillating", 2.1: "diverging"}


@pytest.mark.parametrize("factor, shown", [(0.9801, "0.980"), (1.0201, "1.020"), (0.81, "0.81"), (1.0, "1"),
                                           (1.00054, "1.00054"), (1.21, "1.21")])
def test_a_factor_shows_enough_decimals_to_tell_it_from_1(factor, shown):
    assert per_epoch(factor) == shown


def test_catapult_lands_where_its_lr_is_stable():
    trace = simulate(RunConfig(schedule=S("constant", lr=0.5), problem="catapult", epochs=500))
    assert trace.sharpness[-1] < 2 / 0.5 < trace.sharpness[0]


def test_describe():
    assert Verdict("converged", 23).describe() == "converged at epoch 23"
    assert Verdict("noise_floor", 7).describe() == "noise floor from epoch 7"
    assert Verdict("running", None).describe() == "running"
    assert Verdict("diverging", 0, 1.0201).describe() == "diverging: loss x1.020/epoch"
    assert Verdict("converging", 0, 0.81).describe() == "converging, oscillating: loss x0.81/epoch"


def test_simulate_json_reports_the_verdict(capsys):
    assert main(["simulate", "--problem", "catapult", "lr=0.5", "--epochs", "500", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["verdict"], data["verdict_epoch"], data["verdict_factor"]) == ("catapult", 2, None)
    assert data["verdict"] in KINDS
    assert main(["simulate", "lr=0.5", "--epochs", "31"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "verdict: converged at epoch 10"
    assert main(["simulate", "lr=2.01", "--epochs", "30", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "diverging" and data["verdict_factor"] == pytest.approx(1.01 ** 2)


@pytest.mark.parametrize("lr, floor", [(0.5, 0.1667), (0.1, 0.0263), (0.01, 0.00251)])
def test_predicted_noise_floor_t3(lr, floor):
    from lrtui.sim.problems import ANALYTIC

    q = ANALYTIC["quadratic"]
    assert q.noise_floor({"L": 1.0, "noise": 1.0, "x0": 0.0}, [lr])[0] == pytest.approx(floor, rel=2e-3)
    assert q.noise_floor({"L": 1.0, "noise": 0.0, "x0": 0.0}, [lr]) is None
    assert ANALYTIC["river_valley"].noise_floor({"noise": 3.0, "x0": 0, "y0": 0}, [0.1])[0] == pytest.approx(
        0.45, abs=0.005)


def test_a_single_noisy_run_reaches_the_floor():
    v = judge(simulate(RunConfig(schedule=S("constant", lr=0.5), problem_params={"noise": 1.0, "x0": 3.0}, epochs=300)))
    assert v.kind == "noise_floor"



@pytest.mark.parametrize("epochs", [1, 2, 3, 7])
def test_short_runs_get_a_verdict_on_every_kind_of_problem(epochs):
    """Found by the monkey test: a one-epoch run crashed the oscillation check."""
    for problem in ("quadratic", "ravine", "mlp"):
        assert judge(simulate(RunConfig(schedule=S("constant", lr=0.1), problem=problem, epochs=epochs))).kind in KINDS


def test_a_loss_that_never_moves_is_not_a_noise_floor():
    # lr = 0 on a noisy problem: the parameters never move, so there is no floor the noise holds them at
    from lrtui.sim.engine import simulate
    from lrtui.sim.config import RunConfig
    from lrtui.analysis.verdict import judge

    for problem in ("quartic", "quadratic"):
        trace = simulate(RunConfig(schedule={"name": "constant", "params": {"lr": 0.0}}, problem=problem,
                                   problem_params={"noise": 1.0}, epochs=100))
        assert judge(trace).kind == "running", problem
    moving = simulate(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                                problem_params={"noise": 1.0}, epochs=2000))
    assert judge(moving).kind == "noise_floor"


@pytest.mark.parametrize("epochs", [1, 2, 3, 5, 7])
def test_short_runs_get_a_verdict(epochs):
    """Found by the fuzz suite: a 3-epoch run asked for the loss 6 epochs back."""
    for lr in (0.5, 1.99, 2.01, 3.0):
        assert judge(simulate(RunConfig(schedule=S("constant", lr=lr), epochs=epochs))).kind in KINDS
