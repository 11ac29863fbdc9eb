"""Smoothing a noisy loss for the eye: a trailing mean and TensorBoard's exponential moving average.

Both look only backwards (a drop is never drawn before it happens) and keep NaN where the loss is NaN
(after a divergence). Neither changes a run's numbers: the scoreboard compares noisy runs by means over
windows (lrtui.analysis.compare), the plots draw the smoothed line.
"""

from __future__ import annotations

import numpy as np

BLOCK = 256
"""The EMA runs in blocks of this many points, each one vectorized: 10^5 points in about 10 ms."""


def trailing_mean(y: np.ndarray, window: int) -> np.ndarray:
    """The mean of the last ``window`` values at each point (fewer at the start; NaN stays NaN): a noisy loss
    made readable without moving a drop earlier, and a branch still equal to the trunk before its start.

    >>> trailing_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2).tolist()
    [1.0, 2.0, 4.0, 6.0]
    """
    y = np.asarray(y, dtype=np.float64)
    sums = np.concatenate([[0.0], np.cumsum(y)])
    i = np.arange(1, len(y) + 1)
    lo = np.maximum(i - window, 0)
    return (sums[i] - sums[lo]) / (i - lo)


def ema(y: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: s_t = weight s_(t-1) + (1 - weight) y_t from s_(-1) = 0, divided by
    1 - weight^(t+1) so that the start is not pulled towards 0 (the debiased EMA; weight 0 is y itself).
    A NaN makes every later point NaN, as a divergence ends a run.

    >>> ema(np.array([1.0, 1.0, 1.0]), 0.9).round(12).tolist()
    [1.0, 1.0, 1.0]
    >>> ema(np.array([0.0, 2.0]), 0.5).tolist()  # (0.5 * 0 + 0.5 * 2) / (1 - 0.25)
    [0.0, 1.3333333333333333]
    """
    y = np.asarray(y, dtype=np.float64)
    if weight <= 0 or len(y) == 0:
        return y.copy()
    out = np.empty_like(y)
    state = 0.0
    powers = weight ** np.arange(BLOCK, dtype=np.float64)  # weight^j within a block
    inverse = weight ** -np.arange(BLOCK, dtype=np.float64)  # at most weight^-255: 0.5^-255 = 6e76
    for start in range(0, len(y), BLOCK):
        block = y[start:start + BLOCK]
        n = len(block)
        # s_(start+j) = weight^(j+1) state + (1 - weight) sum_(k<=j) weight^(j-k) y_(start+k)
        sums = np.cumsum(block * inverse[:n]) * powers[:n]
        out[start:start + n] = weight * powers[:n] * state + (1 - weight) * sums
        state = out[start + n - 1]
    return out / (1 - weight ** np.arange(1, len(y) + 1, dtype=np.float64))
