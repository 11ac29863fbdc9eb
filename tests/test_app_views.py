"""The plots' views and scales by keys (Textual's Pilot): log scales, the landscape, the range test, sharpness, and
the smoothed loss."""

from dataclasses import replace

import numpy as np
import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.widgets.form import FieldRow
from lrtui.ui.screenshot import settle
from tests.conftest import cosine, row, started, status


async def test_log_scale_toggles():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "l")  # escape: from the form to the plots, where letters are commands
        await pilot.pause()
        loss = app.query_one("#loss-panel").plot
        assert loss.look.log and "1e-" in loss.render().plain and "(log)" in loss.title
        await pilot.press("L")
        await pilot.pause()
        assert app.query_one("#lr-panel").plot.look.log
        await pilot.press("l")
        assert not loss.look.log


async def test_landscape_view_toggles_on_2d_problems_only():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.4}}, problem="ravine", epochs=30),
                         Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "v")
        await pilot.pause()
        land = app.query_one("#landscape-panel")
        assert app.view == "landscape" and land.display and not app.query_one("#loss-panel").display
        assert "landscape: ravine" in land.render().plain and "▀" in land.render().plain  # (colour: two rows a line)
        await pilot.press("v")
        assert app.view == "loss" and app.query_one("#loss-panel").display
        await pilot.press("v")
        app.query_one(FieldRow).focus()  # the problem picker sits further down; set it through the model
        from lrtui.ui import fields as F
        picker = F.Field("problem", F.PICKERS["problem"], picker=True)
        app.config = F.set_value(app.prepared, picker, "quadratic").config
        await settle(app, pilot)
        assert app.view == "loss"  # a 1-D problem has no landscape: back to the loss plot
        await pilot.press("escape", "v")
        assert app.view == "loss"


def _field_of(text: str) -> list[str]:
    """The cells of a text view's picture (the landscape's, the map's), top line first: the lines between the
    title and the x axis, each after its bar."""
    lines = text.splitlines()
    axis_line = next(i for i, line in enumerate(lines) if line.lstrip().startswith("+"))
    bar = lines[axis_line].index("+")
    return [line[bar + 1:] for line in lines[1:axis_line]]


async def test_the_ascii_landscape_has_its_valley_where_the_loss_puts_it_and_the_cursor_on_the_path():
    """Issue 27: the landscape as a shaded field (a character a cell without colour, the valley blank), the
    path on top, the cursor's point (@) at its epoch's position. On the ravine, f = 0.1 x^2 + 2 y^2, each
    column's lowest shade is in the row holding y = 0; the limits are the path's and the minimizer's (path_bounds),
    computed here."""
    from lrtui.analysis.landscape import path_bounds
    from lrtui.plotting.field_text import FIELD_RAMP

    config = RunConfig(schedule={"name": "constant", "params": {"lr": 0.45}}, problem="ravine", epochs=60)
    app = make_app(Start(config, Options(ascii=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "v")
        await pilot.pause()
        panel = app.query_one("#landscape-panel")
        (x0, x1), (y0, y1) = path_bounds(app.trace.params, also=(0.0, 0.0))  # (the ravine's minimizer framed)
        assert x0 < 0 < x1 and y0 < 0 < y1
        grid = _field_of(panel.render().plain)
        rows, columns = len(grid), len(grid[0])
        valley = int((y1 - 0.0) / (y1 - y0) * rows)  # the line (top first) whose cells hold y = 0
        checked = 0
        for column in range(columns):
            shades = {line: FIELD_RAMP.index(grid[line][column]) for line in range(rows)
                      if grid[line][column] in FIELD_RAMP}
            if valley in shades:
                assert shades[valley] == min(shades.values()), column
                checked += 1
        assert checked > columns // 2 and " " in grid[valley]  # (its least: blank)
        assert sum(line.count("o") for line in grid) > 10  # the zig-zag across it
        for epoch in (0, 5):
            if epoch:
                await pilot.press(*["right"] * epoch)
                await pilot.pause()
            grid = _field_of(panel.render().plain)
            x, y = app.trace.params[epoch]
            line, column = rows - 1 - int((y - y0) / (y1 - y0) * rows), int((x - x0) / (x1 - x0) * columns)
            assert grid[line][column] == "@" and sum(row.count("@") for row in grid) == 1, epoch
            assert f"@ t={epoch}" in panel.render().plain


async def test_range_test_view():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="spectrum"),
                         Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await pilot.pause()
        panel = app.query_one("#range-panel")
        assert app.view == "range" and panel.display and not app.query_one("#loss-panel").display
        assert "stable below 0.2" in status(app) and "steepest" in status(app)
        assert panel.plot.xlog and len(panel.plot.vlines) == 4 and panel.plot.mark is None
        row(app, "problem.l1").focus()
        await pilot.press("-")  # l1 10 -> 7.94: a new problem, a new test
        await settle(app, pilot)
        assert f"stable below {2 / 7.94:.4g}" in status(app)
        await pilot.press("escape", "r")
        assert app.view == "loss"


async def test_sharpness_view():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, problem="catapult", epochs=60),
                         Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "s")
        await pilot.pause()
        panel = app.query_one("#sharpness-panel")
        assert app.view == "sharpness" and panel.display
        sharp, tolerated = panel.plot.series
        assert tolerated.y[0] == pytest.approx(2 / 0.5) and sharp.y[0] == pytest.approx(app.trace.sharpness[0])
        assert sharp.y[-1] < tolerated.y[-1] < sharp.y[0]  # T6: the catapult lands below 2/lr
        await pilot.press("s")
        assert app.view == "loss"
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="mlp", epochs=5),
                         Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "s")
        assert app.view == "loss"  # no curvature on a data problem


