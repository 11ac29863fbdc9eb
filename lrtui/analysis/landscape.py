"""The optimization landscape of a 2-D problem: contour lines of the loss around the optimizer's path.

Pure numpy, no drawing: :func:`contours` samples the loss on a grid and returns, for each level, the
points where the loss crosses it (a plot draws them as dots); :func:`path_bounds` frames the path.
"""

from __future__ import annotations

import numpy as np

from lrtui.sim.problems import Problem


def path_bounds(path: np.ndarray, margin: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y limits around the finite points of ``path`` (n, 2), with a margin, never empty."""
    finite = path[np.all(np.isfinite(path), axis=1)]
    if finite.size == 0:
        return (-1.0, 1.0), (-1.0, 1.0)
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    span = np.maximum(hi - lo, np.maximum(np.abs(hi), 1.0) * 0.1)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def contours(problem: Problem, params: dict, xlim: tuple[float, float], ylim: tuple[float, float],
             columns: int, rows: int, levels: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """Points on ``levels`` contour lines of the loss, geometrically spaced between the grid's lowest and
    highest values: the centres of grid cells where the loss crosses a level toward a neighbour."""
    xs = np.linspace(*xlim, max(columns, 2))
    ys = np.linspace(*ylim, max(rows, 2))
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        loss = problem.loss(np.column_stack([gx.ravel(), gy.ravel()]), params).reshape(gx.shape)
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return []
    shift = -low + (high - low) * 1e-3  # geometric spacing needs positive values; keep the minimum's shape
    values = np.log(loss + shift)
    out = []
    for level in np.linspace(np.log(low + shift), np.log(high + shift), levels + 2)[1:-1]:
        above = values > level
        cross = np.zeros_like(above)
        cross[:, :-1] |= above[:, :-1] != above[:, 1:]
        cross[:-1, :] |= above[:-1, :] != above[1:, :]
        out.append((gx[cross], gy[cross]))
    return out
