"""The scoreboard: one row per run (the current one and the pinned ones), its marker, description and
numbers (see lrtui.analysis.compare). It doubles as the plots' legend: each row starts with its run's marker in
its run's colour.

The final loss of a run over several seeds is the mean of its seeds' own final means, ``±se`` its standard
error across seeds; ``rank`` orders the runs by final loss, and runs whose intervals (+-2 se) overlap share
a rank marked ``≈``: the board does not pretend to know their order. Columns that do not fit the terminal's
width are left out, least important first, and the last line says which: the verdict goes last, then the
final loss, its se, the rank and the best loss; a preset's lesson can name columns to keep before all of
these (T4's Σlr and Σlr²: its ``meta["columns"]``). Numbers carry as many digits as the column
needs to tell its rows apart (3 at least): 0.1234 and 0.1235 are not both 0.123.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from lrtui.analysis.compare import ranks
from lrtui.ui.comparison import BoardRow

MIN_DESCRIPTION = 22
"""The run column's least width: the columns the board always tries to keep (:data:`ESSENTIAL`) fit beside it."""
MAX_DESCRIPTION = 40
"""The run column's width before a column past the essential ones is kept: a description that tells the runs
apart (T17's ``num_decay_steps=600 decay_type=1-sqrt``, 37) shows whole before Σlr or the final lr."""


def distinct(values: list[float | int | None]) -> list[str]:
    """A column's numbers with the fewest significant digits (3 to 8) that show different values
    differently; None as a dash, integers whole."""
    if all(v is None or isinstance(v, int) for v in values):
        return ["-" if v is None else str(v) for v in values]
    for digits in range(3, 9):
        shown = ["-" if v is None else f"{v:.{digits}g}" for v in values]
        if len({t for t, v in zip(shown, values) if v is not None}) == len({v for v in values if v is not None}):
            return shown
    return shown


def _score(name: str):
    """A column's value: the score's field; None for a run without a score."""
    return lambda r: getattr(r.score, name) if r.score is not None else None


def _standard_error(r: "BoardRow") -> str:
    return "" if r.score is None or r.score.final_se is None else f"±{r.score.final_se:.2g}"


# (header, value of a row: a number formatted by `distinct`, or text) in the order they show
COLUMNS = (
    ("rank", None),  # (all rows at once: lrtui.analysis.compare.ranks)
    ("final", _score("final_loss")),
    ("±se", _standard_error),
    ("best", _score("best_loss")),
    ("held-out", _score("heldout_loss")),
    ("to target", _score("epochs_to_target")),
    ("diverged", _score("diverged_at")),
    ("peak lr", _score("peak_lr")),
    ("final lr", _score("final_lr")),
    ("Σlr", _score("sum_lr")),
    ("Σlr²", _score("sum_lr2")),
    ("verdict", lambda r: r.verdict),
)
KEPT_LONGEST = ("verdict", "final", "±se", "rank", "best", "held-out", "to target", "diverged", "peak lr", "final lr",
                "Σlr", "Σlr²")
"""The order columns are kept in when the board is narrow: the verdict goes last."""
ESSENTIAL = KEPT_LONGEST[:4]
"""The columns kept beside the run column at its least (:data:`MIN_DESCRIPTION`); the others only where the runs'
descriptions show whole (up to :data:`MAX_DESCRIPTION`)."""
OPTIONAL = ("±se", "held-out")  # shown only where a run has them (runs over seeds, data problems)


def cells(rows: list[BoardRow]) -> dict[str, list[str]]:
    """Every column's cells, one per row, numbers with the digits that tell the rows apart; the columns no
    run has a value for (a spread, a held-out loss) left out."""
    out = {}
    for header, value in COLUMNS:
        if header == "rank":
            if sum(r.score is not None and r.score.final_loss is not None for r in rows) > 1:
                out[header] = ranks([r.score for r in rows])
            continue
        values = [value(r) for r in rows]
        if header in OPTIONAL and not any(values):
            continue
        out[header] = values if all(isinstance(v, str) for v in values) else distinct(values)
        out[header] = ["" if r.score is None and header != "verdict" else c for r, c in zip(rows, out[header])]
    return out


