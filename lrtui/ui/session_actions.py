"""The App's presets, sessions, files and screens: a preset or a session opens (its runs, pinned runs, cursor,
target and view), ctrl+s and ctrl+o save and load through SessionFiles, e exports, c shows the code, ? the
help, ctrl+p the presets palette.

:class:`SessionActions` is a part of :class:`~lrtui.ui.app.LrtuiApp` (a mixin): it reads and sets the App's
run state (``config``, ``pinned``, ``epoch``, ``target_loss``, ``smoothing``, ``view``) and uses its ``files``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrtui import schedules
from lrtui.analysis.compare import describe
from lrtui.printable import escaped
from lrtui.sim.config import RunConfig, prepare
from lrtui.ui.comparison import Pinned
from lrtui.ui.screens.help import HelpScreen, schedule_help

if TYPE_CHECKING:  # presets, sessions, code and the palette load when first used: start-up stays fast
    from lrtui.presets import Preset


REPLACE_ASKS_FOR = 5.0  # seconds: a preset picked with unsaved work asks, and a second pick within this opens it


class SessionActions:
    """Presets, sessions, export, code, help and the palette."""

    def load_preset(self, preset: "Preset") -> None:
        """Open a preset: its run, its pinned comparisons, its view; ? shows what to notice. With unsaved work
        the first pick asks (as q does), and picking it again within a few seconds replaces the work."""
        if self.unsaved and self._replace_asked != preset.name:
            self._replace_asked = preset.name
            self.set_timer(REPLACE_ASKS_FOR, lambda: setattr(self, "_replace_asked", None))
            self.notify(f"{self.unsaved_work} not saved: open {preset.short} again to replace them, ctrl+s saves",
                        timeout=REPLACE_ASKS_FOR)
            return
        self._replace_asked = None
        self.preset = preset
        self._load_state(preset.config, preset.pinned, 0, self.target_loss, preset.meta.get("view", "loss"))
        self._saved_state = self._session_state()  # a preset's runs are not work to lose: it opens again
        self.notify(f"{preset.name}: {preset.title} (? says what to notice)", timeout=5)

    def _load_state(self, config: RunConfig, pinned: tuple[RunConfig, ...], epoch: int, target: float | None,
                    view: str = "loss") -> None:
        self.playback.stop()
        self.pinned = Pinned(pinned, config)
        self.target_loss = target
        if pinned:
            self.pinning.show_pinned()
        self.set_reactive(type(self).epoch, epoch)
        self.view = view
        if config == self.config:
            self.watch_config(config)  # the same run: setting it would not call the watcher
        else:
            self.config = config

    def action_export(self) -> None:
        """Write the current and pinned runs to CSV and JSON here, under a name that is not taken yet."""
        if self.trace is None:
            return
        runs = [("now", self.trace)] + [(f"#{i + 1}", r) for i, r in self.pinned.traces()]
        self.files.export([(f"{label}: {describe(trace.config)}", trace) for label, trace in runs])  # columns say which

    def action_code(self) -> None:
        """The schedule as torch, transformers or optax code, to copy or write to a file."""
        from lrtui.ui.screens.code import CodeScreen

        self._push(CodeScreen(self.config.schedule, self.files.sandbox))

    def action_save(self) -> None:
        """Save the whole state (run, pinned runs, cursor, target, smoothing) to a TOML or JSON file."""
        from lrtui.io.sessions import Session

        def saved(path: str) -> None:
            self.session_path = path
            self._saved_state = self._session_state()

        session = Session(self.config, tuple(self.pins), self.epoch, self.target_loss, self.note, self.smoothing)
        self.files.save(session, self.session_path, saved)

    def action_load(self) -> None:
        """Load a saved session; a file that cannot be loaded changes nothing."""
        def loaded(session, path: str) -> None:
            self.preset = None
            self.session_path = path
            self.session_note = session.note
            self.smoothing = session.smoothing
            self._load_state(session.config, session.pinned, session.epoch, session.target_loss)
            self._saved_state = self._session_state()

        warning = f" ({self.unsaved_work} not saved: loading replaces them)" if self.unsaved else ""
        self.files.load(self.session_path, loaded, warning)

    def _prompt(self, question: str, value: str, then) -> None:
        from lrtui.ui.screens.prompt import PathPrompt

        self._push(PathPrompt(question, value), then)

    def action_command_palette(self) -> None:
        """The presets palette; in ASCII mode with a plain search mark and no block-glyph borders or
        scrollbars (a C-locale terminal shows those as '_')."""
        from lrtui.ui.screens.palette import AsciiPalette, PresetPalette

        if self.use_command_palette and not PresetPalette.is_open(self):
            palette = AsciiPalette if self.options.ascii else PresetPalette
            self.push_screen(palette(id="--command-palette", classes="ascii" if self.options.ascii else ""))

    @property
    def note(self) -> str:
        """What ? shows above the keys and a save keeps: the preset's title and note, or the loaded session's."""
        if self.preset is not None:
            return f"Preset {self.preset.name}: {self.preset.title}\n{self.preset.note}"
        return self.session_note

    def action_help(self) -> None:
        prepared = prepare(self.config)
        definition = schedules.get(prepared.schedule.name)
        about = "\n".join(escaped(line) for line in self.note.split("\n"))  # a file's text: shown, never sent
        found = self.run_display.notes_found  # whole here: the notes box under the form shows two lines
        if found:
            about = "\n".join(filter(None, [about, "Notes on this run:", *(f"- {escaped(n)}" for n in found)]))
        doc = schedule_help(definition.doc, [p.name for p in definition.params])
        self._push(HelpScreen(definition.name, doc, prepared.problem.name, prepared.problem.note, about))

    def _push(self, screen, callback=None) -> None:
        """Open a screen over the app, in ASCII mode with its plain borders (the "ascii" class)."""
        screen.set_class(self.options.ascii, "ascii")
        self.push_screen(screen, callback)
