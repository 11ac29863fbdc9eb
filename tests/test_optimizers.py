"""RMSProp, Adagrad and schedule-free SGD and AdamW: what tests/test_simulate.py's comparison with the recorded
torch and schedulefree runs (tests/fixtures/make_optimizer_fixtures.py) does not say by itself: the choices
made about them (where the loss is taken, Adagrad's lr_decay, no stability factor), closed forms of their first
steps, their declarations' errors, and blow-ups as results."""

import json

import numpy as np
import pytest

from lrtui.params import ConfigError
from lrtui.sim.config import RunConfig, prepare
from lrtui.sim.engine import simulate
from lrtui.sim.optimizers import OPTIMIZERS
from tests.conftest import FIXTURES

REF = json.loads((FIXTURES / "reference_optimizers.json").read_text())
NEW = ("rmsprop", "adagrad", "schedulefree_sgd", "schedulefree_adamw")


def S(name, **params):
    return {"name": name, "params": params}


def run(optimizer, hp=None, lr=0.1, problem="quadratic", epochs=1, **kw):
    return simulate(RunConfig(schedule=S("constant", lr=lr), problem=problem, optimizer=optimizer,
                              optimizer_params=hp or {}, epochs=epochs, **kw))


def test_each_new_optimizer_is_checked_against_its_package_on_several_problems():
    """The recorded runs (compared number for number in tests/test_simulate.py) cover every new optimizer on
    at least three problems and a data problem, and every declared parameter away from its default."""
    for name in NEW:
        cases = [c for c in REF["runs"] if c["optimizer"] == name]
        assert len({c["problem"] for c in cases}) >= 3, name
        assert any(c["optimizer"] == name for c in REF["minibatch_runs"]), name
        varied = {k for c in cases for k in c["optimizer_params"]}
        assert varied == {p.name for p in OPTIMIZERS[name].params}, (name, varied)


@pytest.mark.parametrize("case", [c for c in REF["runs"] if "train_loss" in c],
                         ids=lambda c: f"{c['problem']}-{c['optimizer']}")
def test_schedule_free_shows_the_loss_in_eval_mode_not_at_the_gradients_point(case):
    """The trace is the x sequence (what the package's user sees after optimizer.eval()): it matches the loss
    recorded in eval mode, and the loss at y (train mode), where the gradients are taken, is another curve."""
    trace = simulate(RunConfig(schedule=case["schedule"], problem=case["problem"],
                               problem_params=case["problem_params"], optimizer=case["optimizer"],
                               optimizer_params=case["optimizer_params"], epochs=case["epochs"],
                               steps_per_epoch=case["steps_per_epoch"]))
    eval_loss, train_loss = np.array(case["loss"]), np.array(case["train_loss"])
    scale = np.max(np.abs(eval_loss))
    assert np.max(np.abs(trace.loss - eval_loss)) <= 1e-9 * scale
    assert np.max(np.abs(trace.loss - train_loss)) > 1e-3 * scale


def test_schedule_free_final_parameters_are_the_average():
    """After one step (its average's weight is 1) x = z = y; after two, x is the weighted mean of z1 and z2 and y
    lies between z2 and x: x = y / beta - (1 - beta) / beta z, the package's eval()."""
    beta, lr, x0 = 0.9, 0.5, 1.0  # f = x^2 / 2: z1 = x0 - lr x0; y1 = z1
    z1 = x0 - lr * x0
    assert run("schedulefree_sgd", {"momentum": beta}, lr=lr).final_params[0] == pytest.approx(z1)
    z2 = z1 - lr * z1
    x2 = (z1 + z2) / 2  # weights lr^2 both: the plain mean
    trace = run("schedulefree_sgd", {"momentum": beta}, lr=lr, epochs=2)
    assert trace.final_params[0] == pytest.approx(x2, rel=1e-12)
    assert trace.final_loss == pytest.approx(x2**2 / 2, rel=1e-12)


