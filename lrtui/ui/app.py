"""The lrtui app: the schedule curve and the loss trace of one run, every parameter editable by keyboard,
an epoch cursor to step and play.

The state is a handful of reactives: ``config`` (the run, a validated RunConfig), ``epoch`` (the cursor),
``target_loss`` and ``smoothing`` (the form's two view settings), ``view`` (the lower plot), ``show_board``,
``pinned`` (the runs compared, changed in place and announced with mutate_reactive) and ``shown`` (the run on
screen, a frozen Shown); each one's watcher shows it. The App composes and routes: what the keys do is its
parts', each handed what it uses (see __init__): RunPresenter (lrtui/ui/run_updates.py: the SimulationQueue,
results made into Shown values, drawing through RunDisplay), Pinning (pin_actions.py), SessionActions
(session_actions.py), Cursor (cursor.py) and FormFocus (form_focus.py). Editing replaces ``config``; its
watcher hands the run to RunPresenter.request, which submits it to the SimulationQueue (lrtui/ui/simulation.py,
one run at a time, the latest config winning, so a held key never builds a backlog); the result comes back as
a new ``shown``, whose watcher draws it. Stepping moves only the cursor and the status line. The keys are
lrtui/ui/keys.py's.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Footer, Input, TextArea

from lrtui.app_settings import SMOOTHING
from lrtui.params import ConfigError
from lrtui.printable import one_line
from lrtui.sim.config import Prepared, RunConfig, prepare
from lrtui.ui import compat
from lrtui.ui.comparison import Pinned
from lrtui.ui.crash import write_report
from lrtui.ui.display import RunDisplay
from lrtui.ui.editing import (SMOOTHING_FIELD, TARGET_FIELD, Change, Nudge, Settings, TakeBack, changed,
                              form_contents, is_shown, target_text)
from lrtui.io.sandbox import Sandbox
from lrtui.ui.widgets.form import FieldRow, ParamForm
from lrtui.ui import fields, keys
from lrtui.ui.pin_actions import Pinning
from lrtui.ui.cursor import Cursor
from lrtui.ui.form_focus import FormFocus
from lrtui.ui.history import History, describe_change
from lrtui.ui.run_updates import RunPresenter
from lrtui.ui.session_actions import SessionActions, Work
from lrtui.plotting.series import Look
from lrtui.ui.shown import Shown
from lrtui.ui.lab_actions import LabActions
from lrtui.ui.widgets.lab_panel import LabPanel
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
    in one line: a key's action, or what tests read, routed to the object that does it. A part not there yet
    (``shown`` before the first run) reads None."""

    def __init__(self, path: str) -> None:
        self.part, self.name = path.split(".")

    def __get__(self, app, owner=None):
        if app is None:
            return self
        part = getattr(app, self.part)
        return None if part is None else getattr(part, self.name)

    def __set__(self, app, value) -> None:
        raise AttributeError(f"{self.name} is {self.part}'s: set it there")


