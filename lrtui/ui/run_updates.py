"""The run's simulations and what they show: a changed run is submitted to the SimulationQueue (a short one
drawn at once, a long one previewed and its progress shown), and a result, on the UI thread, becomes the
run on screen, a :class:`~lrtui.ui.shown.Shown` value; its verdict, notes, plots, cursor, status line and
scoreboard are drawn by RunDisplay.

:class:`RunPresenter` reads the App's public reactives through :class:`RunState` (what it reads, listed) and
changes them only through the callables it is handed.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Protocol

from lrtui.analysis.compare import default_target
from lrtui.analysis.lint import notes as lint_notes
from lrtui.params import ConfigError
from lrtui.sim.config import Prepared, RunConfig, prepare
from lrtui.ui.comparison import Pinned, board_rows
from lrtui.ui.display import RunDisplay, cursor_status
from lrtui.ui.shown import Shown
from lrtui.ui.simulation import Job, Results, SimulationQueue, ViewJob, ViewResults
from lrtui.ui.views import Run
from lrtui.ui.widgets.text_panel import TextPanel


class RunState(Protocol):
    """What the presenter reads of the App: its public reactives (and the preset opened)."""

    config: RunConfig  # the run edited
    prepared: Prepared  # that run, validated
    shown: Shown | None  # the run on screen
    pinned: Pinned
    view: str  # the lower plot's
    epoch: int  # the cursor
    smoothing: str
    target_loss: float | None
    show_board: bool
    preset: object  # the Preset opened, or None


class RunPresenter:
    """Simulating the run edited and showing what it gives.

    Called by the App: its ``config`` watcher hands each new run to :meth:`request`; its ``shown`` watcher calls
    :meth:`show`; its other watchers :meth:`draw_plots`, :meth:`update_cursor`, :meth:`update_board` and
    :meth:`redraw`; its routes ``action_cancel_run`` (:meth:`cancel`), ``action_log`` (:meth:`toggle_log`) and
    ``action_view`` (:meth:`switch_view`). It calls: its :class:`SimulationQueue` (made here, on the App's
    ``start_worker`` and ``call_from_thread``; results come back to :meth:`_finish` and :meth:`_cancelled` on the
    UI thread); ``show_run(shown)``, which sets the App's ``shown`` (whose watcher calls :meth:`show`);
    ``set_quietly(name, value)``, a reactive set without its watcher; ``set_view(name)``; ``fill_form()``;
    ``set_interval`` (the progress timer, owned here), ``call_later``, ``refresh_bindings``, ``notify``,
    ``playing_at()`` (the playback's speed, None when paused), ``focused_field()`` (the form's field last
    focused: a map's y axis) and the :class:`RunDisplay`, which draws."""

    def __init__(self, state: RunState, display: RunDisplay, *, start_worker: Callable, call_from_thread: Callable,
                 show_run: Callable[[Shown], None], set_quietly: Callable[[str, object], None],
                 set_view: Callable[[str], None], fill_form: Callable[[], None], set_interval: Callable,
                 call_later: Callable, refresh_bindings: Callable[[], None], notify: Callable[..., None],
                 playing_at: Callable[[], int | None], focused_field: Callable[[], str | None] = lambda: None) -> None:
        self._state, self.display = state, display
        display.status_line.refit = self.update_status  # (it fits its width: written again as that changes)
        for name, panel in display.panels.items():
            if isinstance(panel, TextPanel):
                panel.refit = partial(self._text_panel_resized, name)
        self._show_run, self._set_quietly, self._set_view, self._fill_form = show_run, set_quietly, set_view, fill_form
        self._set_interval, self._call_later = set_interval, call_later
        self._refresh_bindings, self._notify = refresh_bindings, notify
        self._playing_at = playing_at
        self._focused_field = focused_field  # the form's field last focused (a map's y axis)
        self.queue = SimulationQueue(start_worker, call_from_thread, self._finish, self._cancelled)
        self.queue.idle_event.clear()  # busy until the first run is shown (the App's on_mount requests it)
        self.simulations = 0  # runs shown (tests and benchmarks read it)
        self.log_scale = {"lr": False, "loss": False}
        self._progress_timer = None

    # --- simulating ----------------------------------------------------------------------------------------

    def request(self, config: RunConfig) -> None:
        """Simulate ``config`` and the pinned runs whose results are out of date; a short run is drawn at once,
        a long one shows its lr curve while the loss simulates."""
        state = self._state
        run = state.prepared if config == state.config else prepare(config)  # (validated by the edit that made it)
        job = Job(config, tuple(state.pinned.configs), state.pinned.known(), run)
        if self.queue.submit(job):
            return
        self.display.preview(run, self.log_scale["lr"])
        self._watch_progress()

    def _watch_progress(self) -> None:
        """Show a long simulation's progress while it runs (see _show_progress)."""
        if self._progress_timer is None:
            self._progress_timer = self._set_interval(0.1, self._show_progress)

    @property
    def cancellable(self) -> bool:
        """A simulation has run long enough to show its progress: escape cancels it."""
        return self.queue.cancellable

    def _show_progress(self) -> None:
        """Every tenth of a second while a simulation runs: after PROGRESS_AFTER, how far it got, in the
        status line and the loss plot's title (the loss plot empty: the last run's loss is not the new one)."""
        if not self.queue.busy:
            if self._progress_timer is not None:
                self._progress_timer.stop()
                self._progress_timer = None
            self._refresh_bindings()
            return
        progress, job = self.queue.progress, self.queue.running
        if not self.cancellable or progress is None:
            return  # (None: no report since the last result was shown, which this must not cover)
        self.display.show_progress(*progress, view=job.work.view if isinstance(job, ViewJob) else None)
        self._refresh_bindings()

    def cancel(self) -> None:
        """Escape during a long simulation: stop it and go back to the run on screen before it."""
        self.queue.cancel()

    def _cancelled(self, job: Job | ViewJob) -> None:
        """The worker stopped: the last run simulated comes back, in the form and the plots; a view's
        simulation stopped: the loss plot comes back."""
        state = self._state
        if isinstance(job, ViewJob):
            title = self.display.views[job.work.view].title
            if state.view == job.work.view:
                self._set_view("loss")
            self._notify(f"{title} cancelled: back to the loss plot", timeout=3)
        elif state.shown is not None:
            old = state.shown.config
            self._set_quietly("config", old)
            state.pinned.keep_simulated(old)
            self._set_quietly("epoch", min(state.epoch, self.last_epoch))
            self._fill_form()
            self.redraw()
            self._notify("simulation cancelled: back to the run before it", timeout=3)
        else:  # nothing was simulated yet: the plots say so, not "simulating"
            self.display.show_not_simulated(state.config)

    def _finish(self, job: Job | ViewJob, results: Results | ViewResults) -> None:
        """A job's results, on the UI thread: shown if the job is still the run on screen."""
        if isinstance(job, ViewJob):
            self._view_done(job, results)
            return
        state, trace = self._state, results.trace
        if job.config != state.config:
            return  # a newer configuration is on its way
        if state.pinned.take(job.pins, results.pins):
            self._call_later(self.request, state.config)  # a pin still without its run
        if isinstance(trace, ConfigError):  # e.g. a schedule horizon shorter than a longer run
            self.display.show_problem(str(trace))
            return
        self.simulations += 1
        self._set_quietly("epoch", min(state.epoch, len(trace.epoch) - 1))  # inside the new run first
        self._show_run(Shown.of(trace, state.prepared))  # the run validated (config is the run: see above)

    # --- showing ---------------------------------------------------------------------------------------------

    def show(self, shown: Shown) -> None:
        """A new run on screen: its notes, plots, cursor, status line and scoreboard."""
        self.display.show_notes(lint_notes(shown.config, shown.prepared, shown.trace.lr))
        if not self.display.views[self._state.view].available(self.run()):
            self._set_view("loss")  # the new problem has no such view: back to the loss plot
        self.redraw()

    @property
    def last_epoch(self) -> int:
        shown = self._state.shown
        return shown.last_epoch if shown is not None else 0

    @property
    def target(self) -> float:
        """The loss the scoreboard counts epochs to: the one set, else 1% of the current run's start."""
        state = self._state
        if state.target_loss is not None:
            return state.target_loss
        return default_target(state.shown.trace) if state.shown is not None else 0.0

    def run(self) -> Run | None:
        """What the plots draw now; None before the first run is simulated."""
        state = self._state
        if state.shown is None:
            return None
        pinned = state.pinned.traces()
        ramp = state.preset.meta.get("range_test", {}) if state.preset else {}  # T8's own ramp
        return Run(state.shown.trace, state.shown.prepared, pinned, state.smoothing,
                   legend=bool(pinned) and not state.show_board,  # the scoreboard is the legend when it shows
                   range_ramp=ramp)

    def draw_plots(self) -> None:
        """The lr plot and the lower plot's view, from the run on screen. A view that must simulate first
        sends its work to the queue: a short one is drawn at once (by _view_done), a long one says it is
        simulating, with its progress, until its result comes."""
        run = self.run()
        if run is None:
            return
        name = self._state.view
        view = self.display.views[name]
        if view.as_text:  # (its cells fit the panel; a map's y axis follows the field last focused)
            cells = self.display.text_cells()
            if cells is None:
                return  # not laid out yet: its panel's first size draws it (see _text_panel_resized)
            view.cells = cells
        if name == "map":
            view.focused = self._focused_field()
        try:
            work = view.needs(run) if view.available(run) else None
        except ConfigError:  # branches of a wsd longer than the run: drawing it shows why
            work = None
        if work is not None:
            if self.queue.submit(ViewJob(work)):
                return  # done on the spot: its result drew the plots
            self._watch_progress()
        self.display.draw(run, name, self.log_scale)

    def _text_panel_resized(self, name: str) -> None:
        """A text view's panel has a new size: the view on screen is drawn again where its cells change."""
        view = self.display.views.get(name)
        if self._state.view == name and view is not None and self.display.text_cells() != view.cells:
            self.draw_plots()

    def _view_done(self, job: ViewJob, results: ViewResults) -> None:
        """A view's work is done: kept by its view, and drawn if that view of that run is on screen."""
        view = self.display.views[job.work.view]
        view.keep(job.work, results.result)
        run = self.run()
        if self._state.view == job.work.view and run is not None and view.available(run) and view.needs(run) is None:
            self.display.draw(run, job.work.view, self.log_scale)
            self.update_cursor()

    def update_board(self) -> None:
        """The scoreboard: the current run and each pinned one."""
        state = self._state
        if state.shown is not None:  # (the pinned runs share the problem: all noisy or none)
            shown = state.shown
            rows = board_rows(shown.trace, shown.verdict, state.pinned, self.target, shown.noisy, self.display.look)
            keep = state.preset.meta.get("columns", ()) if state.preset else ()  # the columns its lesson reads
            self.display.show_board(rows, self.target, keep)

    def update_cursor(self) -> None:
        """The cursor on the plots, and the status line at it (or the view's own summary)."""
        state = self._state
        self.display.place_cursor(state.view, min(state.epoch, self.last_epoch) if state.shown is not None else None)
        self.update_status()

    def update_status(self) -> None:
        shown = self._state.shown
        if shown is None:
            self.display.show_status("simulating ...")
            return
        summary = self.display.summary(self._state.view, self.run())  # the range test's picks, the map's cell
        self.display.show_status(summary or cursor_status(
            shown.trace, self._state.epoch, shown.verdict, shown.sums, self.display.look.ascii,
            self._playing_at(), noisy=shown.noisy, width=self.display.status_width()))

    def redraw(self) -> None:
        """Everything the run on screen shows: plots, cursor and status line, scoreboard."""
        self.draw_plots()
        self.update_cursor()
        self.update_board()

    # --- the plots' keys ---------------------------------------------------------------------------------------

    def map_move(self, columns: int, rows: int) -> None:
        """The map's cursor, by the arrow keys while the map shows."""
        run = self.run()
        if run is not None:
            self.display.views["map"].move(run, columns, rows)
            self.display.draw(run, "map", self.log_scale)
            self.update_status()

    def map_pick(self) -> dict | None:
        """The cursor's cell (its lr and y), for the App to make it the run (enter)."""
        run = self.run()
        return self.display.views["map"].picked(run) if run is not None else None

    def toggle_log(self, which: str) -> None:
        """l and L: the loss plot's or the lr plot's log scale."""
        self.log_scale[which] = not self.log_scale[which]
        self.draw_plots()

    def switch_view(self, name: str) -> None:
        """Swap the loss plot for the view ``name`` and back (v, r, s, w); a run without such a view (a
        landscape needs a 2-D problem) says so and changes nothing."""
        view = self.display.views[name]
        if self._state.view != name and not view.available(self.run()):
            self._notify(view.unavailable, timeout=3)
            return
        self._set_view(name if self._state.view != name else "loss")

    def playing_changed(self) -> None:
        """Playback started or stopped: the footer (play or pause) and the status line (the speed)."""
        if self.display.status_line.is_attached:
            self._refresh_bindings()
        self.update_status()
