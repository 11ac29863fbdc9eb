"""A run's configuration, validated: what the app, the CLI, presets and sessions hold and hand over.

:class:`RunConfig` is everything that defines one run (a frozen value: edits replace it); :func:`prepare`
validates it once, at the boundary, into the :class:`Prepared` objects the epoch loop runs, refusing a run
whose simulation would take far longer than a lab machine should be asked for (:data:`WORK_BUDGET`);
:class:`Trace` is what a run gives (see :mod:`lrtui.sim.engine`, which makes it).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lrtui import schedules
from lrtui.params import APP_MAX_EPOCHS, MAX_SIM_EPOCHS, ConfigError, Param, coerce, format_value, resolve
from lrtui.sim.datasets import DATA, DataProblem
from lrtui.sim.optimizers import OPTIMIZERS, Optimizer
from lrtui.sim.problems import ANALYTIC, Problem

PROBLEMS: dict[str, Problem | DataProblem] = {**ANALYTIC, **DATA}

WORK_BUDGET = 60.0
"""Seconds of simulation a run may ask for, as :func:`estimated_seconds` counts them (measured on 2 cores
of 2026; an old laptop takes two or three times as long)."""

RUN_PARAMS = (
    Param("epochs", "int", 100, "epochs to simulate", 1, MAX_SIM_EPOCHS),
    Param("seed", "int", 0, "seed of the run's noise, minibatch order and initial weights", 0, 2**31 - 1),
    Param("steps_per_epoch", "int", 1, "optimizer steps per epoch on analytic problems", 1, 100_000),
    Param("plateau_metric", "choice", "end",
          "what plateau watches after each epoch: end = the loss after it, running = the mean loss of its "
          "steps (the logged training loss), heldout = the held-out loss (data problems)",
          choices=("end", "running", "heldout")),
    Param("batch_size", "int", None, "samples per optimizer step: shows the horizon in samples, and counts "
          "typed as '50k samples' become epochs", 1, 10**9, optional=True),
    Param("tokens_per_step", "int", None, "tokens per optimizer step (GPT-3 125M: 524288 = 2^19): shows the "
          "horizon in tokens, and counts typed as '375M tokens' become epochs", 1, 10**12, optional=True),
)


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one run. ``schedule`` is a spec ``{"name": ..., "params": {...}}``."""

    schedule: dict[str, Any] = field(default_factory=lambda: {"name": "constant", "params": {}})
    problem: str = "quadratic"
    problem_params: dict[str, Any] = field(default_factory=dict)
    optimizer: str = "sgd"
    optimizer_params: dict[str, Any] = field(default_factory=dict)
    epochs: int = 100
    seed: int = 0
    steps_per_epoch: int = 1
    plateau_metric: str = "end"
    batch_size: int | None = None  # time units only: the simulation does not read them
    tokens_per_step: int | None = None


@dataclass(frozen=True)
class Trace:
    """What happened in one run, per epoch (arrays of length ``epochs``)."""

    config: RunConfig
    epoch: np.ndarray
    lr: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    sharpness: np.ndarray
    stability_bound: np.ndarray
    params: np.ndarray | None  # (epochs, dim) for problems of dimension 1 or 2
    heldout_loss: np.ndarray | None  # data problems
    final_loss: float  # after the last epoch
    final_params: np.ndarray | None
    diverged_at: int | None  # == epochs when the last epoch's update blew up
    steps_per_epoch: int


@dataclass(frozen=True)
class Prepared:
    """A validated configuration: the objects the loop runs."""

    config: RunConfig
    schedule: Any  # schedules.Schedule or Plateau
    problem: Problem | DataProblem
    problem_params: dict[str, Any]
    optimizer: Optimizer
    optimizer_params: dict[str, Any]
    epochs: int
    seed: int
    steps_per_epoch: int
    plateau_metric: str
    batch_size: int | None = None
    tokens_per_step: int | None = None

    @property
    def group_key(self) -> tuple:
        """Runs with equal keys are simulated together."""
        return (
            self.problem.name,
            tuple(sorted(self.problem_params.items())),
            self.optimizer.name,
            tuple(sorted(self.optimizer_params.items())),
            self.epochs,
            self.steps_per_epoch,
        )


def _lookup(table: dict, name: Any, what: str) -> Any:
    """``table[name]``, or one line naming the names allowed (and the closest one, as a schedule's does)."""
    if not isinstance(name, str) or name not in table:
        close = difflib.get_close_matches(str(name), table, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"{what}={format_value(name)} is unknown{hint}: allowed " + ", ".join(table))
    return table[name]


