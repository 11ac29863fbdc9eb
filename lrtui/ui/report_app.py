"""``lrtui report --watch RESULTS...``: the instructor's live view of a lab (lrtui.lab.watch gives what it
shows): each exercise's pass rate, who is stuck where, and a histogram of the values students tried on one
exercise. The databases are read again every few seconds, off the UI thread; one that does not exist yet is
waited for (the lab has not begun). Keys: left/right the exercise of the histogram, up/down its field, r reads
again now, q quits. Names are typed by students: shown as plain text, escaped, never as markup.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from lrtui.lab.results import ResultsError, read_events
from lrtui.lab.watch import ExerciseRow, exercise_rows, stuck, tried, tried_fields
from lrtui.plotting.terminal import Options
from lrtui.printable import escaped
from lrtui.ui.keys import ascii_key_display

STUCK_SHOWN = 8
"""Students listed as stuck (the longest first), at most, or as many as the screen has room for; the rest are
counted."""
BAR_WIDTH = 30


def _fit(text: str, width: int) -> str:
    """``text`` escaped (typed by a student) in a column ``width`` wide, cut with ``...``."""
    text = escaped(text)
    return (text if len(text) <= width else text[:width - 3] + "...").ljust(width)


def exercise_lines(rows: list[ExerciseRow]) -> list[str]:
    width = min(max([len(escaped(r.exercise)) for r in rows] + [8]), 24)
    lines = [f"{'exercise'.ljust(width)}  passed  rate  attempts  median min to pass"]
    for r in rows:
        rate = f"{100 * r.passed / r.working:3.0f}%" if r.working else "   -"
        minutes = "-" if r.median_minutes is None else f"{r.median_minutes:.1f}"
        lines.append(f"{_fit(r.exercise, width)}  {f'{r.passed}/{r.working}':>6}  {rate}  "
                     f"{r.attempts:8.1f}  {minutes:>6}")
    return lines


def stuck_lines(events: list[dict], now: float, room: int = STUCK_SHOWN) -> list[str]:
    """Who is stuck, in at most ``room`` lines below the heading."""
    found = stuck(events, now)
    if not found:
        return ["nobody is stuck: every student's latest exercise is passed"]
    lines = [f"not passed yet, the longest first ({len(found)}):"]
    shown = found if len(found) <= room else found[:max(room - 1, 1)]
    for s in shown:
        idle = f", idle {s.idle_minutes:.0f} min" if s.idle_minutes >= 1 else ""
        lines.append(f"  {_fit(s.student or '(no name)', 16)} {_fit(s.exercise, 14)} {s.minutes:5.1f} min, "
                     f"{_count(s.attempts, 'attempt')}, {_count(s.hints, 'hint')}{idle}")
    if len(shown) < len(found):
        lines.append(f"  ... and {len(found) - len(shown)} more")
    return lines


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def tried_lines(events: list[dict], exercise: str | None, field: str | None, ascii: bool) -> list[str]:
    if exercise is None:
        return ["no attempts yet"]
    if field is None:
        return [f"values tried on {_fit(exercise, 24).strip()}: every attempt has the same settings so far"]
    bars = tried(events, exercise, field)
    most = max([b.attempts + b.passes for b in bars] + [1])
    block, half = ("#", "=") if ascii else ("█", "▒")
    width = max(len(b.label) for b in bars)
    lines = [f"values of {_fit(field, 24).strip()} tried on {_fit(exercise, 16).strip()}: {block} attempts, "
             f"{half} passes"]
    for b in bars:
        length = round(BAR_WIDTH * (b.attempts + b.passes) / most)
        passes = round(BAR_WIDTH * b.passes / most)
        bar = block * (length - passes) + half * passes
        lines.append(f"  {_fit(b.label, 24).strip().rjust(min(width, 24))} {bar} {b.attempts}"
                     + (f" ({b.passes} passed)" if b.passes else ""))
    return lines


def _headed(lines: list[str]) -> Text:
    """Lines as plain text (never markup: names are typed by students), the first one bold."""
    text = Text("\n".join(lines))
    text.stylize("bold", 0, len(lines[0]))
    return text


class ReportApp(App):
    """The live class report (see the module's doc)."""

    ENABLE_COMMAND_PALETTE = False

    CSS = """
    #head { height: auto; text-style: bold; }
    #exercises, #stuck, #tried { height: auto; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("r", "reload", "Read again"),
        Binding("left", "exercise(-1)", "Exercise", key_display="←/→"),
        Binding("right", "exercise(1)", "Exercise", show=False),
        Binding("up", "field(-1)", "Field", key_display="↑/↓"),
        Binding("down", "field(1)", "Field", show=False),
    ]

    def __init__(self, paths: list[str], every: float = 2.0, options: Options | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.every = every
        self.options = options or Options.from_environment()
        self.events: list[dict] = []
        self.rows: list[ExerciseRow] = []  # each exercise's row, of the events
        self.problem = ""  # why the databases cannot be read (a file not there yet: waited for)
        self.exercise_index = 0
        self.field_index = 0
        self.reads = 0  # (tests wait on it)
        self.reading = False  # a reading is on its way (no other starts)
        self.read_took, self.read_end = 0.0, 0.0  # the last reading's length, and when it ended (monotonic)

    def get_key_display(self, binding: Binding) -> str:
        """The footer's keys, in words where the terminal has no arrows."""
        shown = super().get_key_display(binding)
        return ascii_key_display(shown) if self.options.ascii else shown

    def compose(self) -> ComposeResult:
        yield Static(id="head", markup=False)
        yield Static(id="exercises", markup=False)
        yield Static(id="stuck", markup=False)
        yield Static(id="tried", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()
        self.set_interval(self.every, self._tick)

    def _tick(self) -> None:
        """The interval's reading, unless the last one ended less than its own length ago (a machine busy
        reading half the time at most)."""
        if time.monotonic() - self.read_end >= self.read_took:
            self.action_reload()

    def action_reload(self) -> None:
        """Read the databases again, unless a reading is on its way: a reading longer than the interval
        (200,000 events, long names: 6.7 s) started a new one every 2 s, the threads piled up and the view
        never drew and took no key (the second hostile retry)."""
        if self.reading:
            return
        self.reading = True
        self._read()

    @work(thread=True, exclusive=True)
    def _read(self) -> None:
        started = time.monotonic()
        present = [p for p in self.paths if Path(p).is_file()]
        missing = [Path(p).name for p in self.paths if not Path(p).is_file()]
        notes: list[str] = [f"waiting for {', '.join(missing)} (no session has written it yet)"] if missing else []
        try:
            events = read_events(present, notes)
        except (ResultsError, OSError) as err:  # (the last reading stays on screen, the error above it)
            events, notes = self.events, [str(err)]
        problem = "" if not notes else notes[0] + (f" (and {len(notes) - 1} more: lrtui report says them)"
                                                   if len(notes) > 1 else "")
        rows = exercise_rows(events)  # (here, off the UI thread: 0.4 s at 200,000 events)
        self.call_from_thread(self._show, events, rows, escaped(problem), time.monotonic() - started)

    def _show(self, events: list[dict], rows: list[ExerciseRow], problem: str, took: float) -> None:
        self.reading, self.read_took, self.read_end = False, took, time.monotonic()
        self.events, self.rows, self.problem = events, rows, problem
        self.reads += 1
        self._draw()

    def _draw(self) -> None:
        students = len({e["student"] for e in self.events})
        head = (f"lrtui report: {students} students, {len(self.events)} events in {len(self.paths)} "
                f"database{'s' if len(self.paths) > 1 else ''}, read {time.strftime('%H:%M:%S')} "
                f"(every {self.every:g} s)")
        self.query_one("#head", Static).update(Text(head + (f"\n{self.problem}" if self.problem else "")))
        if not self.events:
            for part in ("#exercises", "#stuck", "#tried"):
                self.query_one(part, Static).update(Text("no results yet" if part == "#exercises" else ""))
            return
        rows = self.rows  # (once a reading: the class table and the exercises' order)
        exercises = [r.exercise for r in rows]
        self.exercise_index %= len(exercises)
        exercise = exercises[self.exercise_index]
        fields = tried_fields(self.events, exercise)
        self.field_index = self.field_index % len(fields) if fields else 0
        field = fields[self.field_index] if fields else None
        table = exercise_lines(rows)
        histogram = tried_lines(self.events, exercise, field, self.options.ascii)
        room = self.size.height - 2 - len(head.splitlines()) - bool(self.problem) - len(table) - len(histogram)
        self.query_one("#exercises", Static).update(_headed(table))
        self.query_one("#stuck", Static).update(_headed(stuck_lines(self.events, time.time(), max(room, 3))))
        self.query_one("#tried", Static).update(_headed(histogram))

    def action_exercise(self, step: int) -> None:
        self.exercise_index += step
        self.field_index = 0
        self._draw()

    def action_field(self, step: int) -> None:
        self.field_index += step
        self._draw()
