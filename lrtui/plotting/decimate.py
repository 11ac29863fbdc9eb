"""Shrink a long series to a plot's width without hiding what matters.

The series is cut into at most ``width`` columns of equal length; each column keeps its minimum and its
maximum, at their own x and in the order they occur, so a restart, a spike or a divergence one epoch wide
still shows when 10^6 epochs are drawn on 80 columns, and a monotone curve stays monotone. NaN (the epochs
after a divergence) is ignored within a column; a column of only NaN is dropped.
"""

from __future__ import annotations

import numpy as np


def decimate(x: np.ndarray, y: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return at most ``2 * width`` points of (x, y): each column's min and max, in x order.

    Series of at most ``2 * width`` points come back unchanged (as float arrays).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("decimate needs two 1-D series of the same length")
    width = max(1, int(width))
    n = x.size
    if n <= 2 * width:
        return x, y
    per_column = -(-n // width)  # ceil
    columns = -(-n // per_column)
    padded = np.full(columns * per_column, np.nan)
    padded[:n] = y
    grid = padded.reshape(columns, per_column)
    nan = np.isnan(grid)
    lo = np.argmin(np.where(nan, np.inf, grid), axis=1)
    hi = np.argmax(np.where(nan, -np.inf, grid), axis=1)
    first, second = np.minimum(lo, hi), np.maximum(lo, hi)
    base = np.arange(columns) * per_column
    idx = np.column_stack([base + first, base + second]).reshape(-1)
    idx = idx[(idx < n)]
    idx = idx[~np.isnan(y[idx])]
    idx = np.unique(idx)  # a flat column gives the same point twice
    return x[idx], y[idx]
