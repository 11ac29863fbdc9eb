"""plotext's private APIs that lrtui uses (lrtui/plotting/plotext_private.py), checked on the installed plotext:
a release that moves one fails here, naming it, before any plot breaks in a less legible way."""

import plotext
import pytest

from lrtui.plotting import plotext_private as P


def test_the_installed_plotext_is_one_the_checks_passed_on():
    from importlib.metadata import version

    assert version("plotext") in P.TESTED_ON, (
        f"plotext {version('plotext')} is not in TESTED_ON {P.TESTED_ON}: run these tests, then add it there "
        "and widen pyproject's pin")


@pytest.mark.parametrize("name", ["_figure._figure_class", "_monitor.monitor_class", "_utility.colors_to_ansi"])
def test_the_private_names_exist(name):
    module, attribute = name.split(".")
    __import__(f"plotext.{module}")
    assert hasattr(getattr(plotext, module), attribute), f"plotext.{name} is gone"


def test_a_figure_of_its_own_builds_a_matrix_of_the_asked_size_with_its_limits():
    fig = P.new_figure()
    assert fig is not P.new_figure()  # not plotext's shared global figure
    P.set_size(fig, 40, 12)
    fig.plot([0.0, 1.0, 2.0], [1.0, 3.0, 2.0], marker="braille", color="blue+")
    matrix, xlim, ylim = P.build_matrix(fig)
    assert (matrix.rows, matrix.cols) == (12, 40)
    for layer in ("marker", "fullground", "style", "background"):  # what lrtui.ui.widgets.plots.matrix_lines reads
        cells = getattr(matrix, layer)
        assert len(cells) == 12 and all(len(row) == 40 for row in cells), layer
    assert len(matrix.Cols_canvas) and len(matrix.Rows_canvas)
    assert tuple(xlim) == (0.0, 2.0) and tuple(ylim) == (1.0, 3.0)
    assert len(P.ticks_style(fig)) == 2


def test_a_fresh_figure_forgets_the_last_plot_and_keeps_its_size():
    fig = P.new_figure()
    P.set_size(fig, 30, 10)
    fig.plot([0.0, 1.0], [0.0, 1.0])
    fig.title("old")
    P.fresh_figure(fig)
    P.set_size(fig, 30, 10)
    matrix, xlim, _ = P.build_matrix(fig)
    assert "old" not in "".join("".join(row) for row in matrix.marker)
    assert None in tuple(xlim)  # no data: plotext leaves the limits unset


def test_colour_codes_are_ansi():
    assert P.colours_to_ansi("blue+", "bold", "default").startswith("\x1b[")
