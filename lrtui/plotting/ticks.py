"""Axis ticks at round values, shared by the app's plots and the headless ``--plot``: round epochs (0 25 50
75 100, and the last epoch), round values with labels as short as their step allows, and a log axis
labelled with values (1e-3), never with log10 exponents.
"""

from __future__ import annotations

import math

import numpy as np


def log_ticks(lo: float, hi: float, most: int = 6) -> tuple[list[float], list[str]]:
    """Ticks for log10 values from lo to hi: powers of ten when at least three fit, else 1-2-5 steps, else
    every digit; labelled like 1e-3 or 2e-1 (at most ``most``). Never a single tick where lo < hi: a range
    holding fewer than two of those (0.29 to 0.39 holds 0.3 alone) takes round values of its own, as a
    linear axis would (0.30 0.35), and failing those, its two ends."""
    for mantissas in ((1,), (1, 2, 5), tuple(range(1, 10))):
        ticks = [math.log10(m) + e for e in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in mantissas]
        ticks = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
        if len(ticks) >= 3:
            break
    if len(ticks) > most:
        ticks = ticks[:: math.ceil(len(ticks) / most)]
    if len(ticks) >= 2 or not hi > lo:
        return ticks, [_short_exponent(f"{10 ** t:.0e}") for t in ticks]
    values = nice_ticks(10**lo, 10**hi, max(most, 2))  # less than a digit's step: nearly linear there
    if len(values) < 2 or values[0] <= 0:
        values = [10**lo, 10**hi]  # (nice_ticks gives [lo, hi] when no round step fits)
    return [math.log10(v) for v in values], tick_labels(values)


def _short_exponent(label: str) -> str:
    """1e-03 as 1e-3 and 2e+05 as 2e5: tick labels take as few columns as they can."""
    return label.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def nice_ticks(lo: float, hi: float, most: int = 5, enclose: bool = False) -> list[float]:
    """Round values from lo to hi, multiples of 1, 2, 2.5 or 5 times a power of ten, at most ``most`` of
    them: the finest such step; with ``enclose``, from the last one at or below lo to the first one at or
    above hi (the axis then runs from tick to tick), the step whose ticks enclose the data most tightly."""
    span = hi - lo
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(span)) or span <= 0:
        return [lo] if math.isfinite(lo) else []
    if not 1e-290 < span / max(most, 1) < 1e290 or abs(lo) / span > 1e12:  # denormal, huge, or no round step:
        return []  # plotext's own ticks
    power = 10 ** (math.floor(math.log10(span / max(most, 1))) - 1)
    fitting = []
    for step in (m * power * 10**k for k in range(4) for m in (1, 2, 2.5, 5)):
        if enclose:
            first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        else:
            first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first + 1 <= most:
            fitting.append([(first + i) * step + 0.0 for i in range(last - first + 1)])  # (+ 0.0: no -0.0)
            if not enclose:
                break  # the finest
    if not fitting:
        return [lo, hi]
    return min(fitting, key=lambda ticks: (ticks[-1] - ticks[0], -len(ticks)))


def epoch_ticks(first: float, last: float, most: int = 5, with_last: bool = False) -> list[float]:
    """Round epochs (multiples of 1, 2, 2.5 or 5 times a power of ten) from first to last, at most ``most``;
    ``with_last``: the last epoch labelled too (0 25 50 75 99); when it is less than half a step past the
    last round one, it takes that one's place (0 20 49): two labels so close would run into each other."""
    span = max(last - first, 1.0)
    raw = span / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw and float(m * power).is_integer())
    step = max(step, 1.0)
    start = math.ceil(first / step) * step
    ticks = [float(v) for v in np.arange(start, last + 1e-9, step)]
    if with_last and ticks and last > ticks[-1]:
        if last - ticks[-1] >= step / 2 or len(ticks) < 2:
            ticks.append(float(last))
        else:
            ticks[-1] = float(last)  # too close to label both: the last epoch wins (0 20 49, not 0 20 40)
    return ticks


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels as short as the ticks' step allows (0.25, 2.5, 100; 2e-5 style for tiny or huge values),
    with as many digits as it takes to tell them apart."""
    if len(ticks) < 2:
        return [f"{t:.3g}" for t in ticks]
    step = ticks[1] - ticks[0]
    biggest = max(abs(t) for t in ticks)
    if biggest < 1e5 and step >= 1e-4:
        mantissa = step / 10 ** math.floor(math.log10(step))
        decimals = max(0, math.ceil(-math.log10(step) - 1e-9)) + (1 if abs(mantissa - 2.5) < 1e-6 and step < 10 else 0)
        return [f"{t:.{decimals}f}" for t in ticks]
    for digits in range(1, 18):
        labels = [_short_exponent(f"{t:.{digits}g}") for t in ticks]
        if len(set(labels)) == len(labels):
            return labels
    return labels



def row_aligned_ticks(lo: float, hi: float, rows: int, most: int) -> tuple[list[float], tuple[float, float]] | None:
    """Round ticks (multiples of a step s of 1, 2, 2.5 or 5 times a power of ten, 2 to ``most`` of them) and
    axis limits (y0, y1) covering lo to hi on ``rows`` rows, at which each tick sits on a row whose value is
    its own; None when none fit. A row's value is y0 + i r, r = (y1 - y0) / (rows - 1), and plotext puts a
    tick on row floor(0.5 + (t - y0) / r): unless r divides s, a tick is rounded onto a row of another value
    (T1: "2" beside the row of lr 2.1, y0 = 0.5 and r = 0.2). So r = s / k, k >= 2 (a label every other row
    at most), y0 the multiple of r at or below lo; of all such, the most ticks among those whose rows are
    within 30% of the finest (where the data fill the most height), then the finest rows."""
    span = hi - lo
    if rows < 3 or most < 2 or not (math.isfinite(lo) and math.isfinite(hi) and span > 0):
        return None
    least = span / (rows - 1)  # the finest rows that still reach hi
    if not 1e-290 < least < 1e290 or abs(lo) / span > 1e7:  # (beyond it, rounding moves plotext's rows)
        return None
    fitting = []
    power = 10 ** math.floor(math.log10(least))
    for step in (m * power * 10**e for e in range(math.ceil(math.log10(rows)) + 2) for m in (1, 2, 2.5, 5)):
        for k in range(min(rows - 1, math.floor(step / least * (1 + 1e-9))), 1, -1):  # the finest rows first
            r = step / k
            first = math.floor(lo / r + 1e-9)
            y0, y1 = first * r, (first + rows - 1) * r
            if y1 < hi - 1e-9 * r:
                continue
            ticks = [n * step + 0.0 for n in range(math.ceil(y0 / step - 1e-9), math.floor(y1 / step + 1e-9) + 1)]
            if 2 <= len(ticks) <= most:
                fitting.append((r, ticks, (y0 + 0.0, y1 + 0.0)))
            break  # a smaller k: coarser rows for the same step
    if not fitting:
        return None
    finest = min(r for r, _, _ in fitting)
    _, ticks, limits = min(fitting, key=lambda f: (f[0] > 1.3 * finest, -len(f[1]), f[0]))
    return ticks, limits