class LrtuiApp(App[None]):
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
        its Textual driver. The parts are made here, each handed what it uses."""
        super().__init__(driver_class=driver_class)
        self.exit_signals = exit_signals  # end like ctrl+c on these (SIGTERM, SIGHUP): the terminal restored
        self.ended_by: int | None = None  # the signal that ended the app
        self.crash_report: Path | None = None  # where the traceback of an unexpected error went
        self.options = start.options
        self.look = Look(ascii=start.options.ascii, mono=start.options.mono)  # how plots and board draw
        first, pinned = start.config, start.pinned
        for c in (first, *pinned):
            prepare(c)  # the CLI validated them; a bad one fails here, before the screen opens
        self.set_reactive(LrtuiApp.config, first)
        self.set_reactive(LrtuiApp.epoch, start.epoch)
        self.set_reactive(LrtuiApp.pinned, Pinned(pinned, first))  # the pinned runs share the problem and seed
        self.set_reactive(LrtuiApp.target_loss, start.target_loss)
        self.set_reactive(LrtuiApp.smoothing, start.smoothing)
        self.set_reactive(LrtuiApp.view, start.preset.meta.get("view", "loss") if start.preset else "loss")
        self._before_steps: tuple | None = None  # (field, settings, history depth) before a run of + / - steps
        self.history: History[Settings] = History()  # ctrl+z, ctrl+y: the settings before each change
        self._quit_asked = False

        self.run_display = RunDisplay(self.look, self.view)  # the run's widgets (composed below)
        self._set_map_axes(first, start.preset.meta.get("map", "") if start.preset else "")
        self.views, self.panels, self.board = self.run_display.views, self.run_display.panels, self.run_display.board
        self.form = ParamForm(on_change=self.field_changed, ascii=self.options.ascii, id="form")
        self.plot_area = PlotArea(id="plots")
        quietly = lambda name, value: self.set_reactive(getattr(LrtuiApp, name), value)  # noqa: E731
        self.runs = RunPresenter(
            self, self.run_display, start_worker=lambda loop: self.run_worker(
                loop, thread=True, exclusive=False, group="simulation"),
            call_from_thread=self.call_from_thread, show_run=lambda shown: setattr(self, "shown", shown),
            set_quietly=quietly, set_view=lambda view: setattr(self, "view", view), fill_form=self._fill_form,
            set_interval=self.set_interval, call_later=self.call_later, refresh_bindings=self.refresh_bindings,
            notify=self.notify, playing_at=lambda: self.cursor.playing_at,
            focused_field=lambda: self.form.focus_key)
        self.simulation = self.runs.queue
        if start.preset is not None:
            self.runs.log_scale.update({plot: True for plot in start.preset.meta.get("log", ())})
        self.cursor = Cursor(lambda: self.epoch, lambda epoch: setattr(self, "epoch", epoch),
                             lambda: self.runs.last_epoch, self.set_interval, self.runs.playing_changed,
                             self.runs.update_status, self.notify)
        self.playback = self.cursor.playback
        self.focus_moves = FormFocus(self.form, self.plot_area, lambda: self.focused,
                                     lambda widget: self.screen.set_focus(widget))
        self.pinning = Pinning(lambda: self.pinned, lambda: self.shown, lambda: self.mutate_reactive(LrtuiApp.pinned),
                               lambda: self.show_board, lambda show: setattr(self, "show_board", show),
                               lambda: self.size.height, self.notify)
        self.lab = None if start.lab is None else LabActions(  # (its panel made only for a lab: composed then)
            start.lab, LabPanel(id="lab"), open_runs=self.open_runs, notify=self.notify, ascii=self.options.ascii,
            set_note=lambda note: setattr(self.sessions, "session_note", note), ask=self._ask_unseen,
            on_screen=lambda: (self.shown, self.pinned, self.target, self.config), set_timer=self.set_timer)
        self.sessions = SessionActions(
            start, work=lambda: Work(self.config, tuple(self.pins), self.epoch, self.target_loss, self.smoothing),
            open_runs=self.open_runs, prepared=lambda: self.prepared, shown=lambda: self.shown,
            pinned=lambda: self.pinned, notes=lambda: self.run_display.notes_found, push_screen=self.push_screen,
            palette_open=lambda: not self.use_command_palette or CommandPalette.is_open(self),
            notify=self.notify, sandbox=sandbox,
            background=lambda work, then: self.run_worker(  # (an export: on a thread, its end on the UI thread)
                lambda: self.call_from_thread(then, work()), thread=True, exclusive=False, group="files"),
            lab=self.lab)

    # --- what tests, benchmarks and the palette read: routed to the part that holds it ----------------------

    trace = route("shown.trace")  # the run on screen's (None before the first is simulated)
    verdict = route("shown.verdict")
    pins = route("pinned.configs")  # the pinned runs' configurations
    pin_results = route("pinned.results")  # what simulating each gave: a trace, its error, or None while it runs
    simulations = route("runs.simulations")  # runs shown
    log_scale = route("runs.log_scale")
    @property
    def busy(self) -> bool:
        """A simulation is running or waiting, or an export is being written."""
        return self.simulation.busy or self.sessions.files.exporting

    idle_event = route("simulation.idle_event")  # set when none runs or waits (tests and benchmarks wait on it)
    cancellable = route("runs.cancellable")
    target = route("runs.target")  # the loss the scoreboard counts epochs to
    last_epoch = route("runs.last_epoch")
    _run = route("runs.run")  # what the plots draw now (None before the first run)
    preset = route("sessions.preset")  # the preset opened (None: none, or a session loaded since)
    unsaved = route("sessions.unsaved")
    unsaved_work = route("sessions.unsaved_work")
    load_preset = route("sessions.load_preset")  # (the palette's)

    # --- the keys: each routed to the part that does it (lrtui/ui/keys.py binds them) --------------------------

    action_step = route("cursor.step")  # left, right, home, end, space, <, >: lrtui/ui/cursor.py
    action_jump = route("cursor.jump")
    action_play = route("cursor.play")
    action_pause = route("cursor.pause")
    action_speed = route("cursor.faster")
    action_map_move = route("runs.map_move")
    action_log = route("runs.toggle_log")  # l, L, v, s, w, r, escape on a long run: lrtui/ui/run_updates.py
    action_view = route("runs.switch_view")
    action_cancel_run = route("runs.cancel")
    action_pin = route("pinning.pin")  # p, u, U, b: lrtui/ui/pin_actions.py
    action_unpin = route("pinning.unpin")
    action_clear_pins = route("pinning.clear")
    action_board = route("pinning.toggle_board")
    action_save = route("sessions.save")  # ctrl+s, ctrl+o, e, c, ?, ctrl+p: lrtui/ui/session_actions.py
    action_load = route("sessions.load")
    action_export = route("sessions.export")
    action_code = route("sessions.code")
    action_note = route("sessions.edit_note")
    action_help = route("sessions.help")
    action_command_palette = route("sessions.palette")
    action_lab_next = route("lab.next")  # n, N, h in a lab: lrtui/ui/lab_actions.py
    action_lab_back = route("lab.back")
    action_lab_hint = route("lab.hint")
    action_leave_form = route("focus_moves.leave")  # escape, enter, tab, shift+tab: lrtui/ui/form_focus.py
    action_enter_form = route("focus_moves.enter")
    action_focus_next = route("focus_moves.next")
    action_focus_previous = route("focus_moves.previous")

    # --- layout ----------------------------------------------------------------------------------------

    def get_key_display(self, binding) -> str:
        """The footer's keys; in ASCII, words for Textual's symbols (enter is '⏎', backspace '⌫', the arrows)."""
        shown = super().get_key_display(binding)
        return keys.ascii_key_display(shown) if self.options.ascii else shown

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.form
            with self.plot_area:
                yield self.run_display.panels["lr"]
                yield self.run_display.switcher
        if self.lab is not None:
            yield self.lab.panel
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
        if self.lab is not None:
            self.lab.draw()
            if self.lab.progress.lab.ask_name and not self.lab.progress.student:
                from lrtui.ui.screens.prompt import PathPrompt

                asked = PathPrompt("your name, as your instructor knows it (it picks your own values):", "")
                asked.set_class(self.options.ascii, "ascii")

                def named(typed: str | None) -> None:
                    self.focus_moves.leave()  # (the plots: the panel's n N h work there, not typed into a field)
                    self.lab.name_given(typed)

                self.push_screen(asked, named)
            else:
                self.lab.ask_prediction()
        await self.form.show(*form_contents(self.settings, self._hidden()))
        self._mark_locked()
        self.runs.request(self.config)
        rows = self.form.rows()
        if rows:
            rows[0].focus()

    def on_unmount(self) -> None:
        if self.playback.playing:
            self.playback.stop()
        if self.lab is not None:
            self.lab.keep_tried()  # (the run on screen as the app ends, if the student looked at it)

    def open_runs(self, config: RunConfig, pinned: tuple[RunConfig, ...], epoch: int, target: float | None,
                  smoothing: str, view: str = "loss", map_axes: str = "", log: tuple[str, ...] | None = None) -> None:
        """A preset's or a session's runs, opened (SessionActions calls it): each reactive set, and its
        watcher shows it; ``map_axes`` the map's axes as a preset sets them (lrtui.analysis.maps.parse_axes);
        ``log`` the plots a preset draws on a log scale (None: as they are)."""
        self._set_map_axes(config, map_axes)
        if log is not None:
            self.runs.log_scale.update({plot: plot in log for plot in self.runs.log_scale})
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

    def _set_map_axes(self, config: RunConfig, axes: str) -> None:
        """The map's axes as a preset gives them (its meta's ``map``: y=warmup lr=0.01..3 warmup=0..40), or
        the defaults; its cursor from the run's cell again."""
        from lrtui.analysis.maps import parse_axes

        view = self.run_display.views["map"]
        view.axes, view.cursor = parse_axes(axes, prepare(config)), None

    async def action_quit(self, key: str = "q") -> None:
        """Quit; with unsaved work the first q (or ctrl+c) asks, and a second within a few seconds quits. In a
        browser session ctrl+c always asks first: students press it to copy."""
        copying = key in ("ctrl+c", "field") and self.sessions.files.sandbox is not None
        if (self.unsaved or copying) and not self._quit_asked:
            self._quit_asked = True
            self.set_timer(QUIT_ASKS_FOR, lambda: setattr(self, "_quit_asked", False))
            again = "ctrl+c" if key == "ctrl+c" or key == "field" else "q"
            if not self.unsaved:
                self.notify(f"ctrl+c ends this session: {again} again to end it (to copy, select with the mouse)",
                            timeout=QUIT_ASKS_FOR)
                return
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
                self._set_settings(before[1], record=False)
                del self.history.past[before[2]:]  # (nor are they changes to undo)
            return
        if isinstance(what, Nudge):  # what a take-back restores: the settings before these steps
            self._before_steps = (what.field, self.settings, len(self.history.past)) if what.first else before
        if not is_shown(what.field, self.prepared):
            return  # a row of the form before the last switch, whose key came in after it (found by random keys)
        locked = self.lab.locked(what.field.key) if self.lab is not None else None
        if locked is not None:
            row.show_error(locked)
            return
        try:
            new = changed(self.settings, what, self.target)
            if self.pinned and new.config != self.config:  # (pinned runs that follow it run again)
                self.pinned.check_follow(new.prepared, f"{what.field.label}={fields.text(new.prepared, what.field)}")
        except ConfigError as err:
            row.show_error(str(err))
            return
        row.show_error("")
        self._set_settings(new)

    def action_map_pick(self) -> None:
        """enter on the map: the cursor's cell becomes the run (its lr and y set, as typed in the form)."""
        from lrtui.analysis.maps import with_map_values

        values = self.runs.map_pick()
        if not values:
            return
        try:
            prepared = prepare(with_map_values(self.config, values))
        except ConfigError as err:
            self.run_display.show_problem(str(err))
            return
        self._set_settings(Settings(prepared, self.target_loss, self.smoothing))
        self.notify("the run is now " + ", ".join(f"{k.removeprefix('schedule.')}={v:.4g}" for k, v in values.items())
                    + " (ctrl+z takes it back, m closes the map)", timeout=4, markup=False)

    def action_undo(self) -> None:
        """ctrl+z: the run's settings before the last change (an edit, a step, a map's cell)."""
        self._travel(self.history.undo, "undone", "nothing to undo", "ctrl+y redoes it")

    def action_redo(self) -> None:
        """ctrl+y: the change ctrl+z took back."""
        self._travel(self.history.redo, "redone", "nothing to redo", "ctrl+z undoes it")

    def _travel(self, step, done: str, nothing: str, hint: str) -> None:
        settings = step(self.settings)
        if settings is None:
            self.notify(nothing, timeout=2)
            return
        self._before_steps = None  # (the steps before it are no longer a value's start to take back)
        for row in self.form.rows():
            row.forget_steps()
        before = self.prepared
        self._set_settings(settings, record=False)
        what = describe_change(before, settings.prepared)
        self.notify(f"{done}{': ' + what if what else ''} ({hint})", timeout=3, markup=False)

    def action_map_axes(self) -> None:
        """a on the map: its y and ranges, typed in a prompt that starts from the map's own. Text not allowed
        keeps the prompt open with what was typed, its whole error under it; enter on allowed text (empty: the
        default axes) draws the map; escape keeps the map as it was."""
        from lrtui.analysis.maps import parse_axes
        from lrtui.ui.screens.prompt import PathPrompt

        run, view = self._run(), self.run_display.views["map"]
        if run is None:
            return
        prepared = run.prepared

        def problem(typed: str) -> str | None:
            try:
                parse_axes(typed, prepared)
            except ConfigError as err:
                return str(err)
            return None

        def answered(typed: str | None) -> None:
            self.focus_moves.leave()
            if typed is None:
                return
            view.axes, view.cursor = parse_axes(typed, prepared), None
            self.runs.draw_plots()

        prompt = PathPrompt("the map's axes: y=FIELD, lr=LOW..HIGH, FIELD=LOW..HIGH", view.axes.text(prepared),
                            hint="enter: draw the map   escape: keep it as it is", check=problem)
        prompt.set_class(self.options.ascii, "ascii")
        self.push_screen(prompt, answered)

    def _ask_unseen(self, question: str, then) -> None:
        """A lab's question, answered before the run is seen: the plots hide until it is."""
        from lrtui.ui.screens.prompt import PathPrompt

        self.plot_area.display = False

        def answered(answer: str | None) -> None:
            self.plot_area.display = True
            self.focus_moves.leave()  # (the plots: the panel's n N h work there, not typed into a field)
            then(answer)

        prompt = PathPrompt(question, "", hint="enter: answer   escape: skip it (its points are lost)")
        prompt.set_class(self.options.ascii, "ascii")
        prompt.add_class("low")  # (at the bottom: the form above shows the student's own values, L among them)
        self.push_screen(prompt, answered)

    def _mark_locked(self) -> None:
        """The form's rows a lab's exercise locks, shown so ([3.92])."""
        if self.lab is not None:
            for row in self.form.rows():
                locked = self.lab.progress.locked(row.field.key)
                if row.locked != locked:
                    row.locked = locked
                    row.refresh()

    def _hidden(self) -> frozenset[str]:
        """The form's fields a lab's exercise hides."""
        return self.lab.progress.hidden() if self.lab is not None else frozenset()

    def _set_settings(self, settings: Settings, record: bool = True) -> None:
        """Each setting that differs is set, and its watcher shows it; ``record``: ctrl+z can take it back."""
        if record and (settings.config, settings.target_loss, settings.smoothing) != (
                self.config, self.target_loss, self.smoothing):
            self.history.changed(self.settings)
        self.target_loss = settings.target_loss
        self.smoothing = settings.smoothing
        self._validated = settings.prepared  # (watch_config reads it)
        self.config = settings.config

    def _fill_form(self) -> None:
        """The form's values, at once; rows to rebuild (another schedule) come a message later."""
        if self.form.set_values(*form_contents(self.settings, self._hidden())):
            self._mark_locked()
            return

        async def rebuilt() -> None:
            await self.form.show(*form_contents(self.settings, self._hidden()))
            self._mark_locked()

        self.call_later(rebuilt)

    # --- watchers: each reactive shown ----------------------------------------------------------------------

    def watch_config(self, config: RunConfig) -> None:
        """At once, in the key's own frame: the form's values, then the run (a short one drawn already)."""
        self.pinned.follow(config)
        self._fill_form()
        self.runs.request(config)

    def watch_shown(self, shown: Shown) -> None:
        """A new run on screen (RunPresenter made it from a result): its notes, plots, cursor, status, board,
        and in a lab its exercise's checklist."""
        self.runs.show(shown)
        if self.lab is not None:
            self.lab.check()

    def watch_target_loss(self) -> None:
        self.form.show_value(TARGET_FIELD, target_text(self.target_loss))
        self.runs.update_board()

    def watch_smoothing(self) -> None:
        self.form.show_value(SMOOTHING_FIELD, self.smoothing)
        self.runs.draw_plots()

    def watch_epoch(self, epoch: int) -> None:
        self.runs.update_cursor()

    def watch_view(self, view: str) -> None:
        self.run_display.show_view(view)
        self.runs.draw_plots()
        self.runs.update_cursor()

    def watch_pinned(self) -> None:
        """A run pinned or unpinned (or another set loaded): both plots and the board."""
        self.runs.redraw()
        if self.lab is not None:
            self.lab.check()

    def watch_show_board(self, show: bool) -> None:
        """The board shown or hidden: the loss plot's legend names the runs where the board does not."""
        self.board.display = show
        self.call_after_refresh(self.focus_moves.keep_in_view)
        self.runs.redraw()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Over another screen (help, code, a prompt, the command palette) the keys belong to it: the app
        keeps only quit (ctrl+c; q where that screen does not take it). On a field the letters are typed
        (the footer shows escape, to the commands, and ctrl+c); an open edit types space too."""
        if len(self.screen_stack) > 1:  # (q typed into a prompt's or the palette's input is text, not quit)
            typing = isinstance(self.focused, (Input, TextArea)) and parameters == ()
            return action == "quit" and parameters != ("field",) and not typing
        on_field = isinstance(self.focused, FieldRow)
        if action == "quit":
            return on_field if parameters == ("field",) else not on_field or parameters == ("ctrl+c",)
        editing = on_field and self.focused.editing  # an open edit types every printable key
        if action in ("play", "pause"):  # space plays or pauses: the footer names what it will do
            return (not self.playback.playing) == (action == "play") and not editing
        if action == "help":  # ?: the app's even on a field (a priority binding), unless an edit is open
            return not editing
        if action == "cancel_run":
            return self.cancellable and not editing
        if action == "leave_form":
            return on_field
        if action.startswith("lab_") and self.lab is None:
            return False
        on_map = self.view == "map" and not on_field
        if action.startswith("map_"):  # the arrows and enter, on the map: its cursor (elsewhere, the epoch, the form)
            return on_map
        if on_map and (action == "step" and parameters in ((-1,), (1,)) or parameters == ("arrow",)
                       or action == "enter_form"):
            return False
        if action in keys.LETTER_ACTIONS:
            return not on_field
        return True


def make_app(start: Start, *, exit_signals: tuple[int, ...] = (), sandbox: Sandbox | None = None,
             driver_class: type | None = None) -> LrtuiApp:
    """The app, opened on ``start`` (lrtui/ui/start.py: what the CLI parsed, or what a test sets): the one way
    the CLI, ``lrtui screenshot``, a browser session of ``lrtui serve`` and the tests build it. Where it runs
    comes apart from what it shows: ``exit_signals`` end it as ctrl+c does (the terminal's SIGTERM and SIGHUP),
    ``sandbox`` keeps a browser session's files and ``driver_class`` is that session's Textual driver."""
    return LrtuiApp(start, exit_signals=exit_signals, sandbox=sandbox, driver_class=driver_class)
