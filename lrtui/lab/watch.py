"""What an instructor watches during a lab, read from its results' events (lrtui.lab.results): each
exercise's pass rate, who is stuck where, and the values students tried. No Textual here: the live view is
lrtui/ui/report_app.py, which redraws these every few seconds.

``stuck``: a student whose latest exercise (the one of their last event) is not passed, with the minutes
since they began it. ``tried``: every attempt's run settings on one exercise, by field (``schedule.lr``,
``problem.L``, ``epochs``, as a lab names them), binned for a histogram.
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from dataclasses import dataclass
from typing import Any

from lrtui.lab.results import class_table

BINS = 8
"""Bars in a histogram of numbers."""


@dataclass(frozen=True)
class ExerciseRow:
    """One exercise across the class: students who worked on it and who passed it, attempts each on
    average, and the median minutes to pass (None: nobody has)."""

    exercise: str
    working: int
    passed: int
    attempts: float
    median_minutes: float | None


@dataclass(frozen=True)
class Stuck:
    """A student on an exercise not passed yet: since when (minutes), their attempts and hints there, and
    how long ago their last event was (an idle student is not working on it)."""

    student: str
    exercise: str
    minutes: float
    attempts: int
    hints: int
    idle_minutes: float


@dataclass(frozen=True)
class Bar:
    """One bar of a histogram: its label (a value or a range), the attempts in it and the passes."""

    label: str
    attempts: int
    passes: int


def exercise_rows(events: list[dict[str, Any]]) -> list[ExerciseRow]:
    """Each exercise (in the order first seen): pass rate, attempts, median minutes to pass."""
    students, exercises, cells = class_table(events)
    rows = []
    for exercise in exercises:
        worked = [c for s in students if (c := cells.get((s, exercise))) is not None]
        minutes = [c.minutes_to_pass for c in worked if c.minutes_to_pass is not None]
        rows.append(ExerciseRow(exercise, len(worked), len(minutes),
                                statistics.fmean([c.attempts for c in worked]) if worked else 0.0,
                                statistics.median(minutes) if minutes else None))
    return rows


def stuck(events: list[dict[str, Any]], now: float) -> list[Stuck]:
    """Students whose latest exercise is not passed, the longest stuck first."""
    latest: dict[str, dict[str, Any]] = {}
    work: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (one pass: a scan a student was quadratic)
    for e in events:  # (oldest first: the last one wins)
        latest[e["student"]] = e
        work.setdefault((e["student"], e["exercise"]), []).append(e)
    out = []
    for student, last in latest.items():
        there = work[(student, last["exercise"])]
        if any(e["kind"] == "pass" for e in there):
            continue
        out.append(Stuck(student, last["exercise"], (now - there[0]["at"]) / 60,
                         sum(1 for e in there if e["kind"] == "attempt"), sum(1 for e in there if e["kind"] == "hint"),
                         (now - last["at"]) / 60))
    return sorted(out, key=lambda s: -s.minutes)


@functools.lru_cache(maxsize=1 << 14)
def flat_settings(settings: str | None) -> dict[str, Any]:
    """A recorded run's settings by the names a lab uses: ``schedule`` (its name), ``schedule.lr``,
    ``problem``, ``problem.L``, ``optimizer``, ``optimizer.momentum``, ``epochs``... (what was set; a
    parameter left at its default is not there). Settings that cannot be read give nothing. Kept for the
    next reading (the live view parsed every attempt's settings at each key: 0.9 s at 200,000 events); the
    dict given is shared: not to be changed."""
    try:
        run = json.loads(settings) if settings else {}
    except (ValueError, RecursionError):  # (a crafted row: 60,000 '[' ended the live view)
        return {}
    if not isinstance(run, dict):
        return {}
    out: dict[str, Any] = {}
    schedule = run.get("schedule")
    if isinstance(schedule, dict):
        out["schedule"] = schedule.get("name")
        params = schedule.get("params")
        out |= {f"schedule.{k}": v for k, v in params.items()} if isinstance(params, dict) else {}
    for group in ("problem", "optimizer"):
        out[group] = run.get(group)
        params = run.get(f"{group}_params")
        out |= {f"{group}.{k}": v for k, v in params.items()} if isinstance(params, dict) else {}
    out |= {k: v for k, v in run.items() if k not in ("schedule", "problem", "optimizer", "problem_params",
                                                        "optimizer_params") and v is not None}
    return {k: v for k, v in out.items()  # (a 4,000-digit whole number overflowed the histogram's float: it ended)
            if isinstance(v, (str, float)) or isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**63}


def tried_fields(events: list[dict[str, Any]], exercise: str) -> list[str]:
    """The fields students set to more than one value on ``exercise``, the most varied first (what they
    explored; a field every attempt shares says nothing)."""
    values: dict[str, set] = {}
    for e in events:
        if e["exercise"] == exercise and e["kind"] == "attempt":
            for name, value in flat_settings(e["settings"]).items():
                values.setdefault(name, set()).add(value)
    varied = [(name, len(v)) for name, v in values.items() if len(v) > 1]
    return [name for name, _ in sorted(varied, key=lambda nv: (-nv[1], nv[0]))]


def tried(events: list[dict[str, Any]], exercise: str, field: str) -> list[Bar]:
    """A histogram of the values of ``field`` in the attempts on ``exercise``, with the passes among them.
    Numbers go in :data:`BINS` equal bins, on a log scale where all are positive and span over 10x; other
    values get a bar each, the most tried first."""
    seen = []
    for e in events:
        if e["exercise"] == exercise and e["kind"] in ("attempt", "pass"):
            value = flat_settings(e["settings"]).get(field)
            if value is not None:
                seen.append((value, e["kind"] == "pass"))
    numbers = [(float(v), p) for v, p in seen if isinstance(v, (int, float)) and math.isfinite(v)]
    if not numbers or len(numbers) < len(seen):
        counts: dict[str, list[int]] = {}
        for value, passed in seen:
            counts.setdefault(str(value), [0, 0])[passed] += 1
        return [Bar(label, a, p) for label, (a, p) in sorted(counts.items(), key=lambda kv: -sum(kv[1]))]
    low, high = min(v for v, _ in numbers), max(v for v, _ in numbers)
    log = low > 0 and high > 10 * low
    scale = (lambda v: math.log10(v)) if log else (lambda v: v)
    unscale = (lambda v: 10 ** v) if log else (lambda v: v)
    a, b = scale(low), scale(high)
    if b == a:
        return [Bar(f"{low:.4g}", sum(1 for _, p in numbers if not p), sum(1 for _, p in numbers if p))]
    edges = [unscale(a + (b - a) * i / BINS) for i in range(BINS + 1)]
    bars = [[0, 0] for _ in range(BINS)]
    for value, passed in numbers:
        index = min(BINS - 1, int((scale(value) - a) / (b - a) * BINS))
        bars[index][passed] += 1
    return [Bar(f"{edges[i]:.3g}-{edges[i + 1]:.3g}", a_, p) for i, (a_, p) in enumerate(bars)]
