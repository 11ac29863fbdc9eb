"""The lrtui app: the schedule curve and the loss trace of one run, every parameter editable by keyboard,
an epoch cursor to step and play.

The state is a handful of reactives: ``config`` (the run, a validated RunConfig), ``epoch`` (the cursor),
``target_loss`` and ``smoothing`` (the form's two view settings), ``view`` (the lower plot), ``show_board`` and
``pinned`` (the runs compared, changed in place and announced with mutate_reactive); each one's watcher shows
it. Editing replaces ``config``; its watcher hands the run to the SimulationQueue
(lrtui/ui/simulation.py), which simulates one at a time, the latest config winning, so a held key never
builds a backlog; the result comes back through RunUpdates (lrtui/ui/run_updates.py). Stepping moves only the
cursor and the status line. The keys are lrtui/ui/keys.py's.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Footer, Input

from lrtui.analysis.compare import default_target
from lrtui.app_settings import SMOOTHING
from lrtui.analysis.verdict import Verdict
from lrtui.params import ConfigError
from lrtui.printable import one_line
from lrtui.sim.config import Prepared, RunConfig, Trace, prepare
from lrtui.ui import compat
from lrtui.ui.comparison import Pinned
from lrtui.ui.crash import write_report
from lrtui.ui.display import RunDisplay
from lrtui.ui.editing import (SMOOTHING_FIELD, TARGET_FIELD, Change, Nudge, Settings, TakeBack, changed,
                              form_contents, is_shown, target_text)
from lrtui.io.sandbox import Sandbox
from lrtui.ui.widgets.form import FieldRow, ParamForm
from lrtui.ui import keys
from lrtui.ui.pin_actions import Pinning
from lrtui.ui.playback import Playback
from lrtui.ui.run_updates import RunUpdates
from lrtui.ui.session_actions import SessionActions, Work
from lrtui.plotting.series import Look
from lrtui.ui.shown import Shown
from lrtui.ui.simulation import SimulationQueue
from lrtui.ui.start import Start

compat.install()

QUIT_ASKS_FOR = 5.0  # seconds: q (or ctrl+c) with unsaved work asks, and a second one within this quits


class PlotArea(Vertical, can_focus=True):
    """The plots, and where focus goes when it leaves the form: here the letters are commands."""


def _preset_commands():
    """The palette's preset search, imported when the palette first opens."""
    from lrtui.ui.screens.palette import PresetCommands

    return PresetCommands


class route:
    """``action_pin = route("pinning.pin")``: the App's attribute is one of its parts' (``self.pinning.pin``),
    in one line: a key's action, or what tests read, routed to the object that does it."""

    def __init__(self, path: str) -> None:
        self.part, self.name = path.split(".")

    def __get__(self, app, owner=None):
        return self if app is None else getattr(getattr(app, self.part), self.name)

    def __set__(self, app, value) -> None:
        raise AttributeError(f"{self.name} is {self.part}'s: set it there")


