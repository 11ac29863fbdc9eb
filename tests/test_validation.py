"""Bad input: one error type (a ValueError), one line, naming the parameter, the value and what is allowed."""

import numpy as np
import pytest

from lrtui import schedules
from lrtui.schedules import ConfigError

# (schedule, params, text the message must hold): every input torch crashes on or silently mishandles
BAD = [
    ("step", {"step_size": 0}, "step_size=0"),
    ("step", {"step_size": 2.5}, "step_size=2.5"),
    ("step", {"gamma": -0.1}, "gamma=-0.1"),
    ("cosine", {"T_max": 0}, "T_max=0"),
    ("cosine", {"T_max": -3}, "T_max=-3"),
    ("cosine_restarts", {"T_0": 0}, "T_0=0"),
    ("cosine_restarts", {"T_mult": 0}, "T_mult=0"),
    ("cosine_restarts", {"T_0": 2.0000001}, "T_0=2.0000001"),
    ("constant", {"factor": 0}, "factor=0"),
    ("constant", {"factor": 1.5}, "factor=1.5"),
    ("constant", {"factor": 0.5, "total_iters": 0}, "total_iters=0"),
    ("linear", {"total_iters": 0}, "total_iters=0"),
    ("linear", {"start_factor": 0}, "start_factor=0"),
    ("linear", {"end_factor": 1.2}, "end_factor=1.2"),
    ("polynomial", {"total_iters": 0}, "total_iters=0"),
    ("polynomial", {"power": -1}, "power=-1"),
    ("multistep", {"milestones": [10, -1]}, "milestones=10,-1"),
    ("exponential", {"gamma": 2}, "gamma=2"),
    ("cyclic", {"step_size_up": 0}, "step_size_up=0"),
    ("cyclic", {"mode": "sine"}, "mode=sine"),
    ("onecycle", {"total_steps": 10, "pct_start": 0.1}, "pct_start=0.1"),
    ("onecycle", {"epochs": 4}, "epochs=4"),  # torch: total_steps, or epochs and steps_per_epoch
    ("onecycle", {"steps_per_epoch": 0, "epochs": 4}, "steps_per_epoch=0"),
    ("onecycle", {"total_steps": 20, "pct_start": 0.05, "three_phase": True}, "pct_start=0.05"),
    ("onecycle", {"total_steps": 0}, "total_steps=0"),
    ("onecycle", {"pct_start": 1.0}, "pct_start=1.0 with total_steps=100 gives a zero-length final phase"),
    ("onecycle", {"total_steps": 3, "pct_start": 2 / 3, "three_phase": True}, "zero-length final phase"),
    ("onecycle", {"pct_start": 1.5}, "pct_start=1.5"),
    ("onecycle", {"anneal_strategy": "cosine"}, "anneal_strategy=cosine"),
    ("onecycle", {"div_factor": 0}, "div_factor=0"),
    ("inverse_time", {"decay_steps": 0}, "decay_steps=0"),
    ("warmup_linear", {"num_warmup_steps": 100, "num_training_steps": 100}, "num_training_steps=100"),
    ("warmup_polynomial", {"lr": 1e-8, "lr_end": 1e-7}, "lr_end=1e-07"),
    ("warmup_cosine_min_lr", {"min_lr_rate": None, "min_lr": None}, "min_lr_rate=none"),
    ("warmup_cosine_min_lr", {"lr": 3.4e-306, "min_lr": 619.0}, "min_lr=619.0"),
    ("wsd", {"num_training_steps": None, "num_stable_steps": None}, "num_training_steps=none"),
    ("wsd", {"num_training_steps": 20, "num_warmup_steps": 10, "num_decay_steps": 20}, "num_training_steps=20"),
    ("wsd", {"warmup_type": "exp"}, "warmup_type=exp"),
    ("cosine", {"lr": float("nan")}, "lr=nan"),
    ("cosine", {"lr": float("inf")}, "lr=inf"),
    ("cosine", {"lr": -0.1}, "lr=-0.1"),
    ("cosine", {"lr": "fast"}, "lr=fast"),
    ("cosine", {"warmup": -1}, "warmup=-1"),
    ("cosine", {"warmup_start_factor": 1.5}, "warmup_start_factor=1.5"),
    ("cosine", {"T_max": True}, "T_max=true"),
    ("plateau", {"factor": 1.0}, "factor=1"),
    ("plateau", {"mode": "up"}, "mode=up"),
    ("plateau", {"patience": -1}, "patience=-1"),
    ("sequential", {"milestones": [5, 10]}, "milestones=5,10"),
    ("sequential", {"milestones": [0]}, "milestones=0"),
    ("sequential", {"schedulers": []}, "schedulers"),
    ("sequential", {"schedulers": [{"name": "cosine", "params": {"T_max": 0}}, {"name": "step"}]},
     "schedulers[0].T_max=0"),
    ("sequential", {"schedulers": [{"name": "step"}, {"name": "cosin"}]}, "schedulers[1]"),
    ("sequential", {"schedulers": [{"name": "step", "params": {"lr": 1}}, {"name": "step"}]}, "schedulers[0].lr"),
    ("sequential", {"schedulers": [{"name": "step"}, {"name": "plateau"}]}, "schedulers[1]"),
    ("sequential", {"schedulers": [{"name": "onecycle", "params": {"total_steps": 3}}, {"name": "step"}],
                    "milestones": [5]},
     "schedulers[0] is onecycle"),
    ("sequential", {"schedulers": [{"name": "step"}, {"name": "onecycle"}]},
     "schedulers[1] is onecycle, which sequential cannot hold"),
    ("sequential", {"schedulers": [{"name": "step"}, {"name": "chained"}]}, "schedulers[1] is chained"),
    ("sequential", {"schedulers": [{"name": "sequential"}, {"name": "step"}]}, "schedulers[0] is sequential"),
    ("sequential", {"schedulers": [{"name": "cosine", "params": {"warmup": 3}}, {"name": "step"}]},
     "schedulers[0].warmup=3"),
    ("sequential", {"schedulers": [{"name": "step", "params": {"T_max": 3}}, {"name": "step"}]}, "schedulers[0].T_max"),
    ("chained", {"schedulers": [{"name": "step", "params": {"warmup": 3}}]}, "schedulers[0].warmup=3"),
    ("chained", {"schedulers": [{"name": "plateau"}]}, "schedulers[0] is plateau"),
    ("cosine", {"T_Max": 10}, "T_Max is not a parameter of cosine"),
]


