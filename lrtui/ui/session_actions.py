"""Presets, sessions, files and screens: a preset or a session opens (its runs, pinned runs, cursor, target
and view), ctrl+s and ctrl+o save and load through SessionFiles, e exports, c shows the code, ? the help,
ctrl+p the presets palette; and what is unsaved work (what a save or a load last left differs).

:class:`SessionActions` holds the preset opened, the session's file and note, and the work last saved; it
reads the App's run through ``work()`` and opens runs through ``open_runs(...)``, both handed to it.
"""

from __future__ import annotations

import contextlib
import re

from dataclasses import dataclass
from typing import Any, TYPE_CHECKING, Callable

from lrtui import schedules
from lrtui.analysis.compare import describe
from lrtui.printable import escaped
from lrtui.sim.config import Prepared, RunConfig
from lrtui.ui.comparison import Pinned
from lrtui.ui.files import SessionFiles, at_once
from lrtui.ui.screens.help import HelpScreen, schedule_help
from lrtui.ui.shown import Shown

if TYPE_CHECKING:  # presets, sessions, code and the palette load when first used: start-up stays fast
    from lrtui.io.sandbox import Sandbox
    from lrtui.presets import Preset
    from lrtui.ui.start import Start




@dataclass(frozen=True)
class Work:
    """The App's run as a session file keeps it: the run, the pinned runs, the cursor, the target, the
    smoothing."""

    config: RunConfig
    pinned: tuple[RunConfig, ...]
    epoch: int
    target_loss: float | None
    smoothing: str

    @property
    def kept(self) -> tuple:
        """What is work to lose (the cursor is not)."""
        return self.config, self.pinned, self.target_loss, self.smoothing


