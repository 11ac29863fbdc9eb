"""The plot widget's own work: reading what plotext drew straight from its matrix, and not rebuilding a
plot whose data and settings did not change."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App
from plotext._dict import colors as plotext_colours

from lrtui.plotting.plotext_private import build_matrix, set_size
from textual_plotext.plot import Plot

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.widgets.plots import CurvePlot, matrix_lines, nice_ticks, shorten, tick_labels
from lrtui.plotting.series import Look, Series, same_series
from lrtui.ui.screenshot import settle
from tests.conftest import status, row, started

CONSOLE = Console(color_system="truecolor", force_terminal=True, width=200)


PIN_TWO = ("escape", "p", "tab", "tab", "+", "escape", "p", "tab", "tab", "+", "escape")
"""Pin, raise lr, pin again, raise T_max: now, #1 and #2 (escape: to the commands, tab: back to the form)."""


def cosine_on_quadratic(**problem_params) -> RunConfig:
    return RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="quadratic",
                     problem_params=problem_params, epochs=100)


def cells(segments) -> list[tuple[str, object]]:
    return [(char, seg.style or Style()) for seg in segments for char in seg.text]


def plotext_own_lines(plt: Plot) -> list[list[tuple[str, object]]]:
    """plotext's own canvas string (the escape codes it writes), parsed by Rich: the independent reading."""
    plt.monitor.matrix.set_canvas()
    text = Text.from_ansi(plt.monitor.matrix.get_canvas())
    return [cells(line.render(CONSOLE)) for line in text.split("\n")]


def draw(theme: str, marker: str, n: int, labels: bool, vline: bool, title: str, width: int, height: int) -> Plot:
    plt = Plot()
    set_size(plt, width, height)
    plt.theme(theme)
    x = np.arange(n, dtype=float)
    plt.plot(x.tolist(), np.cos(x / 7).tolist(), marker=marker, color="blue+", label="now" if labels else None)
    plt.plot(x.tolist(), (0.5 * np.sin(x / 3)).tolist(), marker=marker, color="red", label="pin" if labels else None)
    if vline:
        plt.vline(n / 2, "yellow")
    plt.title(title)
    build_matrix(plt)
    return plt


@settings(max_examples=40, deadline=None)
@given(theme=st.sampled_from(["pro", "clear", "dark", "default", "matrix"]),
       marker=st.sampled_from(["braille", "*", "dot"]),
       n=st.integers(2, 300), labels=st.booleans(), vline=st.booleans(),
       title=st.text("abc :()λ", max_size=30), width=st.integers(16, 130), height=st.integers(5, 40))
def test_matrix_lines_reads_what_plotexts_own_canvas_shows(theme, marker, n, labels, vline, title, width, height):
    plt = draw(theme, marker, n, labels, vline, title, width, height)
    plain, lines = matrix_lines(plt.monitor.matrix)
    own = plotext_own_lines(plt)
    assert plain.split("\n") == ["".join(c for c, _ in line) for line in own[: len(lines)]]
    assert [cells(line) for line in lines] == own[: len(lines)]
    assert own[len(lines):] in ([], [[]])  # plotext ends its canvas with a newline: nothing else is left out


def test_matrix_lines_keeps_colours_apart():
    """A mutation check on the comparison above: two colours must come out as two styles."""
    plt = draw("pro", "braille", 100, True, True, "t", 60, 15)
    _, lines = matrix_lines(plt.monitor.matrix)
    styles = {seg.style for line in lines for seg in line if seg.text.strip()}
    assert len(styles) >= 3  # blue, red, yellow and the frame's


def series(y, colour="blue+"):
    return Series(np.arange(len(y), dtype=float), np.asarray(y, dtype=float), colour)


def test_same_series():
    a = (series([1.0, np.nan, 3.0]),)
    assert same_series(a, (series([1.0, np.nan, 3.0]),))
    assert not same_series(a, (series([1.0, np.nan, 3.5]),))
    assert not same_series(a, (series([1.0, np.nan, 3.0], "red"),))
    assert not same_series(a, a + a)
    assert not same_series(a, (series([1.0, np.nan]),))


