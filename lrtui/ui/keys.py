"""Every key of the app in one place: what each key does as the help screen (?) and the README's key tables
say it, and the bindings that make it do so.

:data:`KEY_MAP` is the keys as a person reads them, in the help's order; each row declares its keys' bindings
once: the App's (``bindings``) and a focused field row's (``row``: :class:`~lrtui.ui.widgets.form.FieldRow`'s
own bindings, or what its ``on_key`` takes itself, ``"edit"``, ``"step"``, ``"fine_step"``). :data:`BINDINGS`
(the App's) and :data:`ROW_BINDINGS` (FieldRow's) are made from it: in the footer's order (:data:`FOOTER`), the
rest after in the help's. A key bound twice (escape, space, ctrl+c) is tried in its row's order; ``check_action``
picks the one that applies. tests/test_keys.py checks every binding's keys are named in its row and the README's
tables these rows' keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding

LETTER_ACTIONS = {"log", "view", "pin", "unpin", "clear_pins", "board", "export", "code", "note", "enter_form",
                  "lab_next", "lab_back", "lab_hint", "map_move", "map_pick", "map_axes"}
"""The actions of the plots' keys: on a field those keys are typed, not run."""


@dataclass(frozen=True)
class Key:
    """Keys as a person reads them (``"l / L"``), what they do, where they work (``"field"``: on a focused
    field; ``"anywhere"``; ``"plots"``: on the plots, where letters are commands), the App's ``bindings`` for
    them and a focused field row's (``row``: its bindings, or the name of what its ``on_key`` does with them).
    A row without either is a note within the table."""

    keys: str
    does: str
    where: str
    bindings: tuple[Binding, ...] = ()
    row: tuple[Binding | str, ...] = ()

    @property
    def actions(self) -> tuple[str, ...]:
        """What the keys run: the App's actions (``"pin"``, ``"view('range')"``) and a field row's
        (``"row:reset"``)."""
        return (*(b.action for b in self.bindings),
                *(f"row:{r if isinstance(r, str) else r.action}" for r in self.row))


ASCII_KEYS = {"⏎": "enter", "⌫": "backspace", "←": "left", "→": "right", "↑": "up", "↓": "down"}
"""Textual's symbols for keys, in words for a plain-ASCII terminal."""


def ascii_key_display(shown: str) -> str:
    """A key as the footer shows it, in words where Textual gives a symbol (``⏎`` enter, ``←/→`` left/right)."""
    return "".join(ASCII_KEYS.get(c, c) for c in shown)


def _bind(keys: str, action: str, description: str = "", priority: bool = False) -> Binding:
    """A binding as a row declares it: whether the footer shows it is :data:`FOOTER`'s to say."""
    return Binding(keys, action, description, show=False, priority=priority)