def prepare(config: RunConfig) -> Prepared:
    """Validate a configuration; :class:`ConfigError` names the parameter (``problem.noise=...``)."""
    schedule = schedules.from_spec(config.schedule)
    problem = _lookup(PROBLEMS, config.problem, "problem")
    optimizer = _lookup(OPTIMIZERS, config.optimizer, "optimizer")
    problem_params = resolve(problem.params, config.problem_params, f"problem {problem.name}", "problem.")
    optimizer_params = resolve(optimizer.params, config.optimizer_params, f"optimizer {optimizer.name}", "optimizer.")
    run = {p.name: coerce(p, getattr(config, p.name)) for p in RUN_PARAMS}
    if problem.kind == "data" and run["steps_per_epoch"] != 1:
        raise ConfigError(
            f"steps_per_epoch={run['steps_per_epoch']} does not apply to {problem.name}: an epoch is one pass "
            "over the data (set problem.batch_size); allowed steps_per_epoch=1"
        )
    if run["batch_size"] is not None and problem.kind == "data":
        raise ConfigError(f"batch_size={run['batch_size']} does not apply to {problem.name}: its minibatch is "
                          "problem.batch_size; allowed batch_size=none")
    if run["plateau_metric"] == "heldout" and problem.kind != "data":
        raise ConfigError(
            f"plateau_metric=heldout does not apply to {problem.name}: only data problems have a held-out set; "
            "allowed end or running"
        )
    if isinstance(schedule, schedules.Schedule):
        schedule.check_length(run["epochs"])
    prepared = Prepared(config, schedule, problem, problem_params, optimizer, optimizer_params, **run)
    _check_work(prepared)
    return prepared


def estimated_seconds(p: Prepared) -> float:
    """About how long simulating ``p`` takes (2 cores, 2026; an overestimate more often than not): an
    optimizer step of an analytic problem costs about 7 us; a data problem's about 50 us plus 20 ns per
    sample and hidden unit, and each epoch evaluates the training and held-out sets (40 ns per sample and unit)."""
    if p.problem.kind == "data":
        pp = p.problem_params
        width = pp.get("hidden", 1)
        steps = math.ceil(pp["n"] / pp["batch_size"])
        per_epoch = steps * (50e-6 + 20e-9 * pp["batch_size"] * width) + 40e-9 * pp["n"] * width
    else:
        per_epoch = 7e-6 * p.steps_per_epoch
    return p.epochs * per_epoch


def _check_work(p: Prepared) -> None:
    """Refuse a run whose simulation would take far longer than a lab's machine should be asked for."""
    seconds = estimated_seconds(p)
    if seconds <= WORK_BUDGET:
        return
    most = int(p.epochs * WORK_BUDGET / seconds)
    if p.problem.kind == "data":
        what = ", ".join(f"problem.{k}={p.problem_params[k]}" for k in ("n", "batch_size", "hidden")
                         if k in p.problem_params)
    else:
        what = f"steps_per_epoch={p.steps_per_epoch}"
    raise ConfigError(f"epochs={p.epochs} is too long a simulation for {p.problem.name} with {what} (about "
                      f"{seconds:,.0f} s): allowed about {WORK_BUDGET:.0f} s of work, here at most {most:,} epochs")


RUN_LENGTH_PARAMS = ("T_max", "num_training_steps", "total_steps")
"""A schedule's horizon: it follows the run's length (in the app, and in the CLI's curve and simulate) (a new schedule,
a new epoch count) unless it was set to something else. Left at its default of 100 in a 200-epoch run, a cosine climbs
back up."""


def fit_horizon(config: RunConfig, keep: set[str] = frozenset(), old_epochs: int | None = None) -> RunConfig:
    """The run with its schedule's horizon (:data:`RUN_LENGTH_PARAMS`) set to its epochs, except those named
    in ``keep`` (given by the user) and, when the run's length changed from ``old_epochs``, those set to
    anything else (they did not follow it). A schedule whose ``length_from`` parameters are all set (wsd's
    stable steps, onecycle's epochs and steps_per_epoch) has its length from them: its horizon is left alone."""
    params = dict(config.schedule.get("params", {}))
    definition = schedules.get(config.schedule["name"])
    if definition.length_from and all(params.get(n) is not None for n in definition.length_from):
        return config
    declared = {p.name for p in definition.all_params}
    for name in RUN_LENGTH_PARAMS:
        followed = old_epochs is None or params.get(name) in (None, old_epochs)
        if name in declared and name not in keep and followed:
            params[name] = config.epochs
    return replace(config, schedule={"name": config.schedule["name"], "params": params})


DEFAULT_SCHEDULE = {"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}
"""What the app opens on when nothing else is asked for."""


def check_app_epochs(*configs: RunConfig) -> None:
    """The app shows at most APP_MAX_EPOCHS epochs; longer runs are for the CLI."""
    for config in configs:
        if config.epochs > APP_MAX_EPOCHS:
            raise ConfigError(f"epochs={config.epochs} is more than the app shows: allowed epochs in "
                              f"[1, {APP_MAX_EPOCHS}] (lrtui simulate goes further)")
