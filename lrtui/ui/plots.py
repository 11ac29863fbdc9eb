"""Plots of series over epochs, drawn by plotext through textual-plotext, with an epoch cursor on top.

A :class:`CurvePlot` rebuilds its plotext text only when its data, size or look changes; moving the
cursor moves a one-column :class:`Cursor` widget laid over the plot, so stepping through epochs never
rebuilds a plot (and writes a few hundred bytes to the terminal, not a whole plot).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.widget import Widget
from textual_plotext import PlotextPlot

from lrtui.decimate import decimate

MIN_WIDTH, MIN_HEIGHT = 16, 5


@dataclass(frozen=True)
class Series:
    """One line: x and y (NaN where there is nothing to draw), its plotext colour and legend label."""

    x: np.ndarray
    y: np.ndarray
    colour: str = "blue+"
    label: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class Look:
    """How a plot is drawn: log-scale y, plain ASCII, monochrome."""

    log: bool = False
    ascii: bool = False
    mono: bool = False


@dataclass(frozen=True)
class Geometry:
    """Where the data area lies inside the widget (columns, rows from the top) and the x range it shows."""

    left: int
    width: int
    top: int
    height: int
    x0: float
    x1: float

    def column(self, x: float) -> int:
        """plotext's own mapping of x to a column of the data area."""
        if self.x1 == self.x0:
            return self.left
        return self.left + math.floor(round(0.5 + (self.width - 1) * (x - self.x0) / (self.x1 - self.x0), 8))


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks at powers of ten between log10 values lo and hi, labelled 1e-3 style (at most 6)."""
    a, b = math.floor(lo), math.ceil(hi)
    step = max(1, math.ceil((b - a + 1) / 6))
    ticks = [float(e) for e in range(a, b + 1, step) if lo - 1e-9 <= e <= hi + 1e-9]
    if not ticks:
        ticks = [lo, hi] if hi > lo else [lo]
        return ticks, [f"{10 ** t:.2g}" for t in ticks]
    return ticks, [f"1e{int(t)}" for t in ticks]


class CurvePlot(PlotextPlot):
    """A plotext plot of series over epochs, cached between data changes."""

    class Drawn(Message):
        """The plot was rebuilt: its geometry may have moved."""

        def __init__(self, plot: "CurvePlot") -> None:
            super().__init__()
            self.plot = plot

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.series: tuple[Series, ...] = ()
        self.hlines: tuple[tuple[float, str], ...] = ()
        self.look = Look()
        self.x_range: tuple[float, float] | None = None
        self.geometry: Geometry | None = None
        self._version = 0
        self._cache_key: tuple | None = None
        self._cache: Text = Text("")
        self.builds = 0  # how many times plotext built this plot (tests and benchmarks read it)

    def show(self, series: tuple[Series, ...], *, title: str | None = None, look: Look | None = None,
             x_range: tuple[float, float] | None = None) -> None:
        """Replace what the plot draws; it is rebuilt at the next refresh."""
        self.series = series
        self.title = self.title if title is None else title
        self.look = self.look if look is None else look
        self.x_range = x_range
        self._version += 1
        self.refresh()

    def render(self) -> Text:
        key = (self.size.width, self.size.height, self._version, self.app.theme, self.theme)
        if key != self._cache_key:
            self._cache_key = key
            self._cache = self._build()
            self.post_message(self.Drawn(self))
        return self._cache

    def _build(self) -> Text:
        width, height = self.size.width, self.size.height
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            self.geometry = None
            return Text(self.title[: max(width, 0)])
        plt = self.plt
        plt.clear_figure()
        plt.plotsize(width, height)
        plt._set_size(width, height)
        plt.theme("clear" if self.look.mono else self._get_plotext_theme_name(self.app.theme))
        if self.look.ascii:
            plt.frame(False)
        marker = "*" if self.look.ascii else "braille"
        lo, hi = math.inf, -math.inf
        drawn = 0
        for s in self.series:
            y = s.y
            if self.look.log:
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            x, y = decimate(s.x, y, width)
            keep = np.isfinite(y)
            if not keep.any():
                continue
            x, y = x[keep], y[keep]
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            plt.plot(x.tolist(), y.tolist(), marker=s.marker or marker, color="default" if self.look.mono else s.colour,
                     label=s.label)
            drawn += 1
        for level, colour in self.hlines:
            if math.isfinite(level):
                plt.hline(math.log10(level) if self.look.log and level > 0 else level,
                          "default" if self.look.mono else colour)
        if self.x_range is not None:
            plt.xlim(*self.x_range)
        if drawn and self.look.log:
            ticks, labels = log_ticks(lo, hi)
            plt.yticks(ticks, labels)
        plt.title(self.title if drawn else f"{self.title}: nothing to draw")
        text = plt.build()
        self.builds += 1
        matrix = plt.monitor.matrix
        cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
        xlim = plt.monitor.xlim[0]
        if drawn and len(cols) and len(rows) and None not in xlim:
            self.geometry = Geometry(left=cols.start, width=len(cols), top=height - rows.stop, height=len(rows),
                                     x0=float(xlim[0]), x1=float(xlim[1]))
        else:
            self.geometry = None
        return Text.from_ansi(text)


class Cursor(Widget):
    """A one-column bar laid over a plot's data area at the cursor epoch."""

    DEFAULT_CSS = """
    Cursor {
        position: absolute;
        width: 1;
        height: 1;
        color: $warning;
        text-style: bold;
    }
    """

    def __init__(self, glyph: str = "│", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.glyph = glyph

    def render(self) -> Text:
        return Text("\n".join([self.glyph] * max(self.size.height, 1)))


class PlotPanel(Container):
    """A :class:`CurvePlot` with its :class:`Cursor`; ``epoch`` places the cursor."""

    DEFAULT_CSS = """
    PlotPanel {
        height: 1fr;
        layers: plot cursor;
    }
    PlotPanel > CurvePlot {
        dock: top;
        height: 100%;
        layer: plot;
    }
    PlotPanel > Cursor {
        layer: cursor;
    }
    """

    def __init__(self, title: str, *, id: str | None = None, ascii: bool = False) -> None:
        super().__init__(id=id)
        self.plot = CurvePlot(title)
        self.cursor = Cursor("|" if ascii else "│")
        self.epoch: float | None = None

    def compose(self) -> ComposeResult:
        yield self.plot
        yield self.cursor

    def place(self, epoch: float | None) -> None:
        """Put the cursor at ``epoch`` (hidden when None or when the plot has no data area)."""
        self.epoch = epoch
        g = self.plot.geometry
        if epoch is None or g is None:
            self.cursor.display = False
            return
        column = g.column(epoch)
        if not g.left <= column < g.left + g.width:
            self.cursor.display = False
            return
        self.cursor.display = True
        if self.cursor.styles.height is None or self.cursor.styles.height.value != g.height:
            self.cursor.styles.height = g.height
        self.cursor.styles.offset = (column, g.top)

    def on_curve_plot_drawn(self, message: CurvePlot.Drawn) -> None:
        self.place(self.epoch)
