"""The help screen: every key, and for the selected schedule and problem what they compute and what to
notice."""

from __future__ import annotations

import textwrap

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Static

from lrtui.schedules.registry import without_markup
from lrtui.ui.keys import key_rows, keys_text

SYMBOLS = {"num_warmup_steps": "W", "num_training_steps": "T", "num_stable_steps": "S", "num_decay_steps": "D"}


def schedule_help(doc: str, param_names: list[str]) -> str:
    """A schedule's docstring as the help shows it: without reStructuredText marks, and saying which
    parameters the letters in its formulas stand for."""
    text = without_markup(doc)
    named = [f"{SYMBOLS[name]} = {name}" for name in param_names if name in SYMBOLS]
    if "lam(" in text:
        named.append("lr(t) = lr * lam(t)")
    return text + ("\n\n" + ", ".join(named) + "." if named else "")


CONTINUATION = "    "  # a formula's continued line: four more spaces than the line it continues


OPERATORS = "+-*/=<>|"


def _breaks(text: str) -> list[tuple[int, int]]:
    """Where a formula line may break: (index of the first character of the next line, rank). Outside
    brackets: rank 1 after two or more spaces (the formulas' own separators), 2 after ", " or "; ", 3
    before an operator (which then starts the next line), 4 after any other space; inside brackets, 5
    before an operator and 6 after any other space."""
    found, depth, i = [], 0, 0
    while i < len(text):
        c = text[i]
        depth += (c in "([{") - (c in ")]}")
        if c == " ":
            j = i
            while j < len(text) and text[j] == " ":
                j += 1
            if depth > 0:
                rank = 5 if j < len(text) and text[j] in OPERATORS else 6
            elif j - i >= 2:
                rank = 1
            elif i > 0 and text[i - 1] in ",;":
                rank = 2
            elif j < len(text) and text[j] in OPERATORS:
                rank = 3
            else:
                rank = 4
            found.append((j, rank))
            i = j
            continue
        i += 1
    return found


