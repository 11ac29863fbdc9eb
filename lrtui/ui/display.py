"""The run on screen: the lr plot, the lower plot's views (one at a time, behind a ContentSwitcher), the notes,
the status line and the scoreboard, as one :class:`RunDisplay` that draws what it is handed and never reads
the app: made by the App, which composes its widgets, and called by RunPresenter (lrtui/ui/run_updates.py).
:func:`cursor_status` is the status line's text at the cursor.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from rich.text import Text
from textual.widgets import ContentSwitcher, Static

from lrtui import schedules
from lrtui.analysis.verdict import Verdict, run_state
from lrtui.params import ConfigError
from lrtui.printable import one_line
from lrtui.sim.config import Prepared, RunConfig, Trace, schedule_seconds
from lrtui.ui.widgets.board import BoardRow, Scoreboard
from lrtui.plotting.series import Look, Series
from lrtui.ui.widgets.plot_panel import PlotPanel
from lrtui.ui.views import LrView, MapView, Run, View, fmt, lower_views
from lrtui.ui.widgets.text_panel import Refitting, TextPanel


def cursor_status(trace: Trace, epoch: int, verdict: Verdict, sums: tuple[np.ndarray, np.ndarray], ascii: bool,
                  playing_at: int | None = None, noisy: bool = False, width: int | None = None) -> str:
    """The status line at the cursor: the epoch, the lr and loss there (a run over seeds: their mean, and the
    band of their 10th to 90th percentile), the run's verdict wherever the cursor is (``run: converged at
    epoch 23``), what the loss is doing around the cursor (``here: converging``; ``noisy``: read from the
    loss's trailing mean, not its last samples), the sums of lr and lr^2 up to it (Robbins-Monro);
    the speed while playing.

    Within ``width`` columns, what tells least goes first: the sums (the scoreboard has them), then the
    verdict's long form for its brief one (``noise floor from epoch 412`` -> ``noise floor``), then the trend."""
    t = min(epoch, len(trace.epoch) - 1)  # a loaded cursor may be ahead of the run still on screen
    sigma, square = ("sum", "^2") if ascii else ("Σ", "²")
    loss = f"loss={fmt(trace.loss[t])}"
    if trace.loss_lo is not None:  # the mean over seeds, and their band there
        loss += f" ({_short(trace.loss_lo[t])}..{_short(trace.loss_hi[t])})"  # (two digits: it is a spread)
    head = [f"t={t}/{len(trace.epoch) - 1}", f"lr={fmt(trace.lr[t])}", loss]
    if playing_at is not None:
        head.insert(0, f"{'>' if ascii else '▶'} {playing_at}/s")
    here = [f"here: {run_state(trace, t, noisy=noisy)}"] if np.isfinite(trace.loss[t]) else []
    sums_text = [f"{sigma}lr={fmt(sums[0][t])} {sigma}lr{square}={fmt(sums[1][t])}"]
    full, brief = f"run: {verdict.describe(ascii)}", f"run: {verdict.brief(ascii)}"
    tries = ([full, *here, *sums_text], [full, *here], [brief, *here], [brief])
    for tail in tries:
        text = "  ".join(head + tail)
        if width is None or len(text) <= width:
            return text
    return text


def _short(x: float) -> str:
    return f"{x:.2g}" if np.isfinite(x) else "-"


PREVIEW_SECONDS = 0.02
"""The most a long run's lr preview may cost the UI thread (by :func:`lrtui.sim.config.schedule_seconds`)."""


class RunDisplay:
    """The widgets that show a run, kept rather than looked up: a query walks the whole DOM (the form's rows
    too), about a third of a millisecond each, and every key and every epoch step updates some of them."""

    def __init__(self, look: Look, view: str) -> None:
        self.look = look
        self.lr_view = LrView()
        self.views: dict[str, View] = lower_views()  # the lower plot's, by name: one shows at a time
        self.panels = {name: TextPanel(id=f"{name}-panel") if v.as_text else
                       PlotPanel(v.title, id=f"{name}-panel", ascii=look.ascii, point=v.point)
                       for name, v in {"lr": self.lr_view, **self.views}.items()}
        self.switcher = ContentSwitcher(*(self.panels[name] for name in self.views), id="views",
                                        initial=f"{view}-panel")
        self.board = Scoreboard(id="board", ascii=look.ascii)
        self.notes = Static(id="notes")
        self.status_line = Refitting(id="status")  # (what it says fits its width: cursor_status)
        self._notes_text: str | None = None
        self.notes_found: list[str] = []  # the run's notes, all of them
        self._text_run: Run | None = None  # the run a text view last drew (its cursor draws it again)

    def mounted(self) -> None:
        """Once on screen: monochrome plots take plotext's clear theme (Textual's NO_COLOR only greys)."""
        if self.look.mono:
            for panel in self.panels.values():
                if isinstance(panel, PlotPanel):
                    panel.plot.theme = "clear"

    def show_view(self, view: str) -> None:
        self.switcher.current = f"{view}-panel"

    def draw(self, run: Run, view: str, log_scale: dict[str, bool]) -> None:
        """The lr plot and the view ``view`` of ``run`` (a view the run does not have waits for one that
        does: a preset's or a session's view is set before its run is shown)."""
        self.panels["lr"].draw(self.lr_view.figure(run, replace(self.look, log=log_scale["lr"])))
        shown, panel = self.views[view], self.panels[view]
        if not shown.available(run):
            return
        if shown.as_text:
            self._text_run = run
            try:
                panel.draw_text(shown.text(run, self.look))
            except ConfigError as err:  # a map too large for the work budget
                self.show_problem(str(err))
            return
        try:
            panel.draw(shown.figure(run, replace(self.look, log=log_scale["loss"]),
                                    (panel.plot.size.width, panel.plot.size.height)))
        except ConfigError as err:  # a range test or branches that cannot run on this problem
            self.show_problem(str(err))

    def summary(self, view: str, run: Run | None = None) -> str:
        """What the view puts in the status line instead of the cursor's numbers ('' for none): its figure's
        summary, or the map's cell at its cursor."""
        if isinstance(self.views[view], MapView):
            return self.views[view].status(run, self.look.ascii) if run is not None else ""
        figure = self.panels[view].figure
        return figure.summary if figure is not None else ""

    def text_cells(self) -> tuple[int, int] | None:
        """The cells a text view (the map, the landscape) has room for in the lower panel: a column each, a
        row a line (two in colour, ▀), the axes and the legend beside; None before the panel is laid out (a
        preset opening on its map: drawn for a guessed size it stayed small in a large terminal)."""
        width, height = self.switcher.size  # (every view's room)
        if not width or not height:
            return None
        rows = max(height - 5, 3) * (1 if self.look.plain else 2)
        return max(min(width - 8, 80), 10), min(rows, 40)

    def place_cursor(self, view: str, epoch: int | None) -> None:
        """The cursor on the lr plot and on the view (not on the range test's lr axis); a text view that marks
        the epoch (the landscape's point on the path) is drawn again with it."""
        for panel, epoch_axis in ((self.panels["lr"], True), (self.panels[view], self.views[view].epoch_axis)):
            if isinstance(panel, PlotPanel):
                panel.place(epoch if epoch_axis else None)
        shown = self.views[view]
        if shown.as_text and shown.point and epoch is not None and shown.epoch != epoch:
            shown.epoch = epoch
            if self._text_run is not None and shown.available(self._text_run):
                self.panels[view].draw_text(shown.text(self._text_run, self.look))

    def status_width(self) -> int | None:
        """The status line's room for text (None before it is laid out)."""
        width = self.status_line.content_size.width
        return width or None

    def show_status(self, text: str | Text) -> None:
        if self.status_line.is_attached:  # (not when the screen is going away: quit during playback)
            self.status_line.update(text, layout=False)  # one line, always: no layout pass

    def show_problem(self, message: str) -> None:
        self.show_status(Text(one_line(message), style="bold red"))

    def show_notes(self, found: list[str]) -> None:
        """The first two of the run's notes (lrtui.analysis.lint), under the plots; all of them are kept in
        ``notes_found`` (the help shows them whole)."""
        self.notes_found = found
        text = "\n".join(f"note: {n}" for n in found[:2])
        if text != self._notes_text:  # a layout pass costs more than drawing both plots
            self._notes_text = text
            self.notes.update(text)
            self.notes.display = bool(found)

    def show_board(self, rows: list[BoardRow], target: float, keep: tuple[str, ...] = ()) -> None:
        if self.board.is_attached:  # (kept up to date while hidden: it opens at its final height)
            self.board.show_rows(rows, f"{target:.3g}", keep)

    def preview(self, run: Prepared, log: bool) -> None:
        """While a long run simulates, draw its lr curve at once: the schedule alone is a vectorized function
        of the epoch (10^5 epochs in about a millisecond). Plateau's lr follows the loss: it waits; so does a
        composition whose curve costs more than PREVIEW_SECONDS (64 chained members over 10^5 epochs: 0.5 s,
        which every key on it would have cost the UI thread)."""
        config, schedule = run.config, run.schedule
        if not isinstance(schedule, schedules.Schedule):
            return
        if schedule_seconds(config.schedule) * config.epochs > PREVIEW_SECONDS:
            self.panels["lr"].plot.show((), title=f"lr: {config.schedule['name']} (simulating ...)",
                                        look=replace(self.look, log=log))
            return
        try:
            x = np.arange(config.epochs, dtype=np.float64)
            lr = schedule(np.arange(config.epochs))
        except ConfigError:
            return  # the simulation reports it
        self.panels["lr"].plot.show(
            (Series(x, lr, "blue+"),), title=f"lr: {config.schedule['name']} (simulating the loss ...)",
            look=replace(self.look, log=log), x_range=(0.0, float(max(config.epochs - 1, 1))))

    def show_progress(self, done: int, total: int, runs: int, view: str | None = None) -> None:
        """How far a long simulation got, in the status line and the loss plot's title (the loss plot empty:
        the last run's loss is not the new one); a view's own simulation (``view``: the range test, the
        branches) in that view's."""
        which = f" (run group {runs})" if runs > 1 else ""
        percent = 100 * done // max(total, 1)
        what = f"{self.views[view].title}: simulating" if view is not None else "simulating"
        unit = "epochs over its rows" if view == "map" else "epochs"  # (a map's rows' epochs, summed: not its run's)
        self.show_status(f"{what}: {done:,} of {total:,} {unit}{which}, {percent}%  (escape cancels)")
        if view is not None:
            panel = self.panels[view]
            if isinstance(panel, TextPanel):  # (the map: rows of runs: the progress counts rows, each a run's epochs)
                panel.draw_text(self.views[view].simulating_text(self.look, percent))
            else:
                panel.draw(self.views[view].simulating(panel.plot.look, percent))
            return
        loss = self.panels["loss"].plot
        loss.show((), title=f"loss: simulating ... {percent}%", look=loss.look)

    def show_not_simulated(self, config: RunConfig) -> None:
        """The first run was cancelled: the plots say so, not "simulating"."""
        self.show_status("simulation cancelled: change a value to run again")
        lr, loss = self.panels["lr"].plot, self.panels["loss"].plot
        lr.show(lr.series, title=f"lr: {config.schedule['name']}", x_range=(0.0, float(max(config.epochs - 1, 1))))
        loss.show((), title="loss: not simulated (cancelled)")
