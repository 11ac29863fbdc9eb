"""Verdicts on the scenarios whose answer is known (../shared/teaching.md)."""

import json

import numpy as np
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


T4_PROBLEM = {"L": 1.0, "x0": 5.0, "noise": 1.0}  # lrtui/presets/teaching.py's T4: f = x^2/2, noise 1, x0 = 5


def t4(schedule, seed=0, epochs=2000):
    return simulate(RunConfig(schedule=schedule, problem="quadratic", problem_params=T4_PROBLEM, epochs=epochs,
                              seed=seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_t4_fast_decay_is_stalled_with_its_sum_of_lr(seed):
    """Issue 23: 0.1 x 0.95^t freezes at a loss of ~0.2 (teaching.md T4) because its lr runs out: the sum of the
    lr converges to 0.1 / (1 - 0.95) = 2. It was called "running"."""
    trace = t4(S("exponential", lr=0.1, gamma=0.95), seed)
    v = judge(trace)
    assert v.kind == "stalled"
    assert v.limit == pytest.approx(0.1 / (1 - 0.95), rel=1e-9)
    assert v.epoch == 90  # 2 (1 - 0.95^t) >= 99% of 2 from t = 90 on (0.95^90 = 0.0099)
    assert v.describe() == "stalled: lr decayed too fast (Σlr → 2.0)"
    assert trace.final_loss > 1e-3  # frozen above the floor of any lr it still has


def test_t4_slower_exponential_freezes_later_and_is_stalled_too():
    """The preset's variant 0.1 x 0.99^t: its sum goes to 10, and the loss freezes near 0.0013 (teaching.md)."""
    v = judge(t4(S("exponential", lr=0.1, gamma=0.99)))
    assert v.kind == "stalled" and v.limit == pytest.approx(10.0, rel=1e-6)


@pytest.mark.parametrize("schedule", [
    S("inverse_time", lr=0.1, decay_rate=1.0, decay_steps=10),  # 1/(10 + t): sum lr = inf, sum lr^2 < inf
    S("constant", lr=0.1), S("constant", lr=0.01),
    S("multistep", lr=0.1, milestones=[500, 1000]),  # ends at a constant 0.001: its sum grows without bound
    S("cosine", lr=0.1, T_max=2000),  # to 0 over the run: its last 1% of lr comes in the run's last 18%
], ids=["1/(10+t)", "constant 0.1", "constant 0.01", "multistep", "cosine to 0"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_t4_schedules_that_do_not_run_out_are_not_stalled(schedule, seed):
    assert judge(t4(schedule, seed)).kind != "stalled"


def test_the_t4_preset_reads_as_its_note_says():
    from lrtui.presets import find

    preset = find("T4")
    stalled = {c.schedule["name"] + str(c.schedule["params"].get("gamma", "")): judge(simulate(c)).kind == "stalled"
               for c in (preset.config, *preset.pinned)}
    assert stalled == {"inverse_time": False, "constant": False, "exponential0.95": True, "multistep": False,
                       "cosine": False}


def test_a_noiseless_quadratic_with_fast_exponential_decay_stalls():
    """x_T = x0 prod(1 - lr_t L): with lr_t = 0.1 x 0.5^t the product stops at ~0.81 (sum lr -> 0.2), so the
    loss freezes at ~0.66 of its start and never reaches 0."""
    trace = simulate(RunConfig(schedule=S("exponential", lr=0.1, gamma=0.5), problem="quadratic",
                               problem_params={"L": 1.0, "x0": 1.0}, epochs=100))
    frozen = 0.5 * np.prod(1 - 0.1 * 0.5 ** np.arange(100)) ** 2
    assert trace.final_loss == pytest.approx(frozen, rel=1e-12)
    v = judge(trace)
    assert v.kind == "stalled" and v.limit == pytest.approx(0.2, rel=1e-12)
    assert v.brief() == "stalled Σlr→0.2"


@pytest.mark.parametrize("schedule, kind", [
    (S("cosine", lr=0.5, T_max=100), "converged"),  # to 0 over the run, and it got there
    (S("cosine", lr=0.05, T_max=100), "running"),  # to 0 over the run, short of the minimum: not a stall
    (S("linear", lr=0.05, start_factor=1.0, end_factor=0.0, total_iters=100), "running"),
    (S("exponential", lr=1.0, gamma=0.5), "converged"),  # lr = 1/L lands on the minimum at once
    (S("exponential", lr=0.1, gamma=0.95), "running"),  # sum -> 2, but over 100 epochs it is still spending it
    (S("constant", lr=1e-4), "running"),  # hardly moving, but its lr never runs out
])
def test_noiseless_runs_that_are_not_stalled(schedule, kind):
    assert judge(simulate(RunConfig(schedule=schedule, problem="quadratic", problem_params={"L": 1.0, "x0": 1.0},
                                    epochs=100))).kind == kind


def test_a_schedule_that_reaches_zero_before_the_run_ends_is_stalled():
    """torch's PolynomialLR with its default total_iters = 5: lr 0.1, 0.08 ... 0.02, then 0 for good (sum 0.3)."""
    v = judge(simulate(RunConfig(schedule=S("polynomial", lr=0.1), epochs=30)))
    assert (v.kind, v.epoch) == ("stalled", 5) and v.limit == pytest.approx(0.3)


def test_describe_a_stall_gives_the_limit_of_the_sum_of_lr():
    assert Verdict("stalled", 90, limit=2.0).describe() == "stalled: lr decayed too fast (Σlr → 2.0)"
    assert Verdict("stalled", 90, limit=2.0).describe(ascii=True) == "stalled: lr decayed too fast (sum lr -> 2.0)"
    assert Verdict("stalled", 459, limit=10.0).brief() == "stalled Σlr→10.0"
    assert Verdict("stalled", 7, limit=0.2).brief(ascii=True) == "stalled sum lr->0.2"
    assert Verdict("stalled", 7, limit=0.0123).describe().endswith("(Σlr → 0.012)")
    assert "stalled" in KINDS
    assert Verdict("converged", 23).describe(ascii=True) == "converged at epoch 23"  # the others are ASCII already


def test_a_noisy_run_still_falling_reads_converging():
    """Issue 23: the status line read a noisy run's trend from its last 6 samples, which rise about every other
    step. A loss falling 2% an epoch under 50% noise (lognormal, 20 draws): its last 6 samples say "rising" or
    "oscillating" in some draws; the mean of its last 10% against the 10% before says converging in all."""
    from dataclasses import replace

    from lrtui.analysis.verdict import run_state

    base = simulate(RunConfig(schedule=S("constant", lr=0.01), epochs=250))
    falling = 0.98 ** np.arange(250)
    traces = [replace(base, loss=falling * np.exp(0.5 * np.random.default_rng(seed).standard_normal(250)))
              for seed in range(20)]
    assert {run_state(t, 249, noisy=True) for t in traces} == {"converging"}
    assert "rising" in {run_state(t, 249) for t in traces}  # the noiseless reading, unchanged


def test_t4_constant_001_still_falling_at_epoch_250_reads_converging():
    """T4's constant 0.01 at epoch 250: mean loss 12.5 x 0.98^t + 0.0025 ~ 0.09, still falling."""
    from lrtui.analysis.verdict import run_state

    states = {run_state(t4(S("constant", lr=0.01), seed, epochs=250), 249, noisy=True) for seed in range(20)}
    assert states == {"converging"}


def test_a_noisy_runs_state_at_its_start():
    from lrtui.analysis.verdict import run_state

    trace = t4(S("constant", lr=0.01))
    assert [run_state(trace, e, noisy=True) for e in (0, 1, 2, 10, 100)] == ["starting", "starting", "converging",
                                                                             "converging", "converging"]
