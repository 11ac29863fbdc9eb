"""What a run is doing at an epoch, in a word or two, for the status line.

The first cut (the stability issue refines it): ``diverged at epoch k`` once the run blew up,
``oscillating`` when the loss zig-zags over the last epochs, ``converging`` when it falls, ``rising`` when it
grows, ``flat`` otherwise.
"""

from __future__ import annotations

import numpy as np

from lrtui.simulate import Trace

WINDOW = 6


def run_state(trace: Trace, epoch: int) -> str:
    """The state of ``trace`` as seen at ``epoch`` (the divergence is reported from the start: it is the
    run's outcome)."""
    if trace.diverged_at is not None:
        return f"diverged at epoch {trace.diverged_at}"
    start = max(0, epoch - WINDOW)
    window = trace.loss[start : epoch + 1]
    window = window[np.isfinite(window)]
    if window.size < 3:
        return "starting"
    steps = np.diff(window)
    scale = max(float(np.max(np.abs(window))), 1e-300)
    moving = np.abs(steps) > 1e-9 * scale
    if moving.sum() >= 3 and np.all(np.sign(steps[moving][1:]) != np.sign(steps[moving][:-1])):
        return "oscillating"
    if window[-1] < window[0] - 1e-9 * scale:
        return "converging"
    if window[-1] > window[0] + 1e-9 * scale:
        return "rising"
    return "flat"
