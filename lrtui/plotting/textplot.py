"""Draw curves as text with plotext for the headless CLI (``--plot``): braille or plain ASCII, colour
only when the output is a colour terminal."""

from __future__ import annotations

import math
import re

import numpy as np

from lrtui.plotting.decimate import decimate
from lrtui.plotting.plotext_private import new_figure
from lrtui.plotting.terminal import terminal_size
from lrtui.plotting.ticks import epoch_ticks, log_ticks, nice_ticks, tick_labels

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def scaled_for_ticks(values: np.ndarray) -> tuple[np.ndarray, str]:
    """The values divided by a power of ten so tick labels stay short (plotext draws nothing for values
    around 1e-80 and needs 15 columns for 1e-10), and its label suffix, e.g. " (x1e-06)".

    The division goes through the largest value: values / 10^e is (values / top) * (top / 10^e), since
    10^e itself is 0 below 1e-323 (a denormal lr such as 5e-324) and inf above 1e308.
    """
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    if top == 0.0 or 1e-3 <= top < 1e4:
        return values, ""
    exponent = math.floor(math.log10(top))
    mantissa = 10.0 ** (math.log10(top) - exponent)
    return values / top * mantissa, f" (x1e{exponent:+03d})"


def plot_curve(
    epochs: np.ndarray,
    values: np.ndarray,
    *,
    title: str,
    ylabel: str = "lr",
    ascii_only: bool = False,
    colour: bool = False,
    size: tuple[int, int] | None = None,
    xlabel: str = "epoch",
    ylog: bool = False,
    xlog: bool = False,
) -> str:
    """The curve as text of exactly ``size`` = (columns, rows) (default: the terminal, less one row for
    the prompt), decimated to its width. The x axis is labelled at round epochs and the last one, as in the
    app; ``ylog`` / ``xlog``: the values are log10 of the quantity, and the axis is labelled with values
    (1e-3), not exponents."""
    cols, rows = size or (terminal_size()[0], terminal_size()[1] - 1)
    x, y = decimate(epochs, values, cols)
    y, suffix = scaled_for_ticks(y)
    fig = new_figure()  # a figure of our own, not plotext's shared global one
    fig.plotsize(cols, rows)
    fig.theme("pro" if colour else "clear")
    if ascii_only:
        fig.frame(False)
    fig.plot(x.tolist(), y.tolist(), marker="*" if ascii_only else "braille", color="blue+" if colour else "default")
    fig.title(title)
    finite_x = x[np.isfinite(x)]
    if xlabel == "epoch" and finite_x.size and finite_x.max() - finite_x.min() >= 4:
        ticks = epoch_ticks(float(finite_x.min()), float(finite_x.max()), with_last=True)
        fig.xticks(ticks, [str(int(t)) for t in ticks])
    if xlog and finite_x.size:
        fig.xticks(*log_ticks(float(finite_x.min()), float(finite_x.max())))
    finite_y = y[np.isfinite(y)]
    most_y = max(2, min(6, rows // 3))
    if ylog and not suffix and finite_y.size:
        fig.yticks(*log_ticks(float(finite_y.min()), float(finite_y.max()), most=most_y))
    elif finite_y.size:  # round values, as the app labels them (0.025 0.050 0.075, not 0.033 0.067)
        ticks = nice_ticks(float(finite_y.min()), float(finite_y.max()), most=most_y)
        if ticks:
            fig.yticks(ticks, tick_labels(ticks))
    fig.xlabel(xlabel)
    fig.ylabel(ylabel + suffix)
    text = fig.build().rstrip("\n")
    return text if colour else _ANSI.sub("", text)
