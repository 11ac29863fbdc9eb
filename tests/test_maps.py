"""Maps of many runs (issue 27): the outcome over the lr and a second parameter, the analytic boundaries where
they are known, and lrtui map. The boundaries are checked against their formulas computed here, from the
problem's own L, not from the map."""

import csv
import io
import json
import math
import re

import numpy as np
import pytest

from lrtui.analysis import maps
from lrtui.analysis.maps import NOT_RUN, axis, compute_map, default_range, default_y, map_seconds
from lrtui.cli import main
from lrtui.plotting.map_text import map_lines
from lrtui.sim.config import RunConfig, prepare

L = 2.0


def heavy_ball(epochs=300, **params):
    return prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                             problem_params={"L": L, **params}, optimizer="momentum", epochs=epochs))


def grid_of(lines: list[str], corner: str = "+") -> list[str]:
    """The cells of a map picture, top row first: the lines between the title and the x axis, each from the
    column after the axis' corner."""
    axis_line = next(i for i, line in enumerate(lines) if line.lstrip().startswith(corner))
    bar = lines[axis_line].index(corner)
    return [line[bar + 1:] for line in lines[1:axis_line]]


def cell_of(edges: np.ndarray, value: float) -> int:
    return int(np.searchsorted(edges, value, side="right") - 1)


def test_the_ascii_map_draws_heavy_balls_edge_where_2_1_plus_beta_over_L_puts_it():
    """Each row's '|' is in the cell holding 2(1+beta)/L, and the runs turn from converging to diverging there
    (within a cell: the edge itself is a period-2 orbit)."""
    x = axis("schedule.lr", 0.01, 4.0, True, 48)
    y = axis("optimizer.momentum", 0.0, 0.9, False, 10)
    grid = grid_of(map_lines(compute_map(heavy_ball(), x, y), ascii=True))
    assert len(grid) == 10 and all(len(row) == 48 for row in grid)
    for line, beta in zip(grid, reversed(y.values)):  # the top line is the largest momentum
        edge = cell_of(x.edges(), 2 * (1 + beta) / L)
        assert line[edge] == "|", (beta, line)
        first_diverging = line.index("X")
        assert abs(first_diverging - edge) <= 1, (beta, line)
        assert set(line[edge + 1:]) == {"X"} and "X" not in line[:edge - 1]


def test_critical_damping_follows_1_minus_sqrt_lr_L_squared():
    x = axis("schedule.lr", 0.005, 0.5, True, 40)
    y = axis("optimizer.momentum", 0.0, 0.99, False, 24)
    grid = grid_of(map_lines(compute_map(heavy_ball(), x, y), ascii=True))
    found = 0
    for column, lr in enumerate(x.values):
        beta = (1 - math.sqrt(lr * L)) ** 2
        if y.edges()[0] <= beta < y.edges()[-1]:
            row = len(grid) - 1 - cell_of(y.edges(), beta)
            assert grid[row][column] == ":", (lr, beta)
            found += 1
    assert found > 30


def test_a_map_without_colour_or_braille_loses_nothing_and_unicode_has_its_own_glyphs():
    m = compute_map(heavy_ball(), axis("schedule.lr", 0.01, 4.0, True, 30),
                    axis("optimizer.momentum", 0, 0.9, False, 6))
    plain, fancy = map_lines(m, ascii=True), map_lines(m)
    assert all(ord(c) < 128 for line in plain for c in line)
    assert [row.replace(".", "·").replace("|", "│").replace(":", "∙") for row in grid_of(plain)] == \
        grid_of(fancy, "└")
    assert plain[-2:] == [". converges  ~ oscillates  X diverges", "| stable edge c/lambda_max  : critical damping"]


@pytest.mark.parametrize("ascii", [False, True])
def test_lrtui_map_plots_title_and_legend_fit_80_columns(capsys, ascii):
    """The newcomer's finding: lrtui map --plot's title (90 characters) and legend (84) wrapped at 80 columns.
    The title names the y by its short name and the lr as lr; the boundaries' legend goes on a line of its
    own where one line would pass 80; a run named at length puts the run on a second title line."""
    argv = ["map", "--optimizer", "momentum", "--cells", "60x4", "--plot"] + (["--ascii"] if ascii else [])
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "map: momentum over lr (log): constant on quadratic with momentum, 100 epochs"
    assert max(len(line) for line in lines) <= 80 and "stable edge c/lambda_max" in lines[-1]
    long = ["map", "--optimizer", "schedulefree_sgd", "--schedule", "warmup_cosine_restarts", "--problem",
            "river_valley", "--epochs", "20000", "--cells", "4x2", "--plot", "--y", "num_warmup_steps"]
    assert main(long) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["map: num_warmup_steps over lr (log)",
                         "warmup_cosine_restarts on river_valley with schedulefree_sgd, 20,000 epochs"]
    assert max(len(line) for line in lines) <= 80