def fit_columns(rows: list[BoardRow], width: int, ascii: bool = False,
                keep: tuple[str, ...] = ()) -> tuple[list[tuple[str, int]], list[str]]:
    """The columns that fit ``width`` beside the label and the run's description, each with its width (in the
    order they show), and the names of those left out (see :data:`KEPT_LONGEST`; the columns in ``keep`` are
    kept before those). The essential columns and ``keep`` need a description of MIN_DESCRIPTION beside
    them; the others the longest description whole, up to MAX_DESCRIPTION."""
    table = cells(rows)
    if ascii:
        table = {h: [_ascii(c) for c in column] for h, column in table.items()}
    title = lambda header: _ascii(header) if ascii else header  # noqa: E731 (as the header shows: sum lr^2)
    need = {h: max(len(title(h)), *(len(c) for c in table[h])) for h in table}
    whole = min(MAX_DESCRIPTION, max(MIN_DESCRIPTION, *(len(r.description) for r in rows)))
    used = max(len(f"{r.marker} {r.label}") for r in rows) + 3  # (the label's column, its gap and the run's)
    kept, dropped = set(), []
    for header in (h for h in (*keep, *(h for h in KEPT_LONGEST if h not in keep)) if h in table):
        description = MIN_DESCRIPTION if header in keep or header in ESSENTIAL else whole
        if used + description + need[header] + 1 <= width and not dropped:
            kept.add(header)
            used += need[header] + 1
        else:
            dropped.append(title(header))
    shown = [(h, need[h]) for h, _ in COLUMNS if h in kept]
    return shown, dropped


def _ascii(text: str) -> str:
    return text.replace("Σlr²", "sum lr^2").replace("Σlr", "sum lr").replace("±", "+-").replace("≈", "~")


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
        self.keep: tuple[str, ...] = ()

    def show_rows(self, rows: list[BoardRow], target: str, keep: tuple[str, ...] = ()) -> None:
        """``keep``: the columns kept longest on a narrow terminal (a preset's ``meta["columns"]``)."""
        resized = len(rows) != len(self.rows)  # the height follows the number of rows
        self.rows, self.target, self.keep = rows, target, tuple(keep)
        self.refresh(layout=resized)

    def render(self) -> Table | Text:
        if not self.rows:
            return Text("")
        width = max(self.content_size.width, 40)
        shown, dropped = fit_columns(self.rows, width, self.ascii, self.keep)
        label_width = max(len(f"{r.marker} {r.label}") for r in self.rows)
        table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, expand=False, show_edge=False,
                      header_style="bold")
        table.add_column("", no_wrap=True, min_width=label_width + 1)
        description = width - sum(w + 1 for _, w in shown) - label_width - 3
        table.add_column("run", no_wrap=True, overflow="ellipsis", max_width=max(description, MIN_DESCRIPTION))
        table_cells = cells(self.rows)
        for header, need in shown:
            title = f"to {self.target}" if header == "to target" else header
            table.add_column(_ascii(title) if self.ascii else title, justify="right", no_wrap=True, min_width=need)
        for i, r in enumerate(self.rows):
            mark = Text(f"{r.marker} {r.label} ", style=r.colour or "")  # (the table pads no column edge)
            shown_cells = (_ascii(table_cells[h][i]) if self.ascii else table_cells[h][i] for h, _ in shown)
            table.add_row(mark, Text(r.description), *(Text(c) for c in shown_cells))  # not markup
        if dropped:
            table.caption = "wider terminal shows: " + ", ".join(dropped)
            table.caption_justify = "left"
            table.caption_style = "dim"
        return table
