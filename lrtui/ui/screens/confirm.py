"""A yes/no question, as a small modal screen: it stays until it is answered (a toast that asks to pick again
within seconds was gone before a student had read it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class Confirm(ModalScreen[bool]):
    """Ask ``question``; y or enter answers yes, n or escape no (``yes`` and ``no`` say what each does)."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    DEFAULT_CSS = """
    Confirm {
        align: center middle;
    }
    Confirm > Vertical {
        width: 70%;
        min-width: 36;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    Confirm.ascii > Vertical {
        border: ascii $accent;
    }
    """

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static(f"y / enter: {self.yes}   n / escape: {self.no}", classes="muted", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