class LrtuiApp(RunUpdates, App[None]):
    """See, edit and step through a schedule and the loss trace it produces."""

    CSS_PATH = Path(__file__).with_name("lrtui.tcss")
    TITLE = "lrtui"
    COMMANDS = {_preset_commands}  # the palette searches presets (its system commands could quit or save files)

    BINDINGS = keys.BINDINGS  # made from the key map, where each key is declared once with its help: ui/keys.py

    # repaint=False: a change redraws only what its watcher touches, never the whole screen (18 KB a step)
    config: reactive[RunConfig] = reactive(RunConfig, always_update=False, init=False, repaint=False)
    epoch: reactive[int] = reactive(0, init=False, repaint=False)
    target_loss: reactive[float | None] = reactive(None, init=False, repaint=False)  # None: 1% of the start
    smoothing: reactive[str] = reactive(SMOOTHING.default, init=False, repaint=False)  # the loss plot's
    view: reactive[str] = reactive("loss", init=False, repaint=False)  # the lower plot's: a key of self.views
    show_board: reactive[bool] = reactive(False, init=False, repaint=False)  # the scoreboard (b)
    pinned: reactive[Pinned] = reactive(Pinned, init=False, repaint=False)  # changed in place: mutate_reactive
    shown: reactive[Shown | None] = reactive(None, init=False, repaint=False)  # the run on screen; None: not yet

    def __init__(self, start: Start, *, exit_signals: tuple[int, ...] = (), sandbox: Sandbox | None = None,
                 driver_class: type | None = None) -> None:
        """Opened by :func:`make_app`. ``sandbox``: the files of a browser session (lrtui serve), ``driver_class``
        its Textual driver."""
        super().__init__(driver_class=driver_class)
        self.exit_signals = exit_signals  # end like ctrl+c on these (SIGTERM, SIGHUP): the terminal restored
        self.ended_by: int | None = None  # the signal that ended the app
        self.crash_report: Path | None = None  # where the traceback of an unexpected error went
        self.options = start.options
        first, pinned = start.config, start.pinned
        for c in (first, *pinned):
            prepare(c)  # the CLI validated them; a bad one fails here, before the screen opens
        self.set_reactive(LrtuiApp.config, first)
        self.set_reactive(LrtuiApp.epoch, start.epoch)
        self.set_reactive(LrtuiApp.pinned, Pinned(pinned, first))  # the pinned runs share the problem and seed
        self.set_reactive(LrtuiApp.target_loss, start.target_loss)
        self.set_reactive(LrtuiApp.smoothing, start.smoothing)
        self._before_steps: tuple | None = None  # (field, config, target, smoothing) before a run of + / - steps
        self.log_scale = {"lr": False, "loss": False}
        self.set_reactive(LrtuiApp.view, start.preset.meta.get("view", "loss") if start.preset else "loss")
        self.playback = Playback(self.set_interval, self._move_cursor, lambda: self.last_epoch, self._playback_changed)
        self.simulation = SimulationQueue(
            lambda loop: self.run_worker(loop, thread=True, exclusive=False, group="simulation"),
            self.call_from_thread, self._finish, self._cancelled)
        self.simulation.idle_event.clear()  # busy until the first run is shown (on_mount submits it)
        self.simulations = 0  # runs shown (tests and benchmarks read it)
        self._progress_timer: Timer | None = None
        self._quit_asked = False
        self.sessions = SessionActions(
            start, work=lambda: Work(self.config, tuple(self.pins), self.epoch, self.target_loss, self.smoothing),
            open_runs=self.open_runs, prepared=lambda: self.prepared, shown=lambda: self.shown,
            pinned=lambda: self.pinned, notes=lambda: self.run_display.notes_found, push_screen=self.push_screen,
            palette_open=lambda: not self.use_command_palette or CommandPalette.is_open(self),
            set_timer=self.set_timer, notify=self.notify, sandbox=sandbox)
        self.pinning = Pinning(lambda: self.pinned, lambda: self.shown, lambda: self.mutate_reactive(LrtuiApp.pinned),
                               lambda: self.show_board, lambda show: setattr(self, "show_board", show),
                               lambda: self.size.height, self.notify)

    # --- layout ----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.run_display = RunDisplay(self.look, self.view)
        self.views, self.panels = self.run_display.views, self.run_display.panels
        self.form = ParamForm(on_change=self.field_changed, ascii=self.options.ascii, id="form")
        self.board = self.run_display.board
        self.plot_area = PlotArea(id="plots")
        with Horizontal(id="main"):
            yield self.form
            with self.plot_area:
                yield self.run_display.panels["lr"]
                yield self.run_display.switcher
        yield self.board
        yield self.run_display.notes
        yield self.run_display.status_line
        yield Footer()

    async def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self.exit_signals:
            loop.add_signal_handler(signum, self._end_by_signal, signum)
        self.screen.set_class(self.options.ascii, "ascii")
        self.board.display = False
        if self.pins:
            self.pinning.show_pinned()
        self.run_display.mounted()
        await self._show_form()
        self._request_simulation(self.config)
        rows = self.form.rows()
        if rows:
            rows[0].focus()

    preset = route("sessions.preset")  # the preset opened (None: none, or a session loaded since)
    unsaved = route("sessions.unsaved")
    unsaved_work = route("sessions.unsaved_work")
    load_preset = route("sessions.load_preset")  # (the palette's)
    action_save = route("sessions.save")  # ctrl+s, ctrl+o, e, c, ?, ctrl+p: lrtui/ui/session_actions.py
    action_load = route("sessions.load")
    action_export = route("sessions.export")
    action_code = route("sessions.code")
    action_help = route("sessions.help")
    action_command_palette = route("sessions.palette")

    def open_runs(self, config: RunConfig, pinned: tuple[RunConfig, ...], epoch: int, target: float | None,
                  smoothing: str, view: str = "loss") -> None:
        """A preset's or a session's runs, opened (SessionActions calls it): each reactive set, and its
        watcher shows it."""
        self.smoothing = smoothing
        self.playback.stop()
        self.pinned = Pinned(pinned, config)
        self.target_loss = target
        if pinned:
            self.pinning.show_pinned()
        self.set_reactive(LrtuiApp.epoch, epoch)
        self.view = view
        if config == self.config:
            self.watch_config(config)  # the same run: setting it would not call the watcher
        else:
            self.config = config

    async def action_quit(self, key: str = "q") -> None:
        """Quit; with unsaved work the first q (or ctrl+c) asks, and a second within a few seconds quits."""
        if self.unsaved and not self._quit_asked:
            self._quit_asked = True
            self.set_timer(QUIT_ASKS_FOR, lambda: setattr(self, "_quit_asked", False))
            again = "ctrl+c" if key == "ctrl+c" or key == "field" else "q"
            self.notify(f"{self.unsaved_work} not saved: {again} again to quit, ctrl+s saves", timeout=QUIT_ASKS_FOR)
            return
        self.simulation.stop()  # a long simulation stops at its next progress report, not minutes later
        self.exit()

    def _end_by_signal(self, signum: int) -> None:
        """SIGTERM or SIGHUP: leave as q does (the terminal restored); the CLI then ends by the signal."""
        self.ended_by = signum
        self.simulation.stop()
        self.exit(return_code=128 + signum)

    def notify(self, message: str, *, markup: bool = False, **kwargs) -> None:
        """A toast of plain text, on one line of at most 200 characters: messages carry what a user typed
        or a file held (a path, a schedule name), which must show as it is, never as markup ('[/]' would
        end the app) or as escape codes sent to the terminal."""
        super().notify(one_line(message) if not markup else message, markup=markup, **kwargs)

    def _print_error_renderables(self) -> None:
        """An unexpected error ended the app: one line on stderr, the traceback in a file to report."""
        if not self._exit_renderables:
            return
        self.crash_report, line = write_report(self._exit_renderables, self._exception)
        self._exit_renderables.clear()
        print(line, file=sys.stderr)

    # --- editing -----------------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """What the form shows and edits: the run (validated), the target loss, the smoothing."""
        return Settings(self.prepared, self.target_loss, self.smoothing)

    _validated: Prepared | None = None  # the last run validated: see prepared

    @property
    def prepared(self) -> Prepared:
        """The run (``config``), validated: an edit makes it with the run (one validation per key, the
        simulation's and the drawing's included); a run set otherwise (a preset, a loaded session, a cancelled
        simulation) is validated here, once."""
        if self._validated is None or self._validated.config != self.config:
            self._validated = prepare(self.config)
        return self._validated

    async def _show_form(self) -> None:
        await self.form.show(*form_contents(self.settings))

    @property
    def target(self) -> float:
        """The loss the scoreboard counts epochs to: the one set, else 1% of the current run's start."""
        if self.target_loss is not None:
            return self.target_loss
        return default_target(self.trace) if self.trace is not None else 0.0

    def field_changed(self, row: FieldRow, what: Change) -> None:
        """A row's edit, step or reset, handed over at once (FieldRow._send): applied before any later key.
        An error shown under another field goes: it belonged to that field's last edit. A bad value shows
        the engine's message at its row and changes nothing."""
        for other in self.form.rows():
            if other is not row and other.message:
                other.show_error("")
        before, self._before_steps = self._before_steps, None
        if isinstance(what, TakeBack):  # the steps began a typed value: put back what they changed
            if before is not None and before[0] == what.field:
                self._set_settings(before[1])
            return
        if isinstance(what, Nudge):  # what a take-back restores: the settings before these steps
            self._before_steps = (what.field, self.settings) if what.first else before
        if not is_shown(what.field, self.prepared):
            return  # a row of the form before the last switch, whose key came in after it (found by random keys)
        try:
            new = changed(self.settings, what, self.target)
        except ConfigError as err:
            row.show_error(str(err))
            return
        row.show_error("")
        self._set_settings(new)

    def _set_settings(self, settings: Settings) -> None:
        """Each setting that differs is set, and its watcher shows it."""
        self.target_loss = settings.target_loss
        self.smoothing = settings.smoothing
        self._validated = settings.prepared  # (watch_config reads it)
        self.config = settings.config

    def watch_target_loss(self) -> None:
        self.form.show_value(TARGET_FIELD, target_text(self.target_loss))
        self._update_board()

    def watch_smoothing(self) -> None:
        self.form.show_value(SMOOTHING_FIELD, self.smoothing)
        self._draw_plots()

    def watch_config(self, config: RunConfig) -> None:
        """At once, in the key's own frame: the form's values, then the run (a short one drawn already).
        Rows to rebuild (another schedule) come a message later."""
        self.pinned.follow(config)
        if not self.form.set_values(*form_contents(self.settings)):
            self.call_later(self._show_form)
        self._request_simulation(config)

    @property
    def trace(self) -> Trace | None:
        """The trace of the run on screen (None before the first is simulated)."""
        return self.shown.trace if self.shown is not None else None

    @property
    def verdict(self) -> Verdict | None:
        """The verdict on the run on screen."""
        return self.shown.verdict if self.shown is not None else None

    @property
    def pins(self) -> list[RunConfig]:
        """The pinned runs' configurations."""
        return self.pinned.configs

    @property
    def pin_results(self) -> list:
        """What simulating each pinned run gave: a trace, its error, or None while it runs."""
        return self.pinned.results

    @property
    def look(self) -> Look:
        """How the plots and the scoreboard draw: ASCII, monochrome (each plot adds its log scale)."""
        return Look(ascii=self.options.ascii, mono=self.options.mono)

    def watch_pinned(self) -> None:
        """A run pinned or unpinned (or another set loaded): both plots and the board."""
        self._redraw_comparison()

    def watch_show_board(self, show: bool) -> None:
        """The board shown or hidden: the loss plot's legend names the runs where the board does not."""
        self.board.display = show
        self.call_after_refresh(self._focused_into_view)
        self._redraw_comparison()

    def watch_epoch(self, epoch: int) -> None:
        self._update_cursor()

    # --- actions -------------------------------------------------------------------------------------------

    action_pin = route("pinning.pin")  # p, u, U, b: lrtui/ui/pin_actions.py
    action_unpin = route("pinning.unpin")
    action_clear_pins = route("pinning.clear")
    action_board = route("pinning.toggle_board")

    @property
    def last_epoch(self) -> int:
        return len(self.trace.epoch) - 1 if self.trace is not None else 0

    def action_step(self, delta: int) -> None:
        self.epoch = int(np.clip(self.epoch + delta, 0, self.last_epoch))

    def action_jump(self, where: int) -> None:
        self.epoch = 0 if where == 0 else self.last_epoch

    def action_play(self) -> None:
        if self.playback.playing:
            self.playback.stop()
        else:
            self.playback.play(self.epoch)

    def action_pause(self) -> None:
        self.playback.stop()

    def on_unmount(self) -> None:
        if self.playback.playing:
            self.playback.stop()

    def _playback_changed(self) -> None:
        if self.run_display.status_line.is_attached:
            self.refresh_bindings()  # the footer: play or pause
        self._update_status()  # (playing, it shows the speed)

    def _move_cursor(self, epoch: int) -> None:
        self.epoch = epoch

    def action_speed(self, delta: int) -> None:
        self.playback.faster(delta)
        self._update_status()  # (playing, the status line shows the speed)
        if not self.playback.playing:  # paused: say what space will play at
            self.notify(f"playback speed {self.playback.speed} epochs/s (space plays)", timeout=1.5)

    def action_log(self, which: str) -> None:
        self.log_scale[which] = not self.log_scale[which]
        self._draw_plots()

    def _focused_into_view(self) -> None:
        """After the form's height changed (the scoreboard came or went), keep the field focus is on (or
        was last on, before it went to the plots) on screen."""
        row = self.form.last_row()
        if row is not None:
            row.scroll_visible(animate=False)

    def action_view(self, name: str) -> None:
        """Swap the loss plot for the view ``name`` and back (v, r, s, w); a run without such a view (a
        landscape needs a 2-D problem) says so and changes nothing."""
        view = self.views[name]
        if self.view != name and not view.available(self._run()):
            self.notify(view.unavailable, timeout=3)
            return
        self.view = name if self.view != name else "loss"

    def watch_view(self, view: str) -> None:
        self.run_display.show_view(view)
        self._draw_plots()
        self._update_cursor()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Over another screen (help, code, a prompt, the command palette) the keys belong to it: the app
        keeps only quit (ctrl+c; q where that screen does not take it). On a field the letters are typed
        (the footer shows escape, to the commands, and ctrl+c); an open edit types space too."""
        if len(self.screen_stack) > 1:  # (q typed into a prompt's or the palette's input is text, not quit)
            typing = isinstance(self.focused, Input) and parameters == ()
            return action == "quit" and parameters != ("field",) and not typing
        on_field = isinstance(self.focused, FieldRow)
        if action == "quit":
            return on_field if parameters == ("field",) else not on_field or parameters == ("ctrl+c",)
        if action in ("play", "pause"):  # space plays or pauses: the footer names what it will do
            return (not self.playback.playing) == (action == "play") and not (on_field and self.focused.editing)
        if action == "cancel_run":
            return self.cancellable and not (on_field and self.focused.editing)
        if action == "leave_form":
            return on_field
        if action in keys.LETTER_ACTIONS:
            return not on_field
        return True

    # --- focus: the form (typing) or the plots (commands) -------------------------------------------------

    def action_leave_form(self) -> None:
        """Escape on a field closes its edit, if one is open; otherwise focus goes to the plots, where
        letters are commands. (At once, as a priority binding: handled by the row, the escape would reach
        the app after a 'p' typed right behind it had been typed into the row.)"""
        row = self.focused
        if isinstance(row, FieldRow) and row.editing:
            row.cancel_edit()
        else:
            self.screen.set_focus(self.plot_area)

    def action_enter_form(self) -> None:
        """Back to the form, on the field focus was last on."""
        row = self.form.last_row()
        if row is not None:
            self.screen.set_focus(row)

    def action_focus_next(self) -> None:
        self._move_in_form(+1)

    def action_focus_previous(self) -> None:
        self._move_in_form(-1)

    def _move_in_form(self, delta: int) -> None:
        """Tab, shift+tab, up and down go round the form's fields; from the plots they go back to it."""
        row = self.form.row_after(self.focused, delta)
        if row is None:
            self.action_enter_form()
        else:
            self.screen.set_focus(row)


def make_app(start: Start, *, exit_signals: tuple[int, ...] = (), sandbox: Sandbox | None = None,
             driver_class: type | None = None) -> LrtuiApp:
    """The app, opened on ``start`` (lrtui/ui/start.py: what the CLI parsed, or what a test sets): the one way
    the CLI, ``lrtui screenshot``, a browser session of ``lrtui serve`` and the tests build it. Where it runs
    comes apart from what it shows: ``exit_signals`` end it as ctrl+c does (the terminal's SIGTERM and SIGHUP),
    ``sandbox`` keeps a browser session's files and ``driver_class`` is that session's Textual driver."""
    return LrtuiApp(start, exit_signals=exit_signals, sandbox=sandbox, driver_class=driver_class)
