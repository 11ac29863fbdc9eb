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
import math
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

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


MAX_EVENTS = 200_000
"""The most events read of one results database (a class of 30 writes a few thousand in a lab; one student
at most one attempt each ATTEMPT_SECONDS per exercise): a database that holds more has its first ones read,
and a line says so. About 0.4 s and 150 MB of reading (benchmarks/bench_report.py)."""
MAX_STUDENTS = 5_000
MAX_EXERCISES = 200
"""The most students and exercises read, over all the databases (the report is a table of them: a lab has at
most 50 exercises): the events of others are skipped, and counted."""
MAX_NAME = 200
"""The longest student name, lab title, exercise id or kind of an event (the app writes at most 60, 200, 40)."""
MAX_SETTINGS = 65_536
"""The longest run settings of an event, in characters."""
MAX_VALUE = 1 << 20
"""The longest value SQLite will read (SQLITE_LIMIT_LENGTH): a crafted row of a gigabyte is refused unread."""
STEPS_PER_EVENT = 100
"""SQLite's steps (VM instructions) allowed per event read: a query that takes more is stopped (14 are taken;
what else could loop, a view, is refused before)."""
COLUMNS = ("at", "student", "lab", "exercise", "kind", "score", "points", "settings")


def read_events(paths: Iterable[str | Path], notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every event of the databases ``paths`` (several lab machines' merged), oldest first, bounded and checked
    row by row. A database that is not one lrtui wrote (``events`` not a plain table of its columns: a view, a
    virtual table, a generated column) or cannot be read is refused (:class:`ResultsError`, one line naming
    it). A row of the wrong types (``at`` that is text) is skipped, and so are the rows past
    :data:`MAX_EVENTS` of a database and those of students or exercises past :data:`MAX_STUDENTS` and
    :data:`MAX_EXERCISES`: each database's skipped rows are one line in ``notes``, the first named, so that a
    report says what it left out and one bad row does not cost the class's results."""
    events: list[dict[str, Any]] = []
    seen: dict[str, str] = {}  # every text read once (a name is in thousands of rows: one string for them)
    students: set[str] = set()
    exercises: set[str] = set()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ResultsError(f"results {path}: no such file")
        skipped: dict[str, int] = {}
        first = ""
        rows = _rows(path)
        read = 0
        for read, row in enumerate(rows, 1):
            if read > MAX_EVENTS:
                last = time.strftime("%Y-%m-%d %H:%M", time.localtime(events[-1]["at"])) if events else "-"
                _note(notes, f"results {path.name}: holds more than {MAX_EVENTS:,} events: the first {MAX_EVENTS:,}"
                      f" were read (to {last}), the rest left out")
                break
            at, student, lab, exercise, kind, score, points, settings = row
            fault = None if _typed(row) else _fault(row) or "a value of the wrong type"
            if fault is None and (student not in students and len(students) >= MAX_STUDENTS
                                  or exercise not in exercises and len(exercises) >= MAX_EXERCISES):
                fault = f"more than {MAX_STUDENTS:,} students or {MAX_EXERCISES} exercises"
            if fault is not None:
                skipped[fault] = skipped.get(fault, 0) + 1
                first = first or f"row {read}: {fault}"
                continue
            students.add(student)
            exercises.add(exercise)
            events.append({"at": at, "student": seen.setdefault(student, student), "lab": seen.setdefault(lab, lab),
                           "exercise": seen.setdefault(exercise, exercise), "kind": seen.setdefault(kind, kind),
                           "score": score, "points": points,
                           "settings": settings if settings is None else seen.setdefault(settings, settings)})
        rows.close()
        if skipped:
            count = sum(skipped.values())
            _note(notes, f"results {path.name}: {count:,} row{'s' if count > 1 else ''} of {read:,} skipped (the "
                  f"first, {first})")
    return sorted(events, key=lambda e: e["at"])


def _note(notes: list[str] | None, line: str) -> None:
    if notes is not None:
        notes.append(line)


def _rows(path: Path) -> Iterator[tuple]:
    """The events table's rows of ``path``, one at a time, read only and within a budget of SQLite steps;
    :class:`ResultsError` if ``path`` is not a database lrtui wrote or cannot be read."""
    name = path.name
    try:
        connection = sqlite3.connect(f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro", uri=True,
                                     timeout=BUSY_MS / 1000)
    except sqlite3.Error as err:
        raise ResultsError(f"results {name}: cannot be read ({err})") from None
    steps = [0]

    def stop() -> bool:  # (called each 1,000 steps: True stops the query)
        steps[0] += 1
        return steps[0] > (MAX_EVENTS + 1_000) * STEPS_PER_EVENT // 1_000

    try:
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE)
        connection.execute("PRAGMA query_only = ON")
        connection.set_progress_handler(stop, 1_000)
        made = connection.execute("SELECT type, sql FROM sqlite_master WHERE lower(name) = 'events'").fetchall()
        if not made:
            return  # (a session is creating it: no event yet)
        kind, sql = made[0]
        if kind != "table" or (sql or "").lstrip()[:14].upper() == "CREATE VIRTUAL":
            raise ResultsError(f"results {name}: events is a {'virtual table' if kind == 'table' else kind}, not the "
                               "table lrtui writes: refused")
        columns = {c[1].lower(): c[6] for c in connection.execute("PRAGMA table_xinfo(events)")}
        missing = [c for c in COLUMNS if c not in columns]
        if missing or any(columns[c] != 0 for c in COLUMNS):
            raise ResultsError(f"results {name}: events is not the table lrtui writes ("
                               + (f"no column {missing[0]}" if missing else "a generated column") + "): refused")
        cursor = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM events LIMIT ?", (MAX_EVENTS + 1,))
        while batch := cursor.fetchmany(1000):
            yield from batch
    except sqlite3.Error as err:
        message = "it takes too long: refused" if "interrupted" in str(err) else str(err)
        raise ResultsError(f"results {name}: cannot be read ({message})") from None
    finally:
        connection.close()


_NUMBERS = (int, float)
_LARGEST = 1.7976931348623157e308


def _typed(row: tuple) -> bool:
    """Whether a row is of the types :func:`_fault` asks (the quick test: most rows are; SQLite's typeof() in the
    query took twice as long)."""
    at, student, lab, exercise, kind, score, points, settings = row
    return (type(at) in _NUMBERS and -_LARGEST <= at <= _LARGEST and type(student) is str and type(lab) is str
            and type(exercise) is str and type(kind) is str and len(student) <= MAX_NAME and len(lab) <= MAX_NAME
            and len(exercise) <= MAX_NAME and len(kind) <= MAX_NAME
            and (score is None or type(score) in _NUMBERS and -_LARGEST <= score <= _LARGEST)
            and (points is None or type(points) in _NUMBERS and -_LARGEST <= points <= _LARGEST)
            and (settings is None or type(settings) is str and len(settings) <= MAX_SETTINGS))


def _fault(row: tuple) -> str | None:
    """Why a row is not an event lrtui writes (None: it is one)."""
    at, student, lab, exercise, kind, score, points, settings = row
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
        return f"at is {_type(at)}, not a time"
    for column, value in (("student", student), ("lab", lab), ("exercise", exercise), ("kind", kind)):
        if not isinstance(value, str) or len(value) > MAX_NAME:
            return f"{column} is {_type(value)}, not a text of at most {MAX_NAME} characters"
    for column, value in (("score", score), ("points", points)):
        if value is not None and (not isinstance(value, (int, float)) or not math.isfinite(value)):
            return f"{column} is {_type(value)}, not a finite number"
    if settings is not None and (not isinstance(settings, str) or len(settings) > MAX_SETTINGS):
        return f"settings is {_type(settings)}, not a text of at most {MAX_SETTINGS:,} characters"
    return None


def _type(value: Any) -> str:
    if isinstance(value, str):
        return f"text of {len(value):,} characters" if len(value) > MAX_NAME else "text"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return {type(None): "empty", bytes: "a blob", int: "a whole number", float: "a number"}.get(type(value), "?")


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
    students: dict[str, None] = {}  # (dicts: in the order first seen, a lookup each event)
    exercises: dict[str, None] = {}
    work: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in events:
        students.setdefault(e["student"])
        exercises.setdefault(e["exercise"])
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
    return list(students), list(exercises), cells