@pytest.mark.asyncio
async def test_a_change_rebuilds_only_the_plots_whose_data_changed():
    config = cosine_on_quadratic(noise=0.5)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        lr_plot, loss_plot = app.query_one("#lr-panel").plot, app.query_one("#loss-panel").plot
        before = lr_plot.builds, loss_plot.builds
        row(app, "run.seed").focus()
        await pilot.press("+")
        await settle(app, pilot)
        assert app.config.seed == 1
        # a new seed: new noise, the same schedule
        assert (lr_plot.builds, loss_plot.builds) == (before[0], before[1] + 1)
        row(app, "schedule.lr").focus()
        await pilot.press("+")
        await settle(app, pilot)
        assert (lr_plot.builds, loss_plot.builds) == (before[0] + 1, before[1] + 2)


PLOTEXT_COLOURS = set(plotext_colours) | {"default"}


@pytest.mark.asyncio
@pytest.mark.parametrize("config, keys", [
    (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="quadratic",
               problem_params={"noise": 0.3}, epochs=100), PIN_TWO),
    (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="ravine", epochs=100),
     ("escape", "s")),
    (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="ravine", epochs=100),
     ("escape", "r")),
    (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="ravine", epochs=100),
     ("escape", "v")),
    (RunConfig(schedule={"name": "wsd", "params": {"lr": 0.1}}, problem="quadratic", problem_params={"noise": 0.3},
               epochs=100), ("escape", "w")),
    (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 30}}, problem="mlp", epochs=30),
     (*PIN_TWO, "b")),
])
async def test_every_colour_the_app_draws_with_is_one_plotext_knows(config, keys):
    """plotext silently swaps a colour name it does not know (such as yellow) for its next default one."""
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(*keys)
        await settle(app, pilot)
        plots = [panel.plot for panel in app.query("PlotPanel") if panel.plot.series]
        colours = {s.colour for p in plots for s in p.series} | {c for p in plots for _, c in p.vlines}
        assert len(plots) >= 2 and colours and colours <= PLOTEXT_COLOURS, colours - PLOTEXT_COLOURS
        for p in plots:  # the series a legend names are told apart by colour
            named = [s.colour for s in p.series if s.label]
            assert len(set(named)) == len(named), [(s.label, s.colour) for s in p.series]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_labels_are_drawn_in_the_title_row_not_over_the_curves(size):
    config = cosine_on_quadratic()
    app = make_app(Start(config, Options()))
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press(*PIN_TWO, *(["b"] if size[1] >= 30 else []))  # (b: board off)
        await settle(app, pilot)
        loss = app.query_one("#loss-panel").plot
        assert [s.label for s in loss.series][:3] == ["now", "#1", "#2"]
        lines = loss.render().plain.split("\n")
        title_row = lines[0]
        assert title_row.startswith(" " * loss.geometry.left + "loss: quadratic / sgd")
        assert title_row.rstrip().endswith("■ now  ■ #1  ■ #2")
        assert len(title_row) == loss.size.width
        # nothing of plotext's legend inside the data area
        data = "\n".join(lines[loss.geometry.top: loss.geometry.top + loss.geometry.height])
        assert "now" not in data and "#1" not in data
        # each glyph in its series' colour
        strip = loss.render_line(0)
        glyph_styles = [seg.style for seg in strip if seg.text == "■"]
        assert len(glyph_styles) == 3 and len({str(s.color) for s in glyph_styles}) == 3


class OnePlot(App):
    """A plot of a given size, alone."""

    def __init__(self, series: tuple[Series, ...], width: int, height: int, title: str = "loss: quadratic / sgd"):
        super().__init__()
        self.plot = CurvePlot(title)
        self.plot.styles.width, self.plot.styles.height = width, height
        self.series = series

    def compose(self):
        yield self.plot

    def on_mount(self):
        self.plot.show(self.series, x_range=(0.0, float(len(self.series[0].x) - 1)))


async def drawn(series, width, height) -> tuple[CurvePlot, list[str]]:
    app = OnePlot(series, width, height)
    async with app.run_test(size=(width + 2, height + 2)) as pilot:
        await pilot.pause()
        plot = app.plot
        return plot, [plot.render_line(y).text for y in range(height)]


DECAYING = tuple(Series(np.arange(60.0), np.exp(-np.arange(60.0) / (4 + 3 * i)), colour, f"run{i}")
                 for i, colour in enumerate(["blue+", "red+", "green+", "orange+"]))


