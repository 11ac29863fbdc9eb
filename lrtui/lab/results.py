"""What students did in a lab, for the instructor: every change of a check's state recorded in SQLite, and the
class table read back from one or several databases (several lab machines).

Each event is a row: when, the student, the lab, the exercise, what happened (``attempt``: the checklist's
score changed; ``pass``: every condition held for the first time; ``hint``; ``predict``; ``capped``: the
session records no more attempts of the exercise but a new best, lrtui.ui.lab_actions.MAX_ATTEMPTS), the score
and the exercise's points, and the run's settings as JSON. Many processes write one file (``lrtui serve``: every
session): WAL mode, a busy timeout, one connection per process, values always bound, never formatted into
SQL. :func:`class_table` gives, per student and exercise, the best score, the attempts, and the minutes from
the first event to the first pass. No Textual here.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from lrtui.params import ConfigError

KINDS = ("attempt", "pass", "hint", "predict", "capped")
BUSY_MS = 10_000
"""How long a write waits for another process's (32 sessions at once wait a few milliseconds)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    student TEXT NOT NULL,
    lab TEXT NOT NULL,
    exercise TEXT NOT NULL,
    kind TEXT NOT NULL,
    score REAL,
    points REAL,
    settings TEXT
)
"""


class ResultsError(ConfigError):
    """A results database that cannot be opened or read: one line naming it."""


class Results:
    """One process's connection to a results database (made on first use, kept)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            try:
                connection = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                             check_same_thread=False)
                connection.execute(f"PRAGMA busy_timeout = {int(BUSY_MS)}")
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
            except sqlite3.Error as err:
                raise ResultsError(f"results {self.path.name}: cannot be opened ({err})") from None
            self._connection = connection
        return self._connection

    def record(self, student: str, lab: str, exercise: str, kind: str, score: float | None = None,
               points: float | None = None, settings: dict[str, Any] | None = None) -> None:
        """One event, written at once (its own transaction)."""
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r}: allowed " + ", ".join(KINDS))
        self._connect().execute(
            "INSERT INTO events (at, student, lab, exercise, kind, score, points, settings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), student, lab, exercise, kind, score, points,
             None if settings is None else json.dumps(settings, default=str)))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def read_events(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Every event of the databases ``paths`` (several lab machines' merged), oldest first."""
    events: list[dict[str, Any]] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ResultsError(f"results {path}: no such file")
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_MS / 1000)
            try:
                made = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'")
                rows = connection.execute(
                    "SELECT at, student, lab, exercise, kind, score, points, settings FROM events").fetchall() \
                    if made.fetchone() else []  # (a session is creating it: no event yet)
            finally:
                connection.close()
        except sqlite3.Error as err:
            raise ResultsError(f"results {path.name}: cannot be read ({err})") from None
        keys = ("at", "student", "lab", "exercise", "kind", "score", "points", "settings")
        events += [dict(zip(keys, row)) for row in rows]
    return sorted(events, key=lambda e: e["at"])


@dataclass(frozen=True)
class Cell:
    """A student's work on one exercise: the best score of its points, the attempts, the minutes to pass
    (None: not passed), the hints taken, and whether a session recorded no more attempts (``capped``: there
    were more)."""

    score: float
    points: float
    attempts: int
    minutes_to_pass: float | None
    hints: int
    capped: bool = False


def class_table(events: list[dict[str, Any]]) -> tuple[list[str], list[str], dict[tuple[str, str], Cell]]:
    """The students, the exercises (in the order first seen) and a cell per student and exercise worked on."""
    students: list[str] = []
    exercises: list[str] = []
    work: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in events:
        if e["student"] not in students:
            students.append(e["student"])
        if e["exercise"] not in exercises:
            exercises.append(e["exercise"])
        work.setdefault((e["student"], e["exercise"]), []).append(e)
    cells = {}
    for key, seen in work.items():
        scored = [e for e in seen if e["kind"] in ("attempt", "pass") and e["score"] is not None]
        passed = next((e["at"] for e in seen if e["kind"] == "pass"), None)
        cells[key] = Cell(score=max((e["score"] for e in scored), default=0.0),
                          points=max((e["points"] or 0.0 for e in seen), default=0.0),
                          attempts=sum(1 for e in seen if e["kind"] == "attempt"),
                          minutes_to_pass=None if passed is None else (passed - seen[0]["at"]) / 60,
                          hints=sum(1 for e in seen if e["kind"] == "hint"),
                          capped=any(e["kind"] == "capped" for e in seen))
    return students, exercises, cells