# Priority bindings run in the app's own key order: keys typed in a burst ("down +") land on the field
# focus has moved to, and epoch keys work whatever has focus; the keys that open a screen (?, ctrl+s, ctrl+o, c)
# open it before the keys behind them are handed on, so those reach it ("?q" closes the help, "ctrl+s name
# enter" in one paste or one browser message saves under that name), not the screen behind. The letters are
# commands on the plots (escape leaves the form for them): a focused field takes every printable key as typing.
KEY_MAP = (
    Key("tab / shift+tab, up / down", "move between fields (from the plots: back to the form)", "field",
        (_bind("tab", "focus_next", "next field", priority=True),
         _bind("down", "focus_next('arrow')", "next field", priority=True),  # (on the map: its cursor)
         _bind("shift+tab", "focus_previous", "previous field", priority=True),
         _bind("up", "focus_previous('arrow')", "previous field", priority=True))),
    Key("any key, then enter", "on a field every key is typed, so a word never runs a command: enter sets the "
        "value, escape cancels, enter alone opens an edit. On a choice (schedule, problem, optimizer) the first "
        "match shows as you type and enter selects it: cos is cosine", "field",
        (_bind("enter", "enter_form", "Fields"),), ("edit",)),
    Key("+ / -", "step the focused value (x1.26 for log-scale values such as lr)", "field", row=("step",)),
    Key("] / [", "step it a tenth as far (the third digit: 1.99, 2, 2.01): find a threshold", "field",
        row=("fine_step",)),
    Key("delete", "put the focused value back to its default", "field",
        row=(Binding("delete", "reset", "Default"),)),
    Key("escape", "leave the form for the plots: there the letters below are commands (while a long "
        "simulation shows its progress: cancel it)", "field",
        (_bind("escape", "cancel_run", "Cancel run", priority=True),  # while a long simulation shows progress
         _bind("escape", "leave_form", "Commands", priority=True))),  # at once: 'escape p' in a burst pins
    Key("left / right", "previous / next epoch (work from anywhere, even while typing)", "anywhere",
        (_bind("left", "step(-1)", "-1", priority=True), _bind("right", "step(1)", "+1", priority=True))),
    Key("shift+left / shift+right", "ten epochs back / forward (also page up / page down)", "anywhere",
        (_bind("shift+left,pageup", "step(-10)", "-10", priority=True),
         _bind("shift+right,pagedown", "step(10)", "+10", priority=True))),
    Key("home / end", "first / last epoch", "anywhere",
        (_bind("home", "jump(0)", "first", priority=True), _bind("end", "jump(-1)", "last", priority=True))),
    Key("space", "play / pause (typed inside an edit); < and > slow down / speed up", "anywhere",
        (_bind("space", "play", "Play", priority=True),
         _bind("space", "pause", "Pause", priority=True),  # the footer shows the one that applies
         _bind("less_than_sign", "speed(-1)", "Slower"), _bind("greater_than_sign", "speed(1)", "Faster"))),
    Key("?", "this help: up/down/page keys scroll it, escape closes it", "anywhere",
        (_bind("question_mark", "help", "Help", priority=True),)),
    Key("ctrl+p", "presets: the teaching scenarios T1-T18 and recipes R1-R16, searchable", "anywhere",
        (_bind("ctrl+p", "command_palette", "Presets", priority=True),)),  # the footer docks it right
    Key("ctrl+s / ctrl+o", "save the session (runs, cursor, target, smoothing) / load one; a file that is there "
        "is replaced only when you confirm", "anywhere",
        (_bind("ctrl+s", "save", "Save", priority=True), _bind("ctrl+o", "load", "Load", priority=True))),
    Key("ctrl+z / ctrl+y", "undo / redo the last change to the run: a field's edit or step, a map's cell made the "
        "run (enter), a reset; pinned runs and presets are not changes to undo", "anywhere",
        (_bind("ctrl+z", "undo", "Undo", priority=True), _bind("ctrl+y", "redo", "Redo", priority=True))),
    Key("ctrl+c", "quit (with unsaved work it asks first: a second ctrl+c quits)", "anywhere",
        (_bind("ctrl+c", "quit('field')", "Quit", priority=True),  # the footer shows it where q is typed
         _bind("ctrl+c", "quit('ctrl+c')", "Quit", priority=True))),
    Key("l / L", "log scale of the loss plot / the lr plot", "plots",
        (_bind("l", "log('loss')", "Log loss"), _bind("L", "log('lr')", "Log lr"))),
    Key("(the lr plot)", "orange (dots without colour): the stability limit c/lambda_max, where the curvature is "
        "known (c = 2 for SGD, 2(1+mu) with momentum mu, 2(1+mu)/(1+2mu) with Nesterov's; the title names it); an "
        "lr above it diverges", "plots"),
    Key("v", "landscape view (2-D problems): the loss surface shaded (log; without colour a character ramp, the "
        "valley blank), the optimizer's path on it, @ at the cursor's epoch", "plots",
        (_bind("v", "view('landscape')", "Landscape"),)),
    Key("s", "sharpness: lambda_max(t) against c/lr(t) (c = 2 for SGD): where the sharpness rises to meet it, "
        "training sits at the edge of stability", "plots", (_bind("s", "view('sharpness')", "Sharpness"),)),
    Key("w", "WSD's branches (wsd schedules): the decay started from earlier points of the stable phase, each its "
        "own run on the same seeds, and the stable phase without decay (gray): the loss stays up while the lr is "
        "high and drops as soon as the decay starts (MiniCPM; Wen et al. 2024, river valley). The status line "
        "gives each branch's mean loss over its last tenth of the decay, over the run's seeds, with the largest "
        "standard error of those means (one seed's scatters from seed to seed)", "plots",
        (_bind("w", "view('branches')", "WSD branches"),)),
    Key("r", "lr range test: loss against a growing lr (log axis), the usual picks (cyan, their values in the status "
        "line) and the true stable limit (orange, in the title) where the curvature is known: the largest stable lr, "
        "2/lambda_max for SGD; above it a run diverges, whatever the picks say. min/10 is a tenth of the lr at the "
        "lowest loss; steepest the lr where the loss falls fastest; valley (fastai's) the longest stretch of "
        "falling loss, read two thirds of the way down. Each misleads somewhere, and the line under the plot says "
        "which do on this test: min/10 and steepest when they land above the stable limit (a short test can still "
        "lower the loss a few steps at an lr that diverges in a longer run; a noisy loss moves steepest); valley "
        "when the loss is flat at the start of the sweep: a loss that creeps down from the first step makes that "
        "flat start part of the longest falling stretch, and the pick lands in it, decades below the others "
        "(0.00076 on the quadratic, where min/10 is 0.19, steepest 0.89 and the limit 2)", "plots",
        (_bind("r", "view('range')", "Range test"),)),
    Key("m", "a map of many runs: the run over a grid of its lr (log) and a second parameter (momentum where the "
        "optimizer has one, else the field last focused in the form, else the problem's noise or curvature or "
        "the weight decay), each cell a run: in colour shaded by its final loss (diverging cells red), without "
        "colour or in ASCII a glyph for converging (.), oscillating (~) or diverging (X); the status line gives "
        "the cursor's cell's class in words; the edge of stability and critical damping where they are known; "
        "@ is the run shown, + the cursor; m again closes it", "plots",
        (_bind("m", "view('map')", "Map"),)),
    Key("left / right / up / down, enter (the map)", "move the map's cursor over its cells (the status line gives "
        "the cell's values and result); enter makes that cell the run (its lr and y set in the form; ctrl+z takes "
        "it back)", "plots",
        (_bind("left", "map_move(-1,0)"), _bind("right", "map_move(1,0)"), _bind("up", "map_move(0,1)"),
         _bind("down", "map_move(0,-1)"), _bind("enter", "map_pick"))),
    Key("a (the map)", "choose the map's axes: its y and both ranges, as y=noise lr=0.001..3 noise=0..2 (the "
        "prompt starts from the map's own)", "plots", (_bind("a", "map_axes", "Axes"),)),
    Key("p", "pin the run on screen and keep editing (up to 6 pinned runs overlay both plots, each its colour, "
        "and its marker without colour); p on a pinned run's exact settings unpins it", "plots",
        (_bind("p", "pin", "Pin"),)),
    Key("u / U", "unpin the last pinned run / all of them", "plots",
        (_bind("u", "unpin", "Unpin"), _bind("U", "clear_pins", "Clear pins"))),
    Key("b", "the scoreboard: per run final and best loss, epochs to target_loss (a field at the end of the form; "
        "none = 1% of the starting loss), diverged at, peak and final lr, sum of lr and of lr^2, the verdict. "
        "A run over several seeds (the seeds field) shows their mean, +- its standard error (se), and runs whose "
        "intervals overlap share a rank marked ~ or ≈. Pinned runs share the problem, seed and seeds: change them "
        "and all re-run", "plots", (_bind("b", "board", "Board"),)),
    Key("e", "export the current and pinned runs to CSV and JSON (here, a new name)", "plots",
        (_bind("e", "export", "Export"),)),
    Key("c", "the run as a training script in torch, transformers or optax (its optimizer, schedule and loop): "
        "copy it or write it", "plots",
        (_bind("c", "code", "Code", priority=True),)),
    Key("t", "write or edit the session's note (an instructor's instructions, what you found): ? shows it, "
        "ctrl+s saves it with the runs; in the editor escape is done", "plots", (_bind("t", "note", "Note"),)),
    Key("n / N", "a lab (lrtui --lab FILE): the next exercise / the one before; each opens on its own run, or on "
        "the runs you left it with", "plots",
        (_bind("n", "lab_next", "Next exercise"), _bind("N", "lab_back", "Previous exercise"))),
    Key("h", "a lab: the exercise's next hint (? shows its text)", "plots", (_bind("h", "lab_hint", "Hint"),)),
    Key("q", "quit (with unsaved work, pinned runs or changes, it asks first: q again)", "plots",
        (_bind("q", "quit", "Quit"),)),
)

