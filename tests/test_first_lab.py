"""The shipped lab's exercises on step and exponential decay, cosine and the end of training, exploring then
exploiting, and warm restarts (issue 26, "A lab to ship"), graded as an autograder grades them: ``lrtui lab
check`` on a session file a student would save. A right answer passes; the usual wrong ones fail, with the
partial credit their steps earn. The numbers behind them are lrtui's own runs of teaching.md's T4 (the noisy
quadratic), T7 (the two basins, here with noise) and T10 (the river valley), over the exercises' seeds. And each
exercise of the lab reads whole in the app's panel at 80x24."""

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


def test_the_lab_has_its_topics_in_teaching_order():
    assert [e.id for e in LAB.exercises] == ["edge", "decay", "floor", "step-exponential", "robbins-monro",
                                             "cosine-end", "warmup", "explore-exploit", "sgdr"]


# --- step and exponential decay: StepLR's gamma acts every step_size epochs, ExponentialLR's every epoch ----

RIGHT_STEP = schedule("step", lr=0.1, step_size=500, gamma=0.1)  # 0.1, 0.01, 0.001, 0.0001: ends at 0.0019


def test_step_and_exponential_pass_with_a_staircase_pinned_and_gamma_per_epoch(tmp_path, capsys):
    graded = lab_check(tmp_path, capsys, "step-exponential", schedule("exponential", lr=0.1, gamma=0.9954),
                       (RIGHT_STEP,), prediction="0.995")  # 0.1 ** (1/500) = 0.99540
    assert graded["passed"] and graded["score"] == graded["points"] == 5


@pytest.mark.parametrize("shown, pinned, score, fails", [
    (None, (), 0, ["a step decay pinned, below 0.0025", "exponential below 0.0025"]),  # halves once: 0.015
    (schedule("exponential", lr=0.1, gamma=0.1), (RIGHT_STEP,), 2, ["exponential below 0.0025"]),  # StepLR's gamma
    (schedule("exponential", lr=0.1, gamma=0.95), (RIGHT_STEP,), 2, ["exponential below 0.0025"]),  # stalls: 0.23
    (schedule("exponential", lr=0.1, gamma=0.999), (RIGHT_STEP,), 2, ["exponential below 0.0025"]),  # floor 0.0052
    (schedule("exponential", lr=0.1, gamma=0.9954), (schedule("step", lr=0.1, step_size=100, gamma=0.1),), 2,
     ["a step decay pinned, below 0.0025"]),  # the steps come too early: 0.0056
    (schedule("exponential", lr=0.1, gamma=0.9954), (schedule("step", lr=0.1, step_size=1000, gamma=0.1),), 2,
     ["a step decay pinned, below 0.0025"]),  # the last one too late: 0.0034
    (RIGHT_STEP, (), 0, ["a step decay pinned, below 0.0025", "exponential below 0.0025"]),  # right, not pinned
])
def test_step_and_exponential_fail_their_usual_wrong_answers(tmp_path, capsys, shown, pinned, score, fails):
    graded = lab_check(tmp_path, capsys, "step-exponential", shown, pinned)
    assert not graded["passed"] and graded["score"] == score and failing(graded) == fails + ["your prediction"]


def test_the_step_and_exponential_prediction_is_gamma_per_epoch(tmp_path, capsys):
    for answer, right in (("0.9954", True), ("0.995", True), ("0.99", False), ("0.1", False)):
        graded = lab_check(tmp_path, capsys, "step-exponential", prediction=answer)
        assert graded["goals"][-1]["held"] is right, answer


# --- cosine and the end of training: T_max is the run's length, or the lr climbs back ---------------------

@pytest.mark.parametrize("T_max, passes", [(3000, True), (2700, True), (3300, True), (1500, False), (3750, False),
                                           (6000, False)])
def test_cosine_passes_when_T_max_matches_the_run_within_about_10_percent(tmp_path, capsys, T_max, passes):
    graded = lab_check(tmp_path, capsys, "cosine-end", schedule("cosine", lr=0.1, T_max=T_max), prediction="0.1")
    assert graded["passed"] is passes
    assert graded["score"] == (4 if passes else 1)  # each step of the goal holds or fails with the horizon


def test_cosine_fails_a_floor_too_high_and_a_shorter_run(tmp_path, capsys):
    graded = lab_check(tmp_path, capsys, "cosine-end", schedule("cosine", lr=0.1, T_max=3000, eta_min=0.01))
    assert not graded["passed"] and failing(graded)[:2] == ["the lr annealed by the end", "final loss below 0.02"]
    graded = lab_check(tmp_path, capsys, "cosine-end", epochs=1500)  # the run cut to fit the cosine: locked
    assert not graded["passed"] and failing(graded)[0] == "epochs is locked"


def test_the_cosine_prediction_is_the_peak_it_climbs_back_to(tmp_path, capsys):
    assert lab_check(tmp_path, capsys, "cosine-end", prediction="0.1")["goals"][-1]["held"]
    assert not lab_check(tmp_path, capsys, "cosine-end", prediction="0")["goals"][-1]["held"]


# --- explore, then exploit: escape the sharp basin with a large lr, settle in the flat one by decaying ------

@pytest.mark.parametrize("shown, score", [
    (schedule("cosine", lr=0.5, T_max=1500), 4),
    (schedule("cosine", lr=0.1, T_max=1500), 4),
    (schedule("exponential", lr=0.5, gamma=0.99), 4),
    (None, 0),  # constant 0.01: stays in the sharp minimum, -0.949
    (schedule("cosine", lr=0.02, T_max=1500), 0),  # decays, never explores
    (schedule("constant", lr=0.1), 2),  # escapes, then bounces on the noise: -1.097
    (schedule("constant", lr=0.5), 1),  # escapes, and is thrown back out of the flat basin: -0.949
])
def test_explore_then_exploit_passes_only_a_large_lr_that_decays(tmp_path, capsys, shown, score):
    graded = lab_check(tmp_path, capsys, "explore-exploit", shown)
    assert graded["score"] == score and graded["passed"] is (score == graded["points"])


# --- warm restarts: at least two restarts, and a cycle that ends with the run -----------------------------

@pytest.mark.parametrize("T_0, T_mult, score, fails", [
    (100, 2, 4, []),  # cycles end at 100, 300, 700, 1500
    (500, 1, 4, []),
    (200, 2, 1, ["a cycle ends with the run", "settled at the flat bottom"]),  # the start: 100 epochs into a cycle
    (100, 3, 1, ["a cycle ends with the run", "settled at the flat bottom"]),  # restarts at 100, 400, 1300
    (1500, 1, 3, ["at least two restarts"]),  # one cosine: no restart
    (150, 1, 2, ["settled at the flat bottom"]),  # the last 150 epochs are a whole cycle, from lr 0.5
])
def test_warm_restarts_pass_when_a_cycle_ends_with_the_run(tmp_path, capsys, T_0, T_mult, score, fails):
    graded = lab_check(tmp_path, capsys, "sgdr", schedule("cosine_restarts", lr=0.5, T_0=T_0, T_mult=T_mult))
    assert graded["score"] == score and failing(graded) == fails and graded["passed"] is (not fails)


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
