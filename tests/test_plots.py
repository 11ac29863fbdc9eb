"""The plot widget's own work: reading what plotext drew straight from its matrix, and not rebuilding a
plot whose data and settings did not change."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual_plotext.plot import Plot

from lrtui.simulate import RunConfig
from lrtui.ui.app import LrtuiApp, Options
from lrtui.ui.plots import Series, matrix_lines, same_series
from lrtui.ui.screenshot import settle
from tests.test_app import row, started

CONSOLE = Console(color_system="truecolor", force_terminal=True, width=200)


def cells(segments) -> list[tuple[str, object]]:
    return [(char, seg.style or Style()) for seg in segments for char in seg.text]


def plotext_own_lines(plt: Plot) -> list[list[tuple[str, object]]]:
    """plotext's own canvas string (the escape codes it writes), parsed by Rich: the independent reading."""
    plt.monitor.matrix.set_canvas()
    text = Text.from_ansi(plt.monitor.matrix.get_canvas())
    return [cells(line.render(CONSOLE)) for line in text.split("\n")]


def draw(theme: str, marker: str, n: int, labels: bool, vline: bool, title: str, width: int, height: int) -> Plot:
    plt = Plot()
    plt.plotsize(width, height)
    plt._set_size(width, height)
    plt.theme(theme)
    x = np.arange(n, dtype=float)
    plt.plot(x.tolist(), np.cos(x / 7).tolist(), marker=marker, color="blue+", label="now" if labels else None)
    plt.plot(x.tolist(), (0.5 * np.sin(x / 3)).tolist(), marker=marker, color="red", label="pin" if labels else None)
    if vline:
        plt.vline(n / 2, "yellow")
    plt.title(title)
    plt._set_sizes()
    plt._build_matrix()
    return plt


@settings(max_examples=40, deadline=None)
@given(theme=st.sampled_from(["pro", "clear", "dark", "default", "matrix"]), marker=st.sampled_from(["braille", "*", "dot"]),
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
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="quadratic",
                       problem_params={"noise": 0.5}, epochs=100)
    app = LrtuiApp(config, Options())
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
