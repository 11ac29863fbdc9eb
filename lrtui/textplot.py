"""Draw curves as text with plotext for the headless CLI (``--plot``): braille or plain ASCII, colour
only when the output is a colour terminal."""

from __future__ import annotations

import os
import re
import shutil
import sys

import numpy as np
import plotext

from lrtui.decimate import decimate

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def use_colour(stream=None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    stream = sys.stdout if stream is None else stream
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def plot_curve(
    epochs: np.ndarray,
    values: np.ndarray,
    *,
    title: str,
    ylabel: str = "lr",
    ascii_only: bool = False,
    colour: bool = False,
    size: tuple[int, int] | None = None,
) -> str:
    """The curve as text, sized to ``size`` (default: the terminal), decimated to its width."""
    cols, rows = size or shutil.get_terminal_size((80, 24))
    cols, rows = max(cols, 20), max(rows - 1, 8)
    x, y = decimate(epochs, values, cols)
    fig = plotext._figure._figure_class()  # a figure of our own, not plotext's shared global one
    fig.plotsize(cols, rows)
    fig.theme("pro" if colour else "clear")
    if ascii_only:
        fig.frame(False)
    fig.plot(x.tolist(), y.tolist(), marker="*" if ascii_only else "braille", color="blue+" if colour else "default")
    fig.title(title)
    fig.xlabel("epoch")
    fig.ylabel(ylabel)
    text = fig.build()
    return text if colour else _ANSI.sub("", text)
