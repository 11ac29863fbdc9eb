"""The lab's panel: the exercise open, its score, and its goal as a checklist (lrtui/ui/lab.py gives the
lines; a file's text, shown as plain text, never as markup)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class LabPanel(Static):
    """The lines of :meth:`lrtui.ui.lab.LabProgress.lines`: the first in bold, a ticked condition dim, a failing
    one plain, hints in italics."""

    def show_lines(self, lines: list[str]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, line in enumerate(lines):
            style = "bold" if i == 0 else "italic" if line.startswith(" hint ") else ""
            text.append(("\n" if i else "") + line, style=style)
        self.update(text)
