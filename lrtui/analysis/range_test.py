"""The learning-rate range test (fastai's lr_find; Smith 2017): grow the lr exponentially, one step at a
time, watch the loss, stop when it blows up, and read off suggestions.

A step is one epoch of the simulator (one optimizer step on an analytic problem, one pass over the data
on a data problem); ``loss[i]`` is the loss after the step taken with ``lr[i]``. The loss is smoothed as
fastai does (an exponential moving average, beta 0.98, bias corrected); the test stops at the first step
whose smoothed loss exceeds 4x the best so far, or when the simulator calls the run diverged.
Suggestions, from the steps before the stop:

- ``minimum/10``: a tenth of the lr at the lowest loss;
- ``steepest``: the lr where the loss falls fastest (the most negative slope of log loss against log lr);
- ``valley``: fastai's: the longest stretch of falling smoothed loss, read two thirds of the way down it.

With these conventions T8's numbers come out: on f = (10 x1^2 + x2^2 + 0.1 x3^2)/2, 100 steps from 1e-4 to
10, the loss is lowest at 0.87, the test stops at 1.38, minimum/10 is 0.087 and steepest 0.135, while
the stable limit is 0.2.

Each can mislead (:func:`misleading` says which do on a given test): ``minimum/10`` and ``steepest`` where they
land above the stable limit (a short test can still lower the loss for a few steps at an lr that diverges in a
longer run); ``valley`` where the loss is flat at the start of the sweep: a loss that creeps down from the first
step makes the flat start part of the longest falling stretch, and the pick lands in it (0.00076 on the
quadratic, where the other picks are 0.19 and 0.89 and the limit 2).

``stable_limit`` is the largest stable lr at the start, c / lambda_max (c = 2 for SGD, 2(1 + mu) with
heavy-ball momentum), where the curvature is known; None otherwise. On T8's quadratic the minimum lands
about 4x above it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lrtui.params import ConfigError, Param, coerce
from lrtui.sim.engine import Progress, simulate_with_lrs
from lrtui.sim.config import RunConfig, prepare

STEPS = Param("steps", "int", 100, "steps of the range test", 10, 10_000)
LR_MIN = Param("lr_min", "float", 1e-7, "first lr", 1e-12, 1e6, log=True)
LR_MAX = Param("lr_max", "float", 10.0, "last lr", 1e-12, 1e6, log=True)
SMOOTHING = 0.98
STOP_FACTOR = 4.0
FLAT = 0.1
"""A pick is in the flat start where the smoothed loss there has fallen less than this share of the way from the
first step's to the lowest."""


@dataclass(frozen=True)
class RangeTest:
    lr: np.ndarray  # per step, up to the stop
    loss: np.ndarray
    smoothed: np.ndarray
    stopped_at: int | None  # the step the test stopped at (None: it ran to lr_max)
    suggestions: dict[str, float]
    stable_limit: float | None


def smooth(loss: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """fastai's bias-corrected exponential moving average."""
    out = np.empty_like(loss)
    avg = 0.0
    for i, value in enumerate(loss):
        avg = beta * avg + (1 - beta) * value
        out[i] = avg / (1 - beta ** (i + 1))
    return out


def valley(lrs: np.ndarray, losses: np.ndarray) -> float:
    """fastai's valley: the longest decreasing subsequence of the loss, two thirds of the way along.

    fastai's double loop, with the inner loop over earlier steps done by numpy (10,000 steps, the most
    ``--steps`` allows, take 0.1 s instead of 3 s): ``longer[j]`` is the run ending at j extended by i.
    The longest run so far moves to i at the first j that makes i's run longer than it, with its start
    counted from that j's run, as fastai's loop updates it.
    """
    losses = np.asarray(losses, dtype=np.float64)
    lds = np.ones(len(losses), dtype=np.int64)
    max_start = max_end = 0
    for i in range(1, len(losses)):
        longer = np.where(losses[i] < losses[:i], lds[:i] + 1, 0)
        lds[i] = max(1, int(longer.max()))
        beyond = np.nonzero(longer > lds[max_end])[0]
        if beyond.size:
            max_end, max_start = i, i - int(longer[beyond[0]])
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])


def range_test(config: RunConfig, steps: int = 100, lr_min: float = 1e-7, lr_max: float = 10.0,
               progress: Progress | None = None) -> RangeTest:
    """Run the test on ``config``'s problem and optimizer (its schedule is replaced by the lr ramp);
    ``progress`` is told how far it got (see :func:`~lrtui.sim.engine.simulate`)."""
    steps, lr_min, lr_max = coerce(STEPS, steps), coerce(LR_MIN, lr_min), coerce(LR_MAX, lr_max)
    if not lr_min < lr_max:
        raise ConfigError(f"lr_min={lr_min!r} is not below lr_max={lr_max!r}: allowed lr_min < lr_max")
    config = replace(config, schedule={"name": "constant", "params": {"lr": lr_min}}, epochs=steps)
    prepared = prepare(config)
    lrs = np.geomspace(lr_min, lr_max, steps)
    trace = simulate_with_lrs(prepared, lrs, progress)
    after = np.r_[trace.loss[1:], trace.final_loss]  # the loss each step left behind
    end = steps if trace.diverged_at is None else max(trace.diverged_at - 1, 0)
    loss = after[:end]
    smoothed = smooth(loss)
    best = np.minimum.accumulate(smoothed)
    blown = np.nonzero(~(smoothed <= STOP_FACTOR * best))[0]
    stop = int(blown[0]) if blown.size else (end if trace.diverged_at is not None else None)
    keep = slice(0, stop if stop is not None else steps)
    lr, loss, smoothed = lrs[keep], loss[keep], smoothed[keep]
    suggestions = {}
    if len(lr) >= 3 and np.all(loss > 0):
        suggestions["minimum/10"] = float(lr[int(np.argmin(loss))] / 10)
        slope = np.gradient(np.log(loss), np.log(lr))
        suggestions["steepest"] = float(lr[int(np.argmin(slope))])
        suggestions["valley"] = valley(lr, smoothed)
    bound = trace.stability_bound[0]
    return RangeTest(lr=lr, loss=loss, smoothed=smoothed, stopped_at=stop, suggestions=suggestions,
                     stable_limit=float(bound) if np.isfinite(bound) else None)


def misleading(result: RangeTest) -> dict[str, str]:
    """The picks of ``result`` that mislead on it, by name, each with why in a few words: "flat start" (the
    smoothed loss at the pick has fallen less than :data:`FLAT` of the way to its lowest: the valley on a loss
    that creeps down from the first step) or "above the limit" (the stable limit, where it is known).

    >>> lr = np.geomspace(1e-4, 1, 5)
    >>> loss = np.array([1.0, 0.999, 0.5, 0.1, 0.2])
    >>> test = RangeTest(lr, loss, loss, None, {"steepest": 0.1, "valley": 1e-3}, stable_limit=0.05)
    >>> misleading(test)
    {'steepest': 'above the limit', 'valley': 'flat start'}
    """
    found = {}
    smoothed = result.smoothed
    fall = smoothed[0] - np.min(smoothed) if len(smoothed) else 0.0
    for name, lr in result.suggestions.items():
        if result.stable_limit is not None and lr > result.stable_limit:
            found[name] = "above the limit"
        elif fall > 0 and smoothed[0] - smoothed[int(np.argmin(np.abs(np.log(result.lr / lr))))] < FLAT * fall:
            found[name] = "flat start"
    return found