def test_each_cells_final_loss_is_the_closed_form_of_its_run():
    """SGD on L/2 x^2: loss[t] = L/2 x0^2 (1 - lr L)^(2t); a cell's final loss is the mean of its last tenth."""
    base = prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                             problem_params={"L": L}, epochs=50))
    x = axis("schedule.lr", 0.01, 0.9, True, 7)
    y = axis("problem.x0", 1.0, 3.0, False, 3)
    m = compute_map(base, x, y)
    for row, x0 in enumerate(y.values):
        for column, lr in enumerate(x.values):
            t = np.arange(45, 50)
            expected = np.mean(L / 2 * x0 ** 2 * (1 - lr * L) ** (2 * t))
            assert m.final[row, column] == pytest.approx(expected, rel=1e-9)
            assert m.kind[row, column] == 0


def test_the_default_axes_are_momentum_or_what_a_lesson_varies_and_the_lr_around_the_edge():
    assert default_y(heavy_ball()) == "optimizer.momentum"
    sgd = prepare(RunConfig(problem="quadratic", problem_params={"noise": 0.2}))
    assert default_y(sgd) == "problem.noise" and default_y(sgd, focused="problem.x0") == "problem.x0"
    low, high, log = default_range(sgd, "schedule.lr")
    assert log and low == pytest.approx(2 / 1 / 1000) and high == pytest.approx(2 / 1 * 3)  # edge 2/L, L = 1
    assert default_range(sgd, "problem.noise") == (0.0, 1.0, False)


def test_a_default_range_starts_inside_an_open_bound_so_every_row_runs():
    """Schedule-free SGD's momentum is above 0 (open): its map's first row at 0 was 'not run' (a blank row on the
    default map); the default now starts a hundredth in, and every cell of the default map runs."""
    free = prepare(RunConfig(problem="quadratic", optimizer="schedulefree_sgd", epochs=20))
    low, high, _ = default_range(free, "optimizer.momentum")
    assert 0 < low < 0.05 and high == 0.99
    m = compute_map(free, axis("schedule.lr", 0.01, 1.0, True, 4), axis("optimizer.momentum", low, high, False, 4))
    assert not (m.kind == NOT_RUN).any()
    assert default_range(heavy_ball(), "optimizer.momentum")[0] == 0.0  # heavy ball's 0 is plain SGD: allowed


def test_schedule_free_sgds_default_map_reaches_where_it_diverges():
    """The newcomer's try: schedule-free SGD's default map ran the lr to 3 x 2/L, plain SGD's edge, and showed no
    divergence anywhere (a class would conclude it never diverges). Its run settles to 2/((1 - beta) L): the
    range reaches three times that, at the run's own beta, and the low-beta rows diverge within it."""
    free = prepare(RunConfig(problem="quadratic", optimizer="schedulefree_sgd", epochs=100))
    low, high, log = default_range(free, "schedule.lr")
    assert log and high == pytest.approx(3 * 2 / (1 - 0.9) / 1) and low == pytest.approx(high / 3 / 1000)
    m = compute_map(free, axis("schedule.lr", low, high, True, 12), axis("optimizer.momentum", 0.01, 0.99, False, 4))
    diverged = m.kind == maps.CLASSES.index("diverges")
    assert diverged[0].any() and not diverged[0][:4].any()  # beta 0.01: diverges within the map, not at its start
    first = [int(np.argmax(row)) if row.any() else 99 for row in diverged]
    assert first == sorted(first)  # the edge moves right as beta grows


def test_a_cell_its_parameter_refuses_is_left_blank():
    base = prepare(RunConfig(schedule={"name": "step", "params": {"lr": 0.1, "step_size": 10}}, problem="quadratic"))
    m = compute_map(base, axis("schedule.lr", 0.01, 1.0, True, 5), axis("schedule.gamma", 0.5, 1.5, False, 3))
    assert (m.kind[-1] == NOT_RUN).all() and np.isnan(m.final[-1]).all()  # gamma 1.5 is above its bound, 1
    assert "blank: not allowed there" in map_lines(m)[-1]