FOOTER = ("cancel_run", "leave_form", "enter_form", "play", "pause", "log('loss')", "pin", "help", "quit",
          "quit('field')")
"""The footer, left to right: the actions it shows (those ``check_action`` allows at the time); ctrl+p's
"Presets" Textual docks at its right whatever its binding says."""


def _in_footer_order(bindings: list[Binding]) -> list[Binding]:
    """The bindings the footer shows (shown) first, in its order, then the others in the help's order. Textual's
    footer shows keys in the order they were first bound; a key's own bindings keep their row's order."""
    shown = [replace(b, show=b.action in FOOTER) for b in bindings]
    return sorted(shown, key=lambda b: FOOTER.index(b.action) if b.show else len(FOOTER))


BINDINGS = _in_footer_order([b for key in KEY_MAP for b in key.bindings])
"""The App's bindings."""

ROW_BINDINGS = [b for key in KEY_MAP for b in key.row if isinstance(b, Binding)]
"""A focused field row's bindings (delete: the default)."""

TITLE = "Keys (nothing needs a mouse)"
PLOTS_HEADING = "On the plots (escape from a field; tab or enter goes back to the form)"
HEADINGS = {"field": "On a field", "anywhere": "Anywhere", "plots": PLOTS_HEADING}
CLOSING = (
    'The verdict in the status line judges the whole run: a longer run may turn "running" into "converged", '
    'and "noise floor" needs enough epochs at the floor to tell. T1-T18 in the notes are the teaching scenarios '
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
