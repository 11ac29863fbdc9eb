"""Plots of series over epochs, drawn by plotext through textual-plotext, with an epoch cursor on top.

A :class:`CurvePlot` rebuilds its plotext text only when its data, size or look changes. The cursor is
drawn over the cached lines and moving it refreshes just the cells it leaves and covers, so stepping
through epochs never rebuilds a plot and sends the terminal a couple of kilobytes, not a whole plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
from rich.segment import Segment
from rich.text import Text
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from lrtui.ui.widgets.plot_panel import Mark

from lrtui.plotting.draw import MIN_HEIGHT, MIN_WIDTH, Geometry, draw_figure, drawing_order
from lrtui.plotting.draw import matrix_lines, shorten  # noqa: F401 (tests read them here)
from lrtui.plotting.figure import Figure
from lrtui.plotting.series import Look, Series, same_series
from lrtui.plotting.ticks import nice_ticks, tick_labels  # noqa: F401 (tests read them here)


@dataclass(frozen=True)
class _Plain:
    """The characters a plot shows, without styles (for tests and for checking where marks may go)."""

    plain: str


class CurvePlot(PlotextPlot):
    """A plotext plot of series over epochs, cached between data changes."""

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title  # as shown: the title given, and " (log)" when the y axis of drawn series is log
        self.base_title = title
        self.mark: Mark | None = None
        self.place_mark: Callable[[], Mark | None] | None = None  # set by the panel that owns the cursor
        self.series: tuple[Series, ...] = ()
        self.look = Look()
        self.x_range: tuple[float, float] | None = None
        self.y_range: tuple[float, float] | None = None
        self.xlog = False
        self.vlines: tuple[tuple[float, str], ...] = ()
        self.xlabel: str | None = None
        self.shorter: tuple[str, ...] = ()  # the title's shorter wordings (Figure.shorter)
        self.shorter_xlabel: tuple[str, ...] = ()
        self.geometry: Geometry | None = None
        self._version = 0
        self._settings: tuple | None = None
        self._cache_key: tuple | None = None
        self._cache = _Plain("")
        self._lines: list[list[Segment]] = []
        self._strips: list[Strip] | None = None
        self.builds = 0  # how many times plotext built this plot (tests and benchmarks read it)

    def drawing_order(self) -> list[Series]:
        """The series as they are drawn (lrtui.plotting.draw.drawing_order)."""
        return drawing_order(self.series)

    def show(self, series: tuple[Series, ...], *, title: str | None = None, look: Look | None = None,
             x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
             xlabel: str | None = None, xlog: bool = False,
             vlines: tuple[tuple[float, str], ...] = (), shorter: tuple[str, ...] = (),
             shorter_xlabel: tuple[str, ...] = ()) -> None:
        """Replace what the plot draws; it is rebuilt at the next refresh, unless nothing it draws changed
        (a new seed leaves the lr plot as it was). ``xlog``: x values are log10 of the quantity, ticks are
        labelled 1e-3 style; ``vlines``: (x, colour) marks across the plot; ``shorter``, ``shorter_xlabel``:
        the title's and the x label's shorter wordings, for a narrow plot. The title says " (log)" when
        ``look.log`` puts series on a log axis."""
        base = self.base_title if title is None else title
        look = self.look if look is None else look
        title = base + (" (log)" if look.log and series else "")
        settings = (title, look, x_range, y_range, xlabel, xlog, vlines, shorter, shorter_xlabel)
        if self._version and settings == self._settings and same_series(series, self.series):
            return
        self._settings = settings
        self.xlog = xlog
        self.vlines = vlines
        self.series = series
        self.title = title
        self.base_title = base
        self.look = look
        self.x_range = x_range
        self.y_range = y_range
        self.xlabel = xlabel
        self.shorter = shorter
        self.shorter_xlabel = shorter_xlabel
        self._version += 1
        self.refresh()

    def char_at(self, column: int, row: int) -> str:
        """The character the plot shows at a cell ('' outside it)."""
        lines = self._cache.plain.split("\n")
        return lines[row][column] if 0 <= row < len(lines) and 0 <= column < len(lines[row]) else ""

    def value_at(self, x: float) -> float | None:
        """The first series' value at x as drawn (log10 on a log plot), or None."""
        if not self.series:
            return None
        s = self.series[0]
        i = int(np.searchsorted(s.x, x))
        if i >= len(s.x) or s.x[i] != x or not np.isfinite(s.y[i]):
            return None
        y = float(s.y[i])
        if self.look.log:
            return math.log10(y) if y > 0 else None
        return y

    def _current(self) -> "_Plain":
        key = (self.size.width, self.size.height, self._version, self.app.theme, self.theme)
        if key != self._cache_key:
            self._cache_key = key
            self._cache = self._build()
            self._strips = None
            if self.place_mark is not None:  # the geometry may have moved: put the cursor in this same frame
                self.mark = self.place_mark()
        return self._cache

    def render(self) -> Text:
        return Text(self._current().plain)  # Textual draws through render_line; this serves tooltips and tests

    def set_mark(self, mark: Mark | None) -> None:
        """Move the cursor: only the cells it leaves and the cells it covers are redrawn."""
        if mark == self.mark:
            return
        regions = [r for m in (self.mark, mark) if m is not None for r in m.regions()]
        self.mark = mark
        if regions:
            self.refresh(*regions)

    def render_line(self, y: int) -> Strip:
        """One line of the cached plot, with the cursor's cells drawn over it."""
        strip = self._plot_line(y)
        mark = self.mark
        if mark is None:
            return strip
        for x, row, glyph in mark.cells:
            if row == y and 0 <= x < strip.cell_length:
                before, cell, after = strip.divide([x, x + 1, strip.cell_length])
                style = next((seg.style for seg in cell if seg.style), None) or Style()
                strip = Strip.join([before, Strip([Segment(glyph, style + self._cursor_style)], 1), after])
        return strip

    @property
    def _cursor_style(self) -> Style:
        if self.look.mono:
            return Style(bold=True)
        return Style(color=self.app.current_theme.warning or "yellow", bold=True)

    def _plot_line(self, y: int) -> Strip:
        self._current()
        if self._strips is None:
            width, style = self.size.width, self.rich_style  # rich_style walks the DOM: once, not per line
            # every segment carries a style: Textual's filters (NO_COLOR's monochrome) read it
            self._strips = [Strip(segments).adjust_cell_length(width, style)
                            for segments in self._lines[: self.size.height]]
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _build(self) -> _Plain:
        """Draw the plot (lrtui.plotting.draw, shared with the CLI's --plot) on this widget's plotext figure."""
        theme = "clear" if self.look.mono else self._get_plotext_theme_name(self.app.theme)
        figure = Figure(self.series, self.base_title, self.look, x_range=self.x_range, y_range=self.y_range,
                        xlabel=self.xlabel, xlog=self.xlog, vlines=self.vlines, shorter=self.shorter,
                        shorter_xlabel=self.shorter_xlabel)
        width, height = self.size.width, self.size.height
        drawing = draw_figure(self.plt, figure, width, height, theme)
        self.builds += width >= MIN_WIDTH and height >= MIN_HEIGHT  # (smaller: the title alone, not plotext)
        self.geometry = drawing.geometry
        self._lines = drawing.lines
        return _Plain(drawing.plain)
