"""Figures as text for the headless CLI (``--plot``): the app's own figures, drawn by the app's own step
(:func:`lrtui.plotting.draw.draw_figure`), in braille or plain ASCII, in colour only when the output is a
colour terminal. No Textual here."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from lrtui.plotting.draw import draw_figure, drawing_text
from lrtui.plotting.figure import Figure
from lrtui.plotting.plotext_private import new_figure
from lrtui.plotting.terminal import terminal_size


def tick_scale(values: np.ndarray) -> tuple[float, float, str]:
    """How to show the values so tick labels stay short (15 columns for 1e-10, and nothing sensible for a
    denormal lr): ``(top, mantissa, suffix)``, shown as values / top * mantissa, a power of ten apart, and
    the label's suffix, e.g. " (x1e-06)"; ``(1, 1, "")`` where they are short already.

    The division goes through the largest value: values / 10^e is (values / top) * (top / 10^e), since
    10^e itself is 0 below 1e-323 (a denormal lr such as 5e-324) and inf above 1e308.
    """
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    if top == 0.0 or 1e-3 <= top < 1e4:
        return 1.0, 1.0, ""
    exponent = math.floor(math.log10(top))
    return top, 10.0 ** (math.log10(top) - exponent), f" (x1e{exponent:+03d})"


def scaled(figure: Figure) -> Figure:
    """``figure`` with its values on a scale of their own (:func:`tick_scale`, one for all its series), the
    y label saying which; a log axis is left as it is (its labels are 1e-3 already)."""
    if figure.look.log or not figure.series:
        return figure
    top, mantissa, suffix = tick_scale(np.concatenate([np.asarray(s.y, float) for s in figure.series]))
    if not suffix:
        return figure
    series = tuple(replace(s, y=np.asarray(s.y, float) / top * mantissa) for s in figure.series)
    y_range = None if figure.y_range is None else tuple(v / top * mantissa for v in figure.y_range)
    return replace(figure, series=series, y_range=y_range, ylabel=(figure.ylabel or "") + suffix)


def plot_figure(figure: Figure, *, colour: bool = False, size: tuple[int, int] | None = None) -> str:
    """``figure`` as text of ``size`` = (columns, rows) (default: the terminal, less one row for the prompt),
    values scaled for short labels; plotext's "pro" theme in colour, its "clear" one without."""
    cols, rows = size or (terminal_size()[0], terminal_size()[1] - 1)
    drawing = draw_figure(new_figure(), scaled(figure), cols, rows, "pro" if colour else "clear")
    return drawing_text(drawing, colour)
