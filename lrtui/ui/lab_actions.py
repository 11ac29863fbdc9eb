"""The lab's keys and live checklist in the app (:class:`LabActions`): n and N open the next and previous
exercise on its own run, h shows its next hint, and each run on screen (and each pin) checks the goal again;
a locked field says why it does not change. Handed what it uses, no Textual here (the panel is drawn through
its ``show_lines``)."""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any, Callable

from lrtui.io.sessions import run_dict
from lrtui.ui.lab import LabProgress


LOOKED_SECONDS = 2.0
"""A run a student keeps on screen this long is an attempt, recorded with its settings (as is every run that
changes the score, at most one each :data:`ATTEMPT_SECONDS`)."""
ATTEMPT_SECONDS = 2.0
"""At most one attempt that changes the score is recorded in this time, per session, whatever the exercise (a
student alternating two keys made 100,000 events an hour; switching exercises gave each exercise its window).
The latest of those in between is recorded as it ends (or as the student moves on); one that reaches a new best
score is recorded at once, as is the pass."""
MAX_ATTEMPTS = 600
"""The most attempts recorded per exercise in one session (at one each ATTEMPT_SECONDS, 20 minutes of
changes): then one ``capped`` event, and only a new best score after it (the pass, hints and predictions are
recorded still)."""


def _printable(typed: str | None, most: int) -> str:
    """What a student typed at a prompt, as kept: stripped, printable characters only, at most ``most``."""
    return "".join(c for c in (typed or "").strip() if c.isprintable())[:most]


