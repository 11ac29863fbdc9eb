"""Every key of the app in one place: the App's bindings, and what each key does as the help screen (?)
and the README's key tables say it.

:data:`BINDINGS` are the App's, in the footer's order (a key bound twice, escape or space or ctrl+c, is
tried in this order; ``check_action`` picks the one that applies). :data:`KEY_MAP` is the same keys as a
person reads them, in the help's order, each row naming the actions it runs: the App's (``"pin"``,
``"view('range')"``) or a field row's (``"row:..."``, keys a focused :class:`~lrtui.ui.widgets.form.FieldRow` takes
itself). tests/test_keys.py checks that every binding has its row, every row's action a binding, and the
README's tables these rows' keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

# Priority bindings run in the app's own key order: keys typed in a burst ("down +") land on the field
# focus has moved to, and epoch keys work whatever has focus. The letters are commands on the plots
# (escape leaves the form for them): a focused field takes every printable key as typing.
BINDINGS = [
    Binding("escape", "cancel_run", "Cancel run", priority=True),  # while a long simulation shows progress
    Binding("escape", "leave_form", "Commands", priority=True),  # at once: 'escape p' in a burst pins
    Binding("enter", "enter_form", "Fields"),
    Binding("tab,down", "focus_next", "next field", show=False, priority=True),
    Binding("shift+tab,up", "focus_previous", "previous field", show=False, priority=True),
    Binding("left", "step(-1)", "-1", show=False, priority=True),
    Binding("right", "step(1)", "+1", show=False, priority=True),
    Binding("shift+left,pageup", "step(-10)", "-10", show=False, priority=True),
    Binding("shift+right,pagedown", "step(10)", "+10", show=False, priority=True),
    Binding("home", "jump(0)", "first", show=False, priority=True),
    Binding("end", "jump(-1)", "last", show=False, priority=True),
    Binding("space", "play", "Play", priority=True),
    Binding("space", "pause", "Pause", priority=True),  # the footer shows the one that applies
    Binding("less_than_sign", "speed(-1)", "Slower", show=False),
    Binding("greater_than_sign", "speed(1)", "Faster", show=False),
    Binding("l", "log('loss')", "Log loss"),
    Binding("L", "log('lr')", "Log lr", show=False),
    Binding("v", "view('landscape')", "Landscape", show=False),
    Binding("r", "view('range')", "Range test", show=False),
    Binding("s", "view('sharpness')", "Sharpness", show=False),
    Binding("w", "view('branches')", "WSD branches", show=False),
    Binding("p", "pin", "Pin"),
    Binding("u", "unpin", "Unpin", show=False),
    Binding("U", "clear_pins", "Clear pins", show=False),
    Binding("b", "board", "Board", show=False),
    Binding("e", "export", "Export", show=False),
    Binding("c", "code", "Code", show=False),
    Binding("ctrl+s", "save", "Save", show=False),
    Binding("ctrl+o", "load", "Load", show=False),
    Binding("question_mark", "help", "Help"),
    Binding("ctrl+p", "command_palette", "Presets", show=False, priority=True),  # the footer docks it right
    Binding("q", "quit", "Quit"),
    Binding("ctrl+c", "quit('field')", "Quit", priority=True),  # the footer shows it where q is typed
    Binding("ctrl+c", "quit('ctrl+c')", "Quit", show=False, priority=True),
]

LETTER_ACTIONS = {"log", "view", "pin", "unpin", "clear_pins", "board", "export", "code", "enter_form"}
"""The actions of the plots' keys: on a field those keys are typed, not run."""


@dataclass(frozen=True)
class Key:
    """Keys as a person reads them (``"l / L"``), what they do, where they work (``"field"``: on a focused
    field; ``"anywhere"``; ``"plots"``: on the plots, where letters are commands) and the actions they run.
    A row without actions is a note within the table."""

    keys: str
    does: str
    where: str
    actions: tuple[str, ...] = ()


