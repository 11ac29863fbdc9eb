"""A one-line prompt for a file name (save a session, load one), as a small modal screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from lrtui.ui.screens.dialog import Dialog


class PathPrompt(Dialog[str | None]):
    """Ask for a path; enter returns it, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    PathPrompt.low {
        align: right bottom;
    }
    PathPrompt.low > Vertical {
        width: 60%;
        margin-bottom: 2;
    }
    """

    def __init__(self, question: str, value: str = "", hint: str = "enter: ok   escape: cancel") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Input(self.value, id="path")
            yield Static(self.hint, classes="muted", markup=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.select_on_focus = False
        field.focus()
        field.cursor_position = len(field.value)  # ready to edit the end (a suffix) or to backspace over it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)  # a second enter finds it gone (lrtui.ui.compat's guard)

    def action_cancel(self) -> None:
        self.dismiss(None)
