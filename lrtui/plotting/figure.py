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
    positions a point cursor marks (the landscape's path)."""

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

    @property
    def shown_title(self) -> str:
        """The title as drawn: " (log)" added where the series are on a log axis."""
        return self.title + (" (log)" if self.look.log and self.series else "")

    @property
    def epoch_axis(self) -> bool:
        """Whether x is the epoch (labelled at round epochs and the last one)."""
        return self.xlabel in (None, "epoch")
