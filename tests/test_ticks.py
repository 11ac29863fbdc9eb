"""Tick labels tell the truth (issue 28): a label is the value of the row it sits on, and a log axis carries
two labels or more."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtui.plotting.terminal import Options
from lrtui.plotting import ticks
from lrtui.plotting.ticks import log_ticks
from lrtui.presets import find
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.screenshot import settle
from lrtui.ui.start import Start
from tests.conftest import started


def plotext_row(value: float, y0: float, y1: float, rows: int) -> int:
    """The row (from the bottom) plotext puts a tick of ``value`` on (plotext's _utility.get_matrix_data)."""
    return math.floor(round(0.5 + (rows - 1) * (value - y0) / (y1 - y0), 8))


def row_value(row: int, y0: float, y1: float, rows: int) -> float:
    """The value a row (from the bottom) stands for: its centre."""
    return y0 + row * (y1 - y0) / (rows - 1)


def test_t1s_lr_axis_puts_its_2_on_the_row_of_2_not_of_2_1():
    """T1's lrs run from 0.5 to 2.1 on 9 rows: limits 0.5 to 2.1 made the top row 2.1, and the tick "2" was
    rounded onto it. Rows a quarter apart put 1 and 2 on rows of their own."""
    shown, (y0, y1) = ticks.row_aligned_ticks(0.5, 2.1, 9, 3)
    assert shown == [1.0, 2.0] and (y0, y1) == (0.5, 2.5)
    assert [row_value(plotext_row(t, y0, y1, 9), y0, y1, 9) for t in shown] == [1.0, 2.0]


@settings(max_examples=300, deadline=None)
@given(lo=st.floats(-1e3, 1e3), span=st.floats(1e-2, 1e6), rows=st.integers(3, 60), most=st.integers(2, 6))
def test_each_tick_sits_on_the_row_of_its_own_value_and_labels_keep_a_row_apart(lo, span, rows, most):
    hi = lo + span
    found = ticks.row_aligned_ticks(lo, hi, rows, most)
    if found is None:
        return
    shown, (y0, y1) = found
    assert y0 <= lo + 1e-9 * span and y1 >= hi - 1e-9 * span and 2 <= len(shown) <= most
    step = shown[1] - shown[0]
    at = [plotext_row(t, y0, y1, rows) for t in shown]
    assert all(later - earlier >= 2 for earlier, later in zip(at, at[1:]))
    for t, row in zip(shown, at):
        assert row_value(row, y0, y1, rows) == pytest.approx(t, abs=1e-6 * step)


def y_labels(plot) -> list[tuple[float, float]]:
    """(label, value of its row) for each y tick label the plot shows, read from its text and its geometry."""
    g = plot.geometry
    lines = plot.render().plain.split("\n")
    shown = []
    for line_number in range(g.top, g.top + g.height):
        found = re.match(r"\s*(-?[0-9.]+(?:e-?[0-9]+)?)", lines[line_number][: g.left])
        if found:
            row = g.top + g.height - 1 - line_number
            shown.append((float(found[1]), row_value(row, g.y0, g.y1, g.height)))
    return shown


@pytest.mark.asyncio
@pytest.mark.parametrize("options", [Options(), Options(ascii=True)])
async def test_t1s_plots_at_80x24_label_each_row_with_its_own_value(options):
    preset = find("T1")
    app = make_app(Start(preset.config, options, pinned=preset.pinned, preset=preset))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        for panel in ("#lr-panel", "#loss-panel"):
            shown = y_labels(app.query_one(panel).plot)
            assert len(shown) >= 2, panel
            assert [label for label, _ in shown] == pytest.approx([value for _, value in shown]), panel


@pytest.mark.parametrize("low, high", [(0.29, 0.39), (0.3, 0.35), (0.31, 0.39), (1e-3, 1.2e-3), (0.0999, 0.1001),
                                       (0.15, 0.45), (1e-5, 1.0)])
def test_a_log_axis_has_two_ticks_or_more_each_labelled_with_its_value(low, high):
    at, labels = log_ticks(math.log10(low), math.log10(high), most=3)
    assert 2 <= len(at) <= 3 and len(set(labels)) == len(labels)
    assert all(math.log10(low) - 1e-9 <= t <= math.log10(high) + 1e-9 for t in at)
    assert [float(label) for label in labels] == pytest.approx([10**t for t in at], rel=1e-9)


@pytest.mark.asyncio
async def test_a_flat_lr_on_a_log_axis_is_read_between_two_labels():
    """A constant lr on a log axis: one value, once labelled alone (1e-1); now the decade around it."""
    config = RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, epochs=30)
    app = make_app(Start(config, Options(ascii=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "L")
        await settle(app, pilot)
        plot = app.query_one("#lr-panel").plot
        assert plot.look.log
        labels = [label for label, _ in y_labels(plot)]
        assert len(labels) >= 2 and min(labels) < 0.1 < max(labels)
