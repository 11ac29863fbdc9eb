"""lrtui report --watch (issue 26): the instructor's live view of a lab's results: pass rate per exercise, who
is stuck where, and the values students tried."""

import time
import json

import pytest

from lrtui.cli import main
from lrtui.lab.results import Results
from lrtui.lab.watch import exercise_rows, flat_settings, stuck, tried, tried_fields
from lrtui.plotting.terminal import Options
from lrtui.ui.report_app import ReportApp


def event(at, student, exercise, kind, score=None, lr=None, schedule="constant", L=2.0):
    settings = None if lr is None else json.dumps(
        {"schedule": {"name": schedule, "params": {"lr": lr}}, "problem": "quadratic", "problem_params": {"L": L},
         "optimizer": "sgd", "optimizer_params": {}, "epochs": 100, "seeds": None})
    return {"at": at, "student": student, "lab": "lab", "exercise": exercise, "kind": kind, "score": score,
            "points": 3.0, "settings": settings}


EVENTS = [
    event(0, "ada", "edge", "attempt", 1, 0.1), event(60, "ada", "edge", "attempt", 2, 1.5),
    event(120, "ada", "edge", "attempt", 3, 0.95), event(120, "ada", "edge", "pass", 3, 0.95),
    event(180, "ada", "decay", "attempt", 1, 1.9, "cosine"),
    event(30, "bob", "edge", "attempt", 1, 0.01), event(90, "bob", "edge", "attempt", 2, 10.0),
    event(100, "bob", "edge", "hint"),
    event(40, "cy", "edge", "attempt", 1, 0.5), event(340, "cy", "edge", "attempt", 3, 0.9),
    event(340, "cy", "edge", "pass", 3, 0.9),
]


def test_each_exercise_has_its_pass_rate_attempts_and_median_minutes_to_pass():
    edge, decay = exercise_rows(EVENTS)
    assert (edge.exercise, edge.working, edge.passed, edge.attempts) == ("edge", 3, 2, 7 / 3)
    assert edge.median_minutes == pytest.approx((2 + 5) / 2)  # ada 2 min, cy 5 min
    assert (decay.working, decay.passed, decay.median_minutes) == (1, 0, None)


def test_a_student_is_stuck_on_their_latest_exercise_until_they_pass_it():
    found = stuck(EVENTS, now=600)
    assert [(s.student, s.exercise) for s in found] == [("bob", "edge"), ("ada", "decay")]  # the longest first
    bob = found[0]
    assert (bob.minutes, bob.attempts, bob.hints, bob.idle_minutes) == (9.5, 2, 1, 500 / 60)
    assert stuck(EVENTS + [event(700, "bob", "edge", "pass", 3, 0.9)], now=800)[0].student == "ada"


def test_the_values_tried_are_binned_on_a_log_scale_with_the_passes_among_them():
    assert tried_fields(EVENTS, "edge") == ["schedule.lr"]  # L, the optimizer, the epochs: all the same
    bars = tried(EVENTS, "edge", "schedule.lr")
    assert len(bars) == 8 and bars[0].label.startswith("0.01-") and bars[-1].label.endswith("-10")
    assert sum(b.attempts for b in bars) == 7 and sum(b.passes for b in bars) == 2
    assert bars[0].attempts == 1 and bars[-1].attempts == 1  # 0.01 and 10, each alone at an end
    (passing,) = [b for b in bars if b.passes]
    low, high = map(float, passing.label.split("-"))
    assert low <= 0.9 < 0.95 <= high and passing.passes == 2
    names = tried(EVENTS + [event(200, "bob", "decay", "attempt", 1, 1.9, "step")], "decay", "schedule")
    assert sorted((b.label, b.attempts) for b in names) == [("cosine", 1), ("step", 1)]


@pytest.mark.parametrize("settings", ["not json", "[1, 2]", '{"schedule": 3, "problem_params": [1]}', None])
def test_settings_that_cannot_be_read_give_no_values(settings):
    assert flat_settings(settings) == {} or all(isinstance(v, (str, int, float)) for v in
                                                flat_settings(settings).values())
    assert "schedule.lr" not in flat_settings(settings)


