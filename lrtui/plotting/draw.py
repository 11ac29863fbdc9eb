"""Draw a :class:`~lrtui.plotting.figure.Figure` with plotext: the one step every figure takes to cells, shared
by the app's plot widget and the CLI's ``--plot``. :func:`draw_figure` gives a :class:`Drawing`: the text,
its styled lines (Rich segments), and where the data area lies (:class:`Geometry`, which the app's cursor
reads). :func:`drawing_text` makes a drawing printable. No Textual here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import numpy as np
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from lrtui.plotting.decimate import decimate
from lrtui.plotting.figure import Figure
from lrtui.plotting.plotext_private import (build_matrix, canvas_rows, colours_to_ansi, fresh_figure, set_size,
                                           ticks_style)
from lrtui.plotting.series import Look, Series
from lrtui.plotting.ticks import epoch_ticks, log_ticks, nice_ticks, row_aligned_ticks, tick_labels

MIN_WIDTH, MIN_HEIGHT = 16, 5
"""The smallest plot drawn: below it, the title alone."""

_CONSOLE = Console(color_system="truecolor", force_terminal=True, width=10)


@lru_cache(maxsize=1024)
def _colours_style(colours: tuple) -> Style:
    """The Rich style of one of plotext's (foreground, style, background) cell colours (a plot uses a
    handful: each is parsed once)."""
    styled = Text.from_ansi(colours_to_ansi(*colours) + "x")
    return styled.get_style_at_offset(_CONSOLE, 0) or Style.null()


def shorten(title: str, room: int) -> str:
    """A title cut to ``room`` columns with "...", keeping a closing " (log)" (what the axis shows)."""
    if len(title) <= room:
        return title
    keep = " (log)" if title.endswith(" (log)") and room >= 16 else ""
    head = title[: len(title) - len(keep)]
    return head[: max(room - 3 - len(keep), 1)].rstrip() + "..." + keep


def fit_title(titles: tuple[str, ...], room: int) -> str:
    """The first of a title's wordings (longest first: :attr:`~lrtui.plotting.figure.Figure.shown_titles`) that
    fits ``room`` columns, else the last one cut by :func:`shorten`."""
    for title in titles:
        if len(title) <= room:
            return title
    return shorten(titles[-1], room)


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
    """Where the data area lies inside the plot (columns, rows from the top) and the x range it shows."""

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
        """The same for y, counted from the top of the plot."""
        if self.y1 == self.y0:
            return self.top + self.height - 1
        from_bottom = math.floor(round(0.5 + (self.height - 1) * (y - self.y0) / (self.y1 - self.y0), 8))
        return self.top + self.height - 1 - from_bottom


@dataclass(frozen=True, eq=False)
class Drawing:
    """A figure drawn: ``plain`` (the characters, lines joined by newlines), ``lines`` (the same as styled
    segments, one list per line from the top), and the data area's ``geometry`` (None when nothing was drawn
    or the plot is too small)."""

    plain: str
    lines: list[list[Segment]]
    geometry: Geometry | None


def drawing_order(series: tuple[Series, ...]) -> list[Series]:
    """The series as they are drawn, each over the ones before: the runs with the first one (the current run)
    last, on top of them, then the reference lines (``on_top``: the noise floor) over all runs."""
    return [s for s in reversed(series) if not s.on_top] + [s for s in series if s.on_top]


def draw_figure(plt, figure: Figure, width: int, height: int, theme: str) -> Drawing:
    """``figure`` drawn on ``plt`` (a plotext figure of the caller's own, cleared here) at ``width`` x
    ``height`` cells in plotext's ``theme``: the series in :func:`drawing_order` (y as log10 where
    ``figure.look.log``, non-positive values left out), decimated to the width, round tick labels, and the
    labelled series named by a legend (:func:`_draw_legend`, not plotext's)."""
    titles = figure.shown_titles
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        title = fit_title(titles, max(width, 0))[: max(width, 0)]
        return Drawing(title, [[Segment(title, Style.null())]], None)
    look = figure.look
    fresh_figure(plt)
    set_size(plt, width, height)
    plt.theme(theme)
    if look.ascii:
        plt.frame(False)
    marker = "*" if look.ascii else "braille"
    lo, hi = math.inf, -math.inf
    drawn = 0
    for s in drawing_order(figure.series):
        y = s.y
        if look.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        x, y = decimate(s.x, y, width) if s.decimate else (np.asarray(s.x, float), np.asarray(y, float))
        keep = np.isfinite(y) & np.isfinite(x)
        if not keep.any():
            continue
        x, y = x[keep], y[keep]
        lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
        draw = plt.scatter if s.scatter else plt.plot
        draw(x.tolist(), y.tolist(), marker=s.marker or marker, color="default" if look.mono else s.colour)
        drawn += 1
    if figure.x_range is not None:
        plt.xlim(*figure.x_range)
        if figure.epoch_axis and figure.x_range[1] - figure.x_range[0] >= 4:  # epochs: round whole numbers
            ticks = epoch_ticks(*figure.x_range, with_last=True)  # the last epoch labelled
            plt.xticks(ticks, [str(int(v)) for v in ticks])
    for at, colour in figure.vlines:
        if math.isfinite(at):
            plt.vline(at, "default" if look.mono else colour)
    if figure.xlog and drawn:
        xs = np.concatenate([np.asarray(s.x, float) for s in figure.series])
        xs = xs[np.isfinite(xs)]
        ticks, labels = log_ticks(float(xs.min()), float(xs.max()))
        plt.xticks(ticks, labels)
    if figure.y_range is not None:
        plt.ylim(*figure.y_range)
    if figure.xlabel:  # (plotext leaves out one wider than the plot less its y labels, as a title)
        plt.xlabel(fit_title((figure.xlabel, *figure.shorter_xlabel), width - 8))
    if figure.ylabel:
        plt.ylabel(figure.ylabel)
    titles = titles if drawn else (f"{titles[0]}: nothing to draw", *titles)
    # plotext leaves out a title wider than its data area (less the y labels)
    plt.title(fit_title(titles, width - 8))
    # no more labels than every other row: plotext drops colliding ones (which one varies from run to
    # run), and its own ticks, evenly spaced in value, land on uneven rows with uneven digits
    most = max(2, min(6, (height - 4 - bool(figure.xlabel)) // 2))  # (about the data area's rows)
    gap = " " if look.ascii else ""  # without a frame, a space keeps labels off the curves
    if drawn and look.log:
        if hi - lo < 1e-9:  # a flat curve: the decade around it, so that two ticks or more say where it lies
            lo, hi = lo - 0.5, hi + 0.5
            plt.ylim(lo, hi)
        ticks, labels = log_ticks(lo, hi, most=most)
        plt.yticks(ticks, [label + gap for label in labels])
    elif drawn:
        # round values on rows of their own values (row_aligned_ticks), else (no round step fits the rows)
        # from a round value to a round value, each labelled, unless that wastes more than a fifth of the
        # height: then round values inside the data's own range
        aligned = None if figure.y_range is not None else row_aligned_ticks(lo, hi, canvas_rows(plt, height), most)
        if figure.y_range is not None:
            ticks = nice_ticks(*figure.y_range, most)
        elif aligned is not None:
            ticks = aligned[0]
            plt.ylim(*aligned[1])
        else:
            ticks = nice_ticks(lo, hi, most, enclose=True)
            if len(ticks) >= 2 and hi - lo >= 0.8 * (ticks[-1] - ticks[0]):
                plt.ylim(ticks[0], ticks[-1])
            else:
                ticks = nice_ticks(lo, hi, most)
        if ticks:
            plt.yticks(ticks, [label + gap for label in tick_labels(ticks)])
    matrix, xlim, ylim = build_matrix(plt)  # plotext's build() less its canvas string: matrix_lines replaces it
    cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
    geometry = None
    if drawn and len(cols) and len(rows) and None not in xlim and None not in ylim:
        geometry = Geometry(left=cols.start, width=len(cols), top=height - rows.stop, height=len(rows),
                            x0=float(xlim[0]), x1=float(xlim[1]), y0=float(ylim[0]), y1=float(ylim[1]))
    plain, lines = matrix_lines(matrix)
    entries = [s for s in figure.series if s.label]
    if entries:
        plain = _draw_legend(matrix, lines, ticks_style(plt), look, titles, entries, plain)
    return Drawing(plain, lines, geometry)


def _draw_legend(matrix, lines: list[list[Segment]], ticks: tuple, look: Look, titles: tuple[str, ...],
                 entries: list[Series], plain: str) -> str:
    """Name the labelled series: each one's glyph in its colour, then its label. In the title row, right
    of the title, where both fit: the title's longest wording whole with the labels, spaced then closed up,
    then with their short labels; else the shortest wording cut (it keeps 12 columns at least) beside the short
    labels closed up; else as a box in the corner of the data area that covers the fewest drawn cells
    (plotext's own legend always takes the top left, where every curve starts); else, in a plot too
    small for the box, nowhere. Returns the new plain text; ``lines`` (the segments) are changed in place."""
    texts = plain.split("\n")
    cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
    if not len(cols) or not len(rows):
        return plain
    width, height = matrix.cols, matrix.rows

    def style(row: int, col: int, fullground=None) -> Style:
        """A cell's (row from the top) background with the ticks' colour, or ``fullground``."""
        background = matrix.background[height - 1 - row][col]
        return _colours_style((ticks[0] if fullground is None else fullground, ticks[1], background))

    def glyph(s: Series) -> str:
        return look.glyph(s.marker)

    def colour(s: Series) -> str:
        return "default" if look.mono else s.colour

    text_style = style(0, 0)
    start, end = cols.start, min(cols.stop + 1, width)  # the title row: the data area's left to the frame's right
    full = [s.label for s in entries]
    short = [s.short_label or s.label for s in entries]
    # "■ now  ■ #1" then "■now ■#1", with their labels then their short labels, beside a title's wording whole;
    # else the short labels closed up beside the shortest wording cut
    layouts = [(title, labels, gap, space, len(title)) for title in titles for labels in (full, short)
               for gap, space in (("  ", " "), (" ", "")) if labels is full or short != full]
    layouts.append((titles[-1], short, " ", "", 12))
    for title, labels, gap, space, least in layouts:
        room = end - start - sum(len(gap) + 1 + len(space) + len(label) for label in labels)
        if room < min(len(title), least):
            continue
        title = shorten(title, room)
        segments = [Segment(" " * start + title + " " * (room - len(title)), text_style)]
        for s, label in zip(entries, labels):
            segments += [Segment(gap, text_style), Segment(glyph(s), style(0, 0, colour(s))),
                         Segment(space + label, text_style)]
        segments.append(Segment(" " * (width - end), text_style))
        lines[0] = [seg for seg in segments if seg.text]
        texts[0] = "".join(seg.text for seg in segments)
        return "\n".join(texts)
    box_width = max(2 + len(label) for label in short)
    top, bottom = height - rows.stop, height - rows.start  # the data area's rows from the top
    if box_width + 2 > len(cols) or len(entries) > bottom - top:
        return plain
    corners = [(top, cols.stop - 1 - box_width), (top, cols.start + 1),
               (bottom - len(entries), cols.stop - 1 - box_width), (bottom - len(entries), cols.start + 1)]

    def covered(corner: tuple[int, int]) -> int:
        row, col = corner
        return sum(c != " " for line in texts[row : row + len(entries)] for c in line[col : col + box_width])

    row, col = min(corners, key=covered)  # the first corner (top right) among equals
    for i, (s, label) in enumerate(zip(entries, short)):
        label = (" " + label).ljust(box_width - 1)
        box = [Segment(glyph(s), style(row + i, col, colour(s))), Segment(label, style(row + i, col))]
        before, _, after = Segment.divide(lines[row + i], [col, col + box_width, width])
        lines[row + i] = [*before, *box, *after]
        texts[row + i] = texts[row + i][:col] + glyph(s) + label + texts[row + i][col + box_width:]
    return "\n".join(texts)


def drawing_text(drawing: Drawing, colour: bool) -> str:
    """A drawing to print: its lines with trailing blanks dropped; in colour, each run of cells with the
    ANSI codes of its style (Rich's, as the app's terminal gets them)."""
    if not colour:
        return "\n".join(line.rstrip() for line in drawing.plain.split("\n"))
    out = []
    for segments in drawing.lines:
        out.append("".join(seg.style.render(seg.text, color_system=ColorSystem.TRUECOLOR) if seg.style else seg.text
                           for seg in segments))
    return "\n".join(out)
