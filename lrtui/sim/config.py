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
from typing import Any, Sequence

import numpy as np

from lrtui import schedules
from lrtui.params import APP_MAX_EPOCHS, MAX_SIM_EPOCHS, ConfigError, Param, coerce, format_value, resolve
from lrtui.sim.datasets import DATA, DataProblem
from lrtui.sim.optimizers import OPTIMIZERS, Optimizer
from lrtui.sim.problems import ANALYTIC, Problem

PROBLEMS: dict[str, Problem | DataProblem] = {**ANALYTIC, **DATA}

MAX_SEEDS = 256
AUTO_SEEDS = {"analytic": 16, "data": 8}
"""The seeds a noisy run takes by default, as many as the work budget allows: 16 seeds of an analytic problem cost
at most 1.8x one seed, 8 of a data problem at most 2.7x (the simulator runs them together, vectorized; its
memory does not grow with them), by each problem's measured cost (:data:`EXTRA_SEED_COST`)."""

FINAL_WINDOW = 0.1
"""A noisy run's final loss is the mean over this fraction of its last epochs (and its best the lowest
mean over any such stretch)."""

WORK_BUDGET = 60.0
"""Seconds of simulation a run may ask for, as :func:`estimated_seconds` counts them (measured on 2 cores
of 2026; an old laptop takes two or three times as long)."""

SEEDS = Param("seeds", "int", None,
              "runs over the seeds seed, seed+1, ...: the loss shown is their mean, with the band of their 10th "
              "to 90th percentile; auto is 1 where the run is deterministic (no noise, full batch), 16 on a "
              "noisy analytic problem, 8 on a data problem (fewer where the run is long)", 1, MAX_SEEDS,
              optional=True, unset="auto")

