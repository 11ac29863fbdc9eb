"""A map (lrtui.analysis.maps.Map) as text: a glyph a cell, its class (converges, oscillates, diverges), the
analytic edge of stability and heavy ball's critical damping in glyphs of their own where they are known,
the y values at the left, the lr's below, and a legend. The same in colour or not, in ASCII where the
terminal lacks the glyphs: nothing is told by colour alone (lrtui map --plot; the app's map view).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # (plotting reads a map; it does not make one)
    from rich.text import Text

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


def glyph_grid(m: Map, ascii: bool, marks: dict[tuple[int, int], str] | None = None) -> list[str]:
    """The cells as glyphs, the top row the largest y (rows of the returned list top to bottom); ``marks``
    put a glyph of their own on cells by (row, column): the run shown, the cursor."""
    glyph = GLYPHS[ascii]
    rows = [[glyph[m.class_of(k)] for k in row] for row in m.kind]
    for column, row in enumerate(damping_rows(m)):
        if row is not None:
            rows[row][column] = glyph["damping"]
    for row, column in enumerate(edge_columns(m)):
        if column is not None:
            rows[row][column] = glyph["edge"]
    for (row, column), mark in (marks or {}).items():
        rows[row][column] = mark
    return ["".join(r) for r in reversed(rows)]


WIDTH = 80
"""The columns the CLI's picture keeps its title and legend within (the lines of cells are as wide as asked)."""


def long_title(m: Map) -> str:
    """What a map shows and of which run (the CLI's; the app's form says the run): a line, or two where one
    would pass :data:`WIDTH` (the run on the second)."""
    from lrtui.analysis.maps import short_name

    what = f"map: {short_name(m.y.field, m.base)} over lr (log)"
    run = f"{m.base.config.schedule['name']} on {m.base.problem.name} with {m.base.optimizer.name}, " \
          f"{m.base.epochs:,} epochs"
    return f"{what}: {run}" if len(what) + 2 + len(run) <= WIDTH else f"{what}\n{run}"


def map_lines(m: Map, ascii: bool = False, marks: dict[tuple[int, int], str] | None = None,
              title: str | None = None, compact: bool = False) -> list[str]:
    """The map with its axes and legend, as lines of text (``marks`` as :func:`glyph_grid` takes them; the
    title :func:`long_title` unless given; ``compact``: the legend in fewer words, for the app's panel)."""
    grid = glyph_grid(m, ascii, marks)
    labels = {0: _number(m.y.values[-1]), len(grid) - 1: _number(m.y.values[0])}
    if len(grid) > 4:
        labels[len(grid) // 2] = _number(m.y.values[len(grid) - 1 - len(grid) // 2])
    width = max(len(v) for v in labels.values())
    bar = "|" if ascii else "│"
    lines = [long_title(m) if title is None else title]
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
    bounds = []
    if any(c is not None for c in edge_columns(m)):
        bounds.append(f"{glyph['edge']} stable edge" + ("" if compact else " c/lambda_max"))
    if any(r is not None for r in damping_rows(m)):
        bounds.append(f"{glyph['damping']} critical damping")
    if compact or len("  ".join(legend + bounds)) > WIDTH:  # (the boundaries on a line of their own: the app's
        return lines + ["  ".join(legend)] + (["  ".join(bounds)] if bounds else [])  # panel is narrow)
    return lines + ["  ".join(legend + bounds)]


RAMP = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
        "#fde725")
"""The final loss's shades, low to high (viridis): a cell's colour by where its log10 final loss falls."""
FLOOR = 1e-16
"""The low end of the shades' scale: a final loss below it (a run converged to double precision's zero, 7e-313)
is shaded and labelled as this, so the scale reads 1e-16 to its largest loss."""
DIVERGES, EDGE, DAMPING, NOT_RUN_COLOUR = "#e8464a", "#ffffff", "#9a9a9a", "#202020"
"""The colours of a cell that diverged, of the stable edge's cells, critical damping's, and a cell not run."""


