"""What a run did, in one word and an epoch: the verdict the status line, the scoreboard and
``lrtui simulate --format json`` report.

In order of precedence:

- ``diverged``: the loss blew up (non-finite, or 1e6 x the start) at ``epoch``;
- ``diverging``: the loss grows by a steady factor an epoch (``factor``, over the run's last stretch) but
  has not blown up yet: T1 at lr = 2.01 (x1.0201 an epoch, zig-zagging), long before the 1e6 limit;
- ``oscillating``: the parameters still jump back and forth across the minimum at the end, by steps that
  neither grow nor shrink (``factor`` within 1e-4 of 1: period 2, the edge of stability: T1 at lr = 2/L,
  T12 at 2e-3): ``epoch`` is when the back-and-forth began;
- ``converging``: the same back-and-forth, shrinking by ``factor`` an epoch, too slowly to have reached the
  minimum in the run (T1 at lr = 1.9: x0.81 an epoch);
- ``catapult``: the loss spiked (above twice its level one step in) and the run then settled where the
  sharpness is lower than before the spike (Lewkowycz et al. 2020; T6): ``epoch`` is the spike's peak;
- ``converged``: the loss came within ``tol`` (relative to the start) of the problem's minimum, or the
  run came to rest in another minimum (gradient within ``tol`` of its start), and stayed: ``epoch`` is when;
- ``noise_floor``: gradient noise holds the loss at a floor it no longer leaves (T3; lr sigma^2 /
  (2 (2 - lr lambda)) on a quadratic): ``epoch`` is when the loss first reached the floor's level;
- ``stalled``: the lr ran out before the loss did: its sum converges (to ``limit``, the Robbins-Monro
  lesson) and the loss froze above the minimum (T4's 0.1 x 0.95^t: Σlr -> 2, frozen at 0.21): ``epoch`` is
  when the lr ran out (see :func:`_stalled` for the conditions);
- ``running``: none of these yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtui.analysis.smoothing import trailing_mean
from lrtui.sim.config import FINAL_WINDOW, Prepared, Trace, prepare

KINDS = ("converged", "converging", "oscillating", "diverging", "diverged", "noise_floor", "catapult", "stalled",
         "running")
TOLERANCE = 1e-6
NEUTRAL = 1e-4
"""A loss whose factor an epoch is within this of 1 neither grows nor shrinks (lr = 2/L on a quadratic: 1
exactly); 1.99 and 2.01 are 2e-2 away."""
FLOOR_BAND = 3.0
"""One noisy run's loss is at the predicted noise floor within this factor either way (above it: not at it)."""
SPENT = 0.99
"""The lr has run out once this fraction of its sum's limit is spent (the rest is under 1%)."""
FROZEN = 0.01
"""A loss is frozen when it moves by less than this fraction of its height above the minimum."""


@dataclass(frozen=True)
class Verdict:
    kind: str
    epoch: int | None
    factor: float | None = None  # the loss's factor an epoch at the end (converging, oscillating, diverging)
    limit: float | None = None  # where the sum of the lr goes (stalled): the run's sum plus its geometric tail

    def describe(self, ascii: bool = False) -> str:
        """For people: "converged at epoch 23", "oscillating from epoch 3", "diverging: loss x1.02/epoch",
        "stalled: lr decayed too fast (Σlr → 2.0)" ("sum lr -> 2.0" with ``ascii``)."""
        rate = f"loss x{per_epoch(self.factor)}/epoch" if self.factor is not None else ""
        if self.kind == "stalled" and self.limit is not None:
            return f"stalled: lr decayed too fast ({_sum_to(self.limit, ascii, ' ')})"
        if self.kind == "converging":
            return f"converging, oscillating: {rate}"
        if self.kind == "diverging":
            return f"diverging: {rate}"
        if self.epoch is None:
            return self.kind.replace("_", " ")
        word = "from" if self.kind in ("oscillating", "noise_floor") else "at"
        return f"{self.kind.replace('_', ' ')} {word} epoch {self.epoch}"


    def brief(self, ascii: bool = False) -> str:
        """For a column: "converging x0.980", "diverging x1.020", "converged at 23", "oscillating",
        "stalled Σlr→2.0" ("stalled sum lr->2.0" with ``ascii``)."""
        if self.kind == "stalled" and self.limit is not None:
            return f"stalled {_sum_to(self.limit, ascii, '')}"
        if self.kind in ("converging", "diverging") and self.factor is not None:
            return f"{self.kind} x{per_epoch(self.factor)}"
        if self.kind in ("oscillating", "noise_floor", "running", "diverged") or self.epoch is None:
            return self.kind.replace("_", " ")  # (the diverged column has its epoch)
        return f"{self.kind} at {self.epoch}"


