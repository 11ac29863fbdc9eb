"""The parameter form: one focusable row per field, generated from the declarations (see fields.py).

A row shows ``name  value``. A focused row owns the keys typed on it, so that typing a word never runs a
command: any printable key starts an edit (on a choice, ``cos`` shows and selects cosine), enter opens an
empty one; enter commits, escape cancels, backspace deletes. Without an edit open, + and - step the value,
] and [ step it a tenth as far, delete puts it back to its default, and escape leaves the form for the
plots, where letters are commands. A step key followed at once (within :data:`RETYPE_WITHIN`) by typing
was typing: ``-5`` is an edit of -5 (refused for epochs), not a step down then 5, and the steps are taken
back. Space (play), ? (help), < and > (speed) stay the app's, and the arrows,
home, end, page up and page down step through epochs from anywhere, even while typing.
"""

from __future__ import annotations

import time
from typing import Callable

from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from lrtui.printable import cut, one_line
from lrtui.ui import keys
from lrtui.ui.editing import Change, Edit, Nudge, Reset, TakeBack
from lrtui.ui.fields import Field, complete

EDIT_SHOWN = 40  # a longer edit shows its end (what is being typed), on one line
MAX_TYPED = 1_000  # characters an edit takes: more than any value needs (a chain's members typed as JSON)
TOO_LONG = "a value is"

APP_KEYS = {" ", "?", "<", ">"}  # play, help and speed: the app's even on a field, unless an edit is open
STEPS = {"+": (1, False), "=": (1, False), "-": (-1, False), "_": (-1, False), "]": (1, True), "[": (-1, True)}
RETYPE_WITHIN = 1.0  # seconds: step keys followed this soon by typing were the start of a typed value


class RunHeading(Static):
    """The heading over the run's own settings (epochs, seed, steps_per_epoch ...), as the schedule, the problem
    and the optimizer have theirs: a schedule's parameters of the same names (onecycle's epochs and
    steps_per_epoch, torch's) sit under "schedule"."""

    DEFAULT_CSS = """
    RunHeading {
        text-style: bold;
        margin-top: 1;
        padding: 0 1;
    }
    """


