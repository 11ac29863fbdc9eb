"""Plots of series over epochs, drawn by plotext through textual-plotext, with an epoch cursor on top.

A :class:`CurvePlot` rebuilds its plotext text only when its data, size or look changes. The cursor is
drawn over the cached lines and moving it refreshes just the cells it leaves and covers, so stepping
through epochs never rebuilds a plot and sends the terminal a couple of kilobytes, not a whole plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING, Callable

import numpy as np
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from lrtui.ui.widgets.plot_panel import Mark

from lrtui.plotting.decimate import decimate
from lrtui.plotting.series import Look, Series, same_series
from lrtui.plotting.plotext_private import build_matrix, colours_to_ansi, fresh_figure, set_size, ticks_style
from lrtui.plotting.ticks import epoch_ticks, log_ticks, nice_ticks, tick_labels  # noqa: F401 (tests read them here)

MIN_WIDTH, MIN_HEIGHT = 16, 5


@lru_cache(maxsize=1024)
def _colours_style(colours: tuple) -> Style:
    """The Rich style of one of plotext's (foreground, style, background) cell colours (a plot uses a
    handful: each is parsed once)."""
    styled = Text.from_ansi(colours_to_ansi(*colours) + "x")
    return styled.get_style_at_offset(_CONSOLE, 0) or Style.null()


_CONSOLE = Console(color_system="truecolor", force_terminal=True, width=10)


def shorten(title: str, room: int) -> str:
    """A title cut to ``room`` columns with "...", keeping a closing " (log)" (what the axis shows)."""
    if len(title) <= room:
        return title
    keep = " (log)" if title.endswith(" (log)") and room >= 16 else ""
    head = title[: len(title) - len(keep)]
    return head[: max(room - 3 - len(keep), 1)].rstrip() + "..." + keep


def matrix_lines(matrix) -> tuple[str, list[list[Segment]]]:
    """What plotext drew, read from its matrix (a character and fg, style, bg colours per cell, rows counted
    from the bottom): the plain text, and segments per line from the top, one per run of cells of the same
    colours. The same as plotext's canvas string parsed, without writing every cell into that string and
    parsing it again (a quarter of plotext's build time)."""
    plain: list[str] = []
    lines: list[list[Segment]] = []
    for row in range(matrix.rows - 1, -1, -1):
        markers = matrix.marker[row]
        segments = []
        col = 0
        for colours, run in groupby(zip(matrix.fullground[row], matrix.style[row], matrix.background[row])):
            end = col + sum(1 for _ in run)
            segments.append(Segment("".join(markers[col:end]), _colours_style(colours)))
            col = end
        plain.append("".join(markers))
        lines.append(segments)
    return "\n".join(plain), lines


@dataclass(frozen=True)
class Geometry:
    """Where the data area lies inside the widget (columns, rows from the top) and the x range it shows."""

    left: int
    width: int
    top: int
    height: int
    x0: float
    x1: float
    y0: float = 0.0
    y1: float = 1.0

    def column(self, x: float) -> int:
        """plotext's own mapping of x to a column of the data area."""
        if self.x1 == self.x0:
            return self.left
        return self.left + math.floor(round(0.5 + (self.width - 1) * (x - self.x0) / (self.x1 - self.x0), 8))

    def contains(self, column: int, row: int) -> bool:
        return self.left <= column < self.left + self.width and self.top <= row < self.top + self.height

    def row(self, y: float) -> int:
        """The same for y, counted from the top of the widget."""
        if self.y1 == self.y0:
            return self.top + self.height - 1
        from_bottom = math.floor(round(0.5 + (self.height - 1) * (y - self.y0) / (self.y1 - self.y0), 8))
        return self.top + self.height - 1 - from_bottom


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
        self.geometry: Geometry | None = None
        self._version = 0
        self._settings: tuple | None = None
        self._cache_key: tuple | None = None
        self._cache = _Plain("")
        self._lines: list[list[Segment]] = []
        self._strips: list[Strip] | None = None
        self.builds = 0  # how many times plotext built this plot (tests and benchmarks read it)

    def drawing_order(self) -> list[Series]:
        """The series as they are drawn, each over the ones before: the runs with the first one (the current
        run) last, on top of them, then the reference lines (``on_top``: the noise floor) over all runs."""
        return [s for s in reversed(self.series) if not s.on_top] + [s for s in self.series if s.on_top]

    def show(self, series: tuple[Series, ...], *, title: str | None = None, look: Look | None = None,
             x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
             xlabel: str | None = None, xlog: bool = False,
             vlines: tuple[tuple[float, str], ...] = ()) -> None:
        """Replace what the plot draws; it is rebuilt at the next refresh, unless nothing it draws changed
        (a new seed leaves the lr plot as it was). ``xlog``: x values are log10 of the quantity, ticks are
        labelled 1e-3 style; ``vlines``: (x, colour) marks across the plot. The title says " (log)" when
        ``look.log`` puts series on a log axis."""
        base = self.base_title if title is None else title
        look = self.look if look is None else look
        title = base + (" (log)" if look.log and series else "")
        settings = (title, look, x_range, y_range, xlabel, xlog, vlines)
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
        """Draw the plot with plotext (labelled series are named by :meth:`_draw_legend`, not plotext)."""
        width, height = self.size.width, self.size.height
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            self.geometry = None
            title = self.title[: max(width, 0)]
            self._lines = [[Segment(title, Style.null())]]
            return _Plain(title)
        plt = self.plt
        fresh_figure(plt)
        set_size(plt, width, height)
        plt.theme("clear" if self.look.mono else self._get_plotext_theme_name(self.app.theme))
        if self.look.ascii:
            plt.frame(False)
        marker = "*" if self.look.ascii else "braille"
        lo, hi = math.inf, -math.inf
        drawn = 0
        for s in self.drawing_order():
            y = s.y
            if self.look.log:
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            x, y = decimate(s.x, y, width) if s.decimate else (np.asarray(s.x, float), np.asarray(y, float))
            keep = np.isfinite(y) & np.isfinite(x)
            if not keep.any():
                continue
            x, y = x[keep], y[keep]
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            draw = plt.scatter if s.scatter else plt.plot
            draw(x.tolist(), y.tolist(), marker=s.marker or marker, color="default" if self.look.mono else s.colour)
            drawn += 1
        if self.x_range is not None:
            plt.xlim(*self.x_range)
            if self.xlabel is None and self.x_range[1] - self.x_range[0] >= 4:  # epochs: round whole numbers
                ticks = epoch_ticks(*self.x_range, with_last=True)  # the last epoch labelled
                plt.xticks(ticks, [str(int(v)) for v in ticks])
        for at, colour in self.vlines:
            if math.isfinite(at):
                plt.vline(at, "default" if self.look.mono else colour)
        if self.xlog and drawn:
            xs = np.concatenate([np.asarray(s.x, float) for s in self.series])
            xs = xs[np.isfinite(xs)]
            ticks, labels = log_ticks(float(xs.min()), float(xs.max()))
            plt.xticks(ticks, labels)
        if self.y_range is not None:
            plt.ylim(*self.y_range)
        if self.xlabel:
            plt.xlabel(self.xlabel)
        # no more labels than every other row: plotext drops colliding ones (which one varies from run to
        # run), and its own ticks, evenly spaced in value, land on uneven rows with uneven digits
        most = max(2, min(6, (height - 4 - bool(self.xlabel)) // 2))  # (the data area's rows)
        gap = " " if self.look.ascii else ""  # without a frame, a space keeps labels off the curves
        if drawn and self.look.log:
            ticks, labels = log_ticks(lo, hi, most=most)
            plt.yticks(ticks, [label + gap for label in labels])
        elif drawn:
            # the axis runs from a round value to a round value, each labelled, unless that wastes more
            # than a fifth of the height: then round values inside the data's own range
            if self.y_range is not None:
                ticks = nice_ticks(*self.y_range, most)
            else:
                ticks = nice_ticks(lo, hi, most, enclose=True)
                if len(ticks) >= 2 and hi - lo >= 0.8 * (ticks[-1] - ticks[0]):
                    plt.ylim(ticks[0], ticks[-1])
                else:
                    ticks = nice_ticks(lo, hi, most)
            if ticks:
                plt.yticks(ticks, [label + gap for label in tick_labels(ticks)])
        title = self.title if drawn else f"{self.title}: nothing to draw"
        title = shorten(title, width - 8)  # plotext leaves out a title wider than its data area (less the y labels)
        plt.title(title)
        matrix, xlim, ylim = build_matrix(plt)  # plotext's build() less its canvas string: matrix_lines replaces it
        self.builds += 1
        cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
        if drawn and len(cols) and len(rows) and None not in xlim and None not in ylim:
            self.geometry = Geometry(left=cols.start, width=len(cols), top=height - rows.stop, height=len(rows),
                                     x0=float(xlim[0]), x1=float(xlim[1]), y0=float(ylim[0]), y1=float(ylim[1]))
        else:
            self.geometry = None
        plain, self._lines = matrix_lines(matrix)
        entries = [s for s in self.series if s.label]
        if entries:
            plain = self._draw_legend(matrix, ticks_style(plt), title, entries, plain)
        return _Plain(plain)

    def _draw_legend(self, matrix, ticks: tuple, title: str, entries: list[Series], plain: str) -> str:
        """Name the labelled series: each one's glyph in its colour, then its label. In the title row, right
        of the title, where both fit (the labels close up before the title is cut, and it keeps 12 columns
        at least); else as a box in the corner of the data area that covers the fewest drawn cells
        (plotext's own legend always takes the top left, where every curve starts); else, in a plot too
        small for the box, nowhere. Returns the new plain text; the lines of segments are changed in place."""
        lines = plain.split("\n")
        cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
        if not len(cols) or not len(rows):
            return plain
        width, height = matrix.cols, matrix.rows

        def style(row: int, col: int, fullground=None) -> Style:
            """A cell's (row from the top) background with the ticks' colour, or ``fullground``."""
            background = matrix.background[height - 1 - row][col]
            return _colours_style((ticks[0] if fullground is None else fullground, ticks[1], background))

        def glyph(s: Series) -> str:
            return self.look.glyph(s.marker)

        def colour(s: Series) -> str:
            return "default" if self.look.mono else s.colour

        text_style = style(0, 0)
        start, end = cols.start, min(cols.stop + 1, width)  # the title row: the data area's left to the frame's right
        # "■ now  ■ #1" with the whole title, else "■now ■#1" with the whole title, else with the title cut
        for least, gap, space in ((len(title), "  ", " "), (len(title), " ", ""), (12, " ", "")):
            room = end - start - sum(len(gap) + 1 + len(space) + len(s.label) for s in entries)
            if room < min(len(title), least):
                continue
            title = shorten(title, room)
            segments = [Segment(" " * start + title + " " * (room - len(title)), text_style)]
            for s in entries:
                segments += [Segment(gap, text_style), Segment(glyph(s), style(0, 0, colour(s))),
                             Segment(space + s.label, text_style)]
            segments.append(Segment(" " * (width - end), text_style))
            self._lines[0] = [seg for seg in segments if seg.text]
            lines[0] = "".join(seg.text for seg in segments)
            return "\n".join(lines)
        box_width = max(2 + len(s.label) for s in entries)
        top, bottom = height - rows.stop, height - rows.start  # the data area's rows from the top
        if box_width + 2 > len(cols) or len(entries) > bottom - top:
            return plain
        corners = [(top, cols.stop - 1 - box_width), (top, cols.start + 1),
                   (bottom - len(entries), cols.stop - 1 - box_width), (bottom - len(entries), cols.start + 1)]

        def covered(corner: tuple[int, int]) -> int:
            row, col = corner
            return sum(c != " " for line in lines[row : row + len(entries)] for c in line[col : col + box_width])

        row, col = min(corners, key=covered)  # the first corner (top right) among equals
        for i, s in enumerate(entries):
            label = (" " + s.label).ljust(box_width - 1)
            box = [Segment(glyph(s), style(row + i, col, colour(s))), Segment(label, style(row + i, col))]
            before, _, after = Segment.divide(self._lines[row + i], [col, col + box_width, width])
            self._lines[row + i] = [*before, *box, *after]
            lines[row + i] = lines[row + i][:col] + glyph(s) + label + lines[row + i][col + box_width:]
        return "\n".join(lines)