def _sum_to(limit: float, ascii: bool, space: str) -> str:
    """Σlr → 2.0, 10.0, 0.2, 0.013: one decimal from 1 up, two significant digits below."""
    value = f"{limit:.1f}" if limit >= 1 else f"{limit:.2g}"
    sigma, arrow = ("sum lr", "->") if ascii else ("Σlr", "→")
    return f"{sigma}{space}{arrow}{space}{value}"


def per_epoch(factor: float) -> str:
    """A factor with enough decimals to tell it from 1: 0.98, 1.020, 1.0002, 1."""
    gap = abs(factor - 1)
    if gap == 0 or not np.isfinite(gap):
        return f"{factor:.3g}"
    return f"{factor:.{max(2, 1 - int(np.floor(np.log10(gap))))}f}"


def judge(trace: Trace, prepared: Prepared | None = None) -> Verdict:
    """The verdict of a trace, with its problem's minimum and noise taken from its configuration
    (``prepared``, the validated configuration, when the caller has it)."""
    prepared = prepared or prepare(trace.config)
    noisy = prepared.problem.kind == "analytic" and prepared.problem_params.get("noise", 0) > 0
    floor = prepared.problem.noise_floor(prepared.problem_params, trace.lr[-1:]) if noisy else None
    return verdict(trace, prepared.problem.minimum, noisy, predicted_floor=None if floor is None else float(floor[0]))


def verdict(trace: Trace, minimum: float | None = None, noisy: bool = False, tol: float = TOLERANCE,
            predicted_floor: float | None = None) -> Verdict:
    """The run's verdict. ``minimum`` is the problem's lowest loss where known (0 for most teaching
    problems); ``noisy`` says the gradients carry noise (a floor is then expected, not convergence);
    ``predicted_floor`` is the floor theory gives for the final lr, where it is known."""
    if trace.diverged_at is not None:
        return Verdict("diverged", trace.diverged_at)
    swinging = _oscillating(trace)
    if swinging is not None and swinging.kind == "converging":
        swinging = _converged(trace, minimum, tol) or swinging  # a shrinking zig-zag that got there converged
    for check in (lambda t: swinging, lambda t: _growing(t, minimum) if not noisy else None,
                  lambda t: _catapult(t, minimum), lambda t: _converged(t, minimum, tol),
                  lambda t: _noise_floor(t, predicted_floor) if noisy else None,
                  lambda t: _stalled(t, minimum, noisy, tol, predicted_floor)):
        found = check(trace)
        if found is not None:
            return found
    return Verdict("running", None)


def growth(values: np.ndarray) -> float | None:
    """The factor an epoch of positive ``values`` (a least-squares line through their logarithm); None
    where one is zero or not finite."""
    if len(values) < 3 or not np.all(np.isfinite(values)) or not np.all(values > 0):
        return None
    return float(np.exp(np.polyfit(np.arange(len(values), dtype=np.float64), np.log(values), 1)[0]))


