"""A loss surface as text (the landscape view): each cell shaded by its loss on a log scale, the optimizer's
path and the cursor's point on top, the parameters' values on the axes, and a legend.

In colour, two rows of cells a line (▀: the upper cell its foreground, the lower its background) in the map's
shades (lrtui.plotting.map_text.RAMP), the path red; without colour or in ASCII, a character a cell from a
ramp of density (``FIELD_RAMP``: the valley blank, the walls dense), the path ``o`` (``•`` where Unicode
shows), so the valley, the zig-zag across it and the path's progress read the same with or without colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lrtui.plotting.map_text import RAMP

if TYPE_CHECKING:
    from rich.text import Text

    from lrtui.plotting.series import Look

FIELD_RAMP = " .:-=+*#%"
"""The loss's shades without colour, low to high: the valley blank, the walls dense."""
PATH_COLOUR, CURSOR_STYLE = "#ff4040", "bold #000000 on #ffffff"
"""The path's colour, and the cursor's mark (as the map's marks)."""


def shades(loss: np.ndarray, levels: int) -> np.ndarray:
    """Each cell's shade, 0 to ``levels - 1``, by its log loss between the grid's least and largest finite loss
    (shifted, as a loss may be 0 or below: the minimum keeps its shape); the largest where not finite."""
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return np.full(loss.shape, levels - 1)
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return np.zeros(loss.shape, dtype=int)
    shift = -low + (high - low) * 1e-3
    with np.errstate(all="ignore"):
        value = (np.log(loss + shift) - np.log(low + shift)) / (np.log(high + shift) - np.log(low + shift))
    value = np.where(np.isfinite(value), value, 1.0)
    return np.minimum((value * levels).astype(int), levels - 1)


def _number(value: float) -> str:
    return f"{value:.3g}"


def field_text(loss: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float], path: np.ndarray,
               at: tuple[int, int] | None, look: Look, title: str, at_label: str = "") -> Text:
    """The field ``loss[row, column]`` (row 0 the least y), ``path`` a boolean grid of the cells the path
    crosses, ``at`` the cursor's cell (row, column) or None, with its axes and legend, as rich Text. In colour
    the grid has two rows of cells a line (``loss`` has an even count of rows: the caller sizes it so);
    without colour a row a line."""
    from rich.text import Text

    rows, columns = loss.shape
    plain = look.plain
    level = shades(loss, len(FIELD_RAMP) if plain else len(RAMP))
    lines = rows if plain else rows // 2
    labels = {0: _number(ylim[1]), lines - 1: _number(ylim[0])}
    width = max(len(v) for v in labels.values())
    bar = "|" if look.ascii else "│"
    text = Text(title + "\n")
    path_glyph = "o" if look.ascii else "•"
    for line in range(lines):
        text.append(f"{labels.get(line, '').rjust(width)} {bar}")
        if plain:
            row = rows - 1 - line
            for column in range(columns):
                if at == (row, column):
                    text.append("@")
                else:
                    text.append(path_glyph if path[row, column] else FIELD_RAMP[level[row, column]])
        else:
            top, bottom = rows - 1 - 2 * line, rows - 2 - 2 * line
            for column in range(columns):
                if at in ((top, column), (bottom, column)):
                    text.append("@", style=CURSOR_STYLE)
                    continue
                upper = PATH_COLOUR if path[top, column] else RAMP[level[top, column]]
                lower = PATH_COLOUR if path[bottom, column] else RAMP[level[bottom, column]]
                text.append("▀", style=f"{upper} on {lower}")
        text.append("\n")
    text.append(" " * width + (" +" if look.ascii else " └") + ("-" if look.ascii else "─") * columns + "\n")
    left, right = _number(xlim[0]), _number(xlim[1])
    text.append(" " * (width + 2) + left + right.rjust(max(columns - len(left), len(right) + 1)) + "\n")
    finite = loss[np.isfinite(loss)]
    low, high = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
    text.append(f"{low:.2g} ")  # (short: it fits the app's lower panel at 80x24)
    if plain:
        text.append(FIELD_RAMP.strip())
    else:
        for shade in RAMP:
            text.append("█", style=shade)
    text.append(f" {high:.2g} loss  ")
    if plain:
        text.append(f"{path_glyph} path")
    else:
        text.append("█", style=PATH_COLOUR)
        text.append(" path")
    if at is not None:
        text.append("  ")
        text.append("@", style=None if plain else CURSOR_STYLE)
        text.append(f" {at_label}" if at_label else " cursor")
    return text