async def test_range_test_without_colour_draws_the_stable_limit_alone():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="spectrum"),
                         Options(mono=True)))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await pilot.pause()
        plot = app.query_one("#range-panel").plot
        assert [round(10 ** x, 6) for x, _ in plot.vlines] == [0.2] and "stable below 0.2 (the line)" in plot.title
        assert "steepest" in status(app)  # the picks are in the status line


async def test_the_loss_plot_is_smoothed_where_the_gradients_are_noisy_and_says_so():
    from lrtui.analysis.smoothing import ema

    noisy = RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem_params={"noise": 1.0}, epochs=200)
    app = make_app(Start(noisy, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        loss = app.query_one("#loss-panel").plot
        assert "(EMA 0.9)" in loss.title and np.allclose(loss.series[0].y, ema(app.trace.loss, 0.9))
        floor = loss.drawing_order()[-1]
        assert floor.label == "noise floor"  # drawn over the trace, not hidden under it
        smoothing = row(app, "compare.smoothing")
        smoothing.focus()
        await pilot.press(*"off", "enter")
        await settle(app, pilot)
        assert "EMA" not in loss.title and np.array_equal(loss.series[0].y, app.trace.loss, equal_nan=True)
        await pilot.press("+")  # off -> 0.6
        assert "(EMA 0.6)" in loss.title and smoothing.value == "0.6"
        await pilot.press("delete")
        assert smoothing.value == "auto" and "(EMA 0.9)" in loss.title
    app = make_app(Start(cosine(), Options()))  # no noise: auto is off
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        loss = app.query_one("#loss-panel").plot
        assert "EMA" not in loss.title and np.array_equal(loss.series[0].y, app.trace.loss)


def _heavy_ball(epochs: int) -> RunConfig:
    """Heavy ball on the quadratic of L = 2 at lr 0.1: its map's edge is 2(1 + momentum) / 2."""
    return RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                     problem_params={"L": 2.0}, optimizer="momentum", epochs=epochs)


async def _map_open(app, pilot):
    await started(app, pilot)
    await pilot.press("escape", "m")
    await settle(app, pilot)
    assert app.view == "map"
    return app.run_display.views["map"]


async def test_the_map_view_shows_the_runs_over_lr_and_momentum_with_the_edge_and_moves_a_cursor():
    """Issue 27: m opens the map of the run over its lr and momentum (the optimizer has one); the arrows move a
    cursor over the cells, the status line says the cell, enter makes it the run, m closes the map."""
    from lrtui.plotting.map_text import edge_columns

    app = make_app(Start(_heavy_ball(200), Options(ascii=True, mono=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _map_open(app, pilot)
        found = view.result(app._run())
        assert found is not None and found.y.field == "optimizer.momentum" and found.x.field == "schedule.lr"
        text = app.run_display.panels["map"].render().plain
        assert "map: momentum over lr (log)" in text and "@" in text and "| stable edge" in text
        for row, column in enumerate(edge_columns(found)):  # the edge, 2(1+beta)/L, where the formula puts it
            beta = found.y.values[row]
            edges = found.x.edges()
            assert column is not None and edges[column] <= 2 * (1 + beta) / 2.0 < edges[column + 1]
        start = view.here(app._run())
        epoch = app.epoch
        await pilot.press("right", "right", "down", "down", "up")
        await pilot.pause()
        assert view.cursor == (start[0] - 1, start[1] + 2) and app.epoch == epoch and app.view == "map"
        x, y = found.x.values[start[1] + 2], found.y.values[start[0] - 1]
        assert status(app).startswith(f"lr={x:.3g} momentum={y:.3g}: ")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(x)
        assert app.config.optimizer_params["momentum"] == pytest.approx(y)
        assert view.result(app._run()) is found  # the map is the same whatever the run's lr and momentum
        assert view.here(app._run()) == view.cursor
        await pilot.press("m")
        assert app.view == "loss"
        await pilot.press("right")  # the epoch cursor again
        assert app.epoch == epoch + 1


async def test_the_maps_second_axis_is_the_field_last_focused_where_the_optimizer_has_no_momentum():
    config = RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                       problem_params={"noise": 0.2}, epochs=100, seeds=1)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        row(app, "problem.x0").focus()
        await pilot.pause()
        await pilot.press("escape", "m")
        await settle(app, pilot)
        found = app.run_display.views["map"].result(app._run())
        assert found.y.field == "problem.x0" and len(found.x.values) > 40  # wider at 120x40
        assert "▀" in app.run_display.panels["map"].render().plain  # in colour: two cells a character
        app.run_display.show_progress(50, 100, 1, view="map")  # (what a long map shows as it goes)
        assert "map: simulating ... 50%" in app.run_display.panels["map"].render().plain
        assert status(app).startswith("map: simulating: 50 of 100 epochs over its rows, 50%")
        view = app.run_display.views["map"]
        coarse = replace(found, simulated=np.zeros(found.final.shape, dtype=bool))  # (a long map comes coarse first)
        view._refining(coarse)
        app.run_display.show_progress(20, 100, 1, view="map")
        shown = app.run_display.panels["map"].render().plain
        assert "map: x0 over lr (log), final loss, coarse: 20% (escape stops)" in shown and "▀" in shown
        view.keep(view.work(app._run()), found)
        assert view.partial is None


async def test_a_map_too_large_for_the_work_budget_says_so_and_the_app_goes_on():
    """The hostile retry: m on a long run (10^5 epochs, 3 steps an epoch) ended the app with 'internal error:
    ConfigError: a map of 80x28 cells ... about 106 s of work', its work lost (in a browser: the page closed)."""
    config = RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic", epochs=100_000,
                       steps_per_epoch=20, seeds=1)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "m")
        await settle(app, pilot)
        await pilot.press("right", "enter")
        await settle(app, pilot)
        assert app.is_running and app.config == config
        assert "s of work" in app.run_display.panels["map"].render().plain


async def test_a_on_the_map_chooses_its_y_and_ranges_and_a_bad_word_keeps_the_map():
    """Issue 27: the user picks the map's y and both ranges; the prompt starts from the map's own; a word not
    allowed is one line naming it and the range, and the map stays."""
    from textual.widgets import Input

    app = make_app(Start(_heavy_ball(100), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _map_open(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field.value.startswith("y=momentum  lr=") and field.value.endswith("momentum=0..0.99")
        field.value = "y=noise lr=0.01..1 noise=0..2"
        await pilot.press("enter")
        await settle(app, pilot)
        found = view.result(app._run())
        assert found.y.field == "problem.noise" and found.y.values[[0, -1]].tolist() == [0, 2]
        assert found.x.values[0] == pytest.approx(0.01) and found.x.values[-1] == pytest.approx(1)
        assert "map: noise over lr (log)" in app.run_display.panels["map"].render().plain
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "y=noise  lr=0.01..1  noise=0..2"
        app.screen.query_one(Input).value = "noise=0..-1"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "map axes: noise=0..-1 is not allowed: LOW..HIGH with LOW below HIGH, from 0" in _prompt_problem(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert view.result(app._run()) is found and app.is_running
        await pilot.press("m")  # (elsewhere a is not the map's)
        assert app.view == "loss"


def _prompt_problem(app) -> str:
    """The error under the prompt's input as it reads on the screen: its wrapped lines joined ("" where none)."""
    from textual.widgets import Static

    shown = app.screen.query_one("#problem", Static)
    if not shown.display or "shown" not in shown.classes:
        return ""
    region = shown.content_region
    assert 0 <= region.y and region.bottom <= app.size.height and region.right <= app.size.width
    return " ".join(strip.text.strip() for strip in shown.render_lines(region.reset_offset)).strip()


@pytest.mark.parametrize("typed, ends", [
    ("y=nosuch", "one of momentum, noise, L, weight_decay, warmup, x0, T_max, eta_min, warmup_start_factor, epochs, "
                 "steps_per_epoch, batch_size"),
    ("y=momentum lr=0.001..3 momentum=0..2", "LOW..HIGH with LOW below HIGH, from 0 and below 1"),
    ("lr=-1..3", "LOW..HIGH with LOW below HIGH, above 0 and up to 1e+06"),
    ("asdf qwer", "y=FIELD or FIELD=LOW..HIGH (fields: lr, momentum, noise, L, weight_decay, warmup, x0, T_max, "
                  "eta_min, warmup_start_factor, epochs, steps_per_epoch, batch_size)"),
])
async def test_the_map_axes_prompt_keeps_text_not_allowed_and_shows_its_whole_error_under_it(typed, ends):
    """The newcomer's finding: the a prompt's error went to the status line, cut at 80 columns before its list
    of fields or its bound, and the prompt closed, the typed text lost. Now the prompt stays open with the
    text, the whole error wrapped under the input (fields by the short names the prompt accepts); escape
    closes it with the map as it was, and enter on allowed text closes it and draws that map."""
    from textual.widgets import Input

    from tests.conftest import cosine

    app = make_app(Start(replace(cosine(), optimizer="momentum"), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _map_open(app, pilot)
        found = view.result(app._run())
        await pilot.press("a", "ctrl+u", *("space" if c == " " else c for c in typed), "enter")
        await settle(app, pilot)
        shown = _prompt_problem(app)
        assert shown.startswith("map axes: ") and shown.endswith(ends), shown
        assert app.screen.query_one(Input).value == typed and app.screen is not app.screen_stack[0]
        app.screen.query_one(Input).value = ""
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and view.axes == type(view.axes)() and view.result(app._run()) is found
        assert "not allowed" not in status(app)
        await pilot.press("a", "ctrl+u", *"y=noise", "enter")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and view.result(app._run()).y.field == "problem.noise"


async def test_a_map_past_the_work_budget_has_fewer_cells_and_says_so(monkeypatch):
    """An MLP's run of 100 epochs over 8 seeds: its 42x12 map at 80x24 would take 73 s, past the 60 s budget.
    The map shrinks its cells until it fits (down to MIN_MAP_CELLS), and its title gives the cells."""
    from lrtui.analysis.maps import map_seconds
    from lrtui.ui import views

    app = make_app(Start(_heavy_ball(100), Options(ascii=True, mono=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _map_open(app, pilot)
        whole = view.result(app._run())
        assert len(whole.x.values) == view.cells[0]
        seconds = map_seconds(app._run().prepared, whole.x, whole.y)
        monkeypatch.setattr(views, "WORK_BUDGET", seconds / 3)
        view.axes = replace(view.axes, x_range=(0.01, 3.0))  # (another map: it is made again)
        app.runs.draw_plots()
        await settle(app, pilot)
        smaller = view.result(app._run())
        assert views.MIN_MAP_CELLS[0] <= len(smaller.x.values) < view.cells[0]
        assert map_seconds(app._run().prepared, smaller.x, smaller.y) <= seconds / 3
        title = f", {len(smaller.x.values)}x{len(smaller.y.values)} cells"
        panel = app.run_display.panels["map"]
        assert title in panel.render().plain.splitlines()[0]
        assert len(panel.render().plain.splitlines()[0]) <= panel.content_size.width  # (one line: not wrapped)


async def test_ctrl_z_takes_back_a_map_cell_made_the_run_and_ctrl_y_makes_it_again():
    """Issue 27 asks for enter on a map cell to be undone "with the usual keys"; the newcomer's try found no undo
    at all: the run's lr and momentum were gone unless pinned first. ctrl+z now takes back the last change to the
    run (a map's cell, an edit, a step), ctrl+y makes it again."""
    config = _heavy_ball(100)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await _map_open(app, pilot)
        await pilot.press("right", "right", "up", "enter")
        await settle(app, pilot)
        picked = app.config
        assert picked != config and picked.optimizer_params["momentum"] != 0.9
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.config == config and app.trace.config == config
        assert any(n.message.startswith("undone: lr=0.1, optimizer.momentum=0.9") for n in app._notifications)
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert app.config == picked
        await pilot.press("ctrl+y")  # nothing left to redo: the run stays
        assert app.config == picked and any(n.message == "nothing to redo" for n in app._notifications)


async def test_ctrl_z_takes_back_edits_and_steps_one_at_a_time_but_not_a_take_back():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        start = app.config
        row(app, "schedule.lr").focus()
        await pilot.press(*"0.3", "enter")
        await settle(app, pilot)
        typed = app.config
        row(app, "schedule.T_max").focus()
        await pilot.press("+", "+")
        await settle(app, pilot)
        assert app.config.schedule["params"]["T_max"] > 100
        await pilot.press("ctrl+z")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.config == typed  # each step was a change
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.config == start
        await pilot.press("ctrl+z")
        assert app.config == start and any(n.message == "nothing to undo" for n in app._notifications)
        await pilot.press("+", *"50", "enter")  # a step that began a typed value (+50) is taken back: no change
        await settle(app, pilot)
        assert app.config.schedule["params"]["T_max"] == 50, (app.focused, row(app, "schedule.T_max").message)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.config == start


def test_the_history_keeps_its_last_changes_and_a_new_change_ends_what_could_be_redone():
    from lrtui.ui.history import History

    history = History(depth=3)
    for settings in range(5):
        history.changed(settings)
    assert history.past == [2, 3, 4]
    assert history.undo(5) == 4 and history.undo(4) == 3 and history.future == [5, 4]
    assert history.redo(3) == 4 and history.past == [2, 3]
    history.changed(9)
    assert history.future == [] and history.redo(10) is None
    from lrtui.sim.config import prepare
    from lrtui.ui.history import describe_change

    batches = prepare(RunConfig(batch_size=5, steps_per_epoch=20))
    assert describe_change(batches, prepare(RunConfig())) == "steps_per_epoch=1, batch_size=none"  # as the form


def _screen(app) -> list[str]:
    """The terminal's lines as a person reads them."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("options", [Options(), Options(ascii=True)], ids=["colour", "ascii"])
async def test_at_80_columns_the_loss_title_still_names_the_smoothing(options):
    """Issue 28: the loss plot's title was cut to "loss: river_valley / sgd..." at 80x24, the smoothing's name
    lost; narrow, it drops the problem and optimizer (the form names them) and keeps the smoothing and the seeds."""
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="river_valley")
    app = make_app(Start(config, options))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        title_row = next(line for line in _screen(app) if "noise floor" in line)
        assert "loss (EMA 0.9), 16 seeds" in title_row and "..." not in title_row
    app = make_app(Start(config, options))
    async with app.run_test(size=(160, 40)) as pilot:  # wide, the whole title
        await started(app, pilot)
        assert any("loss: river_valley / sgd (EMA 0.9), 16 seeds" in line for line in _screen(app))


@pytest.mark.parametrize("options", [Options(), Options(ascii=True)], ids=["colour", "ascii"])
async def test_at_80_columns_the_sharpness_title_and_legend_fit(options):
    """Issue 28: at 80x24 the sharpness view's title row held its legend only by cutting the title
    ("sharpness,... (log)"); narrow, the legend names lambda_max alone (the title says sharpness)."""
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="catapult",
                       problem_params={"noise": 0.1})
    app = make_app(Start(config, options))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "s", "l")
        await settle(app, pilot)
        lam = "lambda_max" if options.ascii else "λmax"
        title_row = next(line for line in _screen(app) if "c/lr" in line)
        assert "sharpness, seed 0 (log)" in title_row and lam in title_row and "..." not in title_row
        assert title_row.rstrip().endswith("c/lr") and len(title_row) <= 80


@pytest.mark.parametrize("options", [Options(), Options(ascii=True)], ids=["colour", "ascii"])
async def test_at_80_columns_the_range_test_shows_its_picks_the_limit_and_which_pick_misleads(options):
    """Issue 28: at 80x24 the status line was cut ("...valley 0.0002477; stable below"), and nothing said that
    valley (0.00076 on the quadratic, against 0.19 and 0.89) sat in the flat start. The limit is in the title,
    the picks and the limit in the status line, the misleading pick under the plot, and ? explains each pick."""
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}), options))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await settle(app, pilot)
        screen = "\n".join(_screen(app))
        assert "range test: stable below 2" in screen
        assert "min/10 0.187, steepest 0.89, valley 0.000756; stable below 2" in status(app)
        assert status(app) in screen  # whole, not cut
        assert "misleading: valley (flat start)" in screen
        await pilot.press("question_mark")
        help_text = " ".join(app.screen.text.split())
        assert "valley (fastai's) the longest stretch of falling loss" in help_text
        assert "valley when the loss is flat at the start of the sweep" in help_text


@pytest.mark.parametrize("problem, optimizer, found", [
    ("quadratic", "sgd", {"valley": "flat start"}),
    ("spectrum", "sgd", {"steepest": "above the limit", "valley": "flat start"}),  # steepest 0.201, limit 0.2
    ("two_basins", "sgd", {}),  # (no picks: the test blows up at once)
])
def test_the_range_test_says_which_picks_mislead(problem, optimizer, found):
    from lrtui.analysis.range_test import misleading, range_test

    assert misleading(range_test(RunConfig(problem=problem, optimizer=optimizer))) == found


@pytest.mark.parametrize("field", ["optimizer.momentum", "optimizer.weight_decay", "schedule.warmup_start_factor"])
@pytest.mark.parametrize("plain", [False, True])
def test_the_maps_title_fits_its_panel_at_80x24(field, plain):
    """The newcomer's finding: lrtui --problem mlp's map (shrunk to the budget) had the title 'map:
    weight_decay over lr (log), final loss, 19x6 cells', wider than the panel at 80x24: 'cells' wrapped alone
    on a line. The title is the longest wording that fits the panel's 50 columns, the cells or the progress
    always in it."""
    from lrtui.analysis.maps import axis, compute_map
    from lrtui.plotting.series import Look
    from lrtui.sim.config import prepare
    from lrtui.ui.views import MapView

    view = MapView()
    view.cells = (42, 36)  # (what RunDisplay.text_cells gives the panel at 80x24)
    found = compute_map(prepare(_heavy_ball(20)), axis("schedule.lr", 0.01, 2.0, True, 19),
                        axis("optimizer.momentum", 0.0, 0.9, False, 6))
    found = replace(found, y=replace(found.y, field=field))
    look = Look(ascii=plain)
    name = field.split(".")[-1]
    for text, ending in (("", None), (", 19x6 cells", ", 19x6 cells"), (", coarse: 53%", ", coarse: 53%")):
        more = " (escape stops)" if "coarse" in text else ""
        title = views_map_title(found, look, view, text, more)
        assert len(title) <= 50 and name in title and "over lr" in title, title
        assert ending is None or ending in title
    assert views_map_title(replace(found, y=replace(found.y, field="optimizer.momentum")), look, view, "", "") \
        == f"map: momentum over lr (log), {'outcome' if plain else 'final loss'}"


def views_map_title(found, look, view, refining, more):
    from lrtui.ui.views import _map_title

    return _map_title(found, look, view._width(), refining, more)


async def test_the_map_of_onecycle_varies_its_max_lr_and_enter_sets_it():
    """onecycle has no lr (its peak is max_lr): its map sets max_lr, and enter makes the cell the run."""
    config = RunConfig(schedule={"name": "onecycle", "params": {}}, problem="quadratic", epochs=50)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _map_open(app, pilot)
        found = view.result(app._run())
        assert found is not None and found.x.field == "schedule.lr"
        await pilot.press("left", "left", "enter")
        await settle(app, pilot)
        assert app.is_running and app.config.schedule["name"] == "onecycle"
        assert app.config.schedule["params"]["max_lr"] != 0.1 and "lr" not in app.config.schedule["params"]
