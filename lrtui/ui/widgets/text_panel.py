"""The panel of a view drawn as text, not a plotext figure (the map, the landscape: lrtui.ui.views): its
text, drawn as it is handed (rich Text, never markup)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import Static


class Refitting(Static):
    """A widget whose text depends on its size: ``refit`` (handed in by whoever writes it) runs again when the
    size changes (the status line fits its width; a text view's cells fit its panel)."""

    refit: Callable[[], None] | None = None

    def on_resize(self, event: events.Resize) -> None:
        if self.refit is not None:
            self.refit()


class TextPanel(Refitting):
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