def wrap_formula(line: str, width: int) -> list[str]:
    """One indented formula line in lines at most ``width`` wide: broken at its best separator that
    leaves a line at least half full (else at any space that fits, else cut), its continuations indented
    four more spaces. Indents are cut to half the width, so every line holds some of the formula."""
    width = max(width, 2)
    indent = line[: len(line) - len(line.lstrip())][: width // 2]
    rest, lines, lead = line.strip(), [], indent
    while len(lead) + len(rest) > width:
        room = width - len(lead)  # at least half the width
        fits = [(at, rank) for at, rank in _breaks(rest) if len(rest[:at].rstrip()) <= room]
        choice = None
        for best in (2, 3, 4, 5, 6):
            ranked = [at for at, rank in fits if rank <= best and at >= room // 2]
            if ranked:
                choice = max(ranked)
                break
        if choice is None:
            choice = max((at for at, _ in fits), default=0) or room  # no break fits: cut
        lines.append(lead + rest[:choice].rstrip())
        rest, lead = rest[choice:].lstrip(), (indent + CONTINUATION)[: width // 2]
    return lines + [lead + rest]


def wrap_doc(text: str, width: int, keep_lines: bool = False) -> str:
    """A docstring or note for a column ``width`` wide: prose reflowed into paragraphs, formula lines
    (indented ones) kept whole where they fit and otherwise broken at their separators; ``keep_lines``: each
    line its own paragraph (an instructor's note or exercise, written line by line)."""
    if keep_lines:
        return "\n".join("\n".join(textwrap.wrap(line, width, break_on_hyphens=False) or [""])
                         for line in text.rstrip("\n").split("\n"))
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.extend(textwrap.wrap(" ".join(paragraph), width, break_on_hyphens=False))
            paragraph.clear()

    for line in text.rstrip("\n").split("\n"):
        if not line.strip():
            flush()
            out.append("")
        elif line.startswith(" "):
            flush()
            out.extend(wrap_formula(line.rstrip(), width))
        else:
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


class Doc(Widget):
    """Text wrapped by :func:`wrap_doc` at the width the widget has (formulas broken where they can be)."""

    DEFAULT_CSS = """
    Doc {
        height: auto;
    }
    """

    def __init__(self, text: str, keep_lines: bool = False) -> None:
        super().__init__()
        self.text = text
        self.keep_lines = keep_lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return wrap_doc(self.text, max(width, 10), self.keep_lines).count("\n") + 1

    def render(self) -> Text:
        return Text(wrap_doc(self.text, max(self.size.width, 10), self.keep_lines), overflow="fold")


class KeyTable(Widget):
    """Keys beside what they do; where that leaves what they do fewer than :data:`NARROW` columns (a
    40-column terminal), each key on its own line with what it does indented under it."""

    NARROW = 24

    DEFAULT_CSS = """
    KeyTable {
        height: auto;
    }
    """

    def __init__(self, rows: list[tuple[str, str]], key_width: int) -> None:
        super().__init__()
        self.rows = rows
        self.key_width = key_width

    def _stacked(self, width: int) -> bool:
        return width - self.key_width - 2 < self.NARROW

    def _lines(self, width: int) -> Text:
        text = Text()
        for key, what in self.rows:
            text.append(key + "\n", style="bold")
            text.append("\n".join(textwrap.wrap(what, max(width - 2, 8), initial_indent="  ",
                                                 subsequent_indent="  ")) + "\n")
        text.rstrip()
        return text

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
        table.add_column(no_wrap=True, min_width=self.key_width)
        table.add_column(ratio=1)  # what a key does wraps within its own column
        for key, what in self.rows:
            table.add_row(Text(key, style="bold"), Text(what))
        return table

    def _renderable(self, width: int) -> Text | Table:
        return self._lines(width) if self._stacked(width) else self._table()

    def get_content_height(self, container, viewport, width: int) -> int:
        console = self.app.console  # measured as drawn: rich wraps what a key does
        return len(console.render_lines(self._renderable(width), console.options.update_width(width), pad=False))

    def render(self) -> Text | Table:
        return self._renderable(self.size.width)


class HelpScreen(ModalScreen[None]):
    """Keys, the schedule's formula and the problem's teaching note."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", key_display="esc / q"),  # (both named: the text says escape)
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("down", "scroll(1)", show=False), Binding("up", "scroll(-1)", show=False),
        Binding("pagedown,space", "scroll(10)", show=False), Binding("pageup", "scroll(-10)", show=False),
        Binding("home", "scroll(-100000)", show=False), Binding("end", "scroll(100000)", show=False),
    ]

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen.ascii > VerticalScroll {
        border: ascii $accent;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, schedule_name: str, schedule_doc: str, problem_name: str, problem_note: str,
                 preset: str = "", keep_lines: bool = False) -> None:
        super().__init__()
        self.preset = preset
        self.keep_lines = keep_lines  # the note's lines are kept (a session's or a lab's), not reflowed
        self.sections = ((f"Schedule: {schedule_name}", schedule_doc), (f"Problem: {problem_name}", problem_note))
        about = "\n\n".join(f"{title}\n{body}" for title, body in self.sections)
        self.text = (f"{preset}\n\n" if preset else "") + f"{keys_text()}\n{about}\n"  # all of it, as text

    def compose(self) -> ComposeResult:
        title, rows, closing = key_rows()
        widest = max(len(key) for key, what in rows if what)  # every table's key column as wide
        parts: list[Widget] = []  # tables of keys, with the headings between them (the keys of the plots)
        table: list[tuple[str, str]] = []
        for key, what in rows + [("", "")]:
            if not what:
                if table:
                    parts.append(KeyTable(table, widest))
                if key:
                    parts.append(Static(Text(f"\n{key}", style="bold")))
                table = []
                continue
            table.append((key, what))
        with VerticalScroll():
            if self.preset:  # its title, then its note (a preset's, or a session's)
                heading, _, note = self.preset.partition("\n")
                yield Static(Text(heading, style="bold"))
                yield Doc(f"{note}\n", keep_lines=self.keep_lines)
            yield Static(Text(("\n" if self.preset else "") + title, style="bold"))  # (a line after the note)
            yield from parts
            yield Doc(f"\n{closing}\n")
            for heading, body in self.sections:
                yield Static(Text(f"\n{heading}", style="bold"))
                yield Doc(body)
        yield Footer()  # names what q does here: close the help, not quit
