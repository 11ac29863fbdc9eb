"""The app's simulations: one at a time off the UI thread, the latest job winning, so a held key never
builds a backlog.

:class:`SimulationQueue` takes a :class:`Job` (the run and its pinned runs) or a :class:`ViewJob` (what a
view must simulate before it can draw: the range test, the WSD branches). A short analytic job is run on
the spot, in the caller's own frame; a longer one goes to a worker thread, and a job submitted while one
runs replaces whatever was waiting (coalescing), except that a view's job never replaces a run's: it is
dropped, and asked for again once that run is on screen. Results come back through ``deliver`` (Textual's
``call_from_thread`` in the app), so ``on_result`` and ``on_cancelled`` always run on the UI thread. The
worker reports how far it got (:attr:`SimulationQueue.progress`); :meth:`SimulationQueue.cancel` stops it at
its next report. No Textual here: the queue is tested with plain threads.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from typing import Any

from lrtui.params import ConfigError
from lrtui.sim.config import estimated_seconds, PROBLEMS, Prepared, RunConfig, Trace
from lrtui.sim.engine import simulate, simulate_many
from lrtui.ui.views import Work

CHEAP_STEPS = 3000  # analytic runs up to this many steps are simulated on the spot (about 10 ms) ...
CHEAP_SECONDS = 0.01  # ... and no more than this, by the work estimate: seeds and pins count (a key on 16 seeds
# of beale under adamw for 3,000 epochs took 0.3 s of the UI thread, and a burst of such keys minutes)
PROGRESS_AFTER = 0.5  # seconds: a simulation running longer shows its progress, and escape cancels it

Outcome = Trace | ConfigError
"""What simulating one run gives: its trace, or the error that says why it cannot run."""


@dataclass(frozen=True)
class Job:
    """The current run and the pinned runs to simulate; ``known`` are pinned runs already simulated (a pin
    whose run has not changed takes its trace from there instead of running again); ``prepared``, the
    current run validated already (the app's), is not validated again."""

    config: RunConfig
    pins: tuple[RunConfig, ...] = ()
    known: tuple[Trace, ...] = ()
    prepared: Prepared | None = None

    @property
    def cheap(self) -> bool:
        """Whether simulating takes well under a frame: short runs of an analytic problem, by their steps and
        by the work estimate of the current run (its seeds), the pinned runs counted at its cost a step."""
        steps = sum(c.epochs * c.steps_per_epoch for c in (self.config, *self.pins))
        if PROBLEMS[self.config.problem].kind != "analytic" or steps > CHEAP_STEPS:
            return False
        if self.prepared is None:
            return True
        own = self.prepared.epochs * self.prepared.steps_per_epoch
        return estimated_seconds(self.prepared) * steps / max(own, 1) <= CHEAP_SECONDS


@dataclass(frozen=True)
class Results:
    """A job's outcome: the current run's, and each pinned run's in the job's order."""

    trace: Outcome
    pins: tuple[Outcome, ...]


@dataclass(frozen=True)
class ViewJob:
    """A view's :class:`~lrtui.ui.views.Work` to run (see :class:`SimulationQueue`)."""

    work: Work

    @property
    def cheap(self) -> bool:
        return self.work.analytic and self.work.steps <= CHEAP_STEPS


@dataclass(frozen=True)
class ViewResults:
    """A view job's outcome: the work's result, or the ConfigError that says why it cannot run."""

    result: Any


class Cancelled(Exception):
    """Escape stopped a long simulation (raised in the worker by its progress callback)."""


def run_job(job: Job | ViewJob, progress: Callable[[int, int], None] | None = None) -> Results | ViewResults:
    """Simulate ``job``: the current run and the pinned runs not in ``job.known``, together where they can
    be; a run that cannot be simulated gives its error instead. ``progress`` is told how far it got. A view's
    job: its work's result, or its ConfigError."""
    if isinstance(job, ViewJob):
        try:
            return ViewResults(job.work.compute(progress))
        except ConfigError as err:
            return ViewResults(err)
    reused: list[Outcome | None] = [next((t for t in job.known if t.config == pin), None) for pin in job.pins]
    todo = [job.prepared or job.config] + [pin for pin, r in zip(job.pins, reused) if r is None]
    try:
        traces: list[Outcome] = list(simulate_many(todo, progress))
    except ConfigError:  # one of them is wrong: find which, one by one
        traces = []
        for config in todo:
            try:
                traces.append(simulate(config, progress))
            except ConfigError as err:
                traces.append(err)
    fresh = iter(traces[1:])
    return Results(traces[0], tuple(r if r is not None else next(fresh) for r in reused))


class SimulationQueue:
    """One simulation at a time, the latest job winning.

    ``start_thread(fn)`` runs ``fn`` on a worker thread; ``deliver(fn, *args)`` runs ``fn(*args)`` on the
    UI thread and returns once it has (the app's ``call_from_thread``). ``on_result(job, results)`` and
    ``on_cancelled(job)`` are called through it.
    """

    def __init__(self, start_thread: Callable[[Callable[[], None]], object],
                 deliver: Callable[..., object], on_result: Callable[[Any, Any], None],
                 on_cancelled: Callable[[Any], None]) -> None:
        self._start_thread = start_thread
        self._deliver = deliver
        self._on_result = on_result
        self._on_cancelled = on_cancelled
        self._lock = threading.Lock()
        self._pending: Job | None = None
        self._running = False  # a worker thread is on its way
        self._cancel = threading.Event()  # set by escape: the worker's progress callback stops the run
        self._stopped = False  # the app is going: the worker stops and delivers nothing more
        self.progress: tuple[int, int, int] | None = None  # (epochs done, of, runs started) from the worker
        self.started = 0.0  # when the job now running was submitted (time.monotonic)
        self.running: Job | ViewJob | None = None  # the job on the worker
        self.idle_event = threading.Event()  # set when nothing runs or waits (tests and benchmarks wait on it)
        self.idle_event.set()

    @property
    def busy(self) -> bool:
        """A simulation is running or waiting."""
        return not self.idle_event.is_set()

    @property
    def cancellable(self) -> bool:
        """A simulation has run long enough to show its progress: escape cancels it."""
        return self.busy and self._running and time.monotonic() - self.started >= PROGRESS_AFTER

    def submit(self, job: Job | ViewJob) -> bool:
        """Simulate ``job``. True when it was done on the spot (cheap, nothing else running: its result is
        delivered already); False when it went to the worker, replacing a job still waiting (a view's job
        does not replace a run's, nor wait behind one: it is dropped)."""
        if isinstance(job, ViewJob):
            with self._lock:
                if isinstance(self._pending, Job) or isinstance(self.running, Job):
                    return False
        if job.cheap:  # a few milliseconds: done at once, no thread hop, drawn in the next frame
            with self._lock:
                idle = not self._running
            if idle:
                self.idle_event.clear()
                self._finished(job, run_job(job))
                self.idle_event.set()
                return True
        with self._lock:
            self._pending = job
            self._cancel.clear()
            if self._running:
                return False
            self._running = True
        self.idle_event.clear()
        self.started, self.progress = time.monotonic(), None
        self._start_thread(self._work)
        return False

    def cancel(self) -> None:
        """Stop the job running (at its next progress report) and drop the one waiting."""
        self._cancel.set()

    def stop(self) -> None:
        """The app is going: stop at the next progress report and deliver nothing more."""
        self._stopped = True
        self._cancel.set()

    def _work(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                self.running = job
                if job is None:
                    self._running = False
                    break
            results: Results | ViewResults | None = None  # None: cancelled
            try:
                results = run_job(job, self._report_progress)
            except Cancelled:
                with self._lock:
                    self._pending = None  # escape stops what is waiting too
            except Exception as err:  # MemoryError too: the run fails, the app stays
                reason = "out of memory" if isinstance(err, MemoryError) else f"{type(err).__name__}: {err}"
                failed = ConfigError(f"the simulation failed ({reason}): try fewer epochs or a smaller problem")
                results = (ViewResults(failed) if isinstance(job, ViewJob)
                           else Results(failed, (failed,) * len(job.pins)))
            self.running = None  # before the UI hears of it: a view may ask for its work as the run is shown
            if self._stopped:  # (the app is going: its loop may not answer)
                continue
            if results is None:
                self._deliver(self._cancelled, job)
            else:
                self._deliver(self._finished, job, results)
        self.idle_event.set()  # (after the last result is on screen: deliver waits for it)

    def _report_progress(self, done: int, total: int) -> None:
        """The worker's progress callback: how far the run got; raises Cancelled once escape asked."""
        runs = self.progress[2] if self.progress is not None else 1
        if self.progress is not None and done < self.progress[0]:
            runs += 1  # the next group of runs started
        self.progress = (done, total, runs)
        if self._cancel.is_set():
            raise Cancelled

    def _finished(self, job: Job | ViewJob, results: Results | ViewResults) -> None:
        self.progress, self.started = None, time.monotonic()  # the next run's progress after its own wait
        self._on_result(job, results)

    def _cancelled(self, job: Job | ViewJob) -> None:
        self.progress, self.started = None, time.monotonic()
        self._on_cancelled(job)
