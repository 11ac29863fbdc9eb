"""The look the app's small questions share (a prompt, a yes/no): a box in the middle of the screen, its
border plain ASCII in ASCII mode (the "ascii" class)."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

Answer = TypeVar("Answer")


class Dialog(ModalScreen[Answer]):
    """A modal box: its content in a Vertical (subclasses compose it)."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > Vertical {
        width: 70%;
        min-width: 36;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    Dialog.ascii > Vertical {
        border: ascii $accent;
    }
    """
