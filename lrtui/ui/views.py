"""What the plots show: the lr plot, and the lower plot's views (loss, landscape, sharpness, range test, WSD
branches), each a class whose ``figure(run, look, size)`` returns a :class:`~lrtui.plotting.figure.Figure`
(as a Rich progress column renders a task): it neither draws nor computes as a side effect.

A view is drawn from a :class:`Run` (the run on screen, prepared once, and the pinned runs that have a trace)
and a :class:`~lrtui.plotting.series.Look`; ``available(run)`` says whether the run has such a view (a landscape
needs a 2-D problem) and ``unavailable`` what a toggle then says. A view that must simulate first (the range
test, the branches) says so in ``work(run)``: a :class:`Work` the app sends to its simulation queue, like any
run, and hands back with ``keep``; the base class holds that one cache, and until the work is done the
figure says it is simulating. A view that cannot be drawn raises ConfigError, which the app shows. No Textual
here: the app's RunDisplay draws each figure into the view's panel.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, ClassVar

import numpy as np

from lrtui.analysis.branches import branches, end_loss
from lrtui.analysis.compare import is_noisy, smoothing_weight
from lrtui.analysis.landscape import cell_of, loss_grid, path_bounds, path_cells
from lrtui.analysis.range_test import RangeTest, misleading, range_test
from lrtui.analysis.smoothing import ema, trailing_mean
from lrtui.params import ConfigError
from lrtui.plotting.figure import Figure, wordings
from lrtui.plotting.series import Look, Series
from lrtui.sim.config import PROBLEMS, WORK_BUDGET, Prepared, Trace, estimated_seconds, prepare
from lrtui.sim.engine import Progress, simulate_many


@dataclass(frozen=True)
class PinLook:
    """How a pinned run is drawn: its plotext colour on both plots, the same colour for the scoreboard
    (plotext's names are the 16 ANSI colours: green+ is colour 10), its marker in monochrome or ASCII."""

    colour: str
    rich_colour: str
    marker: str


# Textual draws the 16 ANSI colours in its own theme (Monokai): red, red+, magenta and magenta+ are all #f4005f
# there, and green and green+ are one colour, as are blue and blue+, cyan and cyan+ (orange and orange+ differ).
# So no pin is red or magenta (the run alone and its sharpness), blue (now's) or orange (the reference lines'),
# and no two pins are one colour there.
PIN_LOOKS = (PinLook("green+", "color(10)", "x"), PinLook("orange+", "color(11)", "+"),
             PinLook("white", "color(15)", "o"), PinLook("cyan+", "color(14)", "#"),
             PinLook("gray+", "color(7)", "%"), PinLook("gray", "color(8)", "@"))
NOW_COLOUR = ("blue+", "color(12)")  # the current run in a comparison: one colour on both plots
BAND = (10, 90)  # the percentiles over seeds a run's loss band spans (lrtui.sim.engine)
BAND_MARKER = ":"  # the band's lines without colour: no run's marker, no reference line's
BAND_DOTS = "·"  # with colour: dots, told from the mean's braille line by shape as well as by shade
REFERENCE = "orange"
"""The reference lines' colour (the stability limit, c/lr and the range test's stable limit, the noise floor,
the held-out loss), which no run is drawn in; without colour they are dotted (the held-out loss dashed), a
marker no run has."""


def fmt(x: float) -> str:
    """A number for the status line and the titles: 4 significant digits, NaN as a dash."""
    if x is None or not np.isfinite(x):
        return "-"
    return f"{x:.4g}"


@dataclass(frozen=True)
class Run:
    """What the plots draw: the run on screen (``prepared`` once, for everything that reads it) and the
    pinned runs that have a trace, with their index (which sets their colour and marker)."""

    trace: Trace
    prepared: Prepared
    pinned: tuple[tuple[int, Trace], ...] = ()
    smoothing: str = "auto"  # the loss plot's (see lrtui.analysis.compare.smoothing_weight)
    legend: bool = False  # the loss plot names the runs (the scoreboard, their other legend, is hidden)
    range_ramp: dict = field(default_factory=dict)  # the range test's own ramp (T8's), else its defaults

    @cached_property
    def x(self) -> np.ndarray:
        return self.trace.epoch.astype(np.float64)

    @property
    def x_range(self) -> tuple[float, float]:
        """The epochs of the longest run shown, from 0."""
        return 0.0, float(max(len(self.trace.epoch) - 1, *(len(t.epoch) - 1 for _, t in self.pinned), 1))

    def pin_series(self, what: str, look: Look, legend: bool, smooth=lambda y: y) -> list[Series]:
        """The pinned runs' lr or loss lines (``smooth``-ed): each its colour, and its marker in monochrome
        or ASCII."""
        return [Series(t.epoch.astype(np.float64), smooth(getattr(t, what)), PIN_LOOKS[i].colour,
                       label=f"#{i + 1}" if legend else None, marker=PIN_LOOKS[i].marker if look.plain else None)
                for i, t in self.pinned]


@dataclass(frozen=True, eq=False)
class Work:
    """A simulation a view needs before it can draw: ``compute(progress)`` runs it (on the app's worker when
    it is long), and gives the same result for the same ``key``. ``steps`` (optimizer steps, all runs
    together) and ``analytic`` say what it costs: the queue runs a short analytic one on the spot."""

    view: str
    key: tuple
    compute: Callable[[Progress | None], Any]
    steps: int
    analytic: bool


class LrView:
    """The lr plot: the schedule of the run and of the pinned runs, and the stability limit 2/lambda_max
    where the curvature is known (its value in the title when it is far above the lr)."""

    name = "lr"
    title = "learning rate"
    point = False  # (its cursor marks an epoch)
    as_text = False

    def figure(self, run: Run, look: Look) -> Figure:
        trace = run.trace
        series = [Series(run.x, trace.lr, "blue+")] + run.pin_series("lr", look, legend=False)
        name = f"lr: {trace.config.schedule['name']}"
        title, shorter = name, ()
        bound = trace.stability_bound
        if np.isfinite(bound).any():
            lam = "lambda" if look.ascii else "λ"
            if np.nanmin(bound) <= 3 * np.nanmax(np.abs(trace.lr)):
                series.append(Series(run.x, bound, REFERENCE, marker="." if look.plain else None))  # the title names it
                c = run.prepared.optimizer.stability_text
                c = c if look.ascii else c.replace("mu", "μ")
                c = f"({c})" if "/" in c else c  # (Nesterov's: a fraction over lambda_max)
                line = "dots" if look.plain else REFERENCE
                title, *shorter = wordings((name, 0), (f"  ({line}: limit", 1), (f" {c}/{lam}max", 2), (")", 1))
            else:
                title += f"  (stable below {fmt(float(np.nanmin(bound)))})"
        return Figure(tuple(series), title, look, x_range=run.x_range, shorter=tuple(shorter))


_MISSING = object()


class View:
    """One view of the lower plot (see the module docstring)."""

    name: ClassVar[str]
    title: ClassVar[str]  # its panel's, before anything is drawn
    unavailable: ClassVar[str] = ""
    epoch_axis: ClassVar[bool] = True  # the x axis is the epoch: the cursor shows on it
    point: ClassVar[bool] = False  # the cursor is a dot on the figure's points (the landscape's path)
    as_text: ClassVar[bool] = False  # drawn as text (:meth:`text`), not a plotext figure: the map, the landscape

    def __init__(self) -> None:
        self._done: tuple[tuple, Any] | None = None  # (a Work's key, its result or its ConfigError)

    def available(self, run: Run | None) -> bool:
        """Whether ``run`` (None: nothing simulated yet) has this view; the loss and the range test always."""
        return True

    def work(self, run: Run) -> Work | None:
        """The simulation this view needs for ``run`` before it can draw it (None: none)."""
        return None

    def needs(self, run: Run) -> Work | None:
        """The work still to do for ``run``: its :meth:`work` unless its result is kept already."""
        work = self.work(run)
        return work if work is not None and self._result(work) is _MISSING else None

    def keep(self, work: Work, result: Any) -> None:
        """The result of ``work`` (or the ConfigError it raised), for the figures of its run."""
        self._done = (work.key, result)

    def result(self, run: Run) -> Any:
        """The kept result of this view's work for ``run``; ConfigError as it was raised; None while not done."""
        work = self.work(run)
        result = None if work is None else self._result(work)
        if isinstance(result, ConfigError):
            raise result
        return None if result is _MISSING else result

    def _result(self, work: Work) -> Any:
        return self._done[1] if self._done is not None and self._done[0] == work.key else _MISSING

    def figure(self, run: Run, look: Look, size: tuple[int, int]) -> Figure:
        """What the view shows of ``run``, on a plot of ``size`` (columns, rows) cells."""
        raise NotImplementedError

    def simulating(self, look: Look, percent: int | None = None) -> Figure:
        """The figure while the view's work runs: empty, the title says so."""
        return Figure((), f"{self.title}: simulating ..." + (f" {percent}%" if percent is not None else ""), look)


class LossView(View):
    """The loss of the run and of the pinned runs (smoothed on noisy problems), the held-out loss, and the
    noise floor where the problem knows it. A run over several seeds draws the mean over them, and under
    it the band from their 10th to their 90th percentile (the legend and the title name it)."""

    name = "loss"
    title = "loss"

    def figure(self, run: Run, look: Look, size: tuple[int, int] = (0, 0)) -> Figure:
        trace, prepared, pinned = run.trace, run.prepared, run.pinned
        weight = smoothing_weight(run.smoothing, is_noisy(prepared))
        smooth = lambda y: ema(y, weight)  # noqa: E731 (the pinned runs share the problem: one weight)
        colour = NOW_COLOUR[0] if pinned else "red+"
        series = [Series(run.x, smooth(trace.loss), colour, "now" if run.legend else
                         "train" if trace.heldout_loss is not None else None)]
        series += run.pin_series("loss", look, run.legend, smooth)
        if trace.heldout_loss is not None:
            series.append(Series(run.x, smooth(trace.heldout_loss), REFERENCE, "held-out",
                                 marker="-" if look.plain else None))
        if trace.loss_lo is not None:  # the band over seeds, last: under every line; dotted, the run's colour dimmed
            band = dict(colour=colour.rstrip("+"), marker=BAND_MARKER if look.plain else BAND_DOTS)
            series += [Series(run.x, smooth(trace.loss_lo), label=f"{BAND[0]}-{BAND[1]}%", **band),
                       Series(run.x, smooth(trace.loss_hi), **band)]
        floor = _floor_near_the_runs(prepared.problem.noise_floor(prepared.problem_params, trace.lr), series)
        if floor is not None and np.isfinite(floor).any():  # over the runs, not under them
            series.append(Series(run.x, floor, REFERENCE, "noise floor", marker="." if look.plain else None,
                                 on_top=True))
        # narrow, the title drops the problem and optimizer (the form names them) before the smoothing and the
        # seeds (the mean over them: the legend names the band)
        title, *shorter = wordings(("loss", 0), (f": {trace.config.problem} / {trace.config.optimizer}", 2),
                                   (f" (EMA {weight:g})" if weight else "", 0),
                                   (f", {trace.seeds} seeds" if trace.seeds > 1 else "", 1))
        return Figure(tuple(series), title, look, x_range=run.x_range, shorter=tuple(shorter))


def _floor_near_the_runs(floor: np.ndarray | None, series: list[Series]) -> np.ndarray | None:
    """The noise floor where it is within a decade of the lowest loss drawn: an lr decayed to nothing takes the
    floor to 1e-46 long after the run stopped following it (a stalled exponential decay), which squashed a log
    plot's runs into its top rows. Elsewhere NaN (not drawn)."""
    if floor is None:
        return None
    drawn = np.concatenate([np.asarray(s.y, dtype=float) for s in series]) if series else np.array([])
    drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
    if drawn.size == 0:
        return floor
    return np.where(floor >= drawn.min() / 10, floor, np.nan)


class LandscapeView(View):
    """The loss surface around the path as a shaded field (lrtui.plotting.field_text: log-loss shades, the
    valley blank without colour), the optimizer's path on top, its steps joined, and the cursor's epoch as
    a point on it (``@``). Text, not a plotext figure: the field is sampled once per run and size, and the
    cursor draws it again (``epoch``)."""

    name = "landscape"
    title = "landscape"
    point = True  # (the cursor is the path's point at its epoch)
    epoch_axis = False
    as_text = True
    unavailable = "the landscape view is for 2-D problems (ravine, catapult, river_valley, rosenbrock, beale)"

    def __init__(self) -> None:
        super().__init__()
        self.cells = (40, 20)  # (columns, rows) of cells: RunDisplay sizes them to the panel
        self.epoch = 0  # the cursor's
        self._field: tuple | None = None  # (trace, limits, cells, loss, path cells): the last one sampled

    def available(self, run: Run | None) -> bool:
        trace = run.trace if run is not None else None
        return trace is not None and trace.params is not None and trace.params.shape[1] == 2

    def text(self, run: Run, look: Look) -> Any:
        from lrtui.plotting.field_text import field_text

        trace, prepared = run.trace, run.prepared
        path = trace.params
        limits = path_bounds(path, also=prepared.problem.minimizer)
        columns, rows = self.cells
        rows -= rows % (1 if look.plain else 2)  # (in colour, two rows a line)
        cached = self._field
        if cached is None or cached[0] is not trace or cached[1:3] != (limits, (columns, rows)):
            _, _, loss = loss_grid(prepared.problem, prepared.problem_params, *limits, columns, rows)
            cached = self._field = (trace, limits, (columns, rows), loss, path_cells(path, *limits, columns, rows))
        loss, crossed = cached[3], cached[4]
        epoch = min(max(self.epoch, 0), len(path) - 1)
        row, column = cell_of(path[epoch:epoch + 1], *limits, columns, rows)
        at = (int(row[0]), int(column[0])) if row[0] >= 0 else None
        point = f"t={epoch}"  # (its x and y: in the title)
        seed = f", seed {trace.config.seed}" if trace.seeds > 1 else ""  # the path is one seed's
        title = (f"landscape: {trace.config.problem}, {trace.config.optimizer}{seed} at "
                 f"({path[epoch, 0]:.3g}, {path[epoch, 1]:.3g})")
        return field_text(loss, *limits, crossed, at, look, title, point)


class SharpnessView(View):
    """The edge-of-stability figure: the sharpness lambda_max(t) against c / lr(t), the largest curvature
    the lr tolerates (2/lr for SGD, 2(1+mu)/lr with momentum)."""

    name = "sharpness"
    title = "sharpness"
    unavailable = "the sharpness view needs a problem with known curvature (not the data problems)"

    def available(self, run: Run | None) -> bool:
        return run is not None and bool(np.isfinite(run.trace.sharpness).any())

    def figure(self, run: Run, look: Look, size: tuple[int, int] = (0, 0)) -> Figure:
        trace = run.trace
        with np.errstate(divide="ignore", invalid="ignore"):
            c = trace.stability_bound * trace.sharpness  # the optimizer's constant: bound = c / lambda
            tolerated = np.where(trace.lr > 0, c / trace.lr, np.nan)
        lam = "lambda_max" if look.ascii else "λmax"  # (narrow, the legend names it alone: the title says sharpness)
        title, *shorter = wordings(("sharpness", 0), (f", seed {trace.config.seed}" if trace.seeds > 1 else "", 1))
        return Figure((Series(run.x, trace.sharpness, "red+", f"sharpness {lam}", short_label=lam),
                       Series(run.x, tolerated, REFERENCE, "c/lr", marker="." if look.plain else None)),
                      title, look, x_range=(0.0, float(max(len(run.x) - 1, 1))), shorter=tuple(shorter))


class RangeView(View):
    """The lr range test on this problem and optimizer: loss against lr (log axis), the suggestions and the
    true stable limit as vertical lines; the numbers in the status line. Its work is the test's run, kept
    while the run is the same (a log toggle or a view switch draws it again without running it again)."""

    name = "range"
    title = "range test"
    epoch_axis = False  # its x axis is the lr

    def work(self, run: Run) -> Work:
        config, ramp = run.trace.config, run.range_ramp
        steps = int(ramp.get("steps", 100)) * config.steps_per_epoch
        return Work(self.name, (config, tuple(sorted(ramp.items()))),
                    lambda progress: range_test(config, **ramp, progress=progress), steps,
                    PROBLEMS[config.problem].kind == "analytic")

    def figure(self, run: Run, look: Look, size: tuple[int, int] = (0, 0)) -> Figure:
        result = self.result(run)
        if result is None:
            return self.simulating(look)
        return range_figure(result, look)


def range_figure(result: RangeTest, look: Look) -> Figure:
    """The range test's figure: loss against lr (log axis), the picks and the true stable limit as vertical lines
    (in ASCII none, in monochrome the limit alone); the limit in the title, the picks that mislead on this test
    under the plot (:func:`~lrtui.analysis.range_test.misleading`: ? says what each pick is), the numbers in the
    status line. Each fits 80 columns."""
    marks = [(np.log10(v), "cyan") for v in result.suggestions.values() if v > 0]
    if result.stable_limit:
        marks.append((np.log10(result.stable_limit), REFERENCE))
    line = " (orange line)"
    if look.ascii:
        marks, line = [], ""  # plotext draws them with box-drawing lines; the status line has the numbers
    elif look.mono:  # one colour cannot tell the picks from the limit: draw the limit alone
        marks, line = marks[-1:] if result.stable_limit else [], " (the line)"
    limit = f"stable below {fmt(result.stable_limit)}" if result.stable_limit else "limit unknown"
    title, *shorter = wordings(("range test: ", 1), (limit, 0), (line if result.stable_limit else "", 2))
    picks = ", ".join(f"{_pick_name(k)} {v:.3g}" for k, v in result.suggestions.items())
    return Figure((Series(np.log10(result.lr), result.loss, "red+", decimate=False),), title, look,
                  xlog=True, vlines=tuple(marks), summary=f"{picks}; {limit}", shorter=tuple(shorter),
                  **_range_note(result))


def _pick_name(name: str) -> str:
    return name.replace("minimum", "min")


def _range_note(result: RangeTest) -> dict:
    """The line under the range test's plot: the picks that mislead on this test, and why, in as many words as
    the width has room for (the x label's wordings; "lr" alone where none does)."""
    found = misleading(result)
    if not found:
        return {"xlabel": "lr"}
    names = ", ".join(_pick_name(name) for name in found)
    why = ", ".join(f"{_pick_name(name)} ({reason})" for name, reason in found.items())
    return {"xlabel": f"lr; misleading: {why}; ? says why",
            "shorter_xlabel": (f"lr; misleading: {why}", f"misleading: {why}", f"lr; misleading: {names}; ? says why",
                               f"misleading: {names} (?)", "lr")}


class BranchesView(View):
    """WSD's branches: the stable phase without decay (the trunk) and the decay started from several points
    of it, each a run of its own on the same seeds (the mean over them where the run has several); their end
    losses in the status line. Its work is simulating the trunk and the branches."""

    name = "branches"
    title = "branches"
    unavailable = "the branch view is for wsd: its decay can start from any point of the stable phase"

    def available(self, run: Run | None) -> bool:
        return run is not None and run.prepared.schedule.name == "wsd"

    def work(self, run: Run) -> Work:
        prepared = run.prepared
        found = branches(prepared)  # (a few dataclasses: the ConfigError of a wsd longer than the run, at once)
        epochs = sum(c.epochs for c in (found.trunk, *found.runs))
        steps = epochs * prepared.config.steps_per_epoch * prepared.seeds
        seconds = estimated_seconds(prepared) * epochs / prepared.epochs  # (each branch a part of the run's cost)
        if seconds > WORK_BUDGET:
            raise ConfigError(f"the branches of this run are {len(found.runs) + 1} runs, about {seconds:,.0f} s of "
                              f"work: allowed about {WORK_BUDGET:.0f} s (fewer seeds, epochs or steps_per_epoch)")
        # each seed's end: its mean over the last tenth of the decay and the final loss (end_loss, per seed)
        window = _tail(prepared) + 1
        return Work(self.name, (run.trace.config,),
                    lambda progress: (found, simulate_many([replace(prepare(c), final_window=window)
                                                            for c in (found.trunk, *found.runs)], progress)),
                    steps, PROBLEMS[prepared.config.problem].kind == "analytic")

    def figure(self, run: Run, look: Look, size: tuple[int, int] = (0, 0)) -> Figure:
        done = self.result(run)
        if done is None:
            return self.simulating(look)
        trace = run.trace
        found, runs = done
        trunk, rest = runs[0], runs[1:]
        window = max(1, len(trace.epoch) // 60)  # the loss is noisy: a trailing mean keeps it readable
        pin_look = lambda i: PIN_LOOKS[i % len(PIN_LOOKS)]  # noqa: E731
        series = [Series(t.epoch.astype(np.float64), trailing_mean(t.loss, window), pin_look(i).colour,
                         marker=pin_look(i).marker if look.plain else None)
                  for i, t in enumerate(rest[:-1])]
        series.insert(0, Series(run.x, trailing_mean(trace.loss, window), "red+"))  # the run
        series.append(Series(trunk.epoch.astype(np.float64), trailing_mean(trunk.loss, window), "gray",
                             marker="." if look.plain else None))
        tail = _tail(run.prepared)
        # (the status line has room at 80 columns for five numbers of two digits, without their leading 0, after
        # their starts, and the largest standard error)
        short = lambda v, digits=2: re.sub(r"^(-?)0\.", r"\1.", f"{v:.{digits}g}")  # noqa: E731
        ends = ", ".join(f"{k} {short(_end(t, tail)[0])}" for k, t in zip(found.starts, rest))
        # a noisy loss scatters from seed to seed: both say which seed, or how many the means are over
        which = f"seed {trace.config.seed}" if trunk.seeds == 1 else f"{trunk.seeds} seeds"
        spread = ""
        if trunk.seeds > 1:  # the branches' largest standard error (each seed's own end, across the seeds)
            largest = max(_end(t, tail)[1] for t in rest)
            spread = f" ±{short(largest, 1)}" if np.isfinite(largest) else ""
        none = short(_end(trunk, tail)[0])
        title = f"branches, {which}; gray: no decay"  # (over several seeds each line is their mean)
        return Figure(tuple(series), title, look, x_range=(0.0, float(max(len(trace.epoch) - 1, 1))),
                      summary=f"{which}{spread}, last {tail}: {ends}; none {none}")  # means of the last {tail}


def _tail(prepared: Prepared) -> int:
    """The epochs a branch's end loss is the mean of (and its final loss): the last tenth of the decay."""
    return max(1, int(prepared.schedule.params["num_decay_steps"]) // 10)  # typed (the CLI's spec holds text)


def _end(trace: Trace, tail: int) -> tuple[float, float]:
    """A branch's end loss (:func:`~lrtui.analysis.branches.end_loss`), and over several seeds the standard error
    of that mean across them (their own ends: the engine's final loss per seed over that window); NaN for one."""
    if trace.final_per_seed is None:
        return end_loss(trace.loss, trace.final_loss, tail), float("nan")
    ends = trace.final_per_seed
    return float(ends.mean()), float(ends.std(ddof=1) / np.sqrt(len(ends)))


MIN_MAP_CELLS = (12, 6)
"""The fewest cells (columns, rows) a map shrinks to, to fit the work budget (an MLP's run of 100 epochs over 8
seeds: 42x12 cells would take 73 s)."""


class MapView(View):
    """The outcome of many runs (lrtui.analysis.maps): the run shown, over a grid of its lr (log) and a second
    parameter (momentum where the optimizer has one, else the field last focused in the form, else the
    noise...), each cell a run; the analytic edge of stability and critical damping where they are known. Its
    work is simulating the grid (on the worker, with progress; escape cancels it); the grid does not depend on
    the run's own lr and y, so picking a cell (enter) moves the run on it without simulating the map again.
    A cursor moves over the cells (``move``); the status line gives its cell (``status``); ``@`` marks the run
    shown, ``+`` the cursor. It is text, not a plotext figure: :meth:`text` draws it."""

    name = "map"
    title = "map"
    epoch_axis = False
    as_text = True
    unavailable = "a map needs a second numeric parameter beside the lr"

    def __init__(self) -> None:
        from lrtui.analysis.maps import Axes

        super().__init__()
        self.cells = (40, 12)  # (columns, rows) of cells: RunDisplay sizes them to the panel
        self.focused: str | None = None  # the form's field last focused: the y axis where momentum is not
        self.cursor: tuple[int, int] | None = None  # (row, column) on the map shown
        self.partial: Any = None  # the map being simulated, so far (set by the worker)
        self._work: tuple | None = None  # (trace, (cells, axes, focused), its Work or ConfigError): the last asked
        self.axes = Axes()  # the y axis and the ranges chosen (a): the defaults where not

    def available(self, run: Run | None) -> bool:
        if run is None:
            return False
        from lrtui.analysis.maps import map_fields

        return bool(map_fields(run.prepared))

    def work(self, run: Run) -> Work:
        """The map's runs: its y the one chosen (``a``) where the run has it, else :func:`default_y`'s; its ranges
        the ones chosen, else the defaults; as many cells as the panel has room for, or fewer where those
        would take more than the work budget (down to MIN_MAP_CELLS: beyond, a ConfigError says why). Kept for
        the same run, cells, axes and focused field: the UI thread asks for it at every redraw, and pricing a
        long run's map at each size took seconds."""
        asked = (self.cells, self.axes, self.focused)
        if self._work is not None and self._work[0] is run.trace and self._work[1] == asked:
            if isinstance(self._work[2], ConfigError):
                raise self._work[2]
            return self._work[2]
        try:
            made: Any = self._make_work(run)
        except ConfigError as err:
            made = err
        self._work = (run.trace, asked, made)
        if isinstance(made, ConfigError):
            raise made
        return made

    def _make_work(self, run: Run) -> Work:
        from lrtui.analysis.maps import LR, compute_map, default_range, fitted, row_plans, with_map_values

        prepared = run.prepared
        y_field = self.y_field(prepared)
        x_range = self.axes.x_range or default_range(prepared, LR)[:2]
        low, high, log = default_range(prepared, y_field)
        if self.axes.y == y_field and self.axes.y_range is not None:
            low, high = self.axes.y_range
        (columns, rows), x, y, seconds = fitted(prepared, y_field, x_range, (low, high, log), self.cells,
                                                MIN_MAP_CELLS, WORK_BUDGET)
        if seconds > WORK_BUDGET:
            raise ConfigError(f"a map of {columns}x{len(y.values)} cells of this run is about {seconds:,.0f} s of "
                              f"work: allowed about {WORK_BUDGET:.0f} s (fewer epochs, seeds or steps_per_epoch)")
        plans = row_plans(prepared, y)
        grid = with_map_values(run.trace.config, {LR: None, y_field: None})  # (the same map whatever they are)
        steps = len(x.values) * sum(p.run.epochs * p.run.steps_per_epoch * p.run.seeds for p in plans if p.run)

        def compute(progress: Progress | None) -> Any:
            self.partial = None
            return compute_map(prepared, x, y, progress, partial=self._refining)

        return Work(self.name, (grid, y_field, self.cells, (columns, rows), x_range, (low, high)), compute, steps,
                    PROBLEMS[prepared.config.problem].kind == "analytic")

    def y_field(self, prepared: Prepared) -> str:
        """The map's y axis for ``prepared``: the one chosen where the run has it, else the default."""
        from lrtui.analysis.maps import default_y, map_fields

        return self.axes.y if self.axes.y in map_fields(prepared) else default_y(prepared, self.focused)

    def _refining(self, found: Any) -> None:
        """The map so far, from the worker (a long map comes coarse first): drawn with the progress."""
        self.partial = found

    def keep(self, work: Work, result: Any) -> None:
        """A new map: its cursor starts again from the run's cell."""
        super().keep(work, result)
        self.cursor, self.partial = None, None

    def _found(self, run: Run) -> Any:
        """The map of ``run``, None while it is not done or when it cannot be made (too much work: the
        panel says why; the status line, the cursor and enter then do nothing)."""
        try:
            return self.result(run)
        except ConfigError:
            return None

    def here(self, run: Run) -> tuple[int, int] | None:
        """The cell of the run shown, (row, column), where the map holds its lr and y."""
        found = self._found(run)
        if found is None:
            return None
        from lrtui.analysis.maps import LR, value_of

        column = _nearest(found.x.values, value_of(run.prepared, LR), found.x.log)
        row = _nearest(found.y.values, value_of(run.prepared, found.y.field), found.y.log)
        return row, column

    def move(self, run: Run, columns: int, rows: int) -> None:
        """The cursor ``columns`` right and ``rows`` up, within the map (from the run's cell the first time)."""
        found = self._found(run)
        if found is None:
            return
        row, column = self.cursor or self.here(run) or (0, 0)
        self.cursor = (min(max(row + rows, 0), len(found.y.values) - 1),
                       min(max(column + columns, 0), len(found.x.values) - 1))

    def picked(self, run: Run) -> dict[str, float | int] | None:
        """The values of the cursor's cell, by field (what enter sets on the run)."""
        from lrtui.analysis.maps import map_params

        found = self._found(run)
        if found is None or self.cursor is None:
            return None
        row, column = self.cursor
        y = float(found.y.values[row])
        integer = map_params(found.base)[found.y.field].kind == "int"
        return {found.x.field: float(found.x.values[column]), found.y.field: int(round(y)) if integer else y}

    def status(self, run: Run, ascii: bool) -> str:
        """The cursor's cell in words (or where the run shown is), and the keys."""
        found = self._found(run)
        if found is None:
            return ""
        row, column = self.cursor or self.here(run) or (0, 0)
        final = found.final[row, column]
        result = found.class_of(found.kind[row, column]) + ("" if np.isnan(final) else f", loss {final:.2g}")
        return (f"lr={found.x.values[column]:.3g} {found.y.field.split('.')[-1]}={found.y.values[row]:.3g}: "
                f"{result}  (enter runs it, m closes)")

    def text(self, run: Run, look: Look) -> Any:
        """The map drawn: in colour its cells shaded, else its glyphs (rich Text either way)."""
        from rich.text import Text

        try:
            found = self.result(run)
        except ConfigError as err:
            return Text(f"{self.title}: {err}")
        if found is None:
            return Text(f"{self.title}: simulating ...")
        marks = {}
        here = self.here(run)
        if here is not None:
            marks[here] = "@"
        if self.cursor is not None:
            marks[self.cursor] = "+"
        fewer = len(found.x.values) < self.cells[0]  # (shrunk to the work budget)
        return _map_drawn(found, look, marks, self._width(), f", {len(found.x.values)}x{len(found.y.values)} cells"
                          if fewer else "")

    def _width(self) -> int:
        """The panel's columns, from the cells asked for it (RunDisplay.text_cells: 8 columns beside them)."""
        return self.cells[0] + 8

    def simulating_text(self, look: Look, percent: int) -> Any:
        """The panel while the map simulates: the map so far where it comes coarse first, else the progress."""
        from rich.text import Text

        if self.partial is None:
            return Text(f"{self.title}: simulating ... {percent}%")
        return _map_drawn(self.partial, look, {}, self._width(), f", coarse: {percent}%", " (escape stops)")


def _map_drawn(found: Any, look: Look, marks: dict, width: int, refining: str = "", more: str = "") -> Any:
    """A map as rich Text: in colour its cells shaded, else its glyphs; ``refining`` ends its title (a map still
    being simulated, or one of fewer cells than its panel has room for), and ``more`` after it where the title
    fits in ``width`` with it (:func:`_map_title`)."""
    from rich.text import Text

    from lrtui.plotting.map_text import map_lines, map_text

    title = _map_title(found, look, width, refining, more)
    if look.plain:
        return Text("\n".join(map_lines(found, ascii=look.ascii, marks=marks, title=title, compact=True)))
    return map_text(found, marks, title)


def _map_title(found: Any, look: Look, width: int, refining: str, more: str) -> str:
    """The map's title in the panel's ``width``: the longest of these that fits (a wrapped title left a word
    alone on a line at 80x24): what it shows and in what (final loss, or outcome without colour), then the
    cells or the progress (``refining``) and ``more``; without what it is shown in; without ``more``; then
    without "map:" and "(log)"."""
    from lrtui.analysis.maps import short_name

    y = short_name(found.y.field, found.base)
    shown = "outcome" if look.plain else "final loss"
    titles = wordings(("map: ", 1), (f"{y} over lr", 0), (" (log)", 1), (f", {shown}", 3), (refining, 0), (more, 2))
    return next((t for t in titles if len(t) <= width), titles[-1])


def _nearest(values: np.ndarray, value: float, log: bool) -> int:
    scaled = np.log10(values) if log else values
    target = np.log10(value) if log and value > 0 else value
    return int(np.argmin(np.abs(scaled - target)))


VIEWS: tuple[type[View], ...] = (LossView, LandscapeView, RangeView, SharpnessView, BranchesView, MapView)
"""The lower plot's views, in the order their panels are made."""


def lower_views() -> dict[str, View]:
    """A fresh view of each kind, by name."""
    return {cls.name: cls() for cls in VIEWS}