def test_lrtui_map_writes_a_row_per_cell_or_the_grid_as_json(capsys):
    argv = ["map", "--optimizer", "momentum", "problem.L=2", "--cells", "12x4", "--x-range", "0.01,4",
            "--y-range", "0,0.9"]
    assert main(argv) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 48 and set(rows[0]) == {"schedule.lr", "optimizer.momentum", "final_loss", "class"}
    assert {r["class"] for r in rows} <= {"converges", "oscillates", "diverges"}
    assert all((r["final_loss"] == "") == (r["class"] == "diverges") for r in rows)
    assert main([*argv, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["y"]["values"] == pytest.approx([0, 0.3, 0.6, 0.9])
    assert document["edge_lr"] == pytest.approx([2 * (1 + b) / L for b in (0, 0.3, 0.6, 0.9)])
    assert main([*argv, "--plot", "--ascii"]) == 0
    assert "| stable edge c/lambda_max" in capsys.readouterr().out


def test_lrtui_map_takes_the_y_by_the_short_name_the_apps_prompt_takes(capsys):
    """The newcomer's finding: --y took only group.name, and its error's list (schedule.factor, ...) was cut
    by the one-line limit before optimizer.momentum, the likely answer. --y momentum is the same map as
    --y optimizer.momentum, and the error lists short names, the likeliest first, whole or with how many more."""
    argv = ["map", "--optimizer", "momentum", "--cells", "4x3"]
    assert main([*argv, "--y", "momentum"]) == 0
    short = capsys.readouterr().out
    assert main([*argv, "--y", "optimizer.momentum"]) == 0
    assert capsys.readouterr().out == short and short.startswith("schedule.lr,optimizer.momentum,")
    assert main([*argv, "--y", "nosuch"]) == 2
    assert capsys.readouterr().err == ("lrtui map: --y=nosuch is not allowed: one of momentum, noise, L, weight_decay, "
                                       "warmup, x0, factor, total_iters, warmup_start_factor, epochs, steps_per_epoch, "
                                       "batch_size\n")
    many = ["map", "--optimizer", "schedulefree_adamw", "--schedule", "onecycle", "--problem", "mlp", "--y", "nosuch"]
    assert main(many) == 2
    err = capsys.readouterr().err
    assert err.startswith("lrtui map: --y=nosuch is not allowed: one of weight_decay, warmup, beta1, ")
    assert err.endswith(" more (lrtui list)\n") and "..." not in err and "…" not in err
    assert main([*many[:-1], "a_twenty_char_name_x"]) == 2  # (a longer name typed: the list shorter, not cut)
    assert capsys.readouterr().err.endswith(" more (lrtui list)\n")


def test_a_map_past_the_work_budget_says_how_many_cells_fit(capsys):
    """The newcomer's finding: lrtui map --problem mlp was refused with '60x20 cells ... about 174 s of work:
    allowed about 60 s (fewer --cells, ...)', leaving the user to guess how many. The message gives the cells
    that fit, from the same estimate: those are within the budget, and the map asked is not."""
    from lrtui.cli.runs import run_config
    from lrtui.cli.parser import build_parser
    from lrtui.sim.config import WORK_BUDGET

    assert main(["map", "--problem", "mlp"]) == 2
    err = capsys.readouterr().err
    found = re.search(r"about 60 s \(--cells (\d+)x(\d+) fits, or fewer --epochs, or a narrower --y-range\)$", err)
    assert found and err.startswith("lrtui: a map of 60x20 cells of this run is about "), err
    columns, rows = int(found[1]), int(found[2])
    assert 2 <= columns < 60 and 2 <= rows < 20
    prepared = prepare(run_config(build_parser()[1]["map"].parse_args(["--problem", "mlp"])))
    low, high, _ = default_range(prepared, maps.LR)
    y = default_y(prepared)
    y_low, y_high, y_log = default_range(prepared, y)
    seconds = map_seconds(prepared, axis(maps.LR, low, high, True, columns), axis(y, y_low, y_high, y_log, rows))
    assert seconds <= WORK_BUDGET < map_seconds(prepared, axis(maps.LR, low, high, True, 60),
                                                axis(y, y_low, y_high, y_log, 20))


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "200000"], "epochs=200000 is not allowed"),  # (--help says 1 to 100,000: so does the check)
    (["--epochs", "0"], "[1, 100000]"),
    (["--plot", "--format", "json"], "lrtui map: --plot draws the map, --format prints numbers"),
    (["--y", "schedule.lr"], "lrtui map: --y schedule.lr is the x axis: allowed another numeric parameter"),
    (["--y", "problem.nope"], "lrtui map: --y=problem.nope is not allowed: one of noise, L, weight_decay, "),
    (["--cells", "3x1000"], "--cells=3x1000 is not allowed: COLUMNSxROWS, 2 to 240 columns and 2 to 120 rows"),
    (["--cells", "4x٣"], "--cells=4x٣ is not allowed: COLUMNSxROWS"),  # (int() takes other scripts' digits)
    (["--x-range", "0,1"], "the lr's range is above 0"),
    (["--y-range", "2,1"], "--y-range=2,1 is not allowed: LOW,HIGH with LOW below HIGH"),
    (["--optimizer", "momentum", "--y-range", "0,2"], "--y-range=0,2 is not allowed: LOW,HIGH with LOW below HIGH, "
                                                      "from 0 and below 1"),  # (momentum's bounds: all blank)
    (["--optimizer", "schedulefree_sgd", "--y-range", "0,0.9"], "--y-range=0,0.9 is not allowed: LOW,HIGH with LOW "
                                                                "below HIGH, above 0 and below 1"),  # (open bounds)
    (["--optimizer", "momentum", "--y-range", "0.5,1"], "from 0 and below 1"),
    (["--problem", "beale", "--epochs", "100000", "--cells", "240x120"], "cells of this run is about"),
    (["--epochs", "100", "--y", "epochs", "--y-range", "1000,1000000"], "cells of this run is about"),  # the y's
])
def test_a_bad_map_request_is_one_line_and_status_2(capsys, argv, message):
    assert main(["map", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_in_colour_each_cell_is_shaded_by_its_final_loss_and_the_edge_has_its_own_colour():
    """Two cells a character (▀: the upper cell its foreground, the lower its background); the edge's cells
    white, diverging ones red, the converging ones darker the lower their final loss."""
    from lrtui.plotting.map_text import DIVERGES, EDGE, RAMP, cell_colours, damping_rows, edge_columns, map_text

    x = axis("schedule.lr", 0.01, 4.0, True, 40)
    y = axis("optimizer.momentum", 0.0, 0.9, False, 8)
    m = compute_map(heavy_ball(), x, y)
    colours = cell_colours(m)
    for row, beta in enumerate(y.values):
        edge = cell_of(x.edges(), 2 * (1 + beta) / L)
        assert colours[row][edge] == EDGE and set(colours[row][edge + 1:]) == {DIVERGES}
    shaded = np.where(m.kind < 2, m.final, np.nan)  # (the scale spans the converging and oscillating cells)
    for column, row in enumerate(damping_rows(m)):  # (critical damping's cells have its colour)
        if row is not None:
            shaded[row, column] = np.nan
    for row, column in enumerate(edge_columns(m)):
        if column is not None:
            shaded[row, column] = np.nan
    fastest = np.unravel_index(np.nanargmin(shaded), shaded.shape)
    assert colours[fastest[0]][fastest[1]] == RAMP[0]
    slowest = np.unravel_index(np.nanargmax(shaded), shaded.shape)
    assert colours[slowest[0]][slowest[1]] == RAMP[-1]
    text = map_text(m)
    lines = text.plain.split("\n")
    assert len([line for line in lines if "▀" in line]) == 4  # 8 rows of cells, two a line
    assert "█ diverges" in lines[-1] and "█ edge" in lines[-1]


def test_a_maps_estimate_prices_each_row_at_its_own_y():
    """The hostile retry: a map's rows were priced as the run shown, so --y epochs up to 10^5 from a run of 100
    was accepted as a few seconds (34 s and 1 GB), and a noise map (noiseless run: one seed; noisy rows: 16)
    took 5x its estimate. Each row is priced at its y now: the sum of its rows' own estimates."""
    from dataclasses import replace

    from lrtui.sim.config import estimated_seconds

    base = prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic", epochs=100))
    x = axis("schedule.lr", 0.01, 1.0, True, 10)
    short, long = (axis("epochs", 100, high, False, 4, integer=True) for high in (400, 40_000))
    cells = 40 * maps.CELL_SECONDS
    epochs = sum(long.values) / sum(short.values)  # (80.2: the simulation's cost goes as the epochs)
    assert (map_seconds(base, x, long) - cells) / (map_seconds(base, x, short) - cells) == pytest.approx(epochs)

    noisy = axis("problem.noise", 0.0, 1.0, False, 3)
    rows = [prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic", epochs=100,
                              problem_params={"noise": v})) for v in noisy.values]
    assert [r.seeds for r in rows][0] == 1 and rows[1].seeds > 1  # (auto: seeds where there is noise)
    each = sum(estimated_seconds(replace(r, seeds=r.seeds * 10)) for r in rows)
    assert map_seconds(base, x, noisy) == pytest.approx(each + 30 * maps.CELL_SECONDS)