def record(path, events):
    results = Results(path)
    for e in events:
        results._connect().execute(
            "INSERT INTO events (at, student, lab, exercise, kind, score, points, settings) VALUES (?,?,?,?,?,?,?,?)",
            (1e9 + e["at"], e["student"], e["lab"], e["exercise"], e["kind"], e["score"], e["points"], e["settings"]))
    results.close()


async def read_once_more(app, pilot):
    reads = app.reads
    app.action_reload()
    for _ in range(100):
        await pilot.pause(0.02)
        if app.reads > reads:
            return
    raise AssertionError("the databases were not read again")


def screen_text(app) -> str:
    return "\n".join(str(app.query_one(part).render()) for part in ("#head", "#exercises", "#stuck", "#tried"))


async def test_the_live_view_waits_for_a_database_then_follows_it_by_keys(tmp_path):
    path = tmp_path / "lab.results.sqlite"
    app = ReportApp([str(path)], every=3600, options=Options(ascii=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await read_once_more(app, pilot)
        assert "waiting for lab.results.sqlite" in screen_text(app) and "no results yet" in screen_text(app)
        record(path, EVENTS + [event(50, "[b]mallory[/b]\x1b[31m", "edge", "attempt", 0, 2.5)])
        await read_once_more(app, pilot)
        text = screen_text(app)
        assert "4 students, 12 events" in text and "waiting" not in text
        assert "edge         2/4   50%" in text  # passed/working, rate
        assert "[b]mallory[/b..." in text  # a typed name as typed (cut to its column), never markup
        assert "values of schedule.lr tried on edge: # attempts, = passes" in text
        await pilot.press("right")  # the next exercise's values: a single run, nothing varied
        assert "values tried on decay: every attempt has the same settings so far" in screen_text(app)
        await pilot.press("right")  # round again
        assert "values of schedule.lr tried on edge" in screen_text(app)


def test_the_watch_options_are_checked_in_one_line(capsys, tmp_path):
    assert main(["report", "--watch", "--every", "0.01", str(tmp_path / "r.sqlite")]) == 2
    assert capsys.readouterr().err == "lrtui: --every=0.01: allowed 0.5 to 3600 seconds\n"
    assert main(["report", "--watch", "--format", "csv", str(tmp_path / "r.sqlite")]) == 2
    assert "does not apply to --watch" in capsys.readouterr().err


def test_a_crafted_settings_row_gives_no_values_and_ends_nothing():
    """The second hostile retry: 60,000 '[' (RecursionError) and a 4,000-digit lr (OverflowError in the
    histogram) each ended the live view."""
    from lrtui.lab.watch import flat_settings, tried

    assert flat_settings("[" * 60000) == {}
    huge = '{"schedule": {"name": "constant", "params": {"lr": ' + "9" * 4000 + "}}}"
    assert "schedule.lr" not in flat_settings(huge) and flat_settings(huge)["schedule"] == "constant"
    events = [{"exercise": "e", "kind": "attempt", "settings": huge, "student": "a", "score": 0.0},
              {"exercise": "e", "kind": "attempt", "student": "b", "score": 1.0,
               "settings": '{"schedule": {"name": "constant", "params": {"lr": 0.1}}}'}]
    assert [bar for bar in tried(events, "e", "schedule.lr")]  # the readable one, binned


async def test_a_reading_longer_than_the_interval_is_not_started_again_until_it_ends(tmp_path, monkeypatch):
    """The second hostile retry: a reading of 6.7 s started again every 2 s; the threads piled up, the view
    never drew and took no key. A reading on its way lets no other start, and the interval waits as long as
    the last reading took."""
    app = ReportApp([str(tmp_path / "none.sqlite")], every=3600, options=Options(ascii=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await read_once_more(app, pilot)
        started = []
        monkeypatch.setattr(app, "_read", lambda: started.append(1))
        app.reading = True
        app.action_reload()
        app._tick()
        assert started == []
        app.reading, app.read_took, app.read_end = False, 60.0, time.monotonic()
        app._tick()  # (the last reading took 60 s and just ended: the interval waits)
        assert started == []
        app.action_reload()  # (r: at once)
        assert started == [1]