class SessionActions:
    """Presets, sessions, export, code, help and the palette.

    Called by the App's routes (``action_save`` is :meth:`save`, ``action_load`` :meth:`load`, ``action_export``
    :meth:`export`, ``action_code`` :meth:`code`, ``action_help`` :meth:`help`, ``action_command_palette``
    :meth:`palette`, ``load_preset`` :meth:`load_preset`, which the palette calls) and read by the App's quit
    (:attr:`unsaved`). It calls what it is handed: ``work()``, the App's run now; ``open_runs(config, pinned,
    epoch, target, smoothing, view)``, which sets the App's reactives (their watchers show them);
    ``prepared()``, ``shown()`` and ``pinned()``, the run validated, the run on screen and the pinned runs;
    ``notes()``, the run's notes; ``push_screen``, ``palette_open()`` and ``notify``; its own
    :class:`SessionFiles` for the files."""

    def __init__(self, start: "Start", *, work: Callable[[], Work], open_runs: Callable[..., None],
                 prepared: Callable[[], Prepared], shown: Callable[[], Shown | None], pinned: Callable[[], Pinned],
                 notes: Callable[[], list[str]], push_screen: Callable[..., None], palette_open: Callable[[], bool],
                 notify: Callable[..., None], sandbox: "Sandbox | None",
                 background: Callable[..., None] = at_once, lab: Any = None) -> None:
        self.preset = start.preset
        self.lab = lab  # a lab's LabActions (lrtui/ui/lab_actions.py): a save keeps its progress, a load restores it
        self.session_path = start.session_path  # where ctrl+s saves: the file loaded, else asked for
        self.session_note = start.note  # a loaded session's note (see the note property)
        self._ascii = start.options.ascii
        self._work, self._open_runs = work, open_runs
        self._prepared, self._shown, self._pinned = prepared, shown, pinned
        self._notes, self._push_screen, self._palette_open = notes, push_screen, palette_open
        self._notify = notify
        self.files = SessionFiles(self._prompt, notify, sandbox, background)
        self._saved, self._saved_note = work().kept, self.note  # what a save or load left: unsaved work differs

    def _mark_saved(self) -> None:
        """What is on screen now is saved (or not work to lose)."""
        self._saved, self._saved_note = self._work().kept, self.note

    @property
    def _note_changed(self) -> bool:
        """The note written since the last save (in a lab the note is the exercise's text: never the student's
        work)."""
        return self.lab is None and self.note != self._saved_note

    @property
    def unsaved(self) -> bool:
        """Runs pinned or values changed since the app opened, or since the last save or load."""
        return self._work().kept != self._saved or self._note_changed

    @property
    def unsaved_work(self) -> str:
        """What is not saved, in words: "2 pinned runs and changes"."""
        work = self._work()
        n = len(work.pinned)
        pins = f"{n} pinned run{'s' if n != 1 else ''}" if n else ""
        note = "the note" if self._note_changed else ""
        parts = [w for w in (pins, "changes" if work.config != self._saved[0] else "", note) if w] or ["changes"]
        return " and ".join(filter(None, [", ".join(parts[:-1]), parts[-1]]))

    def load_preset(self, preset: "Preset") -> None:
        """Open a preset: its run, its pinned comparisons, its view; ? shows what to notice. With unsaved work
        it asks first, yes or no, and the question stays until it is answered."""
        if self.unsaved:
            from lrtui.ui.screens.confirm import Confirm

            what = self.unsaved_work
            them = "it" if what in ("1 pinned run", "the note") else "them"  # (one thing: 'replace it')
            question = f"{what} not saved: open {preset.short} and replace {them}?"
            self._push(Confirm(question, f"open {preset.short}", "keep your work (ctrl+s saves it)"),
                       lambda yes: self._open_preset(preset) if yes else None)
            return
        self._open_preset(preset)

    def _open_preset(self, preset: "Preset") -> None:
        self.preset = preset
        work = self._work()
        self._open_runs(preset.config, preset.pinned, 0, work.target_loss, work.smoothing,
                        preset.meta.get("view", "loss"), preset.meta.get("map", ""), tuple(preset.meta.get("log", ())))
        self._mark_saved()  # a preset's runs are not work to lose: it opens again
        self._notify(f"{preset.name}: {preset.title} (? says what to notice)", timeout=5)

    def export(self) -> None:
        """Write the current and pinned runs to CSV and JSON here, under a name that is not taken yet."""
        shown = self._shown()
        if shown is None:
            return
        runs = [("now", shown.trace)] + [(f"#{i + 1}", r) for i, r in self._pinned().traces()]
        self.files.export([(f"{label}: {describe(trace.config)}", trace) for label, trace in runs])  # columns say which

    def code(self) -> None:
        """The run as a training script in torch, transformers or optax, to copy or write to a file."""
        from lrtui.ui.screens.code import CodeScreen

        self._push(CodeScreen(self._prepared(), self.files.sandbox))

    def edit_note(self) -> None:
        """The session's note in an editor (t); what it keeps is the note a save writes and ? shows. In a lab
        the note is the exercise's text, the lab file's."""
        from lrtui.ui.screens.note import NoteEditor

        if self.lab is not None:
            self._notify("in a lab the note is the exercise's text (? shows it): the lab file holds it", timeout=4)
            return

        def kept(text: str | None) -> None:
            if text is not None and text != self.note:
                self.preset = None  # (a preset's note edited is the session's own from now on)
                self.session_note = text

        self._push(NoteEditor(self.note), kept)

    def save(self) -> None:
        """Save the whole state (run, pinned runs, cursor, target, smoothing) to a TOML or JSON file."""
        from lrtui.io.sessions import Session

        def saved(path: str) -> None:
            self.session_path = path
            self._mark_saved()

        def session() -> Session:
            work = self._work()
            lab = self.lab.progress.saved() if self.lab is not None else None
            return Session(work.config, work.pinned, work.epoch, work.target_loss, self.note, work.smoothing, lab)

        student = self.lab.progress.student if self.lab is not None else ""
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", student).strip("-")[:40]  # (a lab's: the student's own name)
        self.files.save(session, self.session_path, saved, f"{name}.toml" if name else None)

    def load(self) -> None:
        """Load a saved session; a file that cannot be loaded changes nothing."""
        def loaded(session, path: str) -> None:
            self.preset = None
            self.session_path = path
            self.session_note = session.note
            resumed = self.lab is not None and session.lab is not None and self.lab.resume(session.lab)
            with self.lab.opening() if self.lab is not None else contextlib.nullcontext():
                self._open_runs(session.config, session.pinned, session.epoch, session.target_loss,
                                session.smoothing)
            self._mark_saved()
            if resumed:
                self._notify(f"the lab resumes where {self.lab.progress.student or 'you'} left it", timeout=4)

        warning = f" ({self.unsaved_work} not saved: loading replaces them)" if self.unsaved else ""
        self.files.load(self.session_path, loaded, warning)

    def _prompt(self, question: str, value: str, then) -> None:
        from lrtui.ui.screens.prompt import PathPrompt

        self._push(PathPrompt(question, value), then)

    def palette(self) -> None:
        """The presets palette; in ASCII mode with a plain search mark and no block-glyph borders or
        scrollbars (a C-locale terminal shows those as '_')."""
        from lrtui.ui.screens.palette import AsciiPalette, PresetPalette

        if not self._palette_open():
            palette = AsciiPalette if self._ascii else PresetPalette
            self._push_screen(palette(id="--command-palette", classes="ascii" if self._ascii else ""))

    @property
    def note(self) -> str:
        """What ? shows above the keys and a save keeps: the preset's title and note, or the loaded session's."""
        if self.preset is not None:
            return f"Preset {self.preset.name}: {self.preset.title}\n{self.preset.note}"
        return self.session_note

    def help(self) -> None:
        prepared = self._prepared()
        definition = schedules.get(prepared.schedule.name)
        note = self.lab.progress.note(hints=True) if self.lab is not None else self.note  # (a lab's: the hints seen)
        about = "\n".join(escaped(line) for line in note.split("\n"))  # a file's text: shown, never sent
        found = self._notes()  # whole here: the notes box under the form shows two lines
        if found:
            about = "\n".join(filter(None, [about, "Notes on this run:", *(f"- {escaped(n)}" for n in found)]))
        doc = schedule_help(definition.doc, [p.name for p in definition.params])
        self._push(HelpScreen(definition.name, doc, prepared.problem.name, prepared.problem.note, about,
                              keep_lines=self.preset is None))  # (an instructor's lines are kept as written)

    def _push(self, screen, callback=None) -> None:
        """Open a screen over the app, in ASCII mode with its plain borders (the "ascii" class)."""
        screen.set_class(self._ascii, "ascii")
        self._push_screen(screen, callback)
