"""What the form edits: the run, the scoreboard's target and the loss plot's smoothing (:class:`Settings`),
and what a row's edit, step or reset makes of them (:func:`changed`). No Textual here.

The form shows the run's fields (lrtui/ui/fields.py) and, at its end, the two settings of the view: the
target loss the scoreboard counts epochs to and the loss plot's smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lrtui.app_settings import SMOOTHING, TARGET
from lrtui.params import coerce
from lrtui.sim.config import RunConfig, prepare
from lrtui.ui import fields as F
from lrtui.ui.widgets.form import FieldRow

TARGET_FIELD = F.Field("compare", TARGET)
SMOOTHING_FIELD = F.Field("compare", SMOOTHING)


@dataclass(frozen=True)
class Settings:
    """What the form shows and edits: the run, the target loss (None: 1% of the run's start) and the
    smoothing (see lrtui.analysis.compare.smoothing_weight)."""

    config: RunConfig
    target_loss: float | None = None
    smoothing: str = SMOOTHING.default


def target_text(target_loss: float | None) -> str:
    return "none" if target_loss is None else f"{target_loss:.4g}"


def form_contents(settings: Settings) -> tuple[list[F.Field], list[str]]:
    """The form's fields and their values as shown."""
    prepared = prepare(settings.config)
    fields = F.fields(prepared)
    return (fields + [TARGET_FIELD, SMOOTHING_FIELD],
            [F.text(prepared, f) for f in fields] + [target_text(settings.target_loss), settings.smoothing])


def is_shown(field: F.Field, config: RunConfig) -> bool:
    """Whether ``field`` is one of the form's for ``config`` (a key queued on a row of the form before a
    switch of schedule may arrive after it)."""
    return field in (TARGET_FIELD, SMOOTHING_FIELD) or field in F.fields(prepare(config))


def changed(settings: Settings, change: FieldRow.Edit | FieldRow.Nudge | FieldRow.Reset,
            target_now: float) -> Settings:
    """The settings after ``change`` to a row (``target_now``: the target a step starts from when none is
    set). ConfigError, with the engine's one-line message, when the value is not allowed."""
    field, config = change.row.field, settings.config
    if field == TARGET_FIELD:
        if isinstance(change, FieldRow.Edit):
            value = coerce(TARGET, change.raw)
        elif isinstance(change, FieldRow.Nudge):
            value = F.nudge_value(TARGET, target_now, change.direction, change.fine)
        else:
            value = None  # back to the default: 1% of the run's start
        return replace(settings, target_loss=value)
    if field == SMOOTHING_FIELD:
        if isinstance(change, FieldRow.Edit):
            value = coerce(SMOOTHING, change.raw.strip())
        elif isinstance(change, FieldRow.Nudge):
            value = F.nudge_value(SMOOTHING, settings.smoothing, change.direction)
        else:
            value = SMOOTHING.default
        return replace(settings, smoothing=value)
    if isinstance(change, FieldRow.Edit):
        return replace(settings, config=F.set_value(config, field, change.raw))
    if isinstance(change, FieldRow.Nudge):
        return replace(settings, config=F.nudge(config, field, change.direction, change.fine))
    return replace(settings, config=F.reset(config, field))
