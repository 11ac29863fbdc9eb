"""The optimization landscape of a 2-D problem: the loss around the optimizer's path.

Pure numpy, no drawing: :func:`loss_grid` samples the loss on a grid of cells (the app shades them,
lrtui.plotting.field_text); :func:`path_bounds` frames the path; :func:`path_cells` puts the path on the
cells, its steps joined.
"""

from __future__ import annotations

import numpy as np

from lrtui.sim.problems import Problem


def path_bounds(path: np.ndarray, margin: float = 0.15, also: tuple[float, ...] | None = None
                ) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y limits around the finite points of ``path`` (n, 2) and the point ``also`` (the problem's
    minimizer: where the valley leads, in the frame even before the path gets there), with a margin, never
    empty."""
    if also is not None:
        path = np.vstack([path, np.asarray(also, dtype=np.float64)[None, :2]])
    finite = path[np.all(np.isfinite(path), axis=1)]
    if finite.size == 0:
        return (-1.0, 1.0), (-1.0, 1.0)
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    span = np.maximum(hi - lo, np.maximum(np.abs(hi), 1.0) * 0.1)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def loss_grid(problem: Problem, params: dict, xlim: tuple[float, float], ylim: tuple[float, float],
              columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss at the centres of ``columns`` x ``rows`` cells over the limits: (xs, ys, loss[row, column]),
    row 0 at the least y; inf where it overflows."""
    xs = xlim[0] + (np.arange(columns) + 0.5) * (xlim[1] - xlim[0]) / columns
    ys = ylim[0] + (np.arange(rows) + 0.5) * (ylim[1] - ylim[0]) / rows
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        loss = problem.loss(np.column_stack([gx.ravel(), gy.ravel()]), params).reshape(gx.shape)
    return xs, ys, np.where(np.isnan(loss), np.inf, loss)


JOINED_STEPS = 4000
"""A path up to this many steps is drawn with its steps joined (a zig-zag across a valley shows as one);
a longer one by its points (they fill the cells they cross anyway)."""


def cell_of(points: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float], columns: int,
            rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) of the cells that hold ``points`` (n, 2), as two integer arrays; -1 where a point is
    not finite or lies outside the limits."""
    with np.errstate(all="ignore"):
        column = np.floor((points[:, 0] - xlim[0]) / (xlim[1] - xlim[0]) * columns)
        row = np.floor((points[:, 1] - ylim[0]) / (ylim[1] - ylim[0]) * rows)
    inside = np.isfinite(column) & np.isfinite(row) & (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
    return np.where(inside, row, -1).astype(int), np.where(inside, column, -1).astype(int)


def path_cells(path: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float], columns: int,
               rows: int) -> np.ndarray:
    """A boolean grid (rows, columns), row 0 at the least y: the cells the path passes through, each step a
    straight segment (up to :data:`JOINED_STEPS` steps; beyond, the points alone)."""
    finite = path[np.all(np.isfinite(path), axis=1)]
    if len(finite) <= JOINED_STEPS and len(finite) > 1:
        pieces = [finite[:1]]
        for a, b in zip(finite[:-1], finite[1:]):
            cells = np.abs((b - a) / [(xlim[1] - xlim[0]) / columns, (ylim[1] - ylim[0]) / rows])
            n = int(min(max(cells.max(), 1), columns + rows)) + 1
            pieces.append(a + np.linspace(0, 1, n)[1:, None] * (b - a))
        finite = np.vstack(pieces)
    grid = np.zeros((rows, columns), dtype=bool)
    row, column = cell_of(finite, xlim, ylim, columns, rows)
    inside = row >= 0
    grid[row[inside], column[inside]] = True
    return grid
