"""A map of many runs: the run's outcome over a grid of two parameters, x the lr (log scale) and y another
(momentum by default where the optimizer has one), each cell a run like the one shown but for those two
values. Distill's "Why Momentum Really Works" colours the (lr, momentum) plane this way and draws the
boundary of stability on it; Kalra and Barkeshli (2024) map warmup length against the target lr.

Each cell gives its final loss (the mean over the last tenth of the run, over its seeds where it has
several; NaN where it diverged) and its class: ``converges``, ``oscillates`` (the loss bounces without
settling: the verdict's oscillating) or ``diverges``. Where the problem and optimizer know it, the analytic
boundary of stability is the lr ``c(y) / lambda_max`` (c = 2 for SGD, 2(1 + momentum) for heavy ball), and
with momentum on the y axis, critical damping ``momentum = (1 - sqrt(lr lambda_max))^2`` (Distill; Goh 2017).

Rows are simulated one at a time (a row's runs are vectorized: they share their optimizer's parameters when
y is one of them), keeping only each cell's summary: a map's memory is one row's traces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from lrtui.analysis.verdict import judge
from lrtui.lab.spec import field_names, with_values
from lrtui.params import ConfigError, Param
from lrtui.printable import cut
from lrtui.sim.config import Prepared, RunConfig, prepare
from lrtui.sim.engine import simulate_many

CLASSES = ("converges", "oscillates", "diverges")
"""A cell's class, by its index in the map's ``kind`` array."""
NOT_RUN = -1
"""The ``kind`` of a cell whose run cannot be made (a value its parameter does not allow there)."""
LR = "schedule.lr"
MAX_CELLS = 120 * 60
"""The most cells a map has (a 120x40 terminal's half-block cells)."""
FINAL_SHARE = 0.1
"""The final loss is the mean over this share of the run's last epochs."""
MAP_SEED_EPOCHS = 2**20
"""The most seed-epochs of a map simulated at once: a row of long runs goes a few cells at a time. A run's
record costs about 125 bytes an epoch while it runs (a row of 60 cells of 100,000 epochs held 750 MB at
once; a session has 256 MiB, lrtui.serve.settings.SESSION_MIB), and a few cells at once still fill numpy's
arrays where runs are that long."""
CELL_SECONDS = 3e-4
"""A cell's own cost beside its simulation: its run prepared and judged (a 60x20 momentum map of 300-epoch
runs, 0.45 s, simulates in 0.09 s)."""
COARSE_SECONDS = 1.0
"""A map estimated to take longer is computed coarse first: every few rows and columns, about this long, shown
as blocks, then refined (an MLP's 20x8 map takes about 17 s, a cell about 0.1 s: its first picture in about a
second, not at the end)."""


@dataclass(frozen=True)
class Axis:
    """One axis of a map: the field it varies (``schedule.lr``, ``optimizer.momentum``, ``problem.noise``),
    the values of its cells in order, and whether they are spaced on a log scale."""

    field: str
    values: np.ndarray
    log: bool

    def edges(self) -> np.ndarray:
        """The cells' edges: halfway between their values (on the axis' scale), the ends as far out."""
        v = np.log10(self.values) if self.log else self.values.astype(float)
        if len(v) == 1:
            mids = np.array([v[0] - 0.5, v[0] + 0.5])
        else:
            inner = (v[1:] + v[:-1]) / 2
            mids = np.concatenate([[v[0] - (inner[0] - v[0])], inner, [v[-1] + (v[-1] - inner[-1])]])
        return 10 ** mids if self.log else mids


@dataclass(frozen=True)
class Map:
    """The outcome of the runs of ``base`` over ``x`` (columns) and ``y`` (rows): ``final[row, column]``
    and ``kind[row, column]`` (an index into :data:`CLASSES`); ``lambda_max[row]`` the problem's curvature at
    the start where it is known, NaN elsewhere (the boundaries follow from it)."""

    base: Prepared
    x: Axis
    y: Axis
    final: np.ndarray
    kind: np.ndarray
    lambda_max: np.ndarray
    classes: tuple[str, ...] = CLASSES
    simulated: np.ndarray | None = None  # while a map is refined: the cells run so far (the others show their
    # nearest coarse cell's); None: all of them

    @property
    def refined(self) -> float:
        """The share of the cells simulated (1 for a whole map)."""
        return 1.0 if self.simulated is None else float(self.simulated.mean())

    def class_of(self, kind: int) -> str:
        return "not run" if kind == NOT_RUN else self.classes[kind]

    def edge_lr(self, row: int) -> float | None:
        """The largest stable lr of the cells of ``row``, c(y) / lambda_max, where it is known: the row's
        curvature (its first run's, at the start) and the optimizer's c known, and y not a parameter of the
        schedule (it moves the lr's path: warmup's gift is a larger stable lr, which the map finds, not a
        formula)."""
        curvature = self.lambda_max[row]
        if not curvature > 0 or self.y.field.startswith("schedule."):
            return None
        params = dict(self.base.optimizer_params)
        if self.y.field.startswith("optimizer."):
            params[self.y.field.split(".", 1)[1]] = float(self.y.values[row])
        factor = self.base.optimizer.stability_factor(params)
        return None if factor is None else factor / curvature

    def critical_momentum(self, lr: float) -> float | None:
        """Heavy ball's critical damping at ``lr``: (1 - sqrt(lr lambda_max))^2, where lr lambda_max <= 1 and
        momentum is the y axis (the curvature then the same in every row)."""
        if self.y.field != "optimizer.momentum" or self.base.optimizer.name != "momentum":
            return None
        product = lr * float(np.nanmax(self.lambda_max)) if np.isfinite(self.lambda_max).any() else math.nan
        return (1 - math.sqrt(product)) ** 2 if 0 < product <= 1 else None


def lr_field(schedule: str) -> str:
    """The field the map's x axis (``schedule.lr``) sets on the schedule ``schedule``: its lr, or where it has
    none its peak (onecycle's and cyclic's ``max_lr``)."""
    from lrtui.schedules import registry

    names = {p.name for p in registry.get(schedule).all_params}
    return LR if "lr" in names or "max_lr" not in names else "schedule.max_lr"


def with_map_values(config: RunConfig, values: dict[str, Any]) -> RunConfig:
    """``config`` with a map's values set (lrtui.lab.spec.with_values), its lr on the schedule's own lr field
    (:func:`lr_field`)."""
    field = lr_field(config.schedule["name"])
    return with_values(config, {(field if name == LR else name): value for name, value in values.items()})


def map_params(prepared: Prepared) -> dict[str, Param]:
    """The run's parameters by the names a lab and a map use (the schedule's, problem's, optimizer's, some
    of the run's), each with its declaration."""
    from lrtui.schedules import registry
    from lrtui.sim.config import RUN_PARAMS

    out = {f"schedule.{p.name}": p for p in registry.get(prepared.config.schedule["name"]).all_params}
    out |= {f"problem.{p.name}": p for p in prepared.problem.params}
    out |= {f"optimizer.{p.name}": p for p in prepared.optimizer.params}
    out |= {p.name: p for p in RUN_PARAMS if p.name in ("epochs", "steps_per_epoch", "batch_size")}
    peak = lr_field(prepared.config.schedule["name"])
    if peak != LR:  # (the x axis is its peak lr, by the lr's name)
        out[LR] = out.pop(peak)
    return {name: p for name, p in out.items() if name in field_names(prepared) or name == LR}


def map_fields(prepared: Prepared) -> list[str]:
    """The fields a map's y axis may vary: the run's numeric parameters but the lr."""
    return [name for name, p in map_params(prepared).items() if name != LR and p.kind in ("float", "int")]


@dataclass(frozen=True)
class RowPlan:
    """A row of a map: its run at its y value (None where that value is refused: the row is not run)."""

    run: Prepared | None

    def seconds(self, cells: int) -> float:
        """About how long ``cells`` of the row take, run together in batches of at most :data:`MAP_SEED_EPOCHS`
        seed-epochs, each priced as the row's run over the batch's cells times its seeds (lrtui.sim.config's
        estimate; the x axis, the lr, costs nothing), and each cell :data:`CELL_SECONDS`."""
        from lrtui.sim.config import estimated_seconds

        if self.run is None:
            return 0.0
        return CELL_SECONDS * cells + sum(estimated_seconds(replace(self.run, seeds=self.run.seeds * len(batch)))
                                          for batch in self.batches(list(range(cells))))

    def batches(self, columns: list[int]) -> list[list[int]]:
        """``columns`` cut into the batches run together."""
        from lrtui.sim.engine import batches

        size = self.run.epochs * self.run.seeds if self.run is not None else 1
        return batches(columns, [size] * len(columns), MAP_SEED_EPOCHS)


def row_plans(prepared: Prepared, y: Axis) -> list[RowPlan]:
    """Each row's run at its own y value: a row of more epochs, steps, samples or hidden units costs more, and
    a row with noise runs its seeds where a row without runs one."""
    plans = []
    for value in y.values:
        try:
            plans.append(RowPlan(prepare(with_map_values(prepared.config, {y.field: _typed(value, y)}))))
        except ConfigError:
            plans.append(RowPlan(None))
    return plans


def passes(plans: list[RowPlan], columns: int) -> list[tuple[int, list[int]]]:
    """The order a map's cells are run in, as (row, columns) pieces: where the whole map is estimated past
    :data:`COARSE_SECONDS`, first every ``stride``-th row and column (about that long), then each row's other
    cells; else each row whole."""
    rows = len(plans)
    whole = sum(plan.seconds(columns) for plan in plans)
    stride = min(max(1, math.ceil(math.sqrt(whole / COARSE_SECONDS))), max(1, min(columns, rows) // 2))
    if stride == 1:
        return [(row, list(range(columns))) for row in range(rows)]
    coarse_rows, coarse_columns = _coarse(rows, stride), _coarse(columns, stride)
    first = [(row, coarse_columns) for row in coarse_rows]
    rest = [(row, [c for c in range(columns) if row not in coarse_rows or c not in coarse_columns])
            for row in range(rows)]
    return first + [(row, cells) for row, cells in rest if cells]


def _coarse(count: int, stride: int) -> list[int]:
    """Every ``stride``-th index of ``count``, centred in its block (the last block's cut short)."""
    return [min(start + stride // 2, count - 1) for start in range(0, count, stride)]


def map_seconds(prepared: Prepared, x: Axis, y: Axis) -> float:
    """About how long a map takes: its pieces' (:func:`passes`), each priced at its row's y."""
    plans = row_plans(prepared, y)
    return sum(plans[row].seconds(len(cells)) for row, cells in passes(plans, len(x.values)))


def fitted(prepared: Prepared, y_field: str, x_range: tuple[float, float], y_range: tuple[float, float, bool],
           cells: tuple[int, int], least: tuple[int, int], budget: float) -> tuple[tuple[int, int], Axis, Axis, float]:
    """A map's cells (columns, rows), its axes and their estimate (:func:`map_seconds`): ``cells`` where they take
    at most ``budget`` seconds, else fewer, both counts shrunk together (each time by the square root of the
    excess, between a tenth and a half) down to ``least`` (the estimate then may still be past the budget)."""
    integer = map_params(prepared)[y_field].kind == "int"
    columns, rows = cells
    while True:
        x = axis(LR, *x_range, True, columns)
        y = axis(y_field, *y_range, rows, integer=integer)
        seconds = map_seconds(prepared, x, y)
        if seconds <= budget or (columns, rows) == least:
            return (columns, rows), x, y, seconds
        shrink = max(0.5, min(0.9, math.sqrt(budget / seconds)))
        columns, rows = (max(low, int(n * shrink)) for n, low in zip((columns, rows), least))


def default_y(prepared: Prepared, focused: str | None = None) -> str:
    """Momentum where the optimizer has one; else the field focused (a numeric one, not the lr); else the
    problem's noise or curvature, the weight decay, or the first numeric parameter there is."""
    fields = map_fields(prepared)
    if "optimizer.momentum" in fields:
        return "optimizer.momentum"
    if focused in fields:
        return focused
    for field in ("problem.noise", "problem.L", "optimizer.weight_decay"):  # what a lesson varies
        if field in fields:
            return field
    if not fields:
        raise ConfigError(f"a map needs a second numeric parameter: {prepared.config.schedule['name']} on "
                          f"{prepared.problem.name} with {prepared.optimizer.name} has none")
    return fields[0]


def value_of(prepared: Prepared, field: str) -> float:
    """A field's value in the run (defaults filled in), by the name a lab and a map use."""
    if field == LR:
        field = lr_field(prepared.config.schedule["name"])
    group, _, name = field.partition(".")
    if group == "schedule":
        return prepared.schedule.params[name]
    if group == "problem":
        return prepared.problem_params[name]
    if group == "optimizer":
        return prepared.optimizer_params[name]
    return getattr(prepared, field)


def default_range(prepared: Prepared, field: str) -> tuple[float, float, bool]:
    """A field's range on a map (low, high, log): the lr from a thousandth to three times the stable one where it
    is known, else a hundredth to ten times its value; momentum 0 to 0.99; a log parameter two decades around
    its value; a count from its least to the longer of four times its value and the run; another from its least
    to four times its value (or its least + 1), within its declared bounds (an open bound, such as schedule-free
    SGD's momentum above 0, is not a row's value: the range starts a hundredth of the way in)."""
    param = map_params(prepared)[field]
    value = value_of(prepared, field)
    if field == "optimizer.momentum":
        return (0.01 if param.low_open else 0.0), 0.99, False
    edge = _stable_edge(prepared)
    if field == LR and edge is not None:
        return edge / 1000, edge * 3, True
    if field == LR or param.log:
        centre = float(value) if value else 1.0
        return centre / 100, centre * 10, True
    low = float(param.low) if param.low is not None else 0.0
    declared = float(param.high) if param.high is not None else math.inf
    if param.kind == "int":  # a count: warmup steps, hidden units, epochs
        return low + param.low_open, min(declared, max(4.0 * float(value or 0), float(prepared.epochs))), False
    high = min(declared, max(4.0 * abs(float(value or 0)), low + 1.0))
    return (low + (high - low) / 100 if param.low_open else low), high, False


def checked_range(prepared: Prepared, field: str, low: float, high: float, as_typed: str,
                  form: str = "LOW..HIGH") -> tuple[float, float]:
    """A map axis' range as asked (``as_typed`` names it in the error, ``form`` its syntax), within what its
    parameter allows:
    finite, low below high, the lr above 0 (its axis is log), both ends within the parameter's declared
    bounds (a range outside them would be all blank). :class:`ConfigError` in one line otherwise."""
    param = map_params(prepared)[field]
    lowest = 0.0 if field == LR else param.low
    above = field == LR or param.low_open
    below = param.high_open and field != LR
    bounds = (f"{'above' if above else 'from'} {lowest:g}" if lowest is not None else "") + (
        f"{' and ' if lowest is not None else ''}{'below' if below else 'up to'} {param.high:g}"
        if param.high is not None else "")
    allowed = f"{form} with LOW below HIGH{', ' + bounds if bounds else ''}"
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ConfigError(f"{as_typed} is not allowed: {allowed}")
    if (lowest is not None and (low <= lowest if above else low < lowest)) or (
            param.high is not None and (high >= param.high if below else high > param.high)):
        raise ConfigError(f"{as_typed} is not allowed: {allowed}")
    return low, high


@dataclass(frozen=True)
class Axes:
    """A map's axes as the user chose them: the y field, and each range (None: the default)."""

    y: str | None = None
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None

    def text(self, prepared: Prepared) -> str:
        """The axes as :func:`parse_axes` reads them, defaults filled in (what the app's prompt starts from)."""
        y = self.y if self.y in map_fields(prepared) else default_y(prepared)
        x_range = self.x_range or default_range(prepared, LR)[:2]
        y_range = (self.y_range if self.y == y else None) or default_range(prepared, y)[:2]
        return f"y={short_name(y, prepared)}  lr={x_range[0]:.3g}..{x_range[1]:.3g}  " \
               f"{short_name(y, prepared)}={y_range[0]:.3g}..{y_range[1]:.3g}"


def short_name(field: str, prepared: Prepared) -> str:
    """A field's name without its group where no other field of the run has it (momentum, noise, warmup)."""
    name = field.split(".")[-1]
    others = [f for f in map_params(prepared) if f.split(".")[-1] == name]
    return name if len(others) == 1 else field


LIKELY = ("optimizer.momentum", "problem.noise", "problem.L", "optimizer.weight_decay", "schedule.warmup")
"""The y fields a lesson varies most, named first where a message lists the fields allowed."""
ALLOWED_CHARS = 130
"""The most characters of field names a message lists (its one line is cut at lrtui.printable.MAX_MESSAGE)."""


def field_names_map(prepared: Prepared) -> dict[str, str]:
    """The names a map's field goes by, to its field: its short name (:func:`short_name`) where no other field of
    the run shares it, its group.name always; the lr as ``lr`` and ``schedule.lr``."""
    fields = map_fields(prepared)
    names = {f: f for f in fields} | {f.split(".")[-1]: f for f in fields if short_name(f, prepared) != f}
    return names | {"lr": LR, LR: LR}


def allowed_fields(prepared: Prepared, where: str = "", room: int = ALLOWED_CHARS) -> str:
    """The y fields allowed, by their short names, the likeliest first (momentum, noise, L, weight decay,
    warmup; then the optimizer's, the problem's, the schedule's, the run's), as many as fit in
    ``room`` characters, then how many more there are (and ``where`` they are listed)."""
    groups = ("optimizer", "problem", "schedule")
    fields = sorted(map_fields(prepared), key=lambda f: (
        LIKELY.index(f) if f in LIKELY else len(LIKELY) + (groups.index(f.split(".")[0]) if "." in f else 3)))
    names = [short_name(f, prepared) for f in fields]
    shown: list[str] = []
    for name in names:
        if len(", ".join([*shown, name])) > room:
            break
        shown.append(name)
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more{where}" if more else "")


def parse_axes(text: str, prepared: Prepared) -> Axes:
    """A map's axes from words such as ``y=momentum lr=0.001..3 momentum=0..0.9`` (any of them, in any order;
    a field by its name or, where another field shares it, group.name): the y field, and the lr's range
    and the y's range as LOW..HIGH. :class:`ConfigError` in one line on anything else."""
    names, allowed = field_names_map(prepared), allowed_fields(prepared)
    y, ranges = None, {}
    for word in text.replace(",", " ").split():
        key, equals, value = word.partition("=")
        if not equals:
            raise ConfigError(f"map axes: {cut(word)} is not allowed: y=FIELD or FIELD=LOW..HIGH (fields: lr, "
                              f"{allowed})")
        if key == "y":
            if names.get(value, LR) == LR:
                raise ConfigError(f"map axes: y={cut(value)} is not allowed: one of {allowed}")
            y = names[value]
            continue
        if key not in names:
            raise ConfigError(f"map axes: {cut(key)} is not a numeric parameter of this run: allowed lr, {allowed}")
        low, dots, high = value.partition("..")
        try:
            pair = (float(low), float(high)) if dots else None
        except ValueError:
            pair = None
        if pair is None:
            raise ConfigError(f"map axes: {cut(word)} is not allowed: {key}=LOW..HIGH, two numbers")
        ranges[names[key]] = checked_range(prepared, names[key], *pair, f"map axes: {cut(word)}")
    y = y or next((f for f in ranges if f != LR), None)
    strays = [f for f in ranges if f not in (LR, y)]
    if strays:
        raise ConfigError(f"map axes: {short_name(strays[0], prepared)}= is not allowed: a range for lr or the y axis "
                          f"({short_name(y, prepared) if y else 'y=FIELD'})")
    return Axes(y, ranges.get(LR), ranges.get(y) if y else None)


def _stable_edge(prepared: Prepared) -> float | None:
    """The largest stable lr of the run, where the problem's curvature and the optimizer's c are known (with
    momentum, at momentum 0.99: the map's y axis may reach it); for schedule-free SGD, which has no single c,
    the lr its run settles to at its own beta, 2 / ((1 - beta) lambda_max) (a lower beta's rows diverge
    within the map, a higher one's converge across it). One epoch simulated for the curvature."""
    from lrtui.sim.engine import simulate

    optimizer, params = prepared.optimizer, dict(prepared.optimizer_params)
    if optimizer.settled is not None:
        factor = optimizer.settled(params)
    else:
        if "momentum" in params:
            params["momentum"] = max(float(params["momentum"]), 0.99)
        factor = optimizer.stability_factor(params)
    if factor is None:
        return None
    trace = simulate(replace(prepared, epochs=1, seeds=1))
    curvature = float(trace.sharpness[0]) if len(trace.sharpness) else math.nan
    return factor / curvature if curvature > 0 else None


def axis(field: str, low: float, high: float, log: bool, cells: int, integer: bool = False) -> Axis:
    """``cells`` values from ``low`` to ``high`` (integers rounded, repeats removed)."""
    values = np.geomspace(low, high, cells) if log else np.linspace(low, high, cells)
    if integer:
        values = np.unique(np.round(values))
    return Axis(field, values, log)


def cell_configs(base: RunConfig, x: Axis, y: Axis) -> list[RunConfig]:
    """The runs of a map, row by row (y), each row's cells in x's order."""
    return [with_map_values(base, {x.field: _typed(xv, x), y.field: _typed(yv, y)})
            for yv in y.values for xv in x.values]


def _typed(value: float, ax: Axis) -> float | int:
    return int(value) if float(value).is_integer() and not ax.log and ax.field != "optimizer.momentum" else float(value)


def _summary(trace, prepared: Prepared) -> tuple[float, int]:
    """A cell's final loss (NaN where it blew up) and class: diverges where it blew up, or grows and ends above
    where it began; oscillates where the verdict says so, or where it grows at its end but stays below its
    start (heavy ball with momentum near 1 swings for long: a bounded swing is not a divergence)."""
    if trace.diverged_at is not None:
        return math.nan, 2
    tail = trace.loss[-max(1, int(len(trace.loss) * FINAL_SHARE)):]
    final = float(np.nanmean(tail)) if np.isfinite(tail).any() else math.nan
    verdict = judge(trace, prepared).kind
    if verdict == "oscillating":
        return final, 1
    if verdict in ("diverging", "diverged"):
        return final, 2 if not final < float(trace.loss[0]) else 1
    return final, 0


def compute_map(prepared: Prepared, x: Axis, y: Axis, progress: Callable[[int, int], None] | None = None,
                partial: Callable[[Map], None] | None = None) -> Map:
    """Simulate every cell, a piece of a row at a time (:func:`passes`: coarse first where the map is long,
    each piece's runs together in batches) and keep each one's summary. A cell whose run cannot be made (a
    value its parameter refuses) is NaN and :data:`NOT_RUN`. ``progress`` hears of the work done so far out
    of ``len(y.values)`` times the run's epochs (each piece counting as its share of the estimated time);
    ``partial``, where the map is refined, of the map so far after each piece (cells not run yet showing the
    nearest cell run, :attr:`Map.simulated` saying which)."""
    if len(x.values) * len(y.values) > MAX_CELLS:
        raise ConfigError(f"a map of {len(x.values)} x {len(y.values)} cells is too large: allowed at most "
                          f"{MAX_CELLS:,} cells")
    final = np.full((len(y.values), len(x.values)), np.nan)
    kind = np.full(final.shape, NOT_RUN, dtype=np.int8)
    simulated = np.zeros(final.shape, dtype=bool)
    configs = cell_configs(prepared.config, x, y)
    lambda_max = np.full(len(y.values), np.nan)
    plans = row_plans(prepared, y)
    pieces = passes(plans, len(x.values))
    costs = [plans[row].seconds(len(cells)) for row, cells in pieces]
    whole, done, total_seconds = len(y.values) * prepared.epochs, 0.0, sum(costs) or 1.0
    for (row, cells), cost in zip(pieces, costs):
        batched = plans[row].batches(cells) if plans[row].run is not None else []
        for number, batch in enumerate(batched):
            made = []
            for column in batch:
                try:
                    made.append((column, prepare(configs[row * len(x.values) + column])))
                except ConfigError:
                    continue
            within = None if progress is None else _within(progress, whole, total_seconds, done,
                                                           cost * number / len(batched), cost / len(batched))
            for (column, cell), trace in zip(made, simulate_many([p for _, p in made], within)):
                final[row, column], kind[row, column] = _summary(trace, cell)
                if np.isnan(lambda_max[row]) and len(trace.sharpness) and np.isfinite(trace.sharpness[0]):
                    lambda_max[row] = float(trace.sharpness[0])
        simulated[row, cells] = True
        done += cost
        if progress is not None:
            progress(whole if simulated.all() else round(whole * done / total_seconds), whole)
        if partial is not None and len(pieces) > len(y.values) and not simulated.all():
            partial(_filled(Map(prepared, x, y, final.copy(), kind.copy(), lambda_max.copy()), simulated.copy()))
    return Map(prepared, x, y, final, kind, lambda_max)


def _within(progress: Callable[[int, int], None], whole: int, total_seconds: float, done: float, start: float,
            share: float) -> Callable[[int, int], None]:
    """The progress of a batch's runs (their epochs) as the map's: ``done`` seconds of work before its piece,
    ``start`` into the piece, the batch worth ``share`` of ``total_seconds``; a report at each of the batch's
    epochs, so escape stops a map within a batch; never backwards (the batch's runs may go as several groups,
    each counting its epochs from 0)."""
    furthest = [0]

    def report(epochs: int, of: int) -> None:
        furthest[0] = max(furthest[0], round(whole * (done + start + share * epochs / max(of, 1)) / total_seconds))
        progress(min(whole, furthest[0]), whole)
    return report


def _filled(found: Map, simulated: np.ndarray) -> Map:
    """A map being refined: each cell not simulated yet shows the nearest one simulated (in its row first,
    else the nearest row that has one), so the coarse picture reads as blocks; a row not simulated has no
    curvature yet, so no edge (a neighbour's would put it in the wrong place where y moves the curvature)."""
    final, kind = found.final, found.kind
    rows_run = np.flatnonzero(simulated.any(axis=1))
    for row in range(final.shape[0]):
        source = row if simulated[row].any() else int(rows_run[np.argmin(np.abs(rows_run - row))])
        columns_run = np.flatnonzero(simulated[source])
        for column in np.flatnonzero(~simulated[row]):
            nearest = int(columns_run[np.argmin(np.abs(columns_run - column))])
            final[row, column], kind[row, column] = final[source, nearest], kind[source, nearest]
    return replace(found, simulated=simulated)
