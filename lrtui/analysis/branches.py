"""WSD's branches: the stable phase is one long run, and the decay can start from any point of it.

Warmup-stable-decay keeps the lr at its peak and decays only at the end, so a checkpoint of the stable
phase can be "branched": decayed over the same D epochs from step k, for several k, to see what a shorter
run would have reached without training it from scratch (MiniCPM, Hu et al. 2024; the river-valley view,
Wen et al. 2024: the loss stays high while the lr is large, and drops as soon as the decay starts).

For a wsd run of W warmup, D decay and T epochs in all, :func:`branches` gives the trunk (the same run
without its decay: the stable phase all the way to T) and the branches that start their decay at
k = W + i (T - D - W) / n for i = 1 .. n, the last being the run itself; branch k runs k + D epochs. All
share the seed, so each branch follows the trunk exactly up to its k.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lrtui.params import ConfigError
from lrtui.sim.config import Prepared, RunConfig


@dataclass(frozen=True)
class Branches:
    trunk: RunConfig
    starts: tuple[int, ...]  # the epoch each branch's decay starts at
    runs: tuple[RunConfig, ...]  # one per start


def branches(prepared: Prepared, count: int = 4) -> Branches:
    """The trunk and ``count`` branches of a validated wsd run (ConfigError for any other schedule)."""
    schedule = prepared.schedule
    if schedule.name != "wsd":
        raise ConfigError(f"the branch view is for wsd (warmup-stable-decay): {schedule.name} has no stable "
                          "phase to branch from; allowed schedule=wsd")
    p = schedule.params
    warmup, decay = p["num_warmup_steps"], p["num_decay_steps"]
    total = p["num_training_steps"] if p["num_stable_steps"] is None else warmup + p["num_stable_steps"] + decay
    if total > prepared.epochs:
        raise ConfigError(f"num_training_steps={total} is longer than the run ({prepared.epochs} epochs): allowed a "
                          "wsd that ends within the run")
    config = prepared.config
    spec = {"name": "wsd", "params": {**config.schedule.get("params", {}), "num_stable_steps": None}}
    last = total - decay
    starts = sorted({round(warmup + i * (last - warmup) / count) for i in range(1, count + 1)})
    runs = tuple(replace(config, schedule={"name": "wsd",
                                           "params": {**spec["params"], "num_training_steps": k + decay}},
                         epochs=k + decay) for k in starts)
    trunk = replace(config, schedule={"name": "wsd", "params": {**spec["params"], "num_decay_steps": 0,
                                                                "num_training_steps": total}}, epochs=total)
    return Branches(trunk, tuple(starts), runs)


def end_loss(loss: np.ndarray, final: float, window: int) -> float:
    """A run's loss at its end, the mean of its last ``window`` values and the final one (one noisy
    step says little)."""
    tail = np.append(np.asarray(loss, dtype=np.float64)[-window:], final)
    return float(np.mean(tail))
