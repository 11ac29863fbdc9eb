"""What one plot shows, as a value: :class:`Figure` (its series, title, look, axes and reference lines, and
what the status line and the cursor read from it). A view returns one; the plot widget draws it. No Textual."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtui.plotting.series import Look, Series


@dataclass(frozen=True, eq=False)
class Figure:
    """A plot's contents. ``x_range``/``y_range``: the axes' limits (None: the data's); ``xlabel``: the x
    axis's name (None: the epoch, unnamed; "epoch": the epoch, named); ``ylabel``: the y axis's; ``xlog``: x
    values are log10 of the quantity; ``vlines``: (x, colour) marks across the plot. ``summary``: what the
    status line shows instead of the cursor's numbers (the range test's picks); ``points``: the (epochs, 2)
    positions a point cursor marks (the landscape's path); ``shorter``: shorter wordings of the title, in the order
    the drawing step tries them where the title does not fit (:func:`wordings` makes them from its parts);
    ``shorter_xlabel``: the same for the x axis's name (the range test's line under its plot)."""

    series: tuple[Series, ...]
    title: str
    look: Look
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    xlog: bool = False
    vlines: tuple[tuple[float, str], ...] = ()
    summary: str = ""
    points: np.ndarray | None = None
    shorter: tuple[str, ...] = ()
    shorter_xlabel: tuple[str, ...] = ()

    @property
    def shown_title(self) -> str:
        """The title as drawn: " (log)" added where the series are on a log axis."""
        return self.shown_titles[0]

    @property
    def shown_titles(self) -> tuple[str, ...]:
        """The title and its shorter wordings as drawn (each with " (log)", as :attr:`shown_title`)."""
        log = " (log)" if self.look.log and self.series else ""
        return tuple(title + log for title in (self.title, *self.shorter))

    @property
    def epoch_axis(self) -> bool:
        """Whether x is the epoch (labelled at round epochs and the last one)."""
        return self.xlabel in (None, "epoch")


def wordings(*parts: tuple[str, int]) -> tuple[str, ...]:
    """A title's wordings from its parts, (text, rank) each in the order they read, rank 0 the most important:
    the whole title first, then without the part of the highest rank, then without the next, down to the parts
    of rank 0, each once (an empty part drops nothing): the first is a figure's ``title``, the rest its ``shorter``.

    >>> wordings(("loss", 0), (": quadratic / sgd", 2), (" (EMA 0.9)", 1))
    ('loss: quadratic / sgd (EMA 0.9)', 'loss (EMA 0.9)', 'loss')
    """
    ranks = sorted({rank for _, rank in parts}, reverse=True)
    return tuple(dict.fromkeys("".join(text for text, rank in parts if rank <= most) for most in ranks))
