"""Grading an exercise: its goal's conditions checked on the runs a student has on screen.

:func:`facts` gives what a condition reads of one run: its scoreboard numbers (final_loss and its standard
error final_se, best_loss, epochs_to_target, diverged_at and diverged, sum_lr, sum_lr2, peak_lr, final_lr,
heldout_loss, seeds), its verdict's kind, its settings (epochs, seed, steps_per_epoch), its schedule, problem
and optimizer (names carrying their parameters) and the schedule's parameters by their own names (lr, T_max),
and what the problem knows: stable_lr, the largest lr that does not diverge from the start (2/lambda_max for
SGD, 2(1+momentum)/lambda_max with momentum), and lambda_max. :func:`grade` checks an exercise on a session's
runs: the locked fields first (a run edited where the lab forbids fails there), then each condition, each
worth its points. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lrtui.analysis.compare import default_target, is_noisy, score
from lrtui.analysis.verdict import judge
from lrtui.io.sessions import Session
from lrtui.lab.expr import ConditionError, Facts, Named
from lrtui.lab.spec import Exercise, field_names, with_values
from lrtui.sim.config import Prepared, Trace, prepare
from lrtui.sim.engine import simulate_many


@dataclass(frozen=True)
class Checked:
    """One condition checked: its text, what the checklist says, whether it holds, what was seen, its
    points and the points it earned."""

    check: str
    say: str
    holds: bool
    seen: str
    points: float
    earned: float


@dataclass(frozen=True)
class Result:
    """An exercise graded: its id, the points earned of its points, whether every condition held, and each
    condition (the locked fields' first, worth nothing but passing)."""

    id: str
    score: float
    points: float
    passed: bool
    checks: tuple[Checked, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 6), "points": round(self.points, 6), "passed": self.passed,
                "goals": [{"check": c.check, "say": c.say, "held": c.holds, "seen": c.seen,
                           "points": round(c.points, 6), "earned": round(c.earned, 6)} for c in self.checks]}


def _number(value: float | None) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def facts(trace: Trace, prepared: Prepared, target: float | None = None) -> Facts:
    """What a condition reads of one run (see the module's doc)."""
    noisy = is_noisy(prepared)
    board = score(trace, target if target is not None else default_target(trace), noisy)
    config = prepared.config
    schedule_params = dict(getattr(prepared.schedule, "params", {}))
    bound = trace.stability_bound[0] if len(trace.stability_bound) else np.nan
    sharp = trace.sharpness[0] if len(trace.sharpness) else np.nan
    values: dict[str, Any] = {
        **schedule_params,
        "final_loss": board.final_loss, "final_se": board.final_se, "best_loss": board.best_loss,
        "epochs_to_target": board.epochs_to_target, "diverged_at": board.diverged_at,
        "diverged": board.diverged_at is not None, "sum_lr": board.sum_lr, "sum_lr2": board.sum_lr2,
        "peak_lr": board.peak_lr, "final_lr": board.final_lr, "heldout_loss": board.heldout_loss,
        "seeds": prepared.seeds, "verdict": judge(trace, prepared).kind,
        "epochs": prepared.epochs, "seed": config.seed, "steps_per_epoch": prepared.steps_per_epoch,
        "schedule": Named(config.schedule["name"], schedule_params),
        "problem": Named(config.problem, dict(prepared.problem_params)),
        "optimizer": Named(config.optimizer, dict(prepared.optimizer_params)),
        "stable_lr": _number(bound), "lambda_max": _number(sharp),
    }
    return Facts(values)


RUN_NAMES = ("final_loss", "final_se", "best_loss", "epochs_to_target", "diverged_at", "diverged", "sum_lr",
             "sum_lr2", "peak_lr", "final_lr", "heldout_loss", "seeds", "verdict", "epochs", "seed", "steps_per_epoch",
             "schedule", "problem", "optimizer", "stable_lr", "lambda_max", "run", "pinned", "runs")
"""The names a condition may read beside the schedule's parameters (:func:`facts`, :func:`names_for`)."""


def known_names() -> set[str]:
    """Every name a condition may read on some run: :data:`RUN_NAMES` and every schedule's parameters (a
    student may switch schedules: ``T_max`` is there on a cosine)."""
    from lrtui.schedules import registry

    return set(RUN_NAMES) | {p.name for name in registry.names() for p in registry.get(name).all_params}