class FieldRow(Widget, can_focus=True):
    """One field: its name and value, an edit buffer while typing, and the last error under it."""

    DEFAULT_CSS = """
    FieldRow {
        height: auto;
        padding: 0 1;
    }
    FieldRow.picker {
        text-style: bold;
        margin-top: 1;
    }
    FieldRow:focus {
        background: $accent 40%;
    }
    FieldRow.error {
        color: $text-error;
    }
    FieldRow.error:focus {
        background: $error 25%;
        color: $text;
    }
    """

    BINDINGS = keys.ROW_BINDINGS  # delete: the default (lrtui/ui/keys.py, with the keys on_key takes)

    def __init__(self, field: Field, value: str, label_width: int = 12, *,
                 on_change: OnChange = lambda row, change: None, ascii: bool = False) -> None:
        super().__init__(classes="picker" if field.picker else None)
        self.on_change = on_change  # handed every edit, step and reset at once, with this row (see _send)
        self.ascii = ascii  # a plain-ASCII terminal: the edit cursor is "_"
        self.can_focus = field.param.kind != "info"  # a row that only shows (the horizon)
        self.field = field
        self.value = value
        self.buffer: str | None = None
        self.message = ""
        self.label_width = label_width
        self.locked = False  # a lab's exercise sets it: its value shows in brackets, [3.92], and edits are refused
        self.tooltip = field.param.help
        self._steps: list[str] = []  # the step keys just pressed (see RETYPE_WITHIN) ...
        self._stepped_at = 0.0  # ... and when the last one was

    def render(self) -> Text:
        label = self.field.label.ljust(len(self.field.label) + 1 if self.field.picker else self.label_width)
        text = Text(label, style="dim" if not self.field.picker else "")
        if self.buffer is not None:
            mark = "_" if self.ascii else "▏"
            typed = self.buffer if len(self.buffer) <= EDIT_SHOWN else "..." + self.buffer[-(EDIT_SHOWN - 3):]
            text.append(typed + mark, style="reverse" if not self.buffer else "underline")
            if self.buffer.strip() and self.field.param.kind == "choice":  # what enter will select
                choice = complete(self.field.param, self.buffer)
                text.append(f" {choice}" if choice is not None else " (no match)", style="dim")
        else:
            shown = f"[{self.value}]" if self.locked else self.value
            first_word = shown.split(maxsplit=1)[0] if shown.strip() else ""
            width = self.content_region.width
            if len(label) + len(first_word) > width > 0 and not self.field.picker:
                if len(self.field.label) + 1 + len(first_word) <= width:  # a long value (7.94e-05): moved left,
                    text = Text(self.field.label.ljust(width - len(first_word)), style="dim")  # on its line
                else:
                    text = Text(self.field.label + "\n  ", style="dim")  # a narrow form: the value under its name
            text.append(shown)
        if self.message:
            text.append("\n" + self.message, style="italic")
        text.overflow = "fold"  # a name wider than a narrow form goes on in the next line, not cut
        return text

    def _redraw(self) -> None:
        """Repaint the row; a layout pass (the whole screen, dearer than drawing both plots) only when its
        height changes: an error line comes or goes, or a long value wraps differently."""
        width = max(self.content_region.width, 1)
        lines = sum(-(-max(len(line), 1) // width) for line in self.render().plain.split("\n"))
        self.refresh(layout=lines != getattr(self, "_lines", None))
        self._lines = lines

    def set_value(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self._redraw()

    def show_error(self, message: str) -> None:
        """Show the engine's one-line message under the field; the value stays the last valid one."""
        self.message = one_line(message)  # the engine's message echoes what was typed: cut, escaped
        self.set_class(bool(message), "error")
        self._redraw()

    def on_paste(self, event: events.Paste) -> None:
        """Pasted text is typed into an edit (opened if need be): its first line, printable characters only."""
        lines = event.text.splitlines()
        text = "".join(c for c in (lines[0] if lines else "")[: MAX_TYPED + 1] if c.isprintable())
        if text:
            self._type(text)
        event.stop()

    def _type(self, text: str) -> None:
        """Add typed or pasted text to the edit, up to MAX_TYPED characters: a key flood (a paste that comes
        as keys) costs one cheap refusal a key, not a redraw of an ever longer value."""
        buffer = self.buffer or ""
        room = MAX_TYPED - len(buffer)
        if len(text) > room:
            if not self.message.startswith(TOO_LONG):
                self.show_error(f"{TOO_LONG} at most {MAX_TYPED:,} characters: the rest was not typed")
            text = text[:max(room, 0)]
            if not text:
                return
        self.buffer = buffer + text
        self._redraw()

    @property
    def editing(self) -> bool:
        """An edit is open: every printable key, space too, is typed."""
        return self.buffer is not None

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if event.key == "enter":
            if self.buffer is None:
                self.buffer = ""
            else:
                raw, self.buffer = self.buffer, None
                choice = complete(self.field.param, raw)
                if raw.strip() and self.field.param.kind == "choice" and choice is None:  # one line, not the list
                    self.show_error(f"no {self.field.label} starts with {cut(raw.strip(), 20)}: type the start of "
                                    "one (the first match shows as you type)")
                elif raw.strip():  # enter on an empty edit just closes it
                    self._send(Edit(self.field, choice or raw))
            self._redraw()
        elif event.key == "backspace":
            if self.buffer is None:
                return
            self.buffer = self.buffer[:-1]
            self._redraw()
        elif self.buffer is None and char in STEPS:
            recent = self._recent_steps()
            self._send(Nudge(self.field, *STEPS[char], first=not recent))
            self._steps, self._stepped_at = recent + [char], time.monotonic()
            return self._stop(event)
        elif self.buffer is None and char and char.isprintable() and char not in APP_KEYS:
            typed = self._recent_steps()
            if typed:  # "-5", "[/]": the step keys began the value
                self._send(TakeBack(self.field))
            self.buffer = "".join(typed) + char  # any other key starts an edit: a word never runs a command
            self._redraw()
        elif self.buffer is not None and char and char.isprintable():
            self._type(char)
        else:
            return
        self._steps = []
        self._stop(event)

    @staticmethod
    def _stop(event: events.Key) -> None:
        event.stop()
        event.prevent_default()

    def forget_steps(self) -> None:
        """The step keys just pressed no longer begin a typed value (ctrl+z came between: see the App's undo)."""
        self._steps = []

    def _recent_steps(self) -> list[str]:
        """The step keys pressed just before (within RETYPE_WITHIN of the last of them), else none."""
        return self._steps if self._steps and time.monotonic() - self._stepped_at < RETYPE_WITHIN else []

    def cancel_edit(self) -> None:
        """Close the edit without committing it (escape)."""
        if self.buffer is not None:
            self.buffer = None
            self._redraw()

    def action_reset(self) -> None:
        if self.buffer is None:
            self._send(Reset(self.field))

    def _send(self, change: Change) -> None:
        """Hand an edit or a nudge to ``on_change`` at once, with this row (where its error shows). As a posted
        message it bubbled through every parent's queue behind the keys pressed after it: '+' then 'p' in one
        burst pinned the value from before the '+'."""
        self.on_change(self, change)

    def on_blur(self) -> None:
        self.cancel_edit()


OnChange = Callable[[FieldRow, Change], None]
"""What a row calls with each edit, step, take-back and reset (the app's ``field_changed``)."""


class ParamForm(VerticalScroll, can_focus=False):
    """The rows, rebuilt when the set of fields changes (another schedule, problem or optimizer)."""

    DEFAULT_CSS = """
    ParamForm {
        width: 30;
        max-width: 50%;  /* a narrow terminal (40 columns) keeps half its width for the plots */
        border-right: vkey $foreground 30%;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, on_change: OnChange, ascii: bool = False,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.on_change = on_change  # every row's edits, steps and resets go here (the app's field_changed)
        self.ascii = ascii

    def rows(self) -> list[FieldRow]:
        return list(self.query(FieldRow))

    focus_key: str | None = None  # the field focus was last on: it survives a rebuild, even mid-rebuild

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, FieldRow):
            self.focus_key = event.widget.field.key

    def last_row(self) -> FieldRow | None:
        """The row focus is on, or was last on; the first when none was."""
        rows = self.rows()
        return next((r for r in rows if r.field.key == self.focus_key), rows[0] if rows else None)

    def row_after(self, focused, delta: int) -> FieldRow | None:
        """The focusable row ``delta`` rows from ``focused``, round the form; None when focus is not on a row."""
        rows = [r for r in self.rows() if r.can_focus]
        if focused not in rows:
            return None
        return rows[(rows.index(focused) + delta) % len(rows)]

    def show_value(self, field: Field, text: str) -> None:
        """Show ``text`` as the value of ``field``'s row, if the form has one."""
        row = next((r for r in self.rows() if r.field == field), None)
        if row is not None:
            row.set_value(text)

    def set_values(self, fields: list[Field], values: list[str]) -> bool:
        """Show these values at once where the rows are these fields; False if the rows must be rebuilt."""
        rows = self.rows()
        if [r.field for r in rows] != fields:
            return False
        for row, value in zip(rows, values):
            row.set_value(value)
        return True

    async def show(self, fields: list[Field], values: list[str]) -> None:
        """Show these fields with these values, keeping focus on the same field key where it survives."""
        if self.set_values(fields, values):
            return
        focused = self.screen.focused
        focused_key = focused.field.key if isinstance(focused, FieldRow) else self.focus_key
        width = max(len(f.label) for f in fields) + 1
        await self.remove_children()
        new_rows = [FieldRow(f, v, width, on_change=self.on_change, ascii=self.ascii) for f, v in zip(fields, values)]
        first_run = next((i for i, f in enumerate(fields) if f.section == "run"), None)
        heading = [] if first_run is None else [RunHeading("run")]  # the run's settings under a name of their own
        await self.mount_all(new_rows[:first_run] + heading + new_rows[first_run:] if heading else new_rows)
        if focused is not None and not isinstance(focused, FieldRow):
            return  # focus is on the plots (the commands): a rebuilt form does not take it back
        for row in new_rows:
            if row.field.key == focused_key:
                row.focus()
                break