@pytest.mark.asyncio
async def test_labels_without_room_in_the_title_row_go_to_the_emptiest_corner():
    plot, lines = await drawn(DECAYING, 40, 14)
    g = plot.geometry
    assert "run0" not in lines[0]  # no room there: the title keeps its place
    rows = [i for i, line in enumerate(lines) if "run" in line]
    assert len(rows) == 4 and rows[0] == g.top  # at the top of the data area ...
    columns = {lines[r].index("run") for r in rows}
    assert len(columns) == 1 and columns.pop() > g.left + g.width // 2  # ... on the right: the curves start top left
    unlabelled, bare = await drawn(tuple(replace(s, label=None) for s in DECAYING), 40, 14)
    start = lines[rows[0]].index("run") - 2
    covered = [bare[r][start : start + 6] for r in rows]
    assert all(not part.strip() for part in covered)  # the box covers nothing drawn


@pytest.mark.asyncio
async def test_labels_that_fit_nowhere_are_left_out():
    plot, lines = await drawn(DECAYING, 20, 7)
    assert plot.geometry is not None and not any("run" in line for line in lines)


@pytest.mark.asyncio
async def test_nothing_of_an_earlier_drawing_stays_in_the_next():
    """Each build starts from a fresh plotext state (fresh_figure): after a plot with every setting, a
    plain one draws exactly as it does in a new widget."""
    plain = (Series(np.arange(60.0), np.cos(np.arange(60.0) / 9), "blue+"),)
    busy = (Series(np.arange(60.0), np.exp(np.arange(60.0) / 9), "red+", "up", marker="x"),
            Series(np.arange(60.0), np.arange(60.0), "green+", "line"))
    _, expected = await drawn(plain, 50, 16)
    app = OnePlot(busy, 50, 16)
    async with app.run_test(size=(52, 18)) as pilot:
        await pilot.pause()
        app.plot.show(busy, title="other", look=Look(log=True, ascii=True), y_range=(0.0, 2.0), xlabel="lr",
                      xlog=True, vlines=((1.0, "red"),))
        await pilot.pause()
        app.plot.render_line(0)
        app.plot.show(plain, title="loss: quadratic / sgd", look=Look(), x_range=(0.0, 59.0))
        await pilot.pause()
        assert [app.plot.render_line(y).text for y in range(16)] == expected


