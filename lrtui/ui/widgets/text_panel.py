"""The panel of a view drawn as text, not a plotext figure (the map, the landscape: lrtui.ui.views): its
text, drawn as it is handed (rich Text, never markup)."""

from __future__ import annotations

from textual.widgets import Static


class TextPanel(Static):
    """A view's text; ``size`` gives RunDisplay the cells it has room for."""

    DEFAULT_CSS = """
    TextPanel {
        height: 1fr;
        overflow: hidden hidden;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.figure = None  # (RunDisplay asks every panel for its last figure's summary: a text has none)

    def draw_text(self, text) -> None:
        self.update(text)
