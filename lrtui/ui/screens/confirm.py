"""A yes/no question, as a small modal screen: it stays until it is answered (a toast that asks to pick again
within seconds was gone before a student had read it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from lrtui.ui.screens.dialog import Dialog


class Confirm(Dialog[bool]):
    """Ask ``question``; y or enter answers yes, n or escape no (``yes`` and ``no`` say what each does)."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static(f"y / enter: {self.yes}   n / escape: {self.no}", classes="muted", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
