"""The scoreboard: one row per run (the current one and the pinned ones), its marker, description and
numbers (see lrtui.compare). It doubles as the plots' legend: each row starts with its run's marker in
its run's colour.

Columns that do not fit the terminal's width are left out, least important first, and the last line says
which: at 80 columns the board keeps the run, final and best loss, epochs to target and the divergence.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from lrtui.compare import Score

MIN_DESCRIPTION = 22


@dataclass(frozen=True)
class BoardRow:
    """A run's row: its marker and colour (as on the plots), label (``now`` or ``#2``), description and score."""

    marker: str
    colour: str | None
    label: str
    description: str
    score: Score | None  # None: no trace (still simulating, or the run cannot be simulated)
    verdict: str


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _epoch(x: int | None) -> str:
    return "-" if x is None else str(x)


# (header, cell) in the order they are dropped last to first when the board is narrow
def _field(name: str, show) -> object:
    """A column's cell: the score's field, shown by ``show``; blank for a run without a score."""
    return lambda r: show(getattr(r.score, name)) if r.score is not None else ""


# (header, cell) in the order they are dropped last to first when the board is narrow
COLUMNS = (
    ("final", _field("final_loss", _num)),
    ("best", _field("best_loss", _num)),
    ("to target", _field("epochs_to_target", _epoch)),
    ("diverged", _field("diverged_at", _epoch)),
    ("peak lr", _field("peak_lr", _num)),
    ("final lr", _field("final_lr", _num)),
    ("Σlr", _field("sum_lr", _num)),
    ("Σlr²", _field("sum_lr2", _num)),
    ("verdict", lambda r: r.verdict),
)


def fit_columns(rows: list[BoardRow], width: int, ascii: bool = False) -> tuple[list[tuple[str, int]], list[str]]:
    """The columns that fit ``width`` beside the label and a description of at least MIN_DESCRIPTION, each
    with its width, and the names of those left out."""
    used = max(len(f"{r.marker} {r.label}") for r in rows) + 1 + MIN_DESCRIPTION + 1
    shown, dropped = [], []
    for header, cell in COLUMNS:
        need = max(len(header), *(len(cell(r)) for r in rows))
        if used + need + 1 <= width and not dropped:
            shown.append((header, need))
            used += need + 1
        else:
            dropped.append(_ascii(header) if ascii else header)
    return shown, dropped


def _ascii(text: str) -> str:
    return text.replace("Σlr²", "sum lr^2").replace("Σlr", "sum lr")


class Scoreboard(Static):
    """The comparison table; ``show_rows`` replaces it."""

    DEFAULT_CSS = """
    Scoreboard {
        height: auto;
        max-height: 9;
        padding: 0 1;
        border-top: hkey $foreground 30%;
    }
    """

    def __init__(self, *, id: str | None = None, ascii: bool = False, target: str = "") -> None:
        super().__init__(id=id)
        self.ascii = ascii
        self.rows: list[BoardRow] = []
        self.target = target

    def show_rows(self, rows: list[BoardRow], target: str) -> None:
        resized = len(rows) != len(self.rows)  # the height follows the number of rows
        self.rows, self.target = rows, target
        self.refresh(layout=resized)

    def render(self) -> Table | Text:
        if not self.rows:
            return Text("")
        width = max(self.content_size.width, 40)
        shown, dropped = fit_columns(self.rows, width, self.ascii)
        label_width = max(len(f"{r.marker} {r.label}") for r in self.rows)
        table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, expand=False, show_edge=False,
                      header_style="bold")
        table.add_column("", no_wrap=True, min_width=label_width)
        description = width - sum(w + 1 for _, w in shown) - label_width - 2
        table.add_column("run", no_wrap=True, overflow="ellipsis", max_width=max(description, MIN_DESCRIPTION))
        cells = dict(COLUMNS)
        for header, need in shown:
            title = f"to {self.target}" if header == "to target" else header
            table.add_column(_ascii(title) if self.ascii else title, justify="right", no_wrap=True, min_width=need)
        for r in self.rows:
            mark = Text(f"{r.marker} {r.label}", style=r.colour or "")
            table.add_row(mark, Text(r.description), *(Text(cells[h](r)) for h, _ in shown))  # text, not markup
        if dropped:
            table.caption = "wider terminal shows: " + ", ".join(dropped)
            table.caption_justify = "left"
            table.caption_style = "dim"
        return table
