"""What the form edits: the run, the scoreboard's target and the loss plot's smoothing (:class:`Settings`);
what a row hands over (:data:`Change`: an :class:`Edit`, a :class:`Nudge`, a :class:`TakeBack` or a
:class:`Reset`, plain values) and what an edit, step or reset makes of the settings (:func:`changed`). No
Textual here.

The form shows the run's fields (lrtui/ui/fields.py) and, at its end, the two settings of the view: the
target loss the scoreboard counts epochs to and the loss plot's smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lrtui.app_settings import SMOOTHING, TARGET
from lrtui.params import coerce
from lrtui.sim.config import Prepared, RunConfig
from lrtui.ui import fields as F

TARGET_FIELD = F.Field("compare", TARGET)
SMOOTHING_FIELD = F.Field("compare", SMOOTHING)


@dataclass(frozen=True)
class Edit:
    """Text typed for a field and committed (enter)."""

    field: F.Field
    raw: str


@dataclass(frozen=True)
class Nudge:
    """A step of a field's value: + or - (] or [: ``fine``, a tenth of the step)."""

    field: F.Field
    direction: int
    fine: bool = False
    first: bool = True  # the first of a run of steps (the state before it is what a take-back restores)


@dataclass(frozen=True)
class TakeBack:
    """The steps just taken on this field were the start of a typed value: undo them."""

    field: F.Field


@dataclass(frozen=True)
class Reset:
    """The field's default, asked for (delete)."""

    field: F.Field


Change = Edit | Nudge | TakeBack | Reset
"""What a row of the form hands over (lrtui/ui/widgets/form.py)."""


@dataclass(frozen=True)
class Settings:
    """What the form shows and edits: the run, validated (an edit makes the next one: one validation per
    change), the target loss (None: 1% of the run's start) and the smoothing (see
    lrtui.analysis.compare.smoothing_weight)."""

    prepared: Prepared
    target_loss: float | None = None
    smoothing: str = SMOOTHING.default

    @property
    def config(self) -> RunConfig:
        """The run."""
        return self.prepared.config


def target_text(target_loss: float | None) -> str:
    return "none" if target_loss is None else f"{target_loss:.4g}"


def form_contents(settings: Settings, hidden: frozenset[str] = frozenset()) -> tuple[list[F.Field], list[str]]:
    """The form's fields and their values as shown (``hidden``: keys of fields a lab's exercise leaves out)."""
    prepared = settings.prepared
    fields = [f for f in F.fields(prepared) if f.key not in hidden]
    return (fields + [TARGET_FIELD, SMOOTHING_FIELD],
            [F.text(prepared, f) for f in fields] + [target_text(settings.target_loss), settings.smoothing])


def is_shown(field: F.Field, prepared: Prepared) -> bool:
    """Whether ``field`` is one of the form's for the run (a key queued on a row of the form before a
    switch of schedule may arrive after it)."""
    return field in (TARGET_FIELD, SMOOTHING_FIELD) or field in F.fields(prepared)


def changed(settings: Settings, change: Edit | Nudge | Reset, target_now: float) -> Settings:
    """The settings after ``change`` to a row (``target_now``: the target a step starts from when none is
    set). ConfigError, with the engine's one-line message, when the value is not allowed."""
    field, run = change.field, settings.prepared
    if field == TARGET_FIELD:
        if isinstance(change, Edit):
            value = coerce(TARGET, change.raw)
        elif isinstance(change, Nudge):
            value = F.nudge_value(TARGET, target_now, change.direction, change.fine)
        else:
            value = None  # back to the default: 1% of the run's start
        return replace(settings, target_loss=value)
    if field == SMOOTHING_FIELD:
        if isinstance(change, Edit):
            value = coerce(SMOOTHING, change.raw.strip())
        elif isinstance(change, Nudge):
            value = F.nudge_value(SMOOTHING, settings.smoothing, change.direction)
        else:
            value = SMOOTHING.default
        return replace(settings, smoothing=value)
    if isinstance(change, Edit):
        return replace(settings, prepared=F.set_value(run, field, change.raw))
    if isinstance(change, Nudge):
        return replace(settings, prepared=F.nudge(run, field, change.direction, change.fine))
    return replace(settings, prepared=F.reset(run, field))