class LabActions:
    def __init__(self, progress: LabProgress, panel: Any, *, open_runs: Callable[..., None],
                 set_note: Callable[[str], None], notify: Callable[..., None], ascii: bool,
                 on_screen: Callable[[], tuple[Any, Any, float | None]],
                 ask: Callable[[str, Callable[[str | None], None]], None] = lambda question, then: None,
                 clock: Callable[[], float] = time.monotonic,
                 set_timer: Callable[[float, Callable[[], None]], Any] = lambda delay, then: None) -> None:
        self.progress = progress
        self.panel = panel
        self._open_runs = open_runs
        self._set_note = set_note
        self._notify = notify
        self._ascii = ascii
        self._on_screen = on_screen  # the run shown (lrtui.ui.shown.Shown or None), the Pinned runs, the target,
        # and the run edited (the app's config: the one shown, unless a new run is still simulating)
        self._set_timer = set_timer
        self._opened = progress.start().config  # the exercise's own start: the student's runs differ from it
        self._opening = False  # an exercise's runs are being set: nothing is checked meanwhile
        self._left: dict[str, tuple] = {}  # by exercise: the runs the student left it with (config, pinned, target)
        self._ask = ask  # a prediction's question (the run hidden meanwhile)
        self._results = None  # lrtui.lab.results.Results, opened on the first record
        self._unrecorded = False  # recording failed once (said once, then the lab goes on without it)
        self._clock = clock
        self._looking: tuple[float, Any, float, Any] | None = None  # (since, exercise, score, run) not recorded yet
        self._pending: tuple[Any, float, Any] | None = None  # (exercise, score, run): a change of the score, waiting
        # for the end of ATTEMPT_SECONDS since the exercise's last attempt recorded
        self._recorded_run: Any = None  # the last run recorded as an attempt (or waiting to be)
        self._attempts: dict[str, tuple[int, float, float]] = {}  # by exercise id: (attempts recorded, when the
        # last was, the best score recorded)
        self._last_attempt = -math.inf  # when the session's last attempt was recorded, whatever its exercise: the
        # window is the session's (switching exercises gave each its own: the second hostile retry)
        # a lab that asks the student's name records nothing until it is answered (the first run is checked
        # behind the prompt)
        self.named = bool(progress.student) or not progress.lab.ask_name

    def next(self) -> None:
        self._move(+1)

    def back(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        self.keep_tried()
        leaving = self.progress.exercise.id
        if not self.progress.move(step):
            self._notify("this is the lab's " + ("last" if step > 0 else "first") + " exercise", timeout=3)
            return
        _, pinned, target, config = self._on_screen()
        self._left[leaving] = (config, tuple(pinned.configs), target)  # (what going back finds)
        self.open()

    def open(self) -> None:
        """The exercise open: on the runs the student left it with, when they have been here before (until
        the app ends), else on its start (their own variant); ? shows its text."""
        start = self.progress.start()
        self._opened = start.config
        self._set_note(self.progress.note())
        config, pinned, target = self._left.pop(self.progress.exercise.id, None) or \
            (start.config, start.pinned, start.target_loss)
        with self.opening():
            self._open_runs(config, pinned, 0, target, "auto")
        self.draw()
        self.ask_prediction()

    @contextlib.contextmanager
    def opening(self):
        """Runs being set (an exercise opened, a session loaded): their pinned runs are set before their run,
        while the last run is still on screen, so nothing is checked meanwhile; then the run on screen is (a
        short one is there already; a long one is checked when it is)."""
        self._opening = True
        try:
            yield
        finally:
            self._opening = False
        self.check()

    def ask_prediction(self) -> None:
        """The exercise's question, asked before its run is seen (once answered, not again)."""
        question = self.progress.asks()
        if question is not None:
            self._ask(question, self.predicted)

    def predicted(self, typed: str | None) -> None:
        """The student's answer, kept and checked; escape or nothing typed skips the question (its points
        lost: the run it hid is seen now, so it is not asked again)."""
        answer = _printable(typed, 100)
        self.progress.predictions[self.progress.exercise.id] = answer
        if answer:
            self._record("predict")
        else:
            self._notify("question skipped: its points are lost", timeout=4)
        self.check()
        self.draw()

    def name_given(self, typed: str | None) -> None:
        """The student's name, as typed at the lab's first prompt: their own variant opens (none given: the
        lab goes on without a name, and says so)."""
        name = _printable(typed, 60)
        self.named = True
        if not name:
            self._notify("no name given: your results are recorded without one (ctrl+s still saves your runs)",
                         timeout=6)
            self.ask_prediction()  # (the exercise's question, as a name would have led to)
            return
        self.progress.student = name
        self._attempts.clear()  # (nothing was recorded without a name)
        self._pending = None
        self.progress.best.clear()
        self.progress.passed.clear()
        self.progress.result = None  # (the next check is their first: recorded)
        self.open()

    def resume(self, saved: dict) -> bool:
        """A session's saved progress of this lab, taken back (False: another lab's); ? shows the exercise's
        text and the panel its state once the session's runs are on screen."""
        theirs = self.progress.someone_elses(saved)
        if not self.progress.restore(saved):
            return False
        if theirs:
            self._notify(f"this session was saved by {_printable(saved.get('student'), 60)}: its runs are open, and "
                         f"the results stay {self.progress.student}'s", timeout=6, markup=False)
        self.named = True
        self._set_note(self.progress.note())
        self.draw()
        return True

    def hint(self) -> None:
        if self.progress.hint() is not None:
            self._record("hint")
        else:
            self._notify("no more hints for this exercise" if self.progress.exercise.hints
                         else "this exercise has no hints", timeout=3)
        self.draw()

    def check(self) -> None:
        """The goal checked on the run on screen and the pinned runs that have a trace; the panel redrawn.
        A run on screen that is not the run edited (the exercise just opened, its run still simulating: the
        last exercise's run is still drawn) is not checked: it would be graded on the wrong exercise."""
        shown, pinned, target, current = self._on_screen()
        if shown is None or shown.prepared.config != current or self._opening:
            return
        traces = [(trace, pinned.configs[i]) for i, trace in pinned.traces()]
        before = self.progress.result
        result = self.progress.check(shown.trace, shown.prepared, traces, target)
        config = shown.prepared.config
        self._keep_looked()  # the run before this one, if the student looked at it long enough
        untouched = config == self._opened  # the exercise's own start: not the student's attempt
        if (before is None or before.score != result.score) and not untouched:
            self._changed(result.score, config)
        elif config != self._recorded_run and not untouched:
            self._looking = (self._clock(), self.progress.exercise, result.score, config)
            self._set_timer(LOOKED_SECONDS + 0.05, lambda: self._keep_looked(moving_on=False))  # (not at the next key)
        exercise = self.progress.exercise.id
        if result.passed and exercise not in self.progress.passed:
            self.progress.passed.add(exercise)
            self._record("pass", result.score, shown.prepared.config)
        self.draw()

    def keep_tried(self) -> None:
        """What is not recorded yet, recorded as the exercise changes or the app ends: the run the student was
        looking at, if it has been on screen :data:`LOOKED_SECONDS`, and a change of the score waiting for its
        turn (:data:`ATTEMPT_SECONDS`)."""
        self._keep_looked()
        pending, self._pending = self._pending, None
        if pending is not None:
            self._attempt(*pending)

    def _keep_looked(self, moving_on: bool = True) -> None:
        """The run the student was looking at, recorded as an attempt if it has stayed on screen for
        :data:`LOOKED_SECONDS` (each run tried, for the values the report shows, not only those that changed
        the score; a held key's runs pass by unrecorded). Called by a timer as it is shown (``moving_on``
        False: a run not looked at long enough yet stays waiting), and as the next run is checked, the
        exercise changes or the app ends."""
        looking = self._looking
        if looking is None:
            return
        if self._clock() - looking[0] >= LOOKED_SECONDS:
            self._looking = None
            self._attempt(looking[1], looking[2], looking[3])
        elif moving_on:
            self._looking = None

    def _changed(self, score: float, config: Any) -> None:
        """A run that changed the score: recorded now if it is the exercise's best yet or its last attempt was
        :data:`ATTEMPT_SECONDS` ago, else when that time is over (the latest such run then)."""
        exercise = self.progress.exercise
        best, last = self._attempts.get(exercise.id, (0, -math.inf, -math.inf))[2], self._last_attempt
        self._recorded_run = config
        if score > best or self._clock() - last >= ATTEMPT_SECONDS:
            self._pending = None  # (an earlier change, superseded by this one)
            self._attempt(exercise, score, config)
            return
        waiting = self._pending is not None
        self._pending = (exercise, score, config)
        if not waiting:
            self._set_timer(last + ATTEMPT_SECONDS - self._clock() + 0.05, self._pending_due)

    def _pending_due(self) -> None:
        """The end of :data:`ATTEMPT_SECONDS`: the change of the score waiting recorded (the timer is the first
        change's; a later one may wait a little more)."""
        pending = self._pending
        if pending is None:
            return
        last = self._last_attempt
        if self._clock() - last >= ATTEMPT_SECONDS:
            self._pending = None
            self._attempt(*pending)
        else:
            self._set_timer(last + ATTEMPT_SECONDS - self._clock() + 0.05, self._pending_due)

    def _attempt(self, exercise: Any, score: float, config: Any) -> None:
        """An attempt recorded, unless the exercise has :data:`MAX_ATTEMPTS` already (then one ``capped`` event,
        and only a new best score after it)."""
        count, _, best = self._attempts.get(exercise.id, (0, -math.inf, -math.inf))
        if count >= MAX_ATTEMPTS and score <= best:
            if count == MAX_ATTEMPTS:
                self._record("capped", best, exercise=exercise)
                self._attempts[exercise.id] = (count + 1, self._clock(), best)
            return
        self._attempts[exercise.id] = (count + 1, self._clock(), max(best, score))
        self._last_attempt = self._clock()
        self._record("attempt", score, config, exercise=exercise)

    def _record(self, kind: str, score: float | None = None, config: Any = None, exercise: Any = None) -> None:
        """One event in the lab's results database (on the exercise open, unless ``exercise`` is another
        lrtui.lab.spec.Exercise); a database that cannot be written is said once, and the lab goes on."""
        if config is not None and kind == "attempt":
            self._recorded_run = config
        if self.progress.results is None or self._unrecorded or not self.named:
            return
        import sqlite3

        from lrtui.lab.results import Results, ResultsError

        where = self.progress.exercise if exercise is None else exercise
        try:
            if self._results is None:
                self._results = Results(self.progress.results)
            self._results.record(self.progress.student, self.progress.lab.title, where.id, kind, score,
                                 where.points, None if config is None else run_dict(config))
        except (ResultsError, OSError, sqlite3.Error) as err:  # (a full disk, a read-only folder)
            self._unrecorded = True
            self._notify(f"the lab's results cannot be recorded: {err}", severity="warning", timeout=6)

    def locked(self, key: str) -> str | None:
        """Why the form's field ``key`` cannot change (None: it can)."""
        if not self.progress.locked(key):
            return None
        return f"{key.removeprefix('run.')} is locked in this exercise (the lab sets it): change another field"

    def draw(self) -> None:
        self.panel.show_lines(self.progress.lines(self._ascii))