def test_a_row_of_long_runs_runs_a_few_cells_at_a_time(monkeypatch):
    """A row's runs held about 125 bytes an epoch each at once (60 cells of 10^5 epochs: 750 MB); the cells
    now go in batches of at most MAP_SEED_EPOCHS seed-epochs, with the same result."""
    from lrtui.sim import engine

    base = prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic", epochs=50))
    x, y = axis("schedule.lr", 0.01, 1.0, True, 6), axis("epochs", 50, 200, False, 2, integer=True)
    whole = compute_map(base, x, y)
    sizes = []
    real = maps.simulate_many
    monkeypatch.setattr(maps, "simulate_many", lambda runs, *rest: sizes.append(sum(r.epochs * r.seeds for r in runs))
                        or real(runs, *rest))
    monkeypatch.setattr(maps, "MAP_SEED_EPOCHS", 400)
    batched = compute_map(base, x, y)
    assert sizes == [300, 400, 400, 400]  # a row of 50-epoch cells at once, of 200 two by two
    np.testing.assert_array_equal(whole.final, batched.final)
    np.testing.assert_array_equal(whole.kind, batched.kind)
    assert engine.BATCH_SEED_EPOCHS > maps.MAP_SEED_EPOCHS


def test_a_long_map_comes_coarse_first_then_refined_to_the_same_map(monkeypatch):
    """Issue 27: a map estimated past COARSE_SECONDS runs every few rows and columns first (shown as blocks:
    each cell not run yet shows its nearest run cell), then the rest; the map it ends with is the map run
    row by row, cell for cell."""
    base = prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="quadratic",
                             problem_params={"noise": 0.3}, epochs=60, seeds=4))
    x, y = axis("schedule.lr", 0.01, 3.0, True, 12), axis("problem.L", 0.5, 4.0, False, 6)
    whole = compute_map(base, x, y)
    monkeypatch.setattr(maps, "COARSE_SECONDS", 1e-6)  # (every map is long)
    pieces = maps.passes(maps.row_plans(base, y), 12)
    assert pieces[0] == (1, [1, 4, 7, 10]) and pieces[1] == (4, [1, 4, 7, 10])  # every third, centred
    seen = []
    refined = compute_map(base, x, y, partial=seen.append)
    first = seen[0]
    assert first.simulated.sum() == 4 and 0 < first.refined < 1
    assert (first.final[0:3, 0:3] == whole.final[1, 1]).all()  # a block: its run cell's value
    assert np.isnan(first.lambda_max[0]) and first.lambda_max[1] == pytest.approx(whole.lambda_max[1])
    assert [m.refined for m in seen] == sorted(m.refined for m in seen) and seen[-1].refined < 1
    assert refined.simulated is None and refined.refined == 1
    np.testing.assert_array_equal(refined.final, whole.final)
    np.testing.assert_array_equal(refined.kind, whole.kind)
    assert maps.passes(maps.row_plans(base, y), 12)[0][1] == [1, 4, 7, 10]
    monkeypatch.setattr(maps, "COARSE_SECONDS", 1e6)
    assert [cells for _, cells in maps.passes(maps.row_plans(base, y), 12)] == [list(range(12))] * 6
    assert len(seen) == 2 + 6 - 1  # after each piece but the last
    compute_map(base, x, y, partial=seen.append)
    assert len(seen) == 2 + 6 - 1  # a short map: no partial maps


