"""The :class:`Preset` type and the helpers the teaching scenarios and the recipes are written with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lrtui.sim.config import RunConfig, prepare

MAX_RUNS = 6
"""A preset opens at most this many runs: its config and five pinned."""


@dataclass(frozen=True)
class Preset:
    """A named run with the runs it is compared with; see the module docstring for ``meta``."""

    name: str
    title: str
    kind: str  # "teaching" or "recipe"
    config: RunConfig
    pinned: tuple[RunConfig, ...] = ()
    note: str = ""
    meta: dict = field(default_factory=dict)

    def scaled(self, epochs: int) -> "Preset":
        """The same preset over ``epochs`` epochs: every length in its schedules (T_max, warmups,
        milestones, num_training_steps...) scaled by the same factor and rounded, so the shape stays the
        recipe's. ConfigError when the scaled runs are not valid (a phase rounds to nothing).

        >>> from lrtui.presets import find
        >>> find("R6").scaled(600).config.schedule["params"]["milestones"]
        [520]
        """
        factor = epochs / self.config.epochs
        runs = tuple(replace(c, schedule=scaled_spec(c.schedule, factor), epochs=epochs)
                     for c in (self.config, *self.pinned))
        for run in runs:
            prepare(run)
        return replace(self, config=runs[0], pinned=runs[1:])

    @property
    def short(self) -> str:
        """The id before the first dash ("T1", "R2a"): what a user types."""
        return self.name.split("-", 1)[0]


def scaled_spec(spec: dict[str, Any], factor: float) -> dict[str, Any]:
    """A schedule spec with its lengths (lrtui.sim.units.EPOCH_COUNTS) multiplied by ``factor``, nested
    members too; a length of at least 1 stays at least 1."""
    from lrtui.sim.units import EPOCH_COUNTS

    def one(value: Any) -> Any:
        return max(round(value * factor), 1 if value >= 1 else 0)

    params = {}
    for key, value in spec.get("params", {}).items():
        if key == "schedulers":
            value = [scaled_spec(member, factor) for member in value]
        elif key in EPOCH_COUNTS and isinstance(value, (list, tuple)):
            value = [one(v) for v in value]
        elif key in EPOCH_COUNTS and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = one(value)
        params[key] = value
    return {"name": spec["name"], "params": params}


def S(name: str, **params: Any) -> dict[str, Any]:
    """A schedule spec."""
    return {"name": name, "params": params}


def with_changes(config: RunConfig, schedule: dict[str, Any] | None = None, **changes: Any) -> RunConfig:
    """``config`` with another schedule (and other fields)."""
    if schedule is not None:
        changes["schedule"] = schedule
    return replace(config, **changes)


def one_per_schedule(config: RunConfig, *schedules: dict[str, Any]) -> tuple[RunConfig, ...]:
    """``config`` once per schedule."""
    return tuple(with_changes(config, s) for s in schedules)


def noam_lr(d_model: int, warmup: int) -> float:
    """The Transformer's peak, d_model^-0.5 warmup^-0.5: inverse_sqrt's lr for lr(t) = d^-0.5 min(t^-0.5, t W^-1.5)."""
    return d_model**-0.5 * warmup**-0.5
