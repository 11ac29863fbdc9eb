"""Presets: the teaching scenarios T1...T15 and the published recipes R1...R16 of ``../shared/teaching.md`` as runs,
and the teaching scenarios T16 (schedule-free) and T17 (WSD cooldown shapes) of issue 27.

A :class:`Preset` is a run to open (``config``) and the runs to overlay on it (``pinned``, at most five), which
share its problem, problem parameters, seed, steps per epoch and length, so only the schedule and the optimizer
differ. ``note`` says what to notice, with the numbers teaching.md gives; ``meta`` carries what a run cannot:

- every preset: ``source`` (citation), ``flag`` ("[N]" reproduced numerically, "[V]" checked against the
  source, "[R]" recalled), ``view`` (the lower plot the scenario is about: loss, sharpness, landscape or range),
  and where its lesson reads some of the scoreboard's columns, ``columns`` (their headers, kept longest on a
  narrow terminal: T4's Σlr and Σlr²), and where its losses differ only on a log scale, ``log`` (the plots it
  opens on one: ``("loss",)``, T16's and T17's);
- teaching scenarios: ``variants``, settings of the scenario that cannot be overlaid because they change the
  problem, the seed or the epoch unit (label -> :class:`RunConfig`); T8's ``range_test`` (its ramp);
- recipes: the real time axis (``unit``, ``length``, ``per_epoch``: how much of it one epoch of ``config`` stands
  for), ``peak_lr``, ``floor``, ``warmup``, ``phases`` and ``optimizer`` hints as published. A recipe's config
  keeps the published *shape* on a short horizon and a toy problem: SGD recipes train the 2-16-1 tanh network
  (``mlp``), language-model recipes the noisy river valley of T10 (300 epochs of 10 steps).

>>> find("t1").name
'T1-stability-ladder'
>>> find("R4-noam").meta["unit"]
'steps'
"""

from __future__ import annotations

import difflib

from lrtui.params import ConfigError, format_value
from lrtui.presets.preset import MAX_RUNS, Preset
from lrtui.presets.recipes import RECIPES
from lrtui.presets.teaching import TEACHING

__all__ = ["MAX_RUNS", "PRESETS", "Preset", "find"]

PRESETS: dict[str, Preset] = {p.name: p for p in TEACHING + RECIPES}


def find(name: str) -> Preset:
    """The preset called ``name``, case-insensitively: its full name, its id ("T1", "r4") or the start of its
    name ("r4-no"); otherwise a :class:`ConfigError` listing the names allowed."""
    key = str(name).strip().lower()
    for preset in PRESETS.values():
        if key in (preset.name.lower(), preset.short.lower()):
            return preset
    starts = [p for p in PRESETS.values() if key and p.name.lower().startswith(key)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        raise ConfigError(f"preset {format_value(name)} is ambiguous: allowed " + ", ".join(p.name for p in starts))
    spellings = {s.lower(): p.name for p in PRESETS.values() for s in (p.name, p.short)}
    close = difflib.get_close_matches(key, spellings, n=1)
    hint = f" (did you mean {spellings[close[0]]}?)" if close else ""
    raise ConfigError(f"preset {format_value(name)} is unknown{hint}: allowed " + ", ".join(PRESETS))