def test_the_landscape_frames_the_problems_minimizer_with_the_path():
    """The newcomer's try: the ravine's landscape at 80x24 showed x from -5.48 to -1.33 (the path's frame): the
    minimum at (0, 0), where the valley leads, was out of view."""
    from lrtui.analysis.landscape import path_bounds
    from lrtui.sim.engine import simulate
    from lrtui.sim.config import PROBLEMS

    for name, point in (("ravine", (0, 0)), ("river_valley", (10, 0)), ("rosenbrock", (1, 1)), ("beale", (3, 0.5))):
        problem = PROBLEMS[name]
        assert problem.minimizer == point
        assert problem.loss(np.array([point], dtype=float), {"noise": 0.0})[0] == pytest.approx(problem.minimum)
    short = simulate(prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.01}}, problem="ravine",
                                       epochs=20)))
    (x0, x1), (y0, y1) = path_bounds(short.params)
    assert not x0 < 0 < x1  # the path alone does not reach the minimum
    (x0, x1), (y0, y1) = path_bounds(short.params, also=PROBLEMS["ravine"].minimizer)
    assert x0 < 0 < x1 and y0 < 0 < y1 and x0 < short.params[:, 0].min()


def test_the_colour_scale_starts_at_1e_16_not_at_a_denormal():
    """The newcomer's finding: the legend printed near-zero losses as 7e-313 or 4e-323 (runs converged to
    double precision's zero). The scale's low end is clamped at 1e-16: the legend reads 1e-16, and a loss
    below it takes the lowest shade, as 1e-16 does. The scale's top is the largest shaded loss (a diverging
    cell, red, stretched it: the converging cells all looked alike)."""
    from dataclasses import replace

    from lrtui.plotting.map_text import RAMP, cell_colours, map_text

    m = compute_map(heavy_ball(epochs=30), axis("schedule.lr", 0.01, 0.5, True, 4),
                    axis("optimizer.momentum", 0, 0.5, False, 2))
    final = np.array([[7e-313, 4e-323, 1e-16, 1e-8], [1e4, 1e-2, 0.1, 0.3]])
    kind = np.zeros(final.shape, dtype=np.int8)
    kind[1, 0] = 2  # (a diverging cell is red: its loss is not on the scale)
    m = replace(m, final=final, kind=kind, lambda_max=np.full(2, np.nan))  # (no boundaries drawn over cells)
    legend = map_text(m).plain.splitlines()[-1]
    assert legend.startswith("1e-16 ") and " 0.3 " in legend and "e-3" not in legend
    colours = cell_colours(m)
    assert colours[0][:3] == [RAMP[0]] * 3 and colours[1][3] == RAMP[-1] and colours[0][3] != RAMP[0]