def test_schedule_free_warmup_and_weights():
    """warmup_steps=4: lr 0.25, 0.5, 0.75, 1 x lr; the average weights each step lr_max^2, so the first z counts
    1/30 of four steps' average ((1 + 4 + 9 + 16) / 16 in units of lr^2 / 16)."""
    lr = 0.1
    trace = run("schedulefree_sgd", {"warmup_steps": 4, "momentum": 0.5}, lr=lr, epochs=4, problem_params={"x0": 1.0})
    # recompute by hand: f = x^2 / 2, gradient at y
    y = z = x = 1.0
    total = 0.0
    for k in range(4):
        step = lr * (k + 1) / 4
        total += step**2
        c = step**2 / total
        g = y
        z = z - step * g
        x = (1 - c) * x + c * z
        y = 0.5 * z + 0.5 * x
    assert trace.final_params[0] == pytest.approx(x, rel=1e-12)


def test_rmsprop_and_adagrad_first_steps():
    """From x0 = 1 on f = x^2 / 2 with eps 0: RMSProp's first step is lr / sqrt(1 - alpha) (its square average
    is (1 - alpha) g^2), Adagrad's lr (its sum is g^2), whatever the gradient's size; centered RMSProp divides
    by sqrt((1 - alpha) alpha) g."""
    for L in (1.0, 10.0):
        pp = {"L": L}
        assert run("rmsprop", {"alpha": 0.99, "eps": 0.0}, lr=0.01, problem_params=pp).final_params[0] == \
            pytest.approx(1 - 0.01 / np.sqrt(0.01))
        assert run("rmsprop", {"alpha": 0.75, "eps": 0.0, "centered": True}, lr=0.01,
                   problem_params=pp).final_params[0] == pytest.approx(1 - 0.01 / np.sqrt(0.75 * 0.25))
        assert run("adagrad", {"eps": 0.0}, lr=0.3, problem_params=pp).final_params[0] == pytest.approx(0.7)
        assert run("adagrad", {"eps": 0.0, "initial_accumulator_value": 3 * L**2}, lr=0.3,
                   problem_params=pp).final_params[0] == pytest.approx(1 - 0.3 / 2)


def test_rmsprop_momentum_accumulates_normalized_steps():
    """Momentum 0.5 at alpha 0.5, eps 0, on f = x^2/2 from 1 with lr 0.1: buf1 = g1/sqrt(0.5 g1^2) = sqrt(2)."""
    trace = run("rmsprop", {"alpha": 0.5, "eps": 0.0, "momentum": 0.5}, lr=0.1, epochs=2)
    x1 = 1 - 0.1 * np.sqrt(2)
    v2 = 0.5 * 0.5 * 1.0 + 0.5 * x1**2
    buf2 = 0.5 * np.sqrt(2) + x1 / np.sqrt(v2)
    assert trace.params[1, 0] == pytest.approx(x1) and trace.final_params[0] == pytest.approx(x1 - 0.1 * buf2)


@pytest.mark.parametrize("case", REF["adagrad_lr_decay"], ids=lambda c: c["problem"])
def test_adagrads_lr_decay_is_the_inverse_time_schedule(case):
    """torch's Adagrad(lr_decay=d) divides the lr by 1 + (k - 1) d at step k: a schedule inside the optimizer,
    which lrtui does not declare; inverse_time(decay_rate=d, decay_steps=1) is that schedule, shown on the lr
    plot, and gives torch's run."""
    trace = simulate(RunConfig(schedule=S("inverse_time", lr=case["lr"], decay_rate=case["lr_decay"], decay_steps=1),
                               problem=case["problem"], optimizer="adagrad", epochs=case["epochs"]))
    ref = np.array(case["loss"])
    assert np.max(np.abs(trace.loss - ref)) <= 1e-9 * np.max(np.abs(ref))
    np.testing.assert_allclose(trace.final_params, case["final_params"], rtol=1e-9)
    with pytest.raises(ConfigError, match="optimizer.lr_decay is not a parameter of optimizer adagrad"):
        prepare(RunConfig(optimizer="adagrad", optimizer_params={"lr_decay": 0.05}))


