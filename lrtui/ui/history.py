"""Undo and redo of the run's settings (ctrl+z, ctrl+y): every change the form or the map makes to the run, its
target loss or its smoothing is recorded with the settings it replaced. Textual-free: the App hands it the
settings before each change and sets what it gives back."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Generic, TypeVar

from lrtui.sim.config import Prepared

DEPTH = 200
"""The most changes kept to take back (a key held down steps the lr hundreds of times: the oldest go)."""

T = TypeVar("T")


class History(Generic[T]):
    """The settings before each change (``past``, newest last) and those undone (``future``, newest last)."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth
        self.past: list[T] = []
        self.future: list[T] = []

    def changed(self, before: T) -> None:
        """A change was made from ``before``: it can be taken back; what was undone can no longer be redone."""
        self.past.append(before)
        del self.past[: -self.depth]
        self.future.clear()

    def undo(self, now: T) -> T | None:
        """The settings before the last change (None: nothing to take back); ``now`` can be redone."""
        if not self.past:
            return None
        self.future.append(now)
        return self.past.pop()

    def redo(self, now: T) -> T | None:
        """The settings the last undo took back (None: nothing undone); ``now`` can be undone again."""
        if not self.future:
            return None
        self.past.append(now)
        return self.future.pop()


def describe_change(before: Prepared, after: Prepared, most: int = 3) -> str:
    """The values ``after`` uses that ``before`` does not, as ``lr=0.1, optimizer.momentum=0.9`` (defaults
    filled in), at most ``most`` of them and ``...``."""
    old, new = _flat(before), _flat(after)
    words = [f"{key}={_shown(value)}" for key, value in new.items() if old.get(key, _MISSING) != value]
    return ", ".join(words[:most]) + (", ..." if len(words) > most else "")


_MISSING = object()


def _flat(run: Prepared) -> dict[str, Any]:
    config = run.config
    out: dict[str, Any] = {"schedule": config.schedule.get("name"), **run.schedule.params,
                           "problem": config.problem, **{f"problem.{k}": v for k, v in run.problem_params.items()},
                           "optimizer": config.optimizer,
                           **{f"optimizer.{k}": v for k, v in run.optimizer_params.items()}}
    for field in fields(config):
        if field.name not in out and not field.name.endswith("_params") and field.name != "schedule":
            out[field.name] = getattr(config, field.name)
    return out


def _shown(value: Any) -> str:
    """As the form shows it: 0.1, 20, none."""
    return "none" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
