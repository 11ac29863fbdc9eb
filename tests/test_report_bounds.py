"""lrtui report (and --watch) on a crafted or huge results database (the hostile review): a row of the wrong
types is skipped and counted, a database that is not the plain table lrtui writes is refused in one line, and
what is read is bounded (events, students and exercises, SQLite's steps, a value's length)."""

import sqlite3

import pytest

import lrtui.lab.results as results
from lrtui.cli import main
from lrtui.lab.results import ResultsError, read_events
from lrtui.plotting.terminal import Options
from lrtui.ui.report_app import ReportApp
from tests.test_report_watch import read_once_more, screen_text

INSERT = "INSERT INTO events (at, student, lab, exercise, kind, score, points, settings) VALUES (?,?,?,?,?,?,?,?)"


def database(path, rows=(), schema=results._SCHEMA):
    connection = sqlite3.connect(path)
    connection.execute(schema)
    connection.executemany(INSERT, rows)
    connection.commit()
    connection.close()
    return path


def attempts(n, student="ada", exercise="edge"):
    return [(1e9 + i, student if isinstance(student, str) else student(i), "lab",
             exercise if isinstance(exercise, str) else exercise(i), "attempt", 1.0, 3.0, None) for i in range(n)]


@pytest.mark.parametrize("bad, fault", [
    (("soon", "bob", "lab", "edge", "attempt", 1.0, 3.0, None), "at is text, not a time"),
    ((1e9 + 5, b"bob", "lab", "edge", "attempt", 1.0, 3.0, None), "student is a blob"),
    ((1e9 + 5, "bob", "lab", "edge", "attempt", "three", 3.0, None), "score is text, not a finite number"),
    ((1e9 + 5, "bob", "lab", "edge", "attempt", 1.0, float("inf"), None), "points is inf, not a finite number"),
    ((1e9 + 5, "b" * 300, "lab", "edge", "attempt", 1.0, 3.0, None), "student is text of 300 characters"),
    ((1e9 + 5, "bob", "lab", "edge", "attempt", 1.0, 3.0, b"{}"), "settings is a blob"),
])
def test_a_row_of_the_wrong_types_is_skipped_and_counted_in_one_line(tmp_path, capsys, bad, fault):
    """The hostile review: a row whose at is text gave a traceback (sorting str with float)."""
    path = database(tmp_path / "r.sqlite", attempts(2) + [bad] + attempts(1, "cy"))
    assert main(["report", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("lrtui report: results r.sqlite: 1 row of 4 skipped (the first, row 3: ")
    assert fault in captured.err and captured.err.count("\n") == 1
    assert "ada" in captured.out and "cy" in captured.out and "bob" not in captured.out


RECURSIVE = ("CREATE VIEW events AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS at, "
             "'s' AS student, 'lab' AS lab, 'e' AS exercise, 'attempt' AS kind, 1.0 AS score, 1.0 AS points, NULL AS "
             "settings FROM n")


@pytest.mark.parametrize("schema, fault", [
    (RECURSIVE, "events is a view, not the table lrtui writes: refused"),
    ("CREATE VIRTUAL TABLE events USING fts5(at, student, lab, exercise, kind, score, points, settings)",
     "events is a virtual table"),
    ("CREATE TABLE events (at REAL, student TEXT, lab TEXT, exercise TEXT, kind TEXT, score REAL, points REAL)",
     "events is not the table lrtui writes (no column settings): refused"),
    ("CREATE TABLE events (at REAL, student TEXT, lab TEXT, exercise TEXT, kind TEXT, score REAL, points REAL, "
     "settings TEXT GENERATED ALWAYS AS (printf('%.*c', 100000000, 'x')))", "(a generated column): refused"),
])
def test_a_database_that_is_not_the_plain_table_lrtui_writes_is_refused_in_one_line(tmp_path, capsys, schema, fault):
    """The hostile review: events replaced by a recursive view that never ends ate memory."""
    path = tmp_path / "r.sqlite"
    connection = sqlite3.connect(path)
    connection.execute(schema)
    connection.close()
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lrtui: results r.sqlite: ") and fault in err and err.count("\n") == 1


def test_a_value_longer_than_sqlite_is_allowed_to_read_is_refused_unread(tmp_path):
    path = database(tmp_path / "r.sqlite", attempts(1))
    connection = sqlite3.connect(path)
    connection.execute(INSERT, (1e9, "bob", "lab", "edge", "attempt", 1.0, 3.0, "x" * (2 * results.MAX_VALUE)))
    connection.commit()
    connection.close()
    with pytest.raises(ResultsError, match=r"^results r.sqlite: cannot be read \(string or blob too big\)$"):
        read_events([path])


def test_the_events_read_of_a_database_are_bounded_and_a_line_says_what_was_read(tmp_path, monkeypatch, capsys):
    """The hostile review: 2 million events took 11 s and 1.9 GB a reading (benchmarks/bench_report.py)."""
    monkeypatch.setattr(results, "MAX_EVENTS", 50)
    path = database(tmp_path / "r.sqlite", attempts(80))
    notes = []
    events = read_events([path], notes)
    assert len(events) == 50 and events[-1]["at"] == 1e9 + 49
    (note,) = notes
    assert note.startswith("results r.sqlite: holds more than 50 events: the first 50 were read (to ")
    assert note.endswith("), the rest left out")
    assert main(["report", str(path)]) == 0
    assert capsys.readouterr().err.count("\n") == 1


def test_the_students_and_exercises_read_are_bounded(tmp_path, monkeypatch):
    """The report is a table of students by exercises: 100,000 of each in a crafted database would be 10^10
    cells."""
    monkeypatch.setattr(results, "MAX_STUDENTS", 10)
    monkeypatch.setattr(results, "MAX_EXERCISES", 3)
    path = database(tmp_path / "r.sqlite", attempts(40, lambda i: f"s{i % 20}", lambda i: f"e{i % 2}"))
    notes = []
    events = read_events([path], notes)
    assert len({e["student"] for e in events}) == 10 and len(events) == 20
    assert notes == ["results r.sqlite: 20 rows of 40 skipped (the first, row 11: more than 10 students or 3 "
                     "exercises)"]


def test_a_query_past_its_budget_of_steps_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "STEPS_PER_EVENT", 0)  # (20,000 rows take 280,000: stopped at 1,000)
    path = database(tmp_path / "r.sqlite", attempts(20_000))
    with pytest.raises(ResultsError, match=r"^results r.sqlite: cannot be read \(it takes too long: refused\)$"):
        read_events([path])


def test_a_database_named_with_uri_characters_is_read(tmp_path):
    path = database(tmp_path / "week 3?#%.sqlite", attempts(2))
    assert len(read_events([path])) == 2


async def test_the_live_view_shows_what_it_cannot_read_and_goes_on(tmp_path):
    """The hostile review: --watch ended in a traceback on a row whose at is text."""
    path = database(tmp_path / "r.sqlite", attempts(2) + [("soon", "bob", "lab", "edge", "attempt", 1.0, 3.0, None)])
    app = ReportApp([str(path)], every=3600, options=Options(ascii=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await read_once_more(app, pilot)
        text = screen_text(app)
        assert "1 students, 2 events" in text and "row 3: at is text, not a time" in text
        path.unlink()
        connection = sqlite3.connect(path)
        connection.execute(RECURSIVE)
        connection.close()
        await read_once_more(app, pilot)
        text = screen_text(app)
        assert "events is a view, not the table lrtui writes: refused" in text
        assert "1 students, 2 events" in text  # (the last reading stays)
        assert app.is_running
