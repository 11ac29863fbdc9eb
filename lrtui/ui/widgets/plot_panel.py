"""A plot with an epoch cursor: :class:`PlotPanel` holds a :class:`~lrtui.ui.widgets.plots.CurvePlot` and marks an epoch
on it, with arrows on the frame and a dot on the curve (or, for the landscape, a dot at the optimizer's
position then), as a few cells drawn over the cached plot (:class:`Mark`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual.app import ComposeResult
from textual.containers import Container
from textual.geometry import Region

from lrtui.plotting.figure import Figure
from lrtui.ui.widgets.plots import CurvePlot

FRAME_OR_BLANK = frozenset(" ─┌┐└┘┬┴├┤│")  # the cells the cursor's arrows may take


@dataclass(frozen=True)
class Mark:
    """The cursor as cells drawn over a plot: (column, row, glyph) each."""

    cells: tuple[tuple[int, int, str], ...]

    def regions(self) -> list[Region]:
        return [Region(x, y, 1, 1) for x, y, _ in self.cells]


class PlotPanel(Container):
    """A :class:`CurvePlot` with an epoch cursor: ``place(epoch)`` marks that epoch with a bar across the
    data area or, in point mode, a dot at the optimizer's position then (``points``, the landscape)."""

    DEFAULT_CSS = """
    PlotPanel {
        height: 1fr;
    }
    """

    def __init__(self, title: str, *, id: str | None = None, ascii: bool = False, point: bool = False) -> None:
        super().__init__(id=id)
        self.plot = CurvePlot(title)
        self.plot.place_mark = lambda: self._mark(self.epoch)
        self.glyphs = ("v", "^", "o") if ascii else ("▼", "▲", "●")  # above, below, at the point
        self.point_mode = point
        self.epoch: float | None = None
        self.points: np.ndarray | None = None  # (epochs, 2) positions for point mode
        self.figure: Figure | None = None  # the last drawn

    def compose(self) -> ComposeResult:
        yield self.plot

    def draw(self, figure: Figure) -> None:
        """Show ``figure`` (the one step every view's figure takes to the screen); a point cursor follows its
        points."""
        self.figure = figure
        self.points = figure.points
        self.plot.show(figure.series, title=figure.title, look=figure.look, x_range=figure.x_range,
                       y_range=figure.y_range, xlabel=figure.xlabel, xlog=figure.xlog, vlines=figure.vlines,
                       shorter=figure.shorter, shorter_xlabel=figure.shorter_xlabel)

    def place(self, epoch: float | None) -> None:
        """Put the cursor at ``epoch`` (hidden when None or outside the plot's data area)."""
        self.epoch = epoch
        self.plot.set_mark(self._mark(epoch))

    def _mark(self, epoch: float | None) -> Mark | None:
        """A curve's cursor: arrows on the frame above and below the epoch's column and a dot on the first
        series at that epoch (a full-height bar would make every step rewrite whole plot lines: Textual
        sends a line from its widget's left edge to the last changed cell). A landscape's: a dot."""
        g = self.plot.geometry
        above, below, dot = self.glyphs
        if epoch is None or g is None:
            return None
        if self.point_mode:
            if (self.points is None or not 0 <= int(epoch) < len(self.points)
                    or not np.all(np.isfinite(self.points[int(epoch)]))):
                return None  # (the path may still be the previous run's while a new one is drawn)
            x, y = self.points[int(epoch)]
            column, row = g.column(x), g.row(y)
            return Mark(((column, row, dot),)) if g.contains(column, row) else None
        column = g.column(epoch)
        if not g.left <= column < g.left + g.width:
            return None
        # the arrows sit on the frame (or, without one, on blank cells): never over a title, a legend or
        # a tick label
        cells = [(column, row, glyph) for row, glyph in ((g.top - 1, above), (g.top + g.height, below))
                 if self.plot.char_at(column, row) in FRAME_OR_BLANK]
        value = self.plot.value_at(epoch)
        if value is not None and g.contains(column, g.row(value)):
            cells.append((column, g.row(value), dot))
        return Mark(tuple(cells))