@pytest.mark.parametrize("name", NEW)
def test_no_stability_factor_where_none_is_known(name):
    """None of the four has a bound lr < c / lambda_max: the bound line is left out (NaN), not drawn wrong."""
    assert OPTIMIZERS[name].stability_factor(prepare(RunConfig(optimizer=name)).optimizer_params) is None
    assert np.isnan(run(name, epochs=3).stability_bound).all()


def test_schedule_free_has_no_single_stability_edge():
    """Why schedule-free SGD has no c: with beta 0.9 on f = 2 x^2, lr lambda = 8 (4x SGD's edge) swings up 1,000x
    and converges, and lr lambda = 20 (the late edge 2 / (1 - beta)) blows up in its first steps."""
    swing = run("schedulefree_sgd", lr=2.0, epochs=3000, problem_params={"L": 4.0})
    assert swing.diverged_at is None and swing.final_loss < 1e-30 and np.max(swing.loss) > 500 * swing.loss[0]
    assert run("schedulefree_sgd", lr=5.0, epochs=3000, problem_params={"L": 4.0}).diverged_at == 3


@pytest.mark.parametrize("name, given, message", [
    ("rmsprop", {"alpha": 1.0}, "optimizer.alpha=1 is not allowed: a number in [0, 1)"),
    ("rmsprop", {"centered": "maybe"}, "optimizer.centered=maybe is not allowed: true or false"),
    ("rmsprop", {"momentum": -0.1}, "optimizer.momentum=-0.1 is not allowed: a number in [0, 1)"),
    ("adagrad", {"initial_accumulator_value": -1}, "optimizer.initial_accumulator_value=-1 is not allowed"),
    ("adagrad", {"eps": 2}, "optimizer.eps=2 is not allowed: a number in [0, 1]"),
    ("schedulefree_sgd", {"momentum": 0}, "optimizer.momentum=0 is not allowed: a number in (0, 1)"),
    ("schedulefree_sgd", {"warmup_steps": 2.5}, "optimizer.warmup_steps=2.5 is not allowed: an integer in"),
    ("schedulefree_adamw", {"beta1": 1}, "optimizer.beta1=1 is not allowed: a number in (0, 1)"),
    ("schedulefree_adamw", {"weight_lr_power": -1}, "optimizer.weight_lr_power=-1 is not allowed: a number in [0, 10]"),
    ("schedulefree_adamw", {"r": "x"}, "optimizer.r=x is not allowed: a number in [0, 10]"),
])
def test_bad_values_are_one_line_naming_the_parameter_and_its_range(name, given, message):
    with pytest.raises(ConfigError) as info:
        prepare(RunConfig(optimizer=name, optimizer_params=given))
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("name", NEW)
def test_a_blow_up_is_a_result(name, recwarn):
    """A huge lr (and Adagrad's 0 / 0 at a minimum with eps 0) diverges quietly: no exception, no warning."""
    trace = run(name, lr=1e6, problem="beale", epochs=50)
    assert trace.diverged_at is not None and np.isnan(trace.final_loss)
    noisy = run(name, lr=1e6, problem="mlp", epochs=5)
    assert noisy.diverged_at is not None or np.isfinite(noisy.loss).all()
    assert len(recwarn) == 0
    if name == "adagrad":
        at_minimum = run(name, {"eps": 0.0}, problem_params={"x0": 0.0}, epochs=3)
        assert at_minimum.diverged_at == 1  # torch gives NaN there too: 0 / (sqrt(0) + 0)


@pytest.mark.parametrize("name", NEW)
def test_every_place_that_takes_an_optimizer_takes_it(name, capsys):
    """The form's choices, the CLI's --optimizer and its catalogue, and a saved session."""
    from lrtui.cli import main
    from lrtui.io.sessions import Session, load_session, save_session
    from lrtui.ui.fields import PICKERS

    assert name in PICKERS["optimizer"].choices
    assert main(["simulate", "--optimizer", name, "--epochs", "3", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["loss"]) == 3
    assert main(["list", name]) == 0 and name in capsys.readouterr().out
    params = {p.name: p.default for p in OPTIMIZERS[name].params}
    session = Session(RunConfig(optimizer=name, optimizer_params=params))
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        assert load_session(save_session(session, Path(folder) / "s.toml")) == session
