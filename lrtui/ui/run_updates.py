"""The App's simulations and what they show: a changed run is submitted to the SimulationQueue (a short one
drawn at once, a long one previewed and its progress shown), and a result, on the UI thread, becomes the
run on screen: its verdict, notes, plots, cursor, status line and scoreboard (drawn by RunDisplay).

:class:`RunUpdates` is a part of :class:`~lrtui.ui.app.LrtuiApp` (a mixin): it reads the App's ``config``,
``epoch``, ``view``, ``pinned``, ``simulation``, ``run_display`` and ``playback``.
"""

from __future__ import annotations

from lrtui.analysis.lint import notes as lint_notes
from lrtui.params import ConfigError
from lrtui.sim.config import RunConfig, Trace, prepare
from lrtui.ui.comparison import board_rows
from lrtui.ui.display import cursor_status
from lrtui.ui.editing import form_contents
from lrtui.ui.shown import Shown
from lrtui.ui.simulation import Job, Results, ViewJob, ViewResults
from lrtui.ui.views import Run


class RunUpdates:
    """Simulating the run on screen and showing what it gives."""

    def _request_simulation(self, config: RunConfig) -> None:
        """Simulate ``config`` and the pinned runs whose results are out of date; a short run is drawn at once,
        a long one shows its lr curve while the loss simulates."""
        run = self.prepared if config == self.config else prepare(config)  # (validated by the edit that made it)
        job = Job(config, tuple(self.pins), self.pinned.known(), run)
        if self.simulation.submit(job):
            return
        self.run_display.preview(run, self.log_scale["lr"])
        self._watch_progress()

    def _watch_progress(self) -> None:
        """Show a long simulation's progress while it runs (see _show_progress)."""
        if self._progress_timer is None:
            self._progress_timer = self.set_interval(0.1, self._show_progress)

    @property
    def cancellable(self) -> bool:
        """A simulation has run long enough to show its progress: escape cancels it."""
        return self.simulation.cancellable

    def _show_progress(self) -> None:
        """Every tenth of a second while a simulation runs: after PROGRESS_AFTER, how far it got, in the
        status line and the loss plot's title (the loss plot empty: the last run's loss is not the new one)."""
        if not self.busy:
            if self._progress_timer is not None:
                self._progress_timer.stop()
                self._progress_timer = None
            self.refresh_bindings()
            return
        progress, job = self.simulation.progress, self.simulation.running
        if not self.cancellable or progress is None:
            return  # (None: no report since the last result was shown, which this must not cover)
        self.run_display.show_progress(*progress, view=job.work.view if isinstance(job, ViewJob) else None)
        self.refresh_bindings()

    def action_cancel_run(self) -> None:
        """Escape during a long simulation: stop it and go back to the run on screen before it."""
        self.simulation.cancel()

    def _cancelled(self, job: Job | ViewJob) -> None:
        """The worker stopped: the last run simulated comes back, in the form and the plots; a view's
        simulation stopped: the loss plot comes back."""
        if isinstance(job, ViewJob):
            title = self.views[job.work.view].title
            if self.view == job.work.view:
                self.view = "loss"
            self.notify(f"{title} cancelled: back to the loss plot", timeout=3)
        elif self.trace is not None:
            old = self.trace.config
            self.set_reactive(type(self).config, old)
            self.pinned.keep_simulated(old)
            self.set_reactive(type(self).epoch, min(self.epoch, self.last_epoch))
            if not self.form.set_values(*form_contents(self.settings)):
                self.call_later(self._show_form)
            self._redraw_comparison()
            self.notify("simulation cancelled: back to the run before it", timeout=3)
        else:  # nothing was simulated yet: the plots say so, not "simulating"
            self.run_display.show_not_simulated(self.config)


    def _finish(self, job: Job | ViewJob, results: Results | ViewResults) -> None:
        """A job's results, on the UI thread: shown if the job is still the run on screen."""
        if isinstance(job, ViewJob):
            self._view_done(job, results)
            return
        config, trace = job.config, results.trace
        if config != self.config:
            return  # a newer configuration is on its way
        if self.pinned.take(job.pins, results.pins):
            self.call_later(self._request_simulation, self.config)  # a pin still without its run
        if isinstance(trace, ConfigError):  # e.g. a schedule horizon shorter than a longer run
            self.run_display.show_problem(str(trace))
            return
        self._show_trace(config, trace)

    def _show_trace(self, config: RunConfig, trace: Trace) -> None:
        self.simulations += 1
        self.set_reactive(type(self).epoch, min(self.epoch, len(trace.epoch) - 1))  # inside the new run first
        self.shown = Shown.of(trace, self.prepared)  # the run validated (config is the run: see _finish)

    def watch_shown(self, shown: Shown) -> None:
        """A new run on screen: its notes, plots, cursor, status line and scoreboard."""
        self.run_display.show_notes(lint_notes(shown.config, shown.prepared))
        if not self.views[self.view].available(self._run()):
            self.view = "loss"  # the new problem has no such view: back to the loss plot
        self._draw_plots()
        self._update_cursor()
        self._update_board()

    @property
    def busy(self) -> bool:
        """A simulation is running or waiting."""
        return self.simulation.busy

    @property
    def idle_event(self):
        """Set when no simulation runs or waits (tests and benchmarks wait on it)."""
        return self.simulation.idle_event

    def _run(self) -> Run | None:
        """What the plots draw now; None before the first run is simulated."""
        if self.trace is None:
            return None
        pinned = self.pinned.traces()
        ramp = self.preset.meta.get("range_test", {}) if self.preset else {}  # T8's own ramp
        return Run(self.trace, self.shown.prepared, pinned, self.smoothing,
                   legend=bool(pinned) and not self.show_board,  # the scoreboard is the legend when it shows
                   range_ramp=ramp)

    def _draw_plots(self) -> None:
        """The lr plot and the lower plot's view, from the run on screen. A view that must simulate first
        sends its work to the queue: a short one is drawn at once (by _view_done), a long one says it is
        simulating, with its progress, until its result comes."""
        run = self._run()
        if run is None:
            return
        view = self.views[self.view]
        try:
            work = view.needs(run) if view.available(run) else None
        except ConfigError:  # branches of a wsd longer than the run: drawing it shows why
            work = None
        if work is not None:
            if self.simulation.submit(ViewJob(work)):
                return  # done on the spot: its result drew the plots
            self._watch_progress()
        self.run_display.draw(run, self.view, self.log_scale)

    def _view_done(self, job: ViewJob, results: ViewResults) -> None:
        """A view's work is done: kept by its view, and drawn if that view of that run is on screen."""
        view = self.views[job.work.view]
        view.keep(job.work, results.result)
        run = self._run()
        if self.view == job.work.view and run is not None and view.available(run) and view.needs(run) is None:
            self.run_display.draw(run, self.view, self.log_scale)
            self._update_cursor()

    def _update_board(self) -> None:
        """The scoreboard: the current run and each pinned one."""
        if self.trace is not None:  # (the pinned runs share the problem: all noisy or none)
            shown = self.shown
            rows = board_rows(shown.trace, shown.verdict, self.pinned, self.target, shown.noisy, self.look)
            keep = self.preset.meta.get("columns", ()) if self.preset else ()  # the columns its lesson reads
            self.run_display.show_board(rows, self.target, keep)

    def _update_cursor(self) -> None:
        """The cursor on the plots, and the status line at it (or the view's own summary)."""
        self.run_display.place_cursor(self.view, min(self.epoch, self.last_epoch) if self.trace is not None else None)
        self._update_status()

    def _update_status(self) -> None:
        if self.trace is None:
            self.run_display.show_status("simulating ...")
            return
        summary = self.run_display.summary(self.view)  # the range test's picks, the branches' end losses
        self.run_display.show_status(summary or cursor_status(
            self.trace, self.epoch, self.verdict, self.shown.sums, self.options.ascii,
            self.playback.speed if self.playback.playing else None, noisy=self.shown.noisy))

    def _redraw_comparison(self) -> None:
        self._draw_plots()
        self._update_cursor()
        self._update_board()
