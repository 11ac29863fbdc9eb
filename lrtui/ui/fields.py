"""The editable fields of a run, generated from the engine's parameter declarations (no Textual here).

A :class:`Field` is one row of the app's form: a picker (schedule, problem, optimizer), a parameter of the
schedule, problem or optimizer, or a run setting (epochs, seed, steps per epoch). :func:`fields` lists them
for a run; :func:`set_value`, :func:`nudge` and :func:`reset` take the validated run (a :class:`Prepared`)
and return the next one, validated once (one :func:`~lrtui.sim.config.prepare` per edit), or raise
:class:`ConfigError` with the engine's one-line message, so the caller keeps the last valid one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from lrtui import schedules
from lrtui.sim.optimizers import OPTIMIZERS
from lrtui.params import APP_MAX_EPOCHS, ConfigError, Param, coerce, format_value
from lrtui.sim.config import PROBLEMS, RUN_PARAMS, Prepared, RunConfig, fit_horizon, prepare
from lrtui.sim.units import Units


PICKERS = {
    "schedule": Param("schedule", "choice", "constant", "the learning-rate schedule", choices=tuple(schedules.names())),
    "problem": Param("problem", "choice", "quadratic", "the teaching problem", choices=tuple(PROBLEMS)),
    "optimizer": Param("optimizer", "choice", "sgd", "the optimizer", choices=tuple(OPTIMIZERS)),
}
_RUN = {p.name: p for p in RUN_PARAMS}
_RUN["epochs"] = replace(_RUN["epochs"], high=APP_MAX_EPOCHS)


@dataclass(frozen=True)
class Field:
    """One editable row. ``key`` is unique: ``schedule``, ``schedule.T_max``, ``problem.noise``, ``run.epochs``."""

    section: str
    param: Param
    picker: bool = False

    @property
    def key(self) -> str:
        return self.section if self.picker else f"{self.section}.{self.param.name}"

    @property
    def label(self) -> str:
        return self.param.name


def fields(prepared: Prepared) -> list[Field]:
    """The form for a configuration, in order: schedule picker and parameters, problem, optimizer, run."""
    out = [Field("schedule", PICKERS["schedule"], picker=True)]
    out += [Field("schedule", p) for p in schedules.get(prepared.schedule.name).all_params]
    out += [Field("problem", PICKERS["problem"], picker=True)]
    out += [Field("problem", p) for p in prepared.problem.params]
    out += [Field("optimizer", PICKERS["optimizer"], picker=True)]
    out += [Field("optimizer", p) for p in prepared.optimizer.params]
    run = ["epochs", "seed", "seeds"] + (["steps_per_epoch"] if prepared.problem.kind == "analytic" else [])
    if prepared.schedule.name == "plateau":
        run.append("plateau_metric")
    run += (["batch_size"] if prepared.problem.kind == "analytic" else []) + ["tokens_per_step"]
    out += [Field("run", _RUN[name]) for name in run]
    if Units.of(prepared).known:
        out.append(HORIZON)
    return out


HORIZON = Field("run", Param("horizon", "info", None, "the run's length in epochs, steps, samples and tokens"))
"""A row that only shows: the run's length in every unit that is known."""


def value(prepared: Prepared, field: Field) -> Any:
    """The field's current value (defaults filled in)."""
    if field.picker:
        return {"schedule": prepared.schedule.name, "problem": prepared.problem.name,
                "optimizer": prepared.optimizer.name}[field.section]
    name = field.param.name
    if field.section == "schedule":
        return prepared.schedule.params[name]
    if field.section == "problem":
        return prepared.problem_params[name]
    if field.section == "optimizer":
        return prepared.optimizer_params[name]
    return getattr(prepared, name)


def text(prepared: Prepared, field: Field) -> str:
    """The value as the form shows it (and as it can be typed back)."""
    if field == HORIZON:
        return Units.of(prepared).describe(prepared.epochs).split(" = ", 1)[-1]
    if field.section == "run" and field.param.name == "seeds" and prepared.config.seeds is None:
        return f"{field.param.unset}={prepared.seeds}"  # auto, and what it means for this run (one word)
    v = value(prepared, field)
    if isinstance(v, float) and v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5):
        return f"{v:.4g}"
    if isinstance(v, float):
        return f"{v:.6g}"
    return format_value(v)


def reset(run: Prepared, field: Field) -> Prepared:
    """The run with ``field`` back at its declared default (a picker keeps its choice). The default may not
    fit the rest (T_max back to 100 in a 50-epoch run is fine; a warmup back to 10 in a 5-step run is not):
    ConfigError then, as for a typed value."""
    if field.picker or field == HORIZON:
        return run
    config = run.config
    if field.section == "schedule":
        params = {k: v for k, v in config.schedule.get("params", {}).items() if k != field.param.name}
        new = replace(config, schedule={"name": config.schedule["name"], "params": params})
    elif field.section == "run":
        new = replace(config, **{field.param.name: _RUN[field.param.name].default})
    else:
        attr = f"{field.section}_params"
        new = replace(config, **{attr: {k: v for k, v in getattr(config, attr).items() if k != field.param.name}})
    return prepare(new)