def _growing(trace: Trace, minimum: float | None) -> Verdict | None:
    """The loss grows steadily without zig-zagging (it doubled over the last quarter, at a steady factor)."""
    stretch = min(max(len(trace.loss) // 4, 6), len(trace.loss))
    factor = growth(trace.loss[-stretch:] - (minimum if minimum is not None else 0.0))
    if factor is None or factor <= 1 + NEUTRAL or not trace.loss[-1] > 2 * trace.loss[-stretch]:
        return None
    return Verdict("diverging", None, factor)


def _catapult(trace: Trace, minimum: float | None) -> Verdict | None:
    loss, sharp = trace.loss, trace.sharpness
    if len(loss) < 4 or not np.isfinite(sharp).any():
        return None
    floor = minimum if minimum is not None else float(np.nanmin(loss))
    gap = loss - floor  # heights above the minimum: a spike doubles the height one step in
    peak = int(np.argmax(gap[1:])) + 1
    if not gap[peak] > 2 * gap[1] or peak >= len(loss) - 2:
        return None
    before = float(np.nanmax(sharp[: peak + 1]))
    settled = float(sharp[-1])
    late = loss[-max(3, len(loss) // 10):]
    bound = trace.stability_bound[-1]
    stable_now = not np.isfinite(bound) or trace.lr[-1] < bound  # it landed where its lr is stable
    if (np.isfinite(settled) and settled < 0.8 * before and np.all(np.isfinite(late)) and late[-1] < loss[peak]
            and stable_now):
        return Verdict("catapult", peak)
    return None


def _converged(trace: Trace, minimum: float | None, tol: float) -> Verdict | None:
    """At the minimum (the loss within tol of it), or at rest in another one (a local minimum: the
    gradient within tol of its start, the loss no longer moving)."""
    gap = np.abs(trace.loss - (minimum if minimum is not None else 0.0))
    start = gap[0] if gap[0] != 0 else 1.0
    at_minimum = gap <= tol * start
    grad = trace.grad_norm
    at_rest = grad <= tol * (grad[0] if grad[0] > 0 else 1.0)
    done = at_minimum | at_rest
    final_gap = abs(trace.final_loss - (minimum or 0.0))
    if not (done[-1] and np.isfinite(trace.final_loss) and (final_gap <= tol * start or at_rest[-1])):
        return None
    not_done = np.nonzero(~done)[0]
    return Verdict("converged", int(not_done[-1]) + 1 if not_done.size else 0)


def _noise_floor(trace: Trace, predicted: float | None) -> Verdict | None:
    """The last quarter of the run hovers at one level: the predicted floor (within FLOOR_BAND = 3 either way,
    for one noisy run) where theory gives it, else the level of the quarter before."""
    loss = trace.loss
    n = len(loss)
    if n < 20 or not np.ptp(loss[np.isfinite(loss)]) > 0:
        return None  # a loss that never moves (lr 0) is stuck, not at a floor the noise holds it at
    tail = float(np.mean(loss[-max(2, n // 4):]))
    if predicted is not None and np.isfinite(predicted):
        if not (predicted / FLOOR_BAND <= tail <= FLOOR_BAND * predicted):
            return None
    else:
        earlier = float(np.mean(loss[n // 2: 3 * n // 4]))
        if not (tail > 0 and abs(earlier - tail) < 0.5 * tail):
            return None
    window = max(1, n // 50)
    smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
    reached = np.nonzero(smooth <= 1.5 * tail)[0]
    return Verdict("noise_floor", int(reached[0]) if reached.size else None)


def _stalled(trace: Trace, minimum: float | None, noisy: bool, tol: float,
             predicted: float | None) -> Verdict | None:
    """The lr ran out before the loss did (Robbins-Monro: an lr whose sum converges stops short). All of:

    - the lr's sum converges: to ``limit``, the run's sum plus a geometric tail lr[-1] r / (1 - r), with r the
      last ratio lr[-1] / lr[-2] (r >= 1, a constant or a step, never runs out; nor does an lr that was 0
      throughout, which never ran);
    - it ran out early: SPENT (99%) of the limit was spent before the last quarter of the run began (T4's
      0.1 x 0.95^t by epoch 90 of 2000; 0.1 x 0.95^t over only 100 epochs not until epoch 90, so not there).
      A schedule that ends by design at the run's end spends its last 1% inside the last quarter (cosine to
      0 from 82% of the run on, linear to 0 from 90%, WSD's decay later), and 1/(10 + t), whose sum diverges,
      has a tail (lr / (1 - r) ~ 1) far above 1% of its 5.35;
    - the loss is frozen: over the last quarter it moves by less than FROZEN (1%) of its height above the
      minimum (on a trailing mean over 2% of the run where the gradients are noisy): a loss still moving is
      progress, however slow;
    - it froze short of the minimum: its height is above ``tol`` of the start's, and on a noisy problem above
      FLOOR_BAND x the floor the final lr predicts (``predicted``; a converged run or one at its floor is
      judged before this check, so this only keeps the two apart).

    ``epoch`` is when the lr ran out: from it on, the lr adds up to under 1% of the limit."""
    loss, lr = trace.loss, np.nan_to_num(trace.lr)
    n = len(loss)
    if n < 8 or not np.all(np.isfinite(loss)) or lr[-1] < 0:
        return None
    if lr[-2] > 0:
        ratio = lr[-1] / lr[-2]
    else:
        ratio = 0.0 if lr[-1] == 0 else np.inf
    if not ratio < 1:
        return None
    sums = np.cumsum(lr)
    limit = float(sums[-1] + lr[-1] * ratio / (1 - ratio))
    stretch = max(n // 4, 2)
    spent = np.flatnonzero(sums >= SPENT * limit)
    if not limit > 0 or not spent.size or spent[0] + 1 > n - stretch:
        return None
    floor = minimum if minimum is not None else 0.0
    smooth = trailing_mean(loss, max(1, n // 50)) if noisy else loss
    height = float(smooth[-1] - floor)
    start = abs(float(loss[0]) - floor) or 1.0
    if not height > tol * start or np.ptp(smooth[-stretch:]) > FROZEN * height:
        return None
    if noisy and predicted is not None and np.isfinite(predicted) and not height > FLOOR_BAND * predicted:
        return None
    return Verdict("stalled", int(spent[0]) + 1, limit=limit)


def _oscillating(trace: Trace) -> Verdict | None:
    """The steps flip direction every epoch over the last stretch, and do not shrink to nothing: converging
    (shrinking), oscillating (neither) or diverging (growing) by the loss's factor an epoch."""
    if len(trace.loss) < 7:
        return None  # too short to call it a pattern (and nothing to reduce over)
    if trace.params is not None:
        path = trace.params
        moves = np.diff(path, axis=0)
        coordinate = int(np.argmax(np.nanmax(np.abs(moves[-20:]), axis=0)))
        steps = moves[:, coordinate]
    else:
        steps = np.diff(trace.loss)
    n = len(steps)
    if n < 6:
        return None
    flips = np.sign(steps[1:]) * np.sign(steps[:-1]) < 0
    last = min(20, n - 1)
    if not flips[-last:].mean() >= 0.9:
        return None
    amplitude = np.abs(steps[-last:])
    scale = float(np.nanmax(np.abs(trace.params))) if trace.params is not None else float(np.nanmax(np.abs(trace.loss)))
    if amplitude[-1] < 1e-3 * amplitude.max() or amplitude.max() <= 1e-9 * max(scale, 1e-300):
        return None  # dying out, or flickering in the last digits: that is converging
    start = len(flips)
    while start > 0 and flips[start - 1]:
        start -= 1
    swing = growth(amplitude)  # the loss goes as the swing squared (a bowl), or as the loss's own steps
    factor = None if swing is None else swing ** 2 if trace.params is not None else swing
    if factor is not None and factor < 1 - NEUTRAL:
        return Verdict("converging", int(start), factor)
    loss = trace.loss
    if factor is not None and factor > 1 + NEUTRAL and np.max(loss[-2:]) >= np.max(loss[len(loss) // 2:]):
        return Verdict("diverging", int(start), factor)  # growing still: the largest swing is the last
    return Verdict("oscillating", int(start), factor)


WINDOW = 6
"""A noiseless run's state is read over its last WINDOW steps."""


def run_state(trace: Trace, epoch: int, noisy: bool = False) -> str:
    """What the loss is doing around ``epoch``: converging, rising, oscillating or flat (the status line
    shows it while the run's verdict is still "running"). ``noisy``: the gradients carry noise, so the trend
    is read from the loss's trailing mean (see :func:`_noisy_state`), not from its last few samples."""
    if noisy:
        return _noisy_state(trace, epoch)
    start = max(0, epoch - WINDOW)
    window = trace.loss[start : epoch + 1]
    window = window[np.isfinite(window)]
    if window.size < 3:
        return "starting"
    steps = np.diff(window)
    scale = max(float(np.max(np.abs(window))), 1e-300)
    moving = np.abs(steps) > 1e-9 * scale
    if moving.sum() >= 3 and np.all(np.sign(steps[moving][1:]) != np.sign(steps[moving][:-1])):
        return "oscillating"
    if window[-1] < window[0] - 1e-9 * scale:
        return "converging"
    if window[-1] > window[0] + 1e-9 * scale:
        return "rising"
    return "flat"


def _noisy_state(trace: Trace, epoch: int) -> str:
    """A noisy run's state at ``epoch``: the mean of its last w losses against the mean of the w before (its
    trailing mean there against the same mean w epochs earlier), w = 10% of the run and at least WINDOW, the
    stretch the scoreboard's final loss of a noisy run is the mean over (FINAL_WINDOW); shorter near the start,
    where two windows do not fit yet. One noisy loss rises on about every other step, so six samples say
    little: T4's 1/(10 + t) at epoch 500 read "rising" in 17 of 40 seeds while its mean fell. Where the loss
    wanders more slowly than 10% of the run (a tiny lr late in a long run) the two means are noise too, and
    the state follows them. Oscillating needs 90% of the last 20 steps to flip direction, as the verdict's
    back-and-forth does: noise alone flips about two steps in three at most."""
    w = max(WINDOW, round(len(trace.loss) * FINAL_WINDOW))
    segment = trace.loss[max(0, epoch - 2 * w + 1) : epoch + 1]
    segment = segment[np.isfinite(segment)]
    if segment.size < 3:
        return "starting"
    steps = np.diff(segment[-21:])
    if steps.size >= WINDOW and (np.sign(steps[1:]) * np.sign(steps[:-1]) < 0).mean() >= 0.9:
        return "oscillating"
    half = segment.size // 2
    late, early = float(np.mean(segment[-half:])), float(np.mean(segment[-2 * half : -half]))
    scale = max(abs(late), abs(early), 1e-300)
    if late < early - 1e-9 * scale:
        return "converging"
    if late > early + 1e-9 * scale:
        return "rising"
    return "flat"
