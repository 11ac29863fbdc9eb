"""What a plot draws and how: :class:`Series` (one line: x, y, colour, label, marker) and :class:`Look` (log
scale, plain ASCII, monochrome). Plain values, no Textual: the views build them, the plot widget draws them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Series:
    """One line: x and y (NaN where there is nothing to draw), its plotext colour and legend label (and a
    shorter one, ``short_label``, for a legend short of room)."""

    x: np.ndarray
    y: np.ndarray
    colour: str = "blue+"
    label: str | None = None
    marker: str | None = None
    scatter: bool = False  # points only (contour lines), no joining lines
    decimate: bool = True  # False for paths, which are not functions of x
    on_top: bool = False  # a reference line (the noise floor): drawn over the runs, not under them
    short_label: str | None = None


def same_series(a: tuple[Series, ...], b: tuple[Series, ...]) -> bool:
    """Whether two tuples of series draw the same: same values (NaN where NaN) and the same settings."""
    return len(a) == len(b) and all(
        (p.colour, p.label, p.short_label, p.marker, p.scatter, p.decimate, p.on_top)
        == (q.colour, q.label, q.short_label, q.marker, q.scatter, q.decimate, q.on_top)
        and np.array_equal(p.x, q.x, equal_nan=True) and np.array_equal(p.y, q.y, equal_nan=True)
        for p, q in zip(a, b))


@dataclass(frozen=True)
class Look:
    """How a plot is drawn: log-scale y, plain ASCII, monochrome."""

    log: bool = False
    ascii: bool = False
    mono: bool = False

    @property
    def plain(self) -> bool:
        """One colour: lines are told apart by their markers."""
        return self.ascii or self.mono

    def glyph(self, marker: str | None) -> str:
        """The mark that names a line drawn with ``marker`` (None: plotext's own line) in a legend or the
        scoreboard: the marker itself, else what plotext draws the line with, else a coloured block."""
        if marker and len(marker) == 1:
            return marker
        return "*" if self.ascii else "⣿" if self.mono else "■"