def set_value(run: Prepared, field: Field, raw: Any) -> Prepared:
    """The run with ``field`` set to ``raw`` (typed text or a value), validated as a whole. A length typed
    with a unit ("375M tokens", "715 steps") becomes epochs (see lrtui.sim.units)."""
    if field == HORIZON:
        raise ConfigError("horizon only shows the run's length: set epochs, steps_per_epoch, batch_size or "
                          "tokens_per_step")
    config = run.config
    if not field.picker:
        prefix = f"{field.section}." if field.section in ("problem", "optimizer") else ""
        raw = Units.of(run).to_epochs(field.param.name, raw, prefix)
    if field.picker:
        choice = coerce(field.param, raw.strip() if isinstance(raw, str) else raw)
        new = _switch(config, field.section, choice)
    elif field.section == "run":
        v = coerce(_RUN[field.param.name], raw)
        new = replace(config, **{field.param.name: v})
        if field.param.name == "epochs":  # a horizon that followed the run's length keeps following it
            new = fit_horizon(new, old_epochs=config.epochs)
    else:
        v = coerce(field.param, raw, f"{field.section}." if field.section != "schedule" else "")
        if field.section == "schedule":
            params = {**config.schedule.get("params", {}), field.param.name: v}
            if config.schedule["name"] == "onecycle" and field.param.name in ("epochs", "steps_per_epoch") \
                    and params.get("epochs") is not None and params.get("steps_per_epoch") is not None:
                params.pop("total_steps", None)  # the pair sets the length now (a total_steps given would win)
            new = replace(config, schedule={"name": config.schedule["name"], "params": params})
        else:
            attr = f"{field.section}_params"
            new = replace(config, **{attr: {**getattr(config, attr), field.param.name: v}})
    try:
        return prepare(new)  # the whole configuration must be consistent; raises ConfigError otherwise
    except ConfigError as err:
        if field.picker:  # the choice's own defaults clash with the run: the message says which choice
            raise ConfigError(f"{field.param.name}={choice} does not fit this run: {err}") from None
        raise


def _switch(config: RunConfig, section: str, choice: str) -> RunConfig:
    """Pick another schedule, problem or optimizer: its own parameters start from their defaults, and a
    new schedule keeps the base lr when it has one."""
    if section == "schedule":
        params = {}
        old = config.schedule.get("params", {})
        if "lr" in old and any(p.name == "lr" for p in schedules.get(choice).all_params):
            params["lr"] = old["lr"]
        return fit_horizon(replace(config, schedule={"name": choice, "params": params}))
    if section == "problem":
        steps = config.steps_per_epoch if PROBLEMS[choice].kind == "analytic" else 1
        batch = config.batch_size if PROBLEMS[choice].kind == "analytic" else None  # data problems have their own
        return replace(config, problem=choice, problem_params={}, steps_per_epoch=steps, batch_size=batch)
    return replace(config, optimizer=choice, optimizer_params={})


def complete(param: Param, typed: str) -> str | None:
    """The choice that typed text selects: the choice itself, else the first (in the declared order) that
    starts with it, case ignored (``cos`` selects cosine, ``q`` quadratic); None when none does or the
    parameter has no choices."""
    if param.kind != "choice" or not typed.strip():
        return None
    typed = typed.strip().lower()
    exact = [c for c in param.choices if str(c).lower() == typed]
    return (exact or [c for c in param.choices if str(c).lower().startswith(typed)] or [None])[0]


def nudge_value(param: Param, current: Any, direction: int, fine: bool = False) -> Any:
    """The next value up (+1) or down (-1): x 10^0.1 for log-scale numbers (ten presses per decade),
    the second significant digit for other numbers, about 10% (at least 1) for counts, the next choice,
    the other boolean. Lists and specs have no step (type them).

    ``fine`` steps a tenth as far, to search a threshold: the third significant digit of any number
    (1.99, 2, 2.01), 1 for counts."""
    if param.kind == "bool":
        return not current
    if param.kind == "choice":
        i = param.choices.index(current) if current in param.choices else 0
        return param.choices[(i + direction) % len(param.choices)]
    if param.kind in ("int_list", "specs"):
        raise ConfigError(f"{param.name} has no +/- step: type a value and press enter")
    if current is None:
        raise ConfigError(f"{param.name}=none has no +/- step: type a value and press enter")
    if param.kind == "int":
        step = 1 if fine else max(1, round(abs(current) * 0.1))
        return _clamp(param, current + direction * step)
    if param.log and current > 0 and not fine:
        return _clamp(param, float(f"{current * 10 ** (0.1 * direction):.3g}"))
    if param.log and current == 0 and not fine:
        return _clamp(param, 1e-4) if direction > 0 else 0.0
    digit = 100 if fine else 10  # the third significant digit, or the second
    magnitude = 10 ** math.floor(math.log10(abs(current))) / digit if current != 0 else 0.1 / digit
    return _clamp(param, float(f"{current + direction * magnitude:.6g}"))


def _clamp(param: Param, v: Any) -> Any:
    """Stop at a closed bound; an open bound leaves the value where it was (the caller shows why)."""
    if param.low is not None and v < param.low:
        v = param.low if not param.low_open else v
    if param.high is not None and v > param.high:
        v = param.high if not param.high_open else v
    return int(v) if param.kind == "int" else v


def nudge(run: Prepared, field: Field, direction: int, fine: bool = False) -> Prepared:
    """The run with ``field`` stepped up or down (see :func:`nudge_value`)."""
    param = _RUN[field.param.name] if field.section == "run" else field.param
    return set_value(run, field, nudge_value(param, value(run, field), direction, fine))
