"""The app's settings beside its runs, declared once as parameters (:class:`~lrtui.params.Param`): the
scoreboard's target loss (:data:`TARGET`), the loss plot's smoothing (:data:`SMOOTHING`) and how many runs
may be pinned beside the current one (:data:`MAX_PINNED`).

The app's form edits the first two and a session file keeps all three (lrtui.io.sessions); both validate
them with :func:`~lrtui.params.coerce`, as any parameter. What a setting means for a run is the analysis's:
a smoothing's weight is :func:`lrtui.analysis.compare.smoothing_weight`, the default target
:func:`lrtui.analysis.compare.default_target`. No Textual here.
"""

from __future__ import annotations

from lrtui.params import Param

MAX_PINNED = 6
"""At most this many runs are pinned beside the current one."""

TARGET = Param("target_loss", "float", None,
               "the loss the scoreboard's 'to target' column counts epochs to (none: 1% of the current run's "
               "starting loss)", 0.0, None, log=True, optional=True)

SMOOTHING = Param("smoothing", "choice", "auto",
                  "the loss plot's smoothing: a moving average of this weight (TensorBoard's EMA, debiased); auto "
                  "is 0.9 where the gradients carry noise and off where they do not", choices=(
                      "auto", "off", "0.6", "0.8", "0.9", "0.95", "0.99"))
