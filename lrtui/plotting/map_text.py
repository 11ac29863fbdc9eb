"""A map (lrtui.analysis.maps.Map) as text: a glyph a cell, its class (converges, oscillates, diverges), the
analytic edge of stability and heavy ball's critical damping in glyphs of their own where they are known,
the y values at the left, the lr's below, and a legend. The same in colour or not, in ASCII where the
terminal lacks the glyphs: nothing is told by colour alone (lrtui map --plot; the app's map view).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # (plotting reads a map; it does not make one)
    from lrtui.analysis.maps import Map

GLYPHS = {False: {"converges": "·", "oscillates": "~", "diverges": "X", "not run": " ", "edge": "│", "damping": "∙"},
          True: {"converges": ".", "oscillates": "~", "diverges": "X", "not run": " ", "edge": "|", "damping": ":"}}
"""A cell's glyph by its class, and the boundaries' (Unicode; ASCII)."""


def _number(value: float) -> str:
    return f"{value:.3g}"


def edge_columns(m: Map) -> list[int | None]:
    """Per row, the column whose cell holds the stable edge c(y) / lambda_max (None: unknown or off the map)."""
    edges = m.x.edges()
    out = []
    for row in range(len(m.y.values)):
        lr = m.edge_lr(row)
        inside = lr is not None and edges[0] <= lr < edges[-1]
        out.append(int(np.searchsorted(edges, lr, side="right") - 1) if inside else None)
    return out


def damping_rows(m: Map) -> list[int | None]:
    """Per column, the row whose cell holds heavy ball's critical damping (None: unknown or off the map)."""
    edges = m.y.edges()
    out = []
    for lr in m.x.values:
        beta = m.critical_momentum(float(lr))
        inside = beta is not None and edges[0] <= beta < edges[-1]
        out.append(int(np.searchsorted(edges, beta, side="right") - 1) if inside else None)
    return out


def glyph_grid(m: Map, ascii: bool) -> list[str]:
    """The cells as glyphs, the top row the largest y (rows of the returned list top to bottom)."""
    glyph = GLYPHS[ascii]
    rows = [[glyph[m.class_of(k)] for k in row] for row in m.kind]
    for column, row in enumerate(damping_rows(m)):
        if row is not None:
            rows[row][column] = glyph["damping"]
    for row, column in enumerate(edge_columns(m)):
        if column is not None:
            rows[row][column] = glyph["edge"]
    return ["".join(r) for r in reversed(rows)]


def map_lines(m: Map, ascii: bool = False) -> list[str]:
    """The map with its axes and legend, as lines of text."""
    grid = glyph_grid(m, ascii)
    labels = {0: _number(m.y.values[-1]), len(grid) - 1: _number(m.y.values[0])}
    if len(grid) > 4:
        labels[len(grid) // 2] = _number(m.y.values[len(grid) - 1 - len(grid) // 2])
    width = max(len(v) for v in labels.values())
    bar = "|" if ascii else "│"
    lines = [f"{m.y.field} over {m.x.field} (log): {m.base.config.schedule['name']} on {m.base.problem.name} "
             f"with {m.base.optimizer.name}, {m.base.epochs} epochs"]
    lines += [f"{labels.get(i, '').rjust(width)} {bar}{row}" for i, row in enumerate(grid)]
    columns = len(grid[0]) if grid else 0
    axis = [" "] * columns
    ticks = {0: _number(m.x.values[0]), columns - 1: _number(m.x.values[-1])}
    if columns > 20:
        ticks[columns // 2] = _number(m.x.values[columns // 2])
    for at, text in sorted(ticks.items()):
        start = min(max(at - len(text) // 2, 0), max(columns - len(text), 0))
        if all(c == " " for c in axis[max(start - 1, 0):start + len(text) + 1]):
            axis[start:start + len(text)] = text
    lines.append(" " * width + " " + ("+" if ascii else "└") + ("-" if ascii else "─") * columns)
    lines.append(" " * (width + 2) + "".join(axis))
    glyph = GLYPHS[ascii]
    legend = [f"{glyph[c]} {c}" for c in m.classes]
    if (m.kind < 0).any():
        legend.append("blank: not allowed there")
    if any(c is not None for c in edge_columns(m)):
        legend.append(f"{glyph['edge']} stable edge c/lambda_max")
    if any(r is not None for r in damping_rows(m)):
        legend.append(f"{glyph['damping']} critical damping")
    lines.append("  ".join(legend))
    return lines