KEY_MAP = (
    Key("tab / shift+tab, up / down", "move between fields (from the plots: back to the form)", "field",
        ("focus_next", "focus_previous")),
    Key("any key, then enter", "on a field every key is typed, so a word never runs a command: enter sets the "
        "value, escape cancels, enter alone opens an edit. On a choice (schedule, problem, optimizer) the first "
        "match shows as you type and enter selects it: cos is cosine", "field", ("row:edit", "enter_form")),
    Key("+ / -", "step the focused value (x1.26 for log-scale values such as lr)", "field", ("row:step",)),
    Key("] / [", "step it a tenth as far (the third digit: 1.99, 2, 2.01): find a threshold", "field",
        ("row:fine_step",)),
    Key("delete", "put the focused value back to its default", "field", ("row:reset",)),
    Key("escape", "leave the form for the plots: there the letters below are commands (while a long "
        "simulation shows its progress: cancel it)", "field", ("leave_form", "cancel_run")),
    Key("left / right", "previous / next epoch (work from anywhere, even while typing)", "anywhere",
        ("step(-1)", "step(1)")),
    Key("shift+left / shift+right", "ten epochs back / forward (also page up / page down)", "anywhere",
        ("step(-10)", "step(10)")),
    Key("home / end", "first / last epoch", "anywhere", ("jump(0)", "jump(-1)")),
    Key("space", "play / pause (typed inside an edit); < and > slow down / speed up", "anywhere",
        ("play", "pause", "speed(-1)", "speed(1)")),
    Key("?", "this help: up/down/page keys scroll it, escape closes it", "anywhere", ("help",)),
    Key("ctrl+p", "presets: the teaching scenarios T1-T15 and recipes R1-R16, searchable", "anywhere",
        ("command_palette",)),
    Key("ctrl+s / ctrl+o", "save the session (runs, cursor, target, smoothing) / load one; a file that is there "
        "is replaced only when you confirm", "anywhere", ("save", "load")),
    Key("ctrl+c", "quit (with unsaved work it asks first: a second ctrl+c quits)", "anywhere",
        ("quit('field')", "quit('ctrl+c')")),
    Key("l / L", "log scale of the loss plot / the lr plot", "plots", ("log('loss')", "log('lr')")),
    Key("(the lr plot)", "orange (dots without colour): the stability limit 2/lambda_max, where the curvature is "
        "known; an lr above it diverges", "plots"),
    Key("v", "landscape view: contours and the optimizer's path (2-D problems)", "plots", ("view('landscape')",)),
    Key("s", "sharpness: lambda_max(t) against c/lr(t) (c = 2 for SGD): where the sharpness rises to meet it, "
        "training sits at the edge of stability", "plots", ("view('sharpness')",)),
    Key("w", "WSD's branches (wsd schedules): the decay started from earlier points of the stable phase, each its "
        "own run on the same seed, and the stable phase without decay (gray): the loss stays up while the lr is "
        "high and drops as soon as the decay starts (MiniCPM; Wen et al. 2024, river valley). The status line "
        "gives each branch's mean loss over its last tenth of the decay: one seed's, which scatters from seed to "
        "seed", "plots",
        ("view('branches')",)),
    Key("r", "lr range test: loss against a growing lr, the usual picks (cyan) and the true stable limit (orange) "
        "where the curvature is known", "plots", ("view('range')",)),
    Key("p", "pin the run on screen and keep editing (up to 6 pinned runs overlay both plots, each its colour, "
        "and its marker without colour); p on a pinned run's exact settings unpins it", "plots", ("pin",)),
    Key("u / U", "unpin the last pinned run / all of them", "plots", ("unpin", "clear_pins")),
    Key("b", "the scoreboard: per run final and best loss, epochs to target_loss (a field at the end of the form; "
        "none = 1% of the starting loss), diverged at, peak and final lr, sum of lr and of lr^2, the verdict. "
        "A run over several seeds (the seeds field) shows their mean, +- its standard error (se), and runs whose "
        "intervals overlap share a rank marked ~ or ≈. Pinned runs share the problem, seed and seeds: change them "
        "and all re-run", "plots", ("board",)),
    Key("e", "export the current and pinned runs to CSV and JSON (here, a new name)", "plots", ("export",)),
    Key("c", "the schedule as torch, transformers or optax code: copy it or write it", "plots", ("code",)),
    Key("q", "quit (with unsaved work, pinned runs or changes, it asks first: q again)", "plots", ("quit",)),
)

TITLE = "Keys (nothing needs a mouse)"
PLOTS_HEADING = "On the plots (escape from a field; tab or enter goes back to the form)"
HEADINGS = {"field": "On a field", "anywhere": "Anywhere", "plots": PLOTS_HEADING}
CLOSING = (
    'The verdict in the status line judges the whole run: a longer run may turn "running" into "converged", '
    'and "noise floor" needs enough epochs at the floor to tell. T1-T15 in the notes are the teaching scenarios '
    "of the presets (ctrl+p): open one to see the numbers it names."
)


def key_rows() -> tuple[str, list[tuple[str, str]], str]:
    """The help's keys: its title, (keys, what they do) rows (the plots' heading a row of its own with
    nothing to do) and the closing text."""
    rows = []
    for where, heading in HEADINGS.items():  # the README's tables, in its order
        rows += [(heading, "")] + [(k.keys, k.does) for k in KEY_MAP if k.where == where]
    return TITLE, rows, CLOSING


def keys_text() -> str:
    """The help's keys as plain text, one row a line."""
    title, rows, closing = key_rows()
    lines = [title] + [f"  {keys:<29} {does}" if does else keys for keys, does in rows]
    return "\n".join(lines) + "\n\n" + closing + "\n"