@pytest.mark.asyncio
async def test_the_cursor_never_writes_over_the_title_row_legend():
    """Without a frame (ASCII) the arrow above the data sits in the title row: only on blank cells there."""
    config = cosine_on_quadratic()
    app = make_app(Start(config, Options(ascii=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*PIN_TWO)
        await settle(app, pilot)
        loss = app.query_one("#loss-panel").plot
        title_row = loss.render().plain.split("\n")[0]
        assert "x #1" in title_row
        for _ in range(99):
            await pilot.press("right")
            shown = loss.render_line(0).text
            assert all(a == b or a == " " for a, b in zip(title_row, shown)), (app.epoch, shown)


@pytest.mark.asyncio
@pytest.mark.parametrize("ascii, mono, glyphs", [(False, True, "⣿x+"), (True, False, "*x+")])
async def test_without_colour_each_label_shows_the_marker_its_line_is_drawn_with(ascii, mono, glyphs):
    config = cosine_on_quadratic()
    app = make_app(Start(config, Options(ascii=ascii, mono=mono)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*PIN_TWO)
        await settle(app, pilot)
        title_row = app.query_one("#loss-panel").plot.render().plain.split("\n")[0]
        assert f"{glyphs[0]} now  {glyphs[1]} #1  {glyphs[2]} #2" in title_row


@pytest.mark.asyncio
async def test_labels_close_up_before_they_leave_the_title_row():
    config = replace(cosine_on_quadratic(noise=0.3), seeds=1)  # (one seed: no band to name)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*PIN_TWO, "l")
        await settle(app, pilot)
        title_row = app.query_one("#loss-panel").plot.render().plain.split("\n")[0].strip()
        assert title_row.endswith("■now ■#1 ■#2 ■noise floor") and title_row.startswith("loss (EM")
        assert "... (log)" in title_row  # its shortest wording cut, but still saying the axis is log


@pytest.mark.parametrize("room, shown", [
    (60, "loss: quadratic / sgd (EMA 0.9), 16 seeds"), (30, "loss (EMA 0.9), 16 seeds"), (20, "loss (EMA 0.9)"),
    (10, "loss (E..."),
])
def test_a_title_takes_its_longest_wording_that_fits(room, shown):
    from lrtui.plotting.draw import fit_title
    from lrtui.plotting.figure import wordings

    titles = wordings(("loss", 0), (": quadratic / sgd", 2), (" (EMA 0.9)", 0), (", 16 seeds", 1))
    assert fit_title(titles, room) == shown


@pytest.mark.parametrize("title, room, shown", [
    ("loss: quadratic / sgd (log)", 40, "loss: quadratic / sgd (log)"),
    ("loss: quadratic / sgd (log)", 20, "loss: quadr... (log)"),
    ("loss: quadratic / sgd (log)", 12, "loss: qua..."),
    ("loss: quadratic / sgd", 12, "loss: qua..."),
])
def test_shorten_keeps_the_log_mark(title, room, shown):
    assert shorten(title, room) == shown and len(shown) <= room


@pytest.mark.parametrize("lo, hi, most", [(0.0, 0.5, 3), (2.46e-5, 0.1, 3), (1.7, 8.8, 5), (-2.3, 0.3, 6),
                                          (0.0, 1e6, 4), (1e-7, 3e-6, 4), (0.999, 1.001, 4), (3.0, 3.0, 3)])
def test_y_ticks_are_round_evenly_spaced_and_enclose_the_data(lo, hi, most):
    ticks = nice_ticks(lo, hi, most, enclose=True)
    labels = tick_labels(ticks)
    assert 1 <= len(ticks) <= most and ticks[0] <= lo and ticks[-1] >= hi
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]) if len(ticks) > 1 else True
    if len(ticks) > 1:
        mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
        assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert len(set(labels)) == len(labels) and all(len(label) <= 7 for label in labels)
    assert [float(label) for label in labels] == pytest.approx(ticks, rel=1e-9, abs=1e-12)


@settings(max_examples=300)
@given(lo=st.floats(allow_nan=True, allow_infinity=True), span=st.floats(min_value=0, allow_infinity=True),
       most=st.integers(2, 6), enclose=st.booleans())
def test_y_ticks_never_fail(lo, span, most, enclose):
    """Any data range, denormal and huge ones too (a denormal lr once raised a math domain error)."""
    ticks = nice_ticks(lo, lo + span, most, enclose)
    labels = tick_labels(ticks)
    assert len(labels) == len(ticks) <= max(most, 2) and all(np.isfinite(ticks))
    assert ticks == sorted(ticks) and len(set(labels)) == len(labels)  # (a flat curve once read 0.5 0.5 0.5)


def test_enclosing_ticks_take_the_tightest_round_range():
    assert nice_ticks(0.5, 2.1, 3, enclose=True) == [0.0, 2.5]  # not 0, 2, 4: T1's lrs 1.9 to 2.1 on one row
    assert tick_labels([0.0, 25.0, 50.0, 75.0, 100.0]) == ["0", "25", "50", "75", "100"]
    assert tick_labels(nice_ticks(10, 10.00004, 3, True)) == ["10", "10.00002", "10.00004"]


@pytest.mark.asyncio
async def test_labels_close_up_before_the_title_is_cut():
    app = make_app(Start(replace(cosine_on_quadratic(noise=0.3), seeds=1), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*PIN_TWO)
        await settle(app, pilot)
        title_row = app.query_one("#loss-panel").plot.render().plain.split("\n")[0].strip()
        # not "loss: qua...  ■ now  ■ #1": the title's shorter wording whole (issue 28: it names the smoothing)
        assert title_row == "loss (EMA 0.9)      ■now ■#1 ■#2 ■noise floor"



@pytest.mark.parametrize("last, shown", [(99, [0, 25, 50, 75, 99]), (100, [0, 25, 50, 75, 100]), (49, [0, 20, 49]),
                                         (29, [0, 10, 20, 29]), (5, [0, 2, 4, 5])])
def test_the_epoch_axis_labels_the_last_epoch(last, shown):
    from lrtui.plotting.ticks import epoch_ticks

    assert epoch_ticks(0, last, with_last=True) == shown


@pytest.mark.asyncio
@pytest.mark.parametrize("options", [Options(), Options(ascii=True), Options(mono=True)])
async def test_a_run_over_seeds_draws_its_mean_over_a_band_the_legend_names(options):
    app = make_app(Start(cosine_on_quadratic(noise=0.3), options))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        plot = app.query_one("#loss-panel").plot
        mean, *rest = plot.series
        band = [s for s in rest if s.colour == mean.colour.rstrip("+")]
        assert app.trace.seeds == 16 and "16 seeds" in plot.title
        assert len(band) == 2 and band[0].label == "10-90%" and band[1].label is None
        first = plot.drawing_order()[:2]  # drawn first: under the mean and every other line
        assert first[0] is band[1] and first[1] is band[0]
        text = plot.render().plain
        assert "10-90%" in text  # named in the legend
        if options.ascii or options.mono:  # without colour the band has its own marker, no line's
            assert band[0].marker == ":" and text.count(":") > 20
            assert all(s.marker != ":" for s in plot.series if s is not band[0] and s is not band[1])
        assert "(" in status(app) and ".." in status(app)  # the status line: the mean and the band at the cursor


# --- the runs' colours and markers against the reference lines' (issue 23) ---------------------------------

BAND_MARKERS = (":", "·")  # a run's band over its seeds (lrtui.ui.views.BAND_MARKER, BAND_DOTS)


def _figures(look: Look):
    """(the runs' series, the reference lines' series, the band's) of every view that draws both: the lr plot,
    the loss plot (the stability limit, the noise floor, the held-out loss; the band of the noisy run over its
    seeds), with six pinned runs and with none, and the sharpness view. A view draws the runs first: the
    current one, then each pinned one."""
    from lrtui.sim.config import prepare
    from lrtui.sim.engine import simulate
    from lrtui.ui.views import LossView, LrView, Run, SharpnessView

    def constant(lr, problem, epochs, **problem_params):
        return RunConfig(schedule={"name": "constant", "params": {"lr": lr}}, problem=problem,
                         problem_params=problem_params, epochs=epochs)

    for base, pins in ((constant(1.0, "quadratic", 40, noise=0.3), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
                       (constant(0.5, "catapult", 40), [0.05, 0.1, 0.2, 0.3, 0.35, 0.4]),
                       (constant(0.05, "mlp", 10), [0.01, 0.02, 0.03, 0.04, 0.06, 0.07])):
        trace = simulate(base)
        six = tuple(enumerate(simulate(replace(base, schedule={"name": "constant", "params": {"lr": lr}}))
                              for lr in pins))
        for pinned in ((), six):
            run = Run(trace, prepare(base), pinned)
            figures = [LrView().figure(run, look), LossView().figure(run, look)]
            sharpness = SharpnessView()
            figures += [sharpness.figure(run, look)] if sharpness.available(run) else []
            for i, figure in enumerate(figures):
                runs = 1 if i == 2 else 1 + len(pinned)  # (the sharpness view draws the run alone)
                rest = figure.series[runs:]
                yield (figure.series[:runs], [s for s in rest if s.marker not in BAND_MARKERS],
                       [s for s in rest if s.marker in BAND_MARKERS])


def test_no_run_is_drawn_like_a_reference_line():
    """Issue 23: pinned run #3 (magenta+) was the same red as the stability limit 2/lambda_max: Textual draws
    the 16 ANSI colours in its own theme (Monokai), where magenta and red are both #f4005f. A run's colour
    is never a reference line's, by name or as drawn; the runs are told apart from each other too; and
    without colour, a run's marker is never a reference line's."""
    from plotext._dict import color_codes
    from rich.color import Color

    from lrtui.ui.views import NOW_COLOUR, PIN_LOOKS

    theme = App().ansi_theme  # what Textual turns the 16 colours into (the app leaves it Textual's)

    def drawn(colour: str) -> tuple:
        return tuple(Color.parse(f"color({color_codes[colour]})").get_truecolor(theme))

    figures = list(_figures(Look()))
    runs = {s.colour for shown, _, _ in figures for s in shown}
    references = {s.colour for _, shown, _ in figures for s in shown}
    labels = {s.label for _, shown, _ in figures for s in shown}
    assert labels == {None, "noise floor", "c/lr", "held-out"}  # (None: the stability limit)
    bands = {s.colour for _, _, shown in figures for s in shown}  # a run over seeds: its band, in its colour
    assert bands and not {drawn(c) for c in bands} & {drawn(c) for c in references}, (bands, references)
    assert {look.colour for look in PIN_LOOKS} | {NOW_COLOUR[0]} <= runs
    assert not runs & references, runs & references
    assert not {drawn(c) for c in runs} & {drawn(c) for c in references}, (runs, references)
    together = [NOW_COLOUR[0], *(look.colour for look in PIN_LOOKS)]  # on screen at once
    assert len({drawn(c) for c in together}) == len(together), together
    for look in PIN_LOOKS:  # the scoreboard's colour is the plots'
        assert look.rich_colour == f"color({color_codes[look.colour]})", look
    assert NOW_COLOUR[1] == f"color({color_codes[NOW_COLOUR[0]]})"

    for look in (Look(ascii=True), Look(mono=True), Look(ascii=True, mono=True)):
        line = "*" if look.ascii else "braille"  # what the plot draws a series without a marker with
        runs, references, bands = set(), set(), set()
        for shown_runs, shown_references, shown_bands in _figures(look):
            runs |= {s.marker or line for s in shown_runs}
            references |= {s.marker or line for s in shown_references}
            bands |= {s.marker for s in shown_bands}
        assert references and len(runs) == 1 + len(PIN_LOOKS), runs
        assert not runs & references, (look, runs & references)
        assert bands == {":"} and not bands & (runs | references)  # the band's marker is its own


@pytest.mark.parametrize("options", [Options(), Options(ascii=True), Options(mono=True)],
                         ids=["colour", "ascii", "mono"])
async def test_the_cli_draws_the_apps_figures_as_the_app_does(options):
    """``--plot`` and the app share one drawing step (lrtui.plotting.draw): the CLI's text of each figure on
    screen, at the plot's size, is the app's plot character for character, legend included (a pinned run and a
    band over seeds, on a log axis); in colour it carries ANSI codes and the same characters."""
    import re

    from lrtui.plotting.textplot import plot_figure

    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.3, "T_max": 60}}, problem="quadratic",
                       problem_params={"noise": 0.5}, epochs=60, seeds=8)
    app = make_app(Start(config, options))
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p", "l")
        await settle(app, pilot)
        compared = 0
        for name in ("lr", "loss"):
            panel = app.query_one(f"#{name}-panel")
            plot = panel.plot
            size = (plot.size.width, plot.size.height)
            on_screen = "\n".join(line.rstrip() for line in plot.render().plain.split("\n"))
            figure = replace(panel.figure, look=plot.look)  # (the loss's log scale as the plot holds it)
            assert plot_figure(figure, size=size) == on_screen
            coloured = plot_figure(figure, colour=True, size=size)
            uncoloured = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
            assert "\x1b[" in coloured or options.mono
            assert "\n".join(line.rstrip() for line in uncoloured.split("\n")) == on_screen
            compared += 1
        assert compared == 2 and "10-90%" in app.query_one("#loss-panel").plot.render().plain