@pytest.mark.parametrize("schedule", ["onecycle", "cyclic"])
def test_a_schedule_without_an_lr_maps_its_peak(schedule, capsys):
    """The map helper's find: lrtui map --schedule onecycle ended in a traceback (KeyError: 'schedule.lr'):
    onecycle's and cyclic's lr is max_lr. The x axis sets their peak, by the lr's name."""
    assert maps.lr_field(schedule) == "schedule.max_lr" and maps.lr_field("cosine") == "schedule.lr"
    assert main(["map", "--schedule", schedule, "--cells", "4x2", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["x"]["field"] == "schedule.lr" and len(found["cells"]) == 8
    base = prepare(RunConfig(schedule={"name": schedule, "params": {}}, problem="quadratic", epochs=50))
    m = compute_map(base, axis("schedule.lr", 0.05, 8.0, True, 3), axis("problem.noise", 0, 0.1, False, 2))
    assert not (m.kind == NOT_RUN).any()
    assert m.kind[0, 0] == 0 and m.kind[0, -1] == 2  # max_lr 0.05 converges, 8 diverges (2/L = 2)
    configs = maps.cell_configs(base.config, m.x, m.y)
    assert configs[-1].schedule["params"]["max_lr"] == 8.0 and "lr" not in configs[-1].schedule["params"]


def test_lrtui_map_offers_the_formats_it_writes(capsys):
    """The newcomer's try: --format table was offered and printed exactly the CSV."""
    assert main(["map", "--format", "table"]) == 2
    assert "invalid choice: 'table' (choose from 'csv', 'json')" in capsys.readouterr().err
    assert main(["map", "--cells", "3x2"]) == 0
    assert capsys.readouterr().out.startswith("schedule.lr,problem.noise,final_loss,class\n")
