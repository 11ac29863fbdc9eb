"""A lab in the app: which exercise is open, the hints shown, and the checklist of its goal on the runs on
screen (:class:`LabProgress`). The panel (lrtui/ui/widgets/lab_panel.py) shows :meth:`LabProgress.lines`; the
App opens an exercise's start, refuses edits of its locked fields and leaves its hidden ones out of the form.
No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrtui.io.sessions import Session
from lrtui.lab.expr import Facts
from lrtui.lab.grade import Result, facts, grade_facts
from lrtui.lab.spec import RUN_SETTINGS, Exercise, Lab
from lrtui.sim.config import Prepared, Trace, prepare


def form_key(name: str) -> str:
    """A lab's field name as the form keys it: run settings under ``run.`` (``epochs`` is ``run.epochs``)."""
    return f"run.{name}" if name in RUN_SETTINGS else name


@dataclass
class LabProgress:
    """A student working through ``lab``: the exercise open (``index``), the hints shown of it, and the best
    score reached in each exercise (by id)."""

    lab: Lab
    student: str = ""
    index: int = 0
    hints: int = 0
    best: dict[str, float] = field(default_factory=dict)
    result: Result | None = None  # the last check of the exercise open
    results: str | None = None  # the results database the checks are recorded in (None: not recorded)
    passed: set[str] = field(default_factory=set)  # the exercises passed (by id)
    predictions: dict[str, str] = field(default_factory=dict)  # the student's answers, as typed (by id)
    _prepared: dict[str, Prepared] = field(default_factory=dict)  # the pinned runs', validated once each (by repr)

    @property
    def exercise(self) -> Exercise:
        return self.lab.exercises[self.index]

    def start(self) -> Session:
        """Where the exercise open starts, for this student."""
        return self.exercise.start_for(self.student)

    def move(self, step: int) -> bool:
        """Open the next (+1) or previous (-1) exercise; False at either end."""
        index = self.index + step
        if not 0 <= index < len(self.lab.exercises):
            return False
        self.index, self.hints, self.result = index, 0, None
        return True

    def hint(self) -> str | None:
        """Show one more hint; the hint, or None when all are shown."""
        if self.hints >= len(self.exercise.hints):
            return None
        self.hints += 1
        return self.exercise.hints[self.hints - 1]

    def locked(self, key: str) -> bool:
        """Whether the form's field ``key`` is locked in the exercise open."""
        return key in {form_key(n) for n in self.exercise.locked}

    def hidden(self) -> frozenset[str]:
        """The form's keys of the fields the exercise open hides."""
        return frozenset(form_key(n) for n in self.exercise.hidden)

    def check(self, trace: Trace, prepared: Prepared, pinned: list[tuple[Trace, Any]],
              target: float | None) -> Result:
        """The exercise's goal checked on the runs on screen (their traces: nothing simulated again); the best
        score kept."""
        runs: list[Facts] = [facts(trace, prepared, target)]
        for pinned_trace, config in pinned:
            key = repr(config)  # (a RunConfig holds dicts: not hashable)
            if key not in self._prepared:
                self._prepared[key] = prepare(config)
            runs.append(facts(pinned_trace, self._prepared[key], target))
        self.result = grade_facts(self.exercise, prepared, runs, self.student,
                                  self.predictions.get(self.exercise.id))
        self.best[self.exercise.id] = max(self.best.get(self.exercise.id, 0.0), self.result.score)
        return self.result

    def lines(self, ascii: bool = False) -> list[str]:
        """The panel's text: the exercise's title and score, then a line per condition (a tick or a cross,
        what it asks, and what was seen where it does not hold: a condition that is no comparison has nothing
        to show but its own text, left out), then the newest hint shown (one: the panel is five lines high,
        so with three conditions a second hint line would fall below its edge)."""
        exercise, result = self.exercise, self.result
        total = sum(e.points for e in self.lab.exercises)
        earned = sum(self.best.values())
        score = f"{result.score:g}/{exercise.points:g}" if result is not None else f"-/{exercise.points:g}"
        head = (f"Exercise {self.index + 1}/{len(self.lab.exercises)}: {exercise.title}  {score} points  "
                f"(lab {earned:g}/{total:g})  n N h ?")
        yes, no = ("+", "x") if ascii else ("✓", "✗")
        lines = [head]
        if self.asks() is not None:  # (the goals' values would give the answer away)
            lines.append(" answer the question first: the goal and the run show then")
        elif result is not None:
            for c in result.checks:
                seen = f": {c.seen}" if c.seen not in (c.check, c.say) else ""
                lines.append(f" {yes} {c.say}" if c.holds else f" {no} {c.say}{seen}")
        if self.hints:
            lines.append(f" hint {self.hints}/{len(exercise.hints)}: {exercise.hints[self.hints - 1]}")
        return lines

    def saved(self) -> dict[str, Any]:
        """The progress as a session file keeps it (lrtui.io.sessions)."""
        return {"title": self.lab.title, "student": self.student, "exercise": self.exercise.id,
                "best": dict(self.best), "passed": sorted(self.passed), "hints": self.hints,
                "predictions": dict(self.predictions)}

    def someone_elses(self, saved: dict[str, Any]) -> bool:
        """Whether a session's progress was another student's than the one named here."""
        theirs = saved.get("student", "")
        return bool(self.student and theirs and theirs != self.student)

    def restore(self, saved: dict[str, Any]) -> bool:
        """The progress a session kept, when it is this lab's (False: another lab's, nothing changed). Another
        student's session (:meth:`someone_elses`) gives its exercise and nothing more: its scores, passes,
        hints and predictions are theirs, and whoever is named here stays who they are."""
        ids = [e.id for e in self.lab.exercises]
        if saved.get("title") != self.lab.title or saved.get("exercise") not in ids:
            return False
        if self.someone_elses(saved):
            self.index, self.hints, self.result = ids.index(saved["exercise"]), 0, None
            return True
        self.student = saved.get("student", "")
        self.index = ids.index(saved["exercise"])
        self.hints = min(int(saved.get("hints", 0)), len(self.exercise.hints))
        self.best = {k: v for k, v in saved.get("best", {}).items() if k in ids}
        self.passed = {p for p in saved.get("passed", []) if p in ids}
        self.predictions = {k: v for k, v in saved.get("predictions", {}).items() if k in ids}
        self.result = None
        return True

    def asks(self) -> str | None:
        """The question to answer before the exercise's run is shown (None: none, or answered)."""
        predict = self.exercise.predict
        if predict is None or self.exercise.id in self.predictions:
            return None
        choices = f" ({' / '.join(predict.choices)})" if predict.choices else ""
        return f"predict first: {predict.question}{choices}"

    def note(self) -> str:
        """What ? shows for the exercise: its title and text (the help's note)."""
        # (a blank line after the title: the help reflows a note's lines into paragraphs)
        return f"Lab: {self.lab.title}\nExercise {self.exercise.id}: {self.exercise.title}\n\n{self.exercise.text}"
