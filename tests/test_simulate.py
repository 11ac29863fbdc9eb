"""The simulator against real torch.optim runs, finite differences, and its own contract."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrtui.sim.datasets import DATA
from lrtui.params import ConfigError, resolve
from lrtui.sim.problems import ANALYTIC
from lrtui.sim.engine import simulate, simulate_many
from lrtui.sim.config import RunConfig, prepare

REF = json.loads((Path(__file__).parent / "fixtures" / "reference_optimizers.json").read_text())


def S(name, **params):
    return {"name": name, "params": params}


@pytest.mark.parametrize("case", REF["runs"], ids=lambda c: f"{c['problem']}-{c['optimizer']}-{c['schedule']['name']}")
def test_matches_real_torch_optim_runs(case):
    trace = simulate(RunConfig(
        schedule=case["schedule"], problem=case["problem"], problem_params=case["problem_params"],
        optimizer=case["optimizer"], optimizer_params=case["optimizer_params"], epochs=case["epochs"],
        steps_per_epoch=case["steps_per_epoch"],
    ))
    ref = np.array(case["loss"])
    assert np.max(np.abs(trace.loss - ref)) <= 1e-9 * np.max(np.abs(ref))
    np.testing.assert_allclose(trace.lr, case["lr"], rtol=1e-9)
    np.testing.assert_allclose(trace.final_params, case["final_params"], rtol=1e-9, atol=1e-12)
    assert trace.final_loss == pytest.approx(case["final_loss"], rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("case", REF["plateau_runs"], ids=lambda c: f"{c['problem']}-{c['plateau_metric']}")
def test_plateau_closes_the_loop_like_a_torch_training_loop(case):
    """ReduceLROnPlateau stepped after each epoch with the loss the epoch ended at (end) or the mean loss of
    its steps (running), as a torch loop does it."""
    trace = simulate(RunConfig(
        schedule=case["schedule"], problem=case["problem"], problem_params=case["problem_params"],
        optimizer=case["optimizer"], optimizer_params=case["optimizer_params"], epochs=case["epochs"],
        steps_per_epoch=case["steps_per_epoch"], plateau_metric=case["plateau_metric"],
    ))
    np.testing.assert_array_equal(trace.lr, case["lr"])
    assert np.max(np.abs(trace.loss - case["loss"])) <= 1e-9 * np.max(np.abs(case["loss"]))


def test_the_plateau_metric_matters():
    end, running = (simulate(RunConfig(schedule=S("plateau", lr=0.5, patience=0, factor=0.5), problem="catapult",
                                       epochs=60, plateau_metric=m)) for m in ("end", "running"))
    assert np.sum(np.diff(end.lr[:40]) < 0) == 1 and np.sum(np.diff(running.lr[:40]) < 0) == 4
    assert end.loss[40] < 1e-12 < running.loss[40]


@pytest.mark.parametrize("case", REF["minibatch_runs"], ids=lambda c: f"{c['problem']}-{c['optimizer']}")
def test_minibatch_training_matches_torch(case):
    """Data, initial weights and the per-epoch shuffles follow the documented seeding; torch trains the same."""
    trace = simulate(RunConfig(
        schedule=case["schedule"], problem=case["problem"], problem_params=case["problem_params"],
        optimizer=case["optimizer"], optimizer_params=case["optimizer_params"], epochs=case["epochs"],
        seed=case["seed"], seeds=1,  # one seed: the run torch recorded
    ))
    np.testing.assert_allclose(trace.loss, case["loss"], rtol=1e-9)
    np.testing.assert_allclose(trace.heldout_loss, case["heldout"], rtol=1e-9)


def test_heldout_plateau_metric_needs_a_data_problem():
    with pytest.raises(ConfigError, match="plateau_metric=heldout does not apply to quadratic"):
        prepare(RunConfig(schedule=S("plateau"), plateau_metric="heldout"))
    t = simulate(RunConfig(schedule=S("plateau", lr=0.5, patience=1), problem="mlp", epochs=40,
                           plateau_metric="heldout"))
    assert t.lr[-1] < 0.5


def test_hand_written_backprop_matches_torch_autograd():
    g = REF["gradients"]
    X, y = np.array(g["X"]), np.array(g["y"])
    for case in g["mlp"]:
        p = {"hidden": case["hidden"]}
        x = np.array(case["params"])[None, :]
        loss, grad = DATA["mlp"].loss_grad(x, X[None], y, p)
        assert loss[0] == pytest.approx(case["loss"], rel=1e-12)
        np.testing.assert_allclose(grad[0], case["grad"], rtol=1e-10, atol=1e-14)
        assert DATA["mlp"].loss(x, X, y, p)[0] == pytest.approx(case["loss"], rel=1e-12)
    lg = g["logistic"]
    loss, grad = DATA["logistic"].loss_grad(np.array(lg["params"])[None], X[None], y, {})
    assert loss[0] == pytest.approx(lg["loss"], rel=1e-12)
    np.testing.assert_allclose(grad[0], lg["grad"], rtol=1e-10)


@pytest.mark.parametrize("name", list(ANALYTIC))
def test_gradient_and_sharpness_match_finite_differences(name):
    problem = ANALYTIC[name]
    p = resolve(problem.params, {}, name)
    x = problem.start(p)[None, :] + 0.3 * np.random.default_rng(1).standard_normal((4, problem.dim))
    h, eye = 1e-6, np.eye(problem.dim)
    fd_grad = np.stack([(problem.loss(x + h * e, p) - problem.loss(x - h * e, p)) / (2 * h) for e in eye], axis=1)
    np.testing.assert_allclose(problem.grad(x, p), fd_grad, rtol=1e-6, atol=1e-6)
    hess = np.stack([(problem.grad(x + h * e, p) - problem.grad(x - h * e, p)) / (2 * h) for e in eye], axis=2)
    lmax = np.linalg.eigvalsh((hess + hess.transpose(0, 2, 1)) / 2)[:, -1]
    np.testing.assert_allclose(problem.sharpness(x, p), lmax, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("optimizer, hp",
                         [("sgd", {}), ("momentum", {"momentum": 0.5}), ("nesterov", {"momentum": 0.5})])
def test_stability_bound_is_where_a_quadratic_stops_converging(optimizer, hp):
    """c / L from the optimizer is the edge: 1% below it the quadratic converges, 1% above it diverges."""
    bound = simulate(RunConfig(problem="quadratic", optimizer=optimizer, optimizer_params=hp, epochs=2,
                               problem_params={"L": 4.0})).stability_bound[0]
    for factor, converges in ((0.99, True), (1.01, False)):
        trace = simulate(RunConfig(schedule=S("constant", lr=bound * factor), problem="quadratic",
                                   problem_params={"L": 4.0}, optimizer=optimizer, optimizer_params=hp, epochs=3000))
        assert (trace.diverged_at is None and trace.final_loss < 1e-6) is converges


def test_divergence_is_a_result_with_nan_after_it(recwarn):
    trace = simulate(RunConfig(schedule=S("constant", lr=2.5), problem="quadratic", epochs=40))
    assert trace.diverged_at == 18  # |x| grows 1.5x per step: 0.5 * 1.5**36 > 1e6 at step 18
    assert trace.loss[18] > 1e6 and np.isfinite(trace.loss[:19]).all()
    assert np.isnan(trace.loss[19:]).all() and np.isnan(trace.params[19:]).all()
    assert np.isnan(trace.final_loss) and trace.final_params is None
    assert len(recwarn) == 0


def test_overflow_to_inf_is_caught_quietly():
    trace = simulate(RunConfig(schedule=S("constant", lr=1e6), problem="beale", epochs=50, optimizer="momentum"))
    assert trace.diverged_at is not None and trace.diverged_at <= 2


def test_mlp_divergence_and_data_loss():
    blown = simulate(RunConfig(schedule=S("constant", lr=1e6), problem="mlp", epochs=30, optimizer="momentum"))
    ok = simulate(RunConfig(schedule=S("constant", lr=0.5), problem="mlp", epochs=30, optimizer="momentum"))
    assert ok.diverged_at is None and ok.loss[-1] < 0.6 * ok.loss[0]
    assert np.isfinite(ok.heldout_loss).all() and not np.array_equal(ok.heldout_loss, ok.loss)
    assert blown.diverged_at is not None and np.isnan(blown.loss[blown.diverged_at + 1:]).all()


def test_seeded_and_reproducible_bit_for_bit_whatever_the_batch():
    cfg = RunConfig(schedule=S("cosine", lr=0.3, T_max=60), problem="ravine", problem_params={"noise": 0.5}, epochs=60,
                    seed=7)
    alone = simulate(cfg)
    again = simulate(cfg)
    others = [RunConfig(schedule=S("constant", lr=0.1), problem="ravine", problem_params={"noise": 0.5}, epochs=60,
                        seed=s) for s in (1, 2)]
    batched = simulate_many([others[0], cfg, others[1]])[1]
    validated = simulate_many([others[0], prepare(cfg)])[1]  # a run validated already (the app's) runs as it is
    np.testing.assert_array_equal(alone.loss, again.loss)
    np.testing.assert_array_equal(alone.loss, batched.loss)
    np.testing.assert_array_equal(alone.loss, validated.loss)
    assert validated.config == cfg
    different = simulate(RunConfig(**{**cfg.__dict__, "seed": 8}))
    assert not np.array_equal(alone.loss, different.loss)


def test_large_runs_of_a_group_go_a_few_at_a_time_and_give_the_same_traces(monkeypatch):
    """Seven runs over many seeds at once held each one's record in memory together (145 MB for seven
    100,000-epoch runs over 256 seeds, 95 MB one at a time): a group is cut into batches of at most
    BATCH_SEED_EPOCHS seed-epochs, and a run's trace does not depend on its batch."""
    import lrtui.sim.engine as engine

    cfgs = [RunConfig(schedule=S("cosine", lr=0.02 * (i + 1), T_max=50), problem="quadratic",
                      problem_params={"noise": 0.5}, epochs=50, seed=3, seeds=8) for i in range(5)]
    together = simulate_many(cfgs)
    groups = []
    real = engine._run_group
    monkeypatch.setattr(engine, "_run_group", lambda runs, *a, **k: groups.append(len(runs)) or real(runs, *a, **k))
    monkeypatch.setattr(engine, "BATCH_SEED_EPOCHS", 2 * 50 * 8)
    batched = simulate_many(cfgs)
    assert groups == [2, 2, 1]
    for a, b in zip(together, batched):
        for field in ("lr", "loss", "loss_lo", "loss_hi", "final_per_seed"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert engine.batches([7], [10 * engine.BATCH_SEED_EPOCHS]) == [[7]]  # a run larger than a batch: alone


@pytest.mark.parametrize("problem", ["mlp", "logistic"])
def test_data_runs_are_reproducible_and_batched_like_alone(problem):
    cfgs = [RunConfig(schedule=sched, problem=problem, epochs=15, seed=s, optimizer="adam")
            for sched, s in ((S("constant", lr=0.01), 0), (S("cosine", lr=0.03, T_max=15), 1),
                             (S("plateau", lr=0.05, patience=0), 2), (S("plateau", lr=0.05, patience=0), 3))]
    together = simulate_many(cfgs)
    for cfg, trace in zip(cfgs, together):
        alone = simulate(cfg)
        for field in ("lr", "loss", "heldout_loss", "grad_norm"):
            np.testing.assert_array_equal(getattr(alone, field), getattr(trace, field))


def test_plateau_reacts_to_the_loss():
    """lr 0.5 on L = 4 is a period-2 orbit (loss 2 forever): the first end-of-epoch loss sets the best,
    three more without progress exceed patience 2, so the lr is cut for epoch 4, exactly once; then GD at
    0.05 shrinks x by 0.8 an epoch."""
    trace = simulate(RunConfig(schedule=S("plateau", lr=0.5, patience=2), problem="quadratic",
                               problem_params={"L": 4.0}, epochs=20))
    np.testing.assert_allclose(trace.lr, [0.5] * 4 + [0.05] * 16)
    np.testing.assert_allclose(trace.loss[:5], 2.0)
    np.testing.assert_allclose(trace.loss[5:], 2.0 * 0.64 ** np.arange(1, 16), rtol=1e-12)


def test_minibatches_are_reshuffled_every_epoch_and_seeds_differ():
    a = simulate(RunConfig(schedule=S("constant", lr=0.0), problem="logistic", epochs=3, seed=0))
    assert np.all(a.loss == a.loss[0])  # lr 0: nothing moves
    runs = [simulate(RunConfig(schedule=S("constant", lr=0.5), problem="mlp", epochs=5, seed=s)) for s in (0, 1)]
    assert runs[0].loss[0] != runs[1].loss[0]  # different initial weights
    one_batch = simulate(RunConfig(schedule=S("constant", lr=0.5), problem="logistic", epochs=5,
                                   problem_params={"batch_size": 200}))
    many = simulate(RunConfig(schedule=S("constant", lr=0.5), problem="logistic", epochs=5,
                              problem_params={"batch_size": 7}))
    assert one_batch.steps_per_epoch == 1 and many.steps_per_epoch == 29 and not np.allclose(one_batch.loss, many.loss)


def test_trace_contents():
    t = simulate(RunConfig(schedule=S("constant", lr=0.1), problem="rosenbrock", epochs=5, optimizer="momentum"))
    assert t.params.shape == (5, 2) and tuple(t.params[0]) == (-1.5, 2.0)
    assert t.sharpness[0] == pytest.approx(2092.25, rel=1e-5)
    assert t.grad_norm[0] == pytest.approx(np.hypot(-2 * 2.5 - 400 * -1.5 * (2 - 2.25), 200 * (2 - 2.25)))
    m = simulate(RunConfig(problem="mlp", epochs=3))
    assert m.params is None and np.isnan(m.sharpness).all() and m.steps_per_epoch == 5


@pytest.mark.parametrize("config, fragment", [
    (RunConfig(problem="nope"), "problem=nope is unknown"),
    (RunConfig(optimizer="lion"), "optimizer=lion is unknown"),
    (RunConfig(problem_params={"noise": -1}), "problem.noise=-1"),
    (RunConfig(problem="mlp", problem_params={"noise": 1}), "problem.noise is not a parameter of problem mlp"),
    (RunConfig(optimizer="momentum", optimizer_params={"momentum": 1.0}), "optimizer.momentum=1"),
    (RunConfig(optimizer="sgd", optimizer_params={"momentum": 0.9}), "optimizer.momentum is not a parameter"),
    (RunConfig(epochs=0), "epochs=0"),
    (RunConfig(problem="mlp", steps_per_epoch=3), "steps_per_epoch=3"),
    (RunConfig(schedule=S("onecycle", total_steps=50), epochs=60), "total_steps=50 is shorter than the run of 60"),
    (RunConfig(schedule=S("cosine", T_max=0)), "T_max=0"),
])
def test_bad_configuration_is_one_error(config, fragment):
    with pytest.raises(ConfigError) as info:
        prepare(config)
    assert fragment in str(info.value) and "allowed" in str(info.value)


def test_no_numpy_warning_reaches_the_terminal():
    """Every problem x optimizer at the edges (huge, denormal and zero lr; huge noise), in a fresh
    interpreter with warnings as errors."""
    code = (
        "from lrtui.sim.config import RunConfig, PROBLEMS\nfrom lrtui.sim.engine import simulate\n"
        "from lrtui.sim.optimizers import OPTIMIZERS\n"
        "for p, problem in PROBLEMS.items():\n"
        "    for o in OPTIMIZERS:\n"
        "        for lr in (1e6, 5e-324, 0.0):\n"
        "            pp = {'noise': 1e3} if problem.kind == 'analytic' else {}\n"
        "            simulate(RunConfig(schedule={'name':'constant','params':{'lr':lr}}, problem=p, "
        "problem_params=pp,\n"
        "                               epochs=20, optimizer=o))\n"
    )
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