RUN_PARAMS = (
    Param("epochs", "int", 100, "epochs to simulate", 1, MAX_SIM_EPOCHS),
    Param("seed", "int", 0, "seed of the run's noise, minibatch order and initial weights", 0, 2**31 - 1),
    SEEDS,
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
    seeds: int | None = None  # None: auto (see RUN_PARAMS)
    steps_per_epoch: int = 1
    plateau_metric: str = "end"
    batch_size: int | None = None  # time units only: the simulation does not read them
    tokens_per_step: int | None = None


@dataclass(frozen=True)
class Trace:
    """What happened in one run, per epoch (arrays of length ``epochs``).

    A run over several seeds is one trace: ``loss`` (and ``heldout_loss``, ``final_loss``) the mean over its
    seeds, ``loss_lo`` and ``loss_hi`` their 10th and 90th percentile per epoch, ``final_per_seed`` each
    seed's final loss (its mean over the last FINAL_WINDOW of the run); the path, gradient norm and
    sharpness are the first seed's (``config.seed``). A seed that diverges ends the mean there:
    ``diverged_at`` is the earliest epoch a seed diverged at, ``diverged_seeds`` how many did."""

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
    seeds: int = 1
    loss_lo: np.ndarray | None = None  # the band over seeds (None for one seed)
    loss_hi: np.ndarray | None = None
    final_per_seed: np.ndarray | None = None  # each seed's final loss, a mean over the run's last FINAL_WINDOW
    diverged_seeds: int = 0


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
    seeds: int  # resolved: auto is a number here
    steps_per_epoch: int
    plateau_metric: str
    batch_size: int | None = None
    tokens_per_step: int | None = None
    final_window: int | None = None  # each seed's final loss over this many last values (None: FINAL_WINDOW's)

    @property
    def final_values(self) -> int:
        """The values (of the ``epochs`` losses and the final one) each seed's final loss is the mean of."""
        return self.final_window or max(1, round((self.epochs + 1) * FINAL_WINDOW))

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
    typed_seeds = run["seeds"]
    run["seeds"] = typed_seeds or auto_seeds(problem, problem_params)
    prepared = Prepared(config, schedule, problem, problem_params, optimizer, optimizer_params, **run)
    if typed_seeds is None and prepared.seeds > 1:  # auto takes as many seeds as the budgets allow
        fit = min(prepared.seeds, _seeds_within(prepared, WORK_BUDGET), _seeds_in_memory(prepared))
        prepared = replace(prepared, seeds=max(1, fit))
    _check_work(prepared)
    return prepared


def is_deterministic(problem: Problem | DataProblem, problem_params: dict[str, Any]) -> bool:
    """Whether every seed gives the same run's loss: no gradient noise (analytic problems) or full-batch
    steps (data problems, whose seeds still draw the initial weights)."""
    if problem.kind == "data":
        return problem_params["batch_size"] >= problem_params["n"]
    return not problem_params.get("noise", 0)


def auto_seeds(problem: Problem | DataProblem, problem_params: dict[str, Any]) -> int:
    """The seeds ``seeds=auto`` means before the work budget: 1 for a deterministic run, else AUTO_SEEDS."""
    return 1 if is_deterministic(problem, problem_params) else AUTO_SEEDS[problem.kind]


EXTRA_SEED_COST = {
    "quadratic": 0.051, "ravine": 0.014, "quartic": 0.008, "two_basins": 0.008, "catapult": 0.012,
    "river_valley": 0.013, "rosenbrock": 0.009, "beale": 0.010, "spectrum": 0.035, "nqm": 0.032,
}
"""What each seed after the first adds to an analytic problem's run, in runs of one seed: the seeds share the
step loop, only the arithmetic grows with them. The larger of 16 seeds' and 256 seeds' extra cost in
benchmarks/bench_estimate.py, 2026-12-06 (the engine keeping no series per seed). A data problem's seeds are
counted in its arithmetic (:data:`SAMPLE_UNIT_SECONDS`)."""


def seed_cost(seeds: int, problem: str) -> float:
    """The cost of ``seeds`` seeds of ``problem`` run together, in runs of one seed."""
    return 1.0 + (seeds - 1) * EXTRA_SEED_COST[problem]


def _seeds_within(p: Prepared, seconds: float) -> int:
    """The most seeds (at least 1) whose run stays within ``seconds`` (a run's estimate grows linearly with
    its seeds)."""
    one = estimated_seconds(replace(p, seeds=1))
    more = estimated_seconds(replace(p, seeds=2)) - one
    return max(1, int((seconds - one) / more) + 1) if more > 0 else MAX_SEEDS


STEP_SECONDS = {  # problem: (a step with SGD under a schedule, what plateau adds to a step)
    "quadratic": (2.0e-6, 2.6e-6), "ravine": (6.4e-6, 4.0e-6), "quartic": (2.5e-6, 4.7e-6),
    "two_basins": (11.7e-6, 7.9e-6), "catapult": (6.9e-6, 4.0e-6), "river_valley": (7.0e-6, 4.7e-6),
    "rosenbrock": (9.6e-6, 5.1e-6), "beale": (31.4e-6, 11.0e-6), "spectrum": (3.3e-6, 6.5e-6),
    "nqm": (3.3e-6, 6.3e-6),
}
"""An optimizer step of each analytic problem, one seed: the slope between 500 and 2,000 epochs of 16 steps
(so without what a run costs once), measured on this project's 2-core machine, quiet, 2026-12-06."""
OPTIMIZER_STEP_SECONDS = {"sgd": 0.0, "momentum": 0.9e-6, "nesterov": 1.9e-6, "adam": 5.4e-6, "adamw": 6.8e-6,
                          "rmsprop": 3.2e-6, "adagrad": 2.0e-6, "schedulefree_sgd": 9.5e-6,
                          "schedulefree_adamw": 13e-6}
"""What an optimizer adds to an analytic step over SGD's (the same on every problem, measured as above; rmsprop,
adagrad and the schedule-free pair on 2026-12-07 as the least CPU time of seven runs on a loaded machine, which gave
adam 6.0 us, scaled by adam's 5.4 / 6.0)."""
PLATEAU_EPOCH_SECONDS = 50e-6
"""What plateau's reaction costs an epoch, beside its steps' (at one step an epoch: 21 us on quadratic, about 70 on
nqm and beale, measured on a loaded machine; without it such runs took up to 4x their estimate)."""
DATA_STEP_SECONDS = 50e-6
"""A data problem's minibatch step, beside its arithmetic (about the same for one seed or many)."""
SAMPLE_UNIT_SECONDS = 15e-9
"""A data problem's arithmetic: a sample through a hidden unit (and back, in a step), for each seed; as if
there were four units more (the output, the loss, the data: a logistic model or an MLP of one unit is not
free). Fitted 2026-12-06 from 1 to 256 units and 1 to 32 seeds (benchmarks/bench_estimate.py): a seed of a
wide MLP costs about a run of one, where the seeds were once counted as an MLP's of 16 units (a quarter of a
run each: 32 seeds of 64 units on 2,000 samples ran 3.1x the estimate)."""
ESTIMATE_MARGIN = 1.25
"""The estimate is the measured cost times this: an overestimate on a quiet machine, within 2x on a busy one."""


def estimated_seconds(p: Prepared) -> float:
    """About how long simulating ``p`` takes (2 cores, 2026; an overestimate more often than not).

    An analytic problem: an optimizer step costs its problem's, its optimizer's and, under plateau, plateau's
    (:data:`STEP_SECONDS`, :data:`OPTIMIZER_STEP_SECONDS`), plateau an epoch :data:`PLATEAU_EPOCH_SECONDS`, all
    times :data:`ESTIMATE_MARGIN`, and seeds after the first less than the first (:func:`seed_cost`). A data
    problem: ``steps x DATA_STEP_SECONDS + seeds x samples x (hidden + 4) x SAMPLE_UNIT_SECONDS`` an epoch,
    the samples being the minibatches' and the training and held-out sets' (evaluated each epoch). A
    composition's members add their curve's cost. ``benchmarks/bench_estimate.py`` holds the model to the time
    it takes."""
    curve = schedule_seconds(p.config.schedule)
    if p.problem.kind == "data":
        pp = p.problem_params
        steps = math.ceil(pp["n"] / pp["batch_size"])
        samples = steps * pp["batch_size"] + 2 * pp["n"]  # the minibatches', then the two sets evaluated
        per_epoch = steps * DATA_STEP_SECONDS + p.seeds * samples * (pp.get("hidden", 1) + 4) * SAMPLE_UNIT_SECONDS
        return p.epochs * (per_epoch + curve)
    step, plateau = STEP_SECONDS[p.problem.name]
    step += OPTIMIZER_STEP_SECONDS[p.config.optimizer]
    per_epoch = step * p.steps_per_epoch
    if p.config.schedule["name"] == "plateau":
        per_epoch += plateau * p.steps_per_epoch + PLATEAU_EPOCH_SECONDS
    return p.epochs * (per_epoch * ESTIMATE_MARGIN * seed_cost(p.seeds, p.problem.name) + curve)


MEMBER_SECONDS = 150e-9
"""An epoch of one member of a composition (sequential, chained): 64 cosines chained over 10^5 epochs take
about 0.9 s (measured here, 2026); a plain schedule's curve costs next to nothing beside the simulation."""


def schedule_seconds(spec: dict[str, Any]) -> float:
    """About how long one epoch of a schedule's curve takes: its members' (nested ones too), for a
    composition; 0 for a plain schedule."""
    from lrtui.schedules.composition import count_members

    return MEMBER_SECONDS * count_members(spec.get("params", {}).get("schedulers"))


MEMORY_BUDGET = 256 * 2**20
"""The most memory a data problem's run may ask for as it evaluates every sample of every seed each epoch
(:func:`data_bytes`): 32 seeds of an MLP of 256 hidden units on 10,000 samples took 2.6 GB."""


def data_bytes(p: Prepared) -> int:
    """About the memory a data problem's run takes at once: each seed's activations over every sample (and
    their gradients and temporaries, about four arrays of them)."""
    if p.problem.kind != "data":
        return 0
    pp = p.problem_params
    return p.seeds * max(pp["n"], pp["batch_size"]) * pp.get("hidden", 1) * 8 * 4


def _seeds_in_memory(p: Prepared) -> int:
    return max(1, MEMORY_BUDGET // max(data_bytes(replace(p, seeds=1)), 1))


def _check_work(p: Prepared) -> None:
    """Refuse a run whose simulation would take far longer than a lab's machine should be asked for, or more
    memory than :data:`MEMORY_BUDGET`."""
    if data_bytes(p) > MEMORY_BUDGET:
        most = _seeds_in_memory(p)
        sizes = ", ".join(f"problem.{k}={p.problem_params[k]}" for k in ("n", "hidden") if k in p.problem_params)
        if data_bytes(replace(p, seeds=1)) <= MEMORY_BUDGET:
            raise ConfigError(f"seeds={p.seeds} is too many for {p.problem.name} with {sizes} (about "
                              f"{data_bytes(p) / 2**30:.1f} GB): allowed {MEMORY_BUDGET // 2**20} MB, here at most "
                              f"{most} seeds")
        raise ConfigError(f"{sizes} is too large for {p.problem.name} (about {data_bytes(p) / 2**30:.1f} GB): allowed "
                          f"{MEMORY_BUDGET // 2**20} MB a run (n x hidden at most "
                          f"{MEMORY_BUDGET // 32:,})")
    seconds = estimated_seconds(p)
    if seconds <= WORK_BUDGET:
        return
    if p.seeds > 1 and _seeds_within(p, WORK_BUDGET) > 1:
        raise ConfigError(f"seeds={p.seeds} is too many for this run (about {seconds:,.0f} s): allowed about "
                          f"{WORK_BUDGET:.0f} s of work, here at most {_seeds_within(p, WORK_BUDGET)} seeds")
    p = replace(p, seeds=1)
    seconds = estimated_seconds(p)
    if seconds <= WORK_BUDGET:
        raise ConfigError(f"seeds={p.config.seeds} is too many for this run: allowed about {WORK_BUDGET:.0f} s "
                          "of work, here 1 seed (or fewer epochs)")
    most = int(p.epochs * WORK_BUDGET / seconds)
    if p.problem.kind == "data":
        what = ", ".join(f"problem.{k}={p.problem_params[k]}" for k in ("n", "batch_size", "hidden")
                         if k in p.problem_params)
    else:
        what = f"steps_per_epoch={p.steps_per_epoch}"
    raise ConfigError(f"epochs={p.epochs} is too long a simulation for {p.problem.name} with {what} (about "
                      f"{seconds:,.0f} s): allowed about {WORK_BUDGET:.0f} s of work, here at most {most:,} epochs")


def check_together(runs: Sequence[Prepared], what: str) -> None:
    """Runs that one change simulates again together (the run and the pinned runs that follow it onto another
    problem or seed): their work in all within :data:`WORK_BUDGET`, as one run's is. ``what`` names the change
    (``seed=3``) in the ConfigError that refuses it (six pinned 100,000-epoch runs over 256 seeds took 46 s of
    CPU on one key)."""
    total = sum(estimated_seconds(p) for p in runs)
    if total > WORK_BUDGET:
        raise ConfigError(f"{what} runs the {len(runs) - 1} pinned runs again with this one, about {total:,.0f} s "
                          f"of work in all: allowed about {WORK_BUDGET:.0f} s (unpin some with u or U, or take fewer "
                          "seeds or epochs)")


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