def test_the_noise_floor_is_drawn_only_near_the_runs():
    """An lr that decays to nothing (exponential 0.95 on the noisy quadratic, T4's stalled decay) takes the noise
    floor it implies to 1e-46 while the run stalls near 0.2: drawn whole, it squashed the runs into the top rows
    of a log plot. The floor is drawn where it is within a decade of the lowest loss drawn."""
    from lrtui.plotting.series import Look
    from lrtui.sim.config import RunConfig, prepare
    from lrtui.sim.engine import simulate
    from lrtui.ui.views import LossView, Run

    prepared = prepare(RunConfig(schedule={"name": "exponential", "params": {"lr": 0.1, "gamma": 0.95}},
                                 problem="quadratic", problem_params={"noise": 0.5}, epochs=2000, seeds=4))
    trace = simulate(prepared)
    implied = prepared.problem.noise_floor(prepared.problem_params, trace.lr)
    assert np.nanmin(implied) < 1e-40  # what was drawn
    figure = LossView().figure(Run(trace, prepared), Look(log=True))
    (floor,) = [s for s in figure.series if s.label == "noise floor"]
    lowest = min(np.nanmin(s.y[s.y > 0]) for s in figure.series if s is not floor)
    assert np.nanmin(floor.y) >= lowest / 10 and np.isfinite(floor.y[:20]).all()  # the early floor, still drawn
