"""Shrink a long series to a plot's width without hiding what matters.

Each of ``width`` columns keeps its minimum and its maximum, so a restart, a spike or a divergence one
epoch wide still shows when 10^6 epochs are drawn on 80 columns. NaN (the epochs after a divergence) is
ignored within a column; a column of only NaN is dropped.
"""

from __future__ import annotations

import numpy as np


def decimate(x: np.ndarray, y: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return at most ``2 * width`` points of (x, y): per column, (first x, min y) and (last x, max y).

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
    starts = np.linspace(0, n, width + 1).astype(np.int64)[:-1]
    ends = np.append(starts[1:], n) - 1
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduceat(y, starts)
        hi = np.fmax.reduceat(y, starts)
    xs = np.column_stack([x[starts], x[ends]]).reshape(-1)
    ys = np.column_stack([lo, hi]).reshape(-1)
    keep = ~np.isnan(ys)
    return xs[keep], ys[keep]
