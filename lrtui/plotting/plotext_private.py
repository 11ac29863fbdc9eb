"""Every private plotext API lrtui uses, in one place: plotext 5.3's own figure class (a figure of our own,
not the shared global one), its monitor (a figure's data and settings), its sizing and matrix build (the
canvas without the string plotext would print), and its colour codes.

plotext has no public API for these; a release may change them. ``tests/test_plotext_private.py`` checks each
one on the installed plotext and fails loudly, naming what moved; pyproject pins plotext to the releases it
passed on.
"""

from __future__ import annotations

from plotext._figure import _figure_class
from plotext._monitor import monitor_class
from plotext._utility import colors_to_ansi

TESTED_ON = ("5.3.2",)
"""The plotext releases the checks in tests/test_plotext_private.py passed on."""


def new_figure():
    """A plotext figure of its own (plotext's module-level functions share one global figure)."""
    return _figure_class()


def fresh_figure(plt) -> None:
    """What plotext's clear_figure() does for a single plot: all data and settings back to their defaults,
    which live in the figure's monitor. clear_figure() builds the whole figure again (a placeholder
    subplot with a deep copy of the monitor, and a terminal size query): about 0.3 ms a plot, twice per
    key; this about 0.01 ms. The snapshot tests hold the output the same."""
    plt.monitor = monitor_class()
    plt.monitor.set_date(plt.date)
    plt.monitor.set_size(plt._size)


def set_size(plt, width: int, height: int) -> None:
    """Size the figure's canvas at once (plotsize() alone waits for the next build)."""
    plt.plotsize(width, height)
    plt._set_size(width, height)


def build_matrix(plt):
    """plotext's build() less its canvas string: the figure's cell matrix, filled, returned with the
    data limits it was drawn for, ``(matrix, xlim, ylim)``. ``matrix.Cols_canvas`` / ``Rows_canvas`` are
    the data area's columns and rows; ``rows``, ``cols`` and the per-cell layers ``marker``, ``fullground``,
    ``style``, ``background`` (rows from the bottom) are what :func:`lrtui.ui.widgets.plots.matrix_lines` reads."""
    plt._set_sizes()
    plt._build_matrix()
    return plt.monitor.matrix, plt.monitor.xlim[0], plt.monitor.ylim[0]


def canvas_rows(plt, height: int) -> int:
    """The rows of the data area plotext will draw at ``height`` with the figure's frame, title and axis
    labels as they are set now, and a row of x tick labels (plotext's own arithmetic in its build)."""
    monitor = plt.monitor
    highbar = monitor.title is not None or monitor.xlabel[1] is not None
    lowbar = any(label is not None for label in [*monitor.ylabel, monitor.xlabel[0]])
    return height - sum(monitor.xaxes) - 1 - highbar - lowbar


def ticks_style(plt) -> tuple:
    """The (colour, style) the figure's theme gives tick labels (our legend is drawn in them)."""
    return plt.monitor.ticks_color, plt.monitor.ticks_style


def colours_to_ansi(foreground, style, background) -> str:
    """The ANSI codes of one of plotext's (foreground, style, background) cell colours."""
    return colors_to_ansi(foreground, style, background)
