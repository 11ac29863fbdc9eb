"""A one-line prompt for a file name (save a session, load one) or a few words (the map's axes), as a small
modal screen."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from lrtui.printable import MAX_MESSAGE, one_line
from lrtui.ui.screens.dialog import Dialog


class PathPrompt(Dialog[str | None]):
    """Ask for a path; enter returns it, escape returns None. With ``check`` (the typed text's error, or None
    where it is allowed), enter on text not allowed keeps the prompt open with what was typed and shows the
    whole error under the input, wrapped, as the form shows a field's; enter on allowed text (empty too: the
    checker says what it means) returns it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    PathPrompt.low {
        align: right bottom;
    }
    PathPrompt.low > Vertical {
        width: 60%;
        margin-bottom: 2;
    }
    PathPrompt #problem {
        display: none;
        color: $text-error;
        text-style: italic;
    }
    PathPrompt #problem.shown {
        display: block;
    }
    """

    def __init__(self, question: str, value: str = "", hint: str = "enter: ok   escape: cancel",
                 check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Input(self.value, id="path")
            yield Static("", id="problem", markup=False)
            yield Static(self.hint, classes="muted", markup=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.select_on_focus = False
        field.focus()
        field.cursor_position = len(field.value)  # ready to edit the end (a suffix) or to backspace over it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if self.check is None:
            self.dismiss(typed or None)  # a second enter finds it gone (lrtui.ui.compat's guard)
            return
        problem = self.check(typed)
        shown = self.query_one("#problem", Static)
        # (escaped: it echoes what was typed; wrapped, so longer than the status line's one line)
        shown.update(one_line(problem, 2 * MAX_MESSAGE) if problem else "")
        shown.set_class(bool(problem), "shown")
        if not problem:
            self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)