@pytest.mark.parametrize("name, params, fragment", BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_bad_input_raises_one_line_naming_the_parameter(name, params, fragment):
    with pytest.raises(ConfigError) as info:
        schedules.create(name, **params)
    message = str(info.value)
    assert fragment in message
    assert "allowed" in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_unknown_schedule_suggests_the_closest_name():
    with pytest.raises(ConfigError, match=r"schedule cosin is unknown \(did you mean cosine\?\): allowed constant"):
        schedules.create("cosin")


@pytest.mark.parametrize("text, value", [("30,60,90", (30, 60, 90)), ("", ()), (" 5 , 7 ", (5, 7))])
def test_lists_typed_as_text(text, value):
    assert schedules.create("multistep", milestones=text).params["milestones"] == value


@pytest.mark.parametrize("text, value", [("true", True), ("False", False), ("yes", True), ("0", False)])
def test_booleans_typed_as_text(text, value):
    assert schedules.create("onecycle", three_phase=text).params["three_phase"] is value


def test_numbers_typed_as_text():
    s = schedules.create("cosine", lr="1e-3", T_max="100", eta_min="0")
    assert s.params == {"lr": 1e-3, "T_max": 100, "eta_min": 0.0, "warmup": 0, "warmup_start_factor": 0.0}
    assert schedules.create("cosine", T_max="1e3").params["T_max"] == 1000
    assert schedules.create("inverse_sqrt", timescale="none").params["timescale"] is None


def test_specs_typed_as_json_text():
    s = schedules.create("chained", schedulers='[{"name": "step", "params": {"step_size": 2}}, "exponential"]')
    assert s(np.arange(3)).shape == (3,)
    with pytest.raises(ConfigError, match="schedulers="):
        schedules.create("chained", schedulers="[not json")


@pytest.mark.parametrize("what, typed, meant", [("problem", "quad", "quadratic"), ("optimizer", "adm", "adam")])
def test_an_unknown_problem_or_optimizer_gets_the_closest_name(what, typed, meant):
    """As an unknown schedule does (found by a newcomer: --problem quad gave only the list)."""
    from lrtui.sim.config import RunConfig, prepare

    with pytest.raises(ConfigError, match=rf"^{what}={typed} is unknown \(did you mean {meant}\?\): allowed "):
        prepare(RunConfig(**{what: typed}))


@pytest.mark.parametrize("argv, message", [
    (["--schedule", "cosine", "Tmax=10"], "Tmax is not a parameter of cosine (did you mean T_max?): allowed lr, T_max"),
    (["--schedule", "cosine", "t_max=10"], "t_max is not a parameter of cosine (did you mean T_max?)"),
    (["problem.nois=0.1"], "problem.nois is not a parameter of problem quadratic (did you mean noise?): allowed"),
    (["--schedule", "cosine", "zzz=1"], "zzz is not a parameter of cosine: allowed lr"),  # (nothing close: no guess)
])
def test_a_parameter_typo_gets_the_name_meant(capsys, argv, message):
    """Issue 28: a schedule typo got "did you mean", a parameter typo (Tmax=10) did not."""
    from lrtui.cli import main

    assert main(["simulate", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
