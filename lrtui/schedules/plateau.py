"""Reduce the lr when the loss stops improving (torch ReduceLROnPlateau, its 2.13.0 semantics exactly).

    better = metric < best * (1 - threshold)   (mode min, rel)
             metric < best - threshold         (min, abs)
             metric > best * (1 + threshold)   (max, rel)
             metric > best + threshold         (max, abs);   a NaN metric is never better
    if better: best = metric; num_bad = 0   else: num_bad += 1
    if cooldown_counter > 0: cooldown_counter -= 1; num_bad = 0
    if num_bad > patience:  new = max(lr * factor, min_lr); lr = new if lr - new > eps;
        cooldown_counter = cooldown; num_bad = 0

lr[t] is the lr in force during epoch t; the metric of epoch t decides lr[t + 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param
from lrtui.schedules.registry import LR, ScheduleDef, register_def

PLATEAU_PARAMS = (
    LR,
    Param("mode", "choice", "min", "min: lower metric is better; max: higher is better", choices=("min", "max")),
    Param("factor", "float", 0.1, "lr multiplier at each reduction", low=0.0, high=1.0, low_open=True, high_open=True),
    Param("patience", "int", 10, "bad epochs tolerated before reducing", 0, MAX_EPOCHS),
    Param("threshold", "float", 1e-4, "minimal improvement that counts", 0.0, 1e6),
    Param("threshold_mode", "choice", "rel", "rel: relative to best; abs: absolute", choices=("rel", "abs")),
    Param("cooldown", "int", 0, "epochs to wait after a reduction before counting again", 0, MAX_EPOCHS),
    Param("min_lr", "float", 0.0, "the lr never goes below this", 0.0, 1e6),
    Param("eps", "float", 1e-8, "reductions smaller than this are skipped", 0.0, 1.0),
)


@dataclass(frozen=True)
class PlateauState:
    """The state between epochs: lr in force, best metric so far, bad-epoch and cooldown counters."""

    lr: np.ndarray
    best: np.ndarray
    num_bad_epochs: np.ndarray
    cooldown_counter: np.ndarray


@dataclass(frozen=True)
class Plateau:
    """Validated ReduceLROnPlateau settings; ``init`` and ``update`` are pure functions of the state.

    :meth:`init`, then :meth:`update` with each metric. The state is a frozen :class:`PlateauState` of
    numpy arrays, so one update serves one run or many runs at once (the simulator drives several runs
    together)."""

    params: dict[str, Any]
    name: str = "plateau"

    @property
    def spec(self) -> dict[str, Any]:
        return {"name": "plateau", "params": dict(self.params)}

    def init(self, runs: int | None = None) -> PlateauState:
        """The state before the first epoch; ``runs`` gives one state per run (arrays of that length)."""
        shape = () if runs is None else (runs,)
        worst = np.inf if self.params["mode"] == "min" else -np.inf
        return PlateauState(
            lr=np.full(shape, self.params["lr"], dtype=np.float64),
            best=np.full(shape, worst),
            num_bad_epochs=np.zeros(shape, dtype=np.int64),
            cooldown_counter=np.zeros(shape, dtype=np.int64),
        )

    def update(self, state: PlateauState, metric: Any) -> PlateauState:
        """The state after an epoch whose metric (loss) was ``metric``."""
        p = self.params
        m = np.asarray(metric, dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            if p["mode"] == "min":
                target = (state.best * (1 - p["threshold"]) if p["threshold_mode"] == "rel"
                          else state.best - p["threshold"])
                better = m < target
            else:
                target = (state.best * (p["threshold"] + 1) if p["threshold_mode"] == "rel"
                          else state.best + p["threshold"])
                better = m > target
        best = np.where(better, m, state.best)
        bad = np.where(better, 0, state.num_bad_epochs + 1)
        cooling = state.cooldown_counter > 0
        cooldown_counter = np.where(cooling, state.cooldown_counter - 1, state.cooldown_counter)
        bad = np.where(cooling, 0, bad)
        reduce = bad > p["patience"]
        new_lr = np.maximum(state.lr * p["factor"], p["min_lr"])
        lr = np.where(reduce & (state.lr - new_lr > p["eps"]), new_lr, state.lr)
        return PlateauState(
            lr=lr,
            best=best,
            num_bad_epochs=np.where(reduce, 0, bad),
            cooldown_counter=np.where(reduce, p["cooldown"], cooldown_counter),
        )

    def lrs(self, metrics: Any) -> np.ndarray:
        """The lr in force at each epoch when epoch t's metric is ``metrics[t]`` (lr[0] is the base lr)."""
        state = self.init()
        out = []
        for metric in np.asarray(metrics, dtype=np.float64):
            out.append(float(state.lr))
            state = self.update(state, metric)
        return np.asarray(out, dtype=np.float64)

    def __call__(self, epochs: Any) -> np.ndarray:
        raise ConfigError("plateau follows the loss, not the epoch: drive it with a metric (lrtui simulate)")


def _build_plateau(params: dict[str, Any], prefix: str) -> Any:
    return Plateau(params)


register_def(
    ScheduleDef(
        name="plateau",
        family="metric",
        params=PLATEAU_PARAMS,
        formula=None,
        summary="Reduce the lr by factor when the loss stops improving (torch ReduceLROnPlateau).",
        doc=(__doc__ or "").strip(),
        build=_build_plateau,
    )
)