def names_for(runs: list[Facts]) -> dict[str, Any]:
    """The names a condition sees: the first run's facts by name, ``run``, ``pinned`` and ``runs``."""
    return {**runs[0].values, "run": runs[0], "pinned": runs[1:], "runs": list(runs)}


def session_facts(session: Session) -> list[Facts]:
    """The facts of a session's run and its pinned runs, simulated together."""
    return _simulated([prepare(c) for c in (session.config, *session.pinned)], session.target_loss)


def _simulated(prepared: list[Prepared], target: float | None) -> list[Facts]:
    return [facts(t, p, target) for t, p in zip(simulate_many(prepared), prepared)]


def _value(prepared: Prepared, name: str) -> Any:
    """A field's value in a run (``problem``, ``problem.L``, ``schedule.lr``, ``epochs``), defaults filled in."""
    group, _, key = name.partition(".")
    if not key:
        config = prepared.config
        return config.schedule["name"] if name == "schedule" else getattr(config, name)
    if group == "schedule":
        return getattr(prepared.schedule, "params", {}).get(key)
    return (prepared.problem_params if group == "problem" else prepared.optimizer_params).get(key)


def grade(exercise: Exercise, session: Session, student: str = "", prediction: Any = None) -> Result:
    """``exercise`` checked on ``session``'s runs (simulated here), for ``student`` (their variant of the locked
    fields), with their ``prediction`` (None: not answered)."""
    prepared = [prepare(c) for c in (session.config, *session.pinned)]
    return grade_facts(exercise, prepared[0], _simulated(prepared, session.target_loss), student, prediction)


def grade_facts(exercise: Exercise, shown: Prepared, runs: list[Facts], student: str = "",
                prediction: Any = None) -> Result:
    """``exercise`` checked on runs already simulated: ``shown`` the run on screen, validated, ``runs`` the facts
    of it and of the pinned runs (the app's live checklist: nothing is simulated again). A prediction earns its
    points when right; it does not decide whether the exercise passed."""
    checks: list[Checked] = []
    expected = prepare(with_values(exercise.start.config, exercise.variant(student)))  # (once: a check a key)
    names = field_names(expected)
    for name in exercise.locked:
        if name not in names:
            continue
        want, have = _value(expected, name), _value(shown, name)
        if want != have:
            checks.append(Checked(f"{name} locked", f"{name} is locked", False, f"{name} is {have!r}, the lab's "
                                  f"{want!r}", 0.0, 0.0))
    seen_names = names_for(runs)
    for goal in exercise.goals:
        try:
            seen = goal.condition.check(seen_names)
            holds, shown = seen.holds, seen.shown
        except ConditionError as err:
            holds, shown = False, str(err)
        except (ArithmeticError, RecursionError, ValueError, TypeError) as err:  # (a goal's bug is the lab's, not
            holds, shown = False, f"this goal cannot be checked: {type(err).__name__}"  # a crash of every session)
        checks.append(Checked(goal.condition.text, goal.say, holds, shown, goal.points,
                              goal.points if holds else 0.0))
    passed = all(c.holds for c in checks)
    broken = any(c.check.endswith(" locked") and not c.holds for c in checks)
    if broken:  # a run edited where the lab forbids is not this exercise's run: nothing of it earns points
        checks = [replace(c, earned=0.0) for c in checks]
    predict = exercise.predict
    if predict is not None:
        right = bool(prediction) and prediction_holds(exercise, prediction, runs)
        seen = "not answered" if prediction is None else "skipped" if prediction == "" else f"you said {prediction}"
        checks.append(Checked("predict", "your prediction", right, seen, predict.points,
                              predict.points if right and not broken else 0.0))
    earned = sum(c.earned for c in checks)
    return Result(exercise.id, earned, exercise.points, passed, tuple(checks))


def prediction_holds(exercise: Exercise, answer: Any, runs: list[Facts]) -> bool:
    """Whether a student's answer to the exercise's prediction is right: its choice, or a number within its
    tolerance (relative) of the answer, which may be a fact of the runs (``stable_lr``)."""
    predict = exercise.predict
    if predict is None:
        return False
    if predict.choices:
        return answer == predict.answer
    try:
        expected = predict.answer if isinstance(predict.answer, float) else predict.answer.value(names_for(runs))
        given = float(answer)
    except (TypeError, ValueError, ConditionError):
        return False
    return isinstance(expected, (int, float)) and abs(given - expected) <= predict.tolerance * abs(expected)
