"""Side by side: a short description of each run and the numbers its scoreboard row shows.

The scoreboard of a comparison gives, per run: final and best loss, the first epoch whose loss is at or
below a target (``epochs to target``), the epoch it diverged at, the Robbins-Monro sums Σlr and Σlr² over
the run, and the peak and final lr. No Textual here: the app and the tests read the same :class:`Score`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lrtui.params import Param, format_value
from lrtui.simulate import RunConfig, Trace

MAX_PINNED = 6
"""At most this many runs are pinned beside the current one."""

TARGET = Param("target_loss", "float", None,
               "the loss the scoreboard's 'to target' column counts epochs to (none: 1% of the current run's "
               "starting loss)", 0.0, None, log=True, optional=True)

SHARED_FIELDS = ("problem", "problem_params", "seed", "steps_per_epoch")
"""What pinned runs share with the current run: a change to one of these re-runs them all."""


def describe(config: RunConfig, *, defaults: RunConfig | None = None) -> str:
    """A run in a few words: the schedule and the parameters set on it, the optimizer where it is not
    plain SGD (and anything else that differs from ``defaults``, such as the epochs).

    >>> describe(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100, "warmup": 5}}))
    'cosine lr=0.1 T_max=100 +warmup 5'
    >>> describe(RunConfig(schedule={"name": "constant", "params": {}}, optimizer="momentum",
    ...                    optimizer_params={"momentum": 0.5}))
    'constant, momentum=0.5'
    >>> describe(RunConfig(optimizer="adam", optimizer_params={"beta2": 0.98}))
    'constant, adam beta2=0.98'
    """
    params = dict(config.schedule.get("params", {}))
    warmup = params.pop("warmup", 0)
    start = params.pop("warmup_start_factor", None)
    words = [config.schedule["name"]] + [f"{k}={_short(v)}" for k, v in params.items()]
    if warmup:
        words.append(f"+warmup {warmup}" + (f" from {_short(start)}" if start else ""))
    text = " ".join(words)
    optimizer = [f"{k}={_short(v)}" for k, v in config.optimizer_params.items()]
    if list(config.optimizer_params) != [config.optimizer]:  # "momentum=0.5" says the optimizer too
        optimizer.insert(0, config.optimizer)
    if optimizer != ["sgd"]:
        text += ", " + " ".join(optimizer)
    if defaults is not None and config.epochs != defaults.epochs:
        text += f", {config.epochs} epochs"
    return text


def distinguish(descriptions: list[str]) -> list[str]:
    """Descriptions of runs side by side without the words all of them share (the schedule's name when
    every run has it): what tells them apart comes first and survives a narrow column.

    >>> distinguish(["constant lr=0.6, momentum=0.5", "constant lr=0.6, momentum=0.25", "constant lr=0.4"])
    ['lr=0.6, momentum=0.5', 'lr=0.6, momentum=0.25', 'lr=0.4']
    """
    if len(descriptions) < 2:
        return descriptions
    split = [d.replace(",", " ,").split() for d in descriptions]
    shared = set.intersection(*(set(words) for words in split)) - {","}
    out = []
    for words in split:
        kept = [w for w in words if w not in shared]
        text = " ".join(kept).replace(" ,", ",").strip(", ").replace(",,", ",")
        out.append(text or "(the same)")
    return out


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):  # a nested spec (sequential members)
        return v.get("name", "?")
    if isinstance(v, (list, tuple)) and v and isinstance(v[0], dict):
        return "[" + ",".join(_short(m) for m in v) + "]"
    return format_value(v)


@dataclass(frozen=True)
class Score:
    """One run's row of the scoreboard. Losses are None when the run had none to give (diverged at 0)."""

    final_loss: float | None
    best_loss: float | None
    epochs_to_target: int | None
    diverged_at: int | None
    sum_lr: float
    sum_lr2: float
    peak_lr: float
    final_lr: float


def score(trace: Trace, target: float) -> Score:
    """The scoreboard numbers of a trace.

    ``loss[t]`` is the loss at the start of epoch t and ``final_loss`` after the last one, so "epochs to
    target" is the first t with ``loss[t] <= target`` (``len`` when only the final loss reaches it).
    Σlr and Σlr² sum the lr over the epochs the run took: up to the divergence, whose loss[d] came from
    the update at lr[d - 1] (``diverged_at == epochs``: the last update blew up, all of the run counts).
    """
    losses = np.append(trace.loss, trace.final_loss)
    finite = np.isfinite(losses)
    reached = np.flatnonzero(finite & (losses <= target))
    lr = np.nan_to_num(trace.lr[: trace.diverged_at])  # loss[d] blew up: lr[d] was never applied
    final = float(trace.final_loss) if np.isfinite(trace.final_loss) else None
    return Score(
        final_loss=final,
        best_loss=float(losses[finite].min()) if finite.any() else None,
        epochs_to_target=int(reached[0]) if len(reached) else None,
        diverged_at=trace.diverged_at,
        sum_lr=float(lr.sum()),
        sum_lr2=float((lr * lr).sum()),
        peak_lr=float(lr.max()) if len(lr) else 0.0,
        final_lr=float(lr[-1]) if len(lr) else 0.0,
    )


def default_target(trace: Trace) -> float:
    """1% of the run's starting loss: what "to target" counts to when no target is set."""
    start = float(trace.loss[0]) if np.isfinite(trace.loss[0]) else 1.0
    return abs(start) * 0.01


def follow(pinned: RunConfig, current: RunConfig) -> RunConfig:
    """A pinned run moved onto the current run's problem and seed (:data:`SHARED_FIELDS`)."""
    return replace(pinned, **{name: getattr(current, name) for name in SHARED_FIELDS})
