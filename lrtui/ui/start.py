"""What the app opens on, as one value: :class:`Start`. The CLI parses its options into one
(lrtui/cli/start.py), and the CLI, ``lrtui screenshot``, a browser session of ``lrtui serve`` and the tests all
open the app on one through :func:`lrtui.ui.app.make_app`.

No Textual here: the CLI builds a Start before it knows whether the app opens at all (``lrtui simulate --preset``
reads its runs, ``lrtui serve`` checks it once and leaves opening it to each session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lrtui.app_settings import SMOOTHING
from lrtui.plotting.terminal import Options
from lrtui.sim.config import RunConfig

if TYPE_CHECKING:
    from lrtui.presets import Preset
    from lrtui.ui.lab import LabProgress


@dataclass(frozen=True)
class Start:
    """The run the app opens on and how it looks: ``config`` the run shown, ``options`` the terminal's (ASCII,
    monochrome); the rest as a preset or a saved session gives them: ``pinned`` the runs compared with it (they
    share its problem and seed), ``preset`` the preset opened (its view, its notes), ``session_path`` the file
    loaded (where ctrl+s saves; None: asked for), ``epoch`` the cursor, ``target_loss`` (None: 1% of the start),
    ``smoothing`` the loss plot's, ``note`` a loaded session's note and ``lab`` a lab's progress. The app
    validates every run again as it opens (a bad one fails before the screen does)."""

    config: RunConfig
    options: Options = field(default_factory=Options)
    pinned: tuple[RunConfig, ...] = field(default=(), kw_only=True)
    preset: "Preset | None" = field(default=None, kw_only=True)
    session_path: str | None = field(default=None, kw_only=True)
    epoch: int = field(default=0, kw_only=True)
    target_loss: float | None = field(default=None, kw_only=True)
    smoothing: str = field(default=SMOOTHING.default, kw_only=True)
    note: str = field(default="", kw_only=True)
    lab: "LabProgress | None" = field(default=None, kw_only=True)  # a lab open (lrtui --lab): its exercise's run
