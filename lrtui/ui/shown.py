"""The run on screen, as one frozen value: :class:`Shown`, what a simulation gave (its trace), the run it
simulated (validated once, ``prepared``), the verdict on it and the running sums of lr and lr² that the status
line reads at the cursor (Robbins-Monro). The App holds it in one reactive (``LrtuiApp.shown``) whose watcher
draws it; a new result is a new value, never an edit of the old one. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtui.analysis.compare import is_noisy
from lrtui.analysis.verdict import Verdict, judge
from lrtui.sim.config import Prepared, Trace


@dataclass(frozen=True, eq=False)  # (eq=False: compared by identity; arrays have no single truth value)
class Shown:
    """A simulated run as the screen shows it. ``sums``: Σlr and Σlr² up to each epoch (cumulative arrays,
    a NaN lr counted as 0)."""

    trace: Trace
    prepared: Prepared
    verdict: Verdict
    sums: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, trace: Trace, prepared: Prepared) -> Shown:
        """The value for ``trace``, the simulation of ``prepared``: its verdict and its sums, computed once."""
        lr = np.nan_to_num(trace.lr)
        return cls(trace, prepared, judge(trace, prepared), (np.cumsum(lr), np.cumsum(lr * lr)))

    @property
    def config(self):
        """The run simulated (its RunConfig)."""
        return self.trace.config

    @property
    def last_epoch(self) -> int:
        return len(self.trace.epoch) - 1

    @property
    def noisy(self) -> bool:
        """Its gradients carry noise: its loss is read by statistics over windows (see analysis.compare)."""
        return is_noisy(self.prepared)