def _scale(m: Map) -> tuple[float | None, float | None]:
    """The shades' scale of the final loss: its least (at :data:`FLOOR` at least) and largest, over the cells
    shaded (run, not diverging, a positive finite loss; None, None where there is none)."""
    shaded = (m.kind >= 0) & (m.kind != m.classes.index("diverges"))
    finite = m.final[shaded & np.isfinite(m.final) & (m.final > 0)]
    if not finite.size:
        return None, None
    return max(float(finite.min()), FLOOR), max(float(finite.max()), FLOOR)


def cell_colours(m: Map) -> list[list[str]]:
    """Each cell's colour, rows bottom (the least y) first: the shade of its log final loss, or its class's or
    boundary's colour."""
    low, high = _scale(m)
    low, high = (np.log10(low), np.log10(high)) if low is not None else (0.0, 1.0)
    span = max(high - low, 1e-12)
    colours = []
    for row in range(m.final.shape[0]):
        line = []
        for column in range(m.final.shape[1]):
            kind, value = m.kind[row, column], m.final[row, column]
            if kind < 0:
                line.append(NOT_RUN_COLOUR)
            elif m.classes[kind] == "diverges" or not np.isfinite(value):
                line.append(DIVERGES)
            else:
                shade = (np.log10(max(value, 10 ** low)) - low) / span
                line.append(RAMP[min(int(shade * len(RAMP)), len(RAMP) - 1)])
        colours.append(line)
    for column, row in enumerate(damping_rows(m)):
        if row is not None:
            colours[row][column] = DAMPING
    for row, column in enumerate(edge_columns(m)):
        if column is not None:
            colours[row][column] = EDGE
    return colours


def map_text(m: Map, marks: dict[tuple[int, int], str] | None = None, title: str | None = None) -> Text:
    """The map in colour, two rows of cells a line (the upper cell the foreground of ▀, the lower its
    background), the y values at the left, the lr's below, and a legend in few words (it fits the app's lower
    panel at 80x24): the shades' scale of the final loss, and the colours of diverging cells and of the
    boundaries (the stable edge c/lambda_max, critical damping)."""
    from rich.text import Text

    colours = cell_colours(m)
    if len(colours) % 2:
        colours.insert(0, [None] * len(colours[0]))  # (an odd count: the lowest line's lower half is blank)
    pairs = [(colours[i + 1], colours[i]) for i in range(len(colours) - 2, -1, -2)]  # top line first
    labels = {0: _number(m.y.values[-1]), len(pairs) - 1: _number(m.y.values[0])}
    width = max(len(v) for v in labels.values())
    text = Text((long_title(m) if title is None else title) + "\n")
    odd = len(m.final) % 2  # (a blank lower half was added under the lowest row)
    for i, (upper, lower) in enumerate(pairs):
        text.append(f"{labels.get(i, '').rjust(width)} │")
        rows = (len(colours) - 1 - 2 * i - odd, len(colours) - 2 - 2 * i - odd)  # the map's rows of this line
        for column, (top, bottom) in enumerate(zip(upper, lower)):
            mark = next(((marks or {})[(r, column)] for r in rows if (r, column) in (marks or {})), None)
            if mark is not None:  # a mark takes the line's two cells: the run shown, the cursor
                text.append(mark, style="bold #000000 on #ffffff")
            else:
                text.append("▀", style=f"{top or 'default'} on {bottom or 'default'}")
        text.append("\n")
    columns = len(colours[0])
    text.append(" " * width + " └" + "─" * columns + "\n")
    left, right = _number(m.x.values[0]), _number(m.x.values[-1])
    text.append(" " * (width + 2) + left + right.rjust(max(columns - len(left), len(right) + 1)) + "\n")
    low, high = _scale(m)
    if low is not None:  # (short: it fits the app's lower panel at 80x24)
        text.append(f"{low:.0e} ")
        for shade in RAMP:
            text.append("█", style=shade)
        text.append(f" {high:.1g} ")
    text.append("█", style=DIVERGES)
    text.append(" diverges")
    if any(c is not None for c in edge_columns(m)):
        text.append(" ")
        text.append("█", style=EDGE)
        text.append(" edge")
    if any(r is not None for r in damping_rows(m)):
        text.append(" ")
        text.append("█", style=DAMPING)
        text.append(" damping")
    return text
