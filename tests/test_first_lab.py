"""The shipped lab, lrtui/labs/first-lab.toml (issue 26, "A lab to ship"): each of its exercises reads whole
in the app's panel at 80x24."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from lrtui.cli import main
from lrtui.io.sessions import Session, save_session
from lrtui.lab.grade import grade
from lrtui.lab.spec import load_lab
from lrtui.ui.lab import LabProgress

FIRST_LAB = Path(__file__).resolve().parent.parent / "lrtui" / "labs" / "first-lab.toml"
LAB = load_lab(FIRST_LAB)


def schedule(name: str, **params) -> dict:
    return {"name": name, **params}


def lab_check(tmp_path, capsys, ident: str, shown: dict | None = None, pinned: tuple[dict, ...] | None = None,
              prediction: str | None = None, **run_changes) -> dict:
    """``lrtui lab check`` of one exercise on a session file: the exercise's start with ``shown`` as the run's
    schedule (None: the start's), ``pinned`` schedules on the same problem (None: the start's pinned runs),
    the student's ``prediction`` kept as the app keeps it, and ``run_changes`` to the run's other settings."""
    exercise = next(e for e in LAB.exercises if e.id == ident)
    start = exercise.start_for("ada")

    def run(spec: dict | None):
        if spec is None:
            return start.config
        spec = dict(spec)
        return replace(start.config, schedule={"name": spec.pop("name"), "params": spec})

    config = replace(run(shown), **run_changes)
    pins = start.pinned if pinned is None else tuple(run(p) for p in pinned)
    progress = {"title": LAB.title, "student": "ada", "exercise": ident,
                "predictions": {} if prediction is None else {ident: prediction}}
    path = save_session(Session(config, pins, lab=progress), tmp_path / "ada.toml")
    assert main(["lab", "check", str(FIRST_LAB), "--session", str(path), "--student", "ada",
                 "--exercise", ident]) == 0
    (graded,) = json.loads(capsys.readouterr().out)["exercises"]
    return graded


def failing(graded: dict) -> list[str]:
    return [g["say"] for g in graded["goals"] if not g["held"]]


# --- every exercise at 80x24 --------------------------------------------------------------------------------

@pytest.mark.parametrize("index", range(len(LAB.exercises)), ids=[e.id for e in LAB.exercises])
def test_each_exercise_reads_whole_in_the_panel_at_80_columns(index):
    """The lab's panel is five lines of 78 columns at 80x24 (its border and padding take the rest), each cut
    where it is longer: the title and score, a line per condition with what was seen (here on the exercise's
    start, the prediction answered wrong), and the newest hint. Each line is whole, with every hint."""
    progress = LabProgress(LAB, student="ada", index=index, best={e.id: e.points for e in LAB.exercises})
    progress.result = grade(progress.exercise, progress.start(), "ada", prediction="1")
    for shown in range(len(progress.exercise.hints) + 1):
        progress.hints = shown
        lines = progress.lines()
        assert len(lines) <= 5 and [line for line in lines if len(line) > 78] == [], lines
