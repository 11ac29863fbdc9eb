"""The session's note, written or edited in the app (t on the plots): an instructor's instructions, a
student's record of what they found. A text area over the app; escape keeps what it holds (nothing typed is
lost: ctrl+z undoes inside it), then ctrl+s saves it with the session, its lines as lines. ? shows it.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from lrtui.io.sessions import MAX_NOTE


def kept_text(text: str) -> str:
    """What a note keeps of the text typed or pasted: its lines and tabs, and no other control character
    (an escape code would reach the terminal when shown); each line's trailing spaces and the note's trailing
    blank lines dropped."""
    clean = "".join(c for c in text.replace("\r\n", "\n") if c in "\n\t" or (c.isprintable() and
                                                                             not 0xD800 <= ord(c) <= 0xDFFF))
    return "\n".join(line.rstrip() for line in clean.split("\n")).rstrip("\n")


class NoteArea(TextArea):
    """A text area that refuses a paste the note could not hold (a 100 KB paste would take seconds)."""

    def _on_paste(self, event: events.Paste) -> None:
        """(Textual calls TextArea's own handler after this one, unless this one prevents it.)"""
        if len(self.text) + len(event.text) > MAX_NOTE:
            event.prevent_default()
            event.stop()
            self.screen.query_one("#note-said", Static).update(
                f"that paste has {len(event.text):,} characters: a note holds at most {MAX_NOTE:,}")


class NoteEditor(ModalScreen[str | None]):
    """Edit ``note``; escape returns the text kept (:func:`kept_text`), or stays with a one-line reason when
    it is longer than a note may be."""

    BINDINGS = [Binding("escape", "done", "Done", priority=True)]  # (before the text area, which takes escape)

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    NoteEditor > Vertical {
        width: 90%;
        height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    NoteEditor.ascii > Vertical {
        border: ascii $accent;
    }
    NoteEditor TextArea {
        height: 1fr;
    }
    NoteEditor.ascii TextArea {
        border: ascii $accent;
        scrollbar-size: 0 0;
    }
    """

    def __init__(self, note: str) -> None:
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("The session's note: ? shows it, ctrl+s saves it with the runs", markup=False)
            yield NoteArea(self.note, id="note", soft_wrap=True, tab_behavior="indent")
            yield Static("escape: done (the note is kept; ctrl+z undoes)", id="note-said", markup=False)

    def on_mount(self) -> None:
        area = self.query_one(NoteArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_done(self) -> None:
        text = kept_text(self.query_one(NoteArea).text)
        if len(text) > MAX_NOTE:
            self.query_one("#note-said", Static).update(
                f"the note has {len(text):,} characters: allowed at most {MAX_NOTE:,} (cut it, then escape)")
            return
        self.dismiss(text)
