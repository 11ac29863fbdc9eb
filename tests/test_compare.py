"""Pinning runs and the scoreboard: the pure numbers (lrtui.analysis.compare) and the app's keys."""

from dataclasses import replace

import numpy as np
import pytest

from lrtui.analysis.compare import describe, follow, is_noisy, score
from lrtui.app_settings import MAX_PINNED
from lrtui.sim.engine import simulate
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.widgets.board import MIN_DESCRIPTION, BoardRow, Scoreboard, cells, distinct, fit_columns
from lrtui.ui.screenshot import settle
from tests.conftest import board_text, row, started


def constant(lr, **run):
    return RunConfig(schedule={"name": "constant", "params": {"lr": lr}}, **{"epochs": 30, **run})


# --- the numbers ---------------------------------------------------------------------------------------

def test_score_on_a_quadratic_matches_the_closed_form():
    # f = x^2/2 from x0 = 1: x_t = (1 - lr)^t, loss_t = (1 - lr)^(2t) / 2
    lr = 0.5
    trace = simulate(constant(lr))
    s = score(trace, target=1e-4)
    t = np.arange(31)
    closed = 0.5 * (1 - lr) ** (2 * t)
    assert s.final_loss == pytest.approx(closed[30])
    assert s.best_loss == pytest.approx(closed[30])
    assert s.epochs_to_target == int(np.argmax(closed <= 1e-4))  # first epoch at or below the target
    assert s.diverged_at is None
    assert s.sum_lr == pytest.approx(30 * lr) and s.sum_lr2 == pytest.approx(30 * lr * lr)
    assert s.peak_lr == s.final_lr == lr


def test_score_of_a_diverged_run():
    trace = simulate(constant(2.5))  # x_t = (-1.5)^t: 1e6 x the start loss after about 17 epochs
    s = score(trace, target=1e-3)
    assert s.diverged_at == trace.diverged_at is not None
    assert s.final_loss is None and s.epochs_to_target is None
    assert s.best_loss == pytest.approx(0.5)  # the start was the best it got
    assert s.sum_lr == pytest.approx(2.5 * trace.diverged_at)  # the updates that led to it: lr[0 .. d-1]


def test_describe_names_the_settings_that_differ():
    step = RunConfig(schedule={"name": "step", "params": {"lr": 0.3, "step_size": 10}})
    assert describe(step) == "step lr=0.3 step_size=10"
    warm = {"T_max": 50, "warmup": 5, "warmup_start_factor": 0.1}
    text = describe(RunConfig(schedule={"name": "cosine", "params": warm}, optimizer="adam",
                              optimizer_params={"beta1": 0.8}))
    assert text == "cosine T_max=50 +warmup 5 from 0.1, adam beta1=0.8"


def _labels(now: RunConfig, *pins: RunConfig) -> list[str]:
    """The scoreboard's descriptions of ``now`` and ``pins``, as the app labels them (only what tells them apart)."""
    from lrtui.analysis.verdict import judge
    from lrtui.plotting.series import Look
    from lrtui.ui.comparison import Pinned, board_rows

    pinned = Pinned(pins, now)
    pinned.results = [simulate(c) for c in pinned.configs]
    trace = simulate(now)
    return [r.description for r in board_rows(trace, judge(trace), pinned, 1e-3, False, Look())]


def _spec(name, **params):
    return RunConfig(schedule={"name": name, "params": params}, epochs=100)


SEQUENTIAL = [{"name": "linear", "params": {"start_factor": 0.1, "total_iters": 5}},
              {"name": "cosine", "params": {"T_max": 95}}]


@pytest.mark.parametrize("now, pin, labels", [
    # issue 23: the pin left num_warmup_steps at its default (10), the run on screen set it to 0
    (_spec("warmup_cosine", num_warmup_steps=0), _spec("warmup_cosine"), ["num_warmup_steps=0", "num_warmup_steps=10"]),
    (_spec("warmup_cosine"), _spec("warmup_cosine", num_warmup_steps=0), ["num_warmup_steps=10", "num_warmup_steps=0"]),
    # a default set explicitly, or typed as text on the command line, is the same run
    (_spec("warmup_cosine"), _spec("warmup_cosine", num_warmup_steps=10), ["(the same)", "(the same)"]),
    (_spec("warmup_cosine", num_warmup_steps="10"), _spec("warmup_cosine", num_warmup_steps=10),
     ["(the same)", "(the same)"]),
    (_spec("cosine", lr=0.1, T_max=100), _spec("cosine", lr="0.1"), ["(the same)", "(the same)"]),
    (_spec("cosine"), _spec("cosine", warmup=5), ["+warmup 0", "+warmup 5"]),
    (_spec("cosine", warmup=5), _spec("cosine", warmup=5, warmup_start_factor=0.5),
     ["+warmup 5", "+warmup 5 from 0.5"]),
    (_spec("cosine", warmup=5, warmup_start_factor=0.0), _spec("cosine", warmup=5), ["(the same)", "(the same)"]),
    # the optimizer and its parameters, the same way; plain SGD is named beside another optimizer
    (_spec("constant", lr=0.5), replace(_spec("constant", lr=0.5), optimizer="adam"), ["sgd", "adam"]),
    (replace(_spec("constant"), optimizer="momentum"),
     replace(_spec("constant"), optimizer="momentum", optimizer_params={"momentum": 0.5}),
     ["momentum=0.9", "momentum=0.5"]),
    (replace(_spec("constant"), optimizer="momentum"),
     replace(_spec("constant"), optimizer="momentum", optimizer_params={"momentum": 0.9}),
     ["(the same)", "(the same)"]),
    # the epochs (a pinned run keeps its own)
    (replace(_spec("constant", lr=0.5), epochs=50), _spec("constant", lr=0.5), ["50 epochs", "100 epochs"]),
    # a sequential's members, each with its own parameters
    (_spec("sequential", schedulers=SEQUENTIAL, milestones=[5]),
     _spec("sequential", schedulers=[SEQUENTIAL[0], {"name": "cosine", "params": {"T_max": 95, "eta_min": 0.0}}],
           milestones=[5]), ["(the same)", "(the same)"]),
    (_spec("sequential", schedulers=SEQUENTIAL, milestones=[5]),
     _spec("sequential", schedulers=[SEQUENTIAL[0], {"name": "cosine", "params": {"T_max": 95, "eta_min": 0.01}}],
           milestones=[5]),
     ["schedulers=[linear(start_factor=0.1),cosine(T_max=95)]",
      "schedulers=[linear(start_factor=0.1),cosine(T_max=95,eta_min=0.01)]"]),
])
def test_the_board_reads_runs_by_the_values_they_use(now, pin, labels):
    """Issue 23: a pinned run that differs only by a value left at its default read '(the same)'; and runs
    that differ only in how a value is given (at its default, as text) must not read differently."""
    assert _labels(now, pin) == labels


def test_a_description_names_what_is_set_with_the_value_the_run_uses():
    assert describe(_spec("warmup_cosine", num_warmup_steps="10")) == "warmup_cosine num_warmup_steps=10"
    assert describe(_spec("cosine", warmup=0, warmup_start_factor=0.0)) == "cosine"  # no warmup: nothing to say
    # beside runs that set them, the values this run leaves at their defaults are named too
    assert describe(_spec("warmup_cosine"), beside=[_spec("warmup_cosine", num_warmup_steps=0)]) == \
        "warmup_cosine num_warmup_steps=10"
    assert describe(_spec("constant", lr=0.1), beside=[_spec("cosine", T_max=10)]) == "constant lr=0.1"  # not T_max


def test_pinned_runs_follow_the_problem_and_seed():
    pinned = constant(0.5)
    current = RunConfig(schedule={"name": "cosine", "params": {}}, problem="quartic", problem_params={"x0": 2.0},
                        seed=7, optimizer="adam", epochs=60)
    moved = follow(pinned, current)
    assert (moved.problem, moved.problem_params, moved.seed) == ("quartic", {"x0": 2.0}, 7)
    assert (moved.schedule, moved.optimizer, moved.epochs) == (pinned.schedule, "sgd", 30)  # its own


def test_narrow_boards_keep_the_verdict_longest():
    """Issue 13: the verdict is the last column a narrow board drops, not the first."""
    s = score(simulate(constant(0.5)), 1e-3)
    rows = [BoardRow("*", None, "now", "constant lr=0.5", s, "converged at 20")]
    wide, dropped = fit_columns(rows, 200)
    assert not dropped and [h for h, _ in wide][:4] == ["final", "best", "to target", "diverged"]
    assert [h for h, _ in wide][-1] == "verdict"
    narrow, dropped = fit_columns(rows, 78)
    assert [h for h, _ in narrow] == ["final", "best", "to target", "verdict"]
    assert dropped == ["diverged", "peak lr", "final lr", "Σlr", "Σlr²"]
    narrowest, dropped = fit_columns(rows, 48)
    assert [h for h, _ in narrowest] == ["verdict"] and dropped[0] == "final"


def test_a_preset_keeps_the_columns_its_lesson_reads_longest():
    """Issue 23: at 80 columns the board dropped Σlr and Σlr², which T4's note calls the Robbins-Monro
    counters; T4 names them (meta["columns"]) and they are kept before the others."""
    from lrtui.analysis.compare import default_target
    from lrtui.analysis.verdict import judge
    from lrtui.plotting.series import Look
    from lrtui.presets import find
    from lrtui.sim.config import prepare
    from lrtui.ui.comparison import Pinned, board_rows

    t4 = find("T4")
    pinned = Pinned(t4.pinned, t4.config)
    pinned.results = [simulate(c) for c in pinned.configs]
    trace = simulate(t4.config)
    rows = board_rows(trace, judge(trace), pinned, default_target(trace), is_noisy(prepare(t4.config)), Look())
    assert {"Σlr", "Σlr²"} <= set(fit_columns(rows, 80)[1])  # without: dropped first
    shown, dropped = fit_columns(rows, 80, keep=t4.meta["columns"])
    headers = [h for h, _ in shown]
    assert {"Σlr", "Σlr²", "verdict", "final"} <= set(headers) and "Σlr" not in dropped
    assert headers.index("Σlr") < headers.index("Σlr²") < headers.index("verdict")  # shown in their usual place
    shown, dropped = fit_columns(rows, 80, ascii=True, keep=t4.meta["columns"])
    assert {"Σlr", "Σlr²", "verdict"} <= {h for h, _ in shown} and "sum lr" not in dropped


def test_runs_descriptions_show_whole_before_the_columns_past_the_essential_ones():
    """T17's runs differ in their decay shape, the last word of 'num_decay_steps=600 decay_type=1-sqrt': at 120
    columns the board cut it ('num_decay_steps=600 decay_ty…') to show Σlr and Σlr². The run column now reaches
    the longest description (up to MAX_DESCRIPTION) before a column past the verdict, losses and rank is kept;
    at 80 columns it still keeps those."""
    s = score(simulate(constant(0.5)), 1e-3)
    long = "num_decay_steps=600 decay_type=1-sqrt"
    rows = [BoardRow("*", None, "now", long, s, "running"), BoardRow("*", None, "#1", "x", s, "running")]
    for width in (100, 120, 140):
        shown, dropped = fit_columns(rows, width)
        assert width - len("* now") - 3 - sum(w + 1 for _, w in shown) >= len(long)  # as Scoreboard.render
        assert {"verdict", "final", "rank"} <= {h for h, _ in shown}
    assert "Σlr²" in fit_columns(rows, 120)[1]  # what made the room
    narrow, _ = fit_columns(rows, 80)
    assert {"verdict", "final", "rank"} <= {h for h, _ in narrow}


def test_an_ascii_board_measures_its_headers_as_they_show():
    """Σlr² shows as 'sum lr^2' in ASCII: measured as Σlr², the row ran past the terminal's edge and cut the
    verdict (T4 at 120 columns)."""
    s = score(simulate(constant(0.5)), 1e-3)
    rows = [BoardRow("*", None, "now", "constant lr=0.5", s, "converged at 20")]
    for width in range(40, 130):
        shown, _ = fit_columns(rows, width, ascii=True)
        widths = dict(shown)
        assert all(widths[h] >= len(t) for h, t in (("Σlr", "sum lr"), ("Σlr²", "sum lr^2")) if h in widths)
        assert len("* now") + 1 + MIN_DESCRIPTION + 1 + sum(w + 1 for _, w in shown) <= width


def test_board_numbers_carry_the_digits_that_tell_rows_apart():
    assert distinct([0.1234, 0.1235, None]) == ["0.1234", "0.1235", "-"]
    assert distinct([0.5, 0.25]) == ["0.5", "0.25"]
    assert distinct([1.0, 1.0]) == ["1", "1"]  # the same value: the same text
    assert distinct([3, None]) == ["3", "-"]
    a = BoardRow("*", None, "now", "a", score(simulate(constant(0.5)), 1e-3), "")
    b = BoardRow("*", None, "#1", "b", score(simulate(constant(0.50001)), 1e-3), "")
    table = cells([a, b])
    assert len(set(table["Σlr"])) == 2  # 50 and 50.001: the fourth digit shows


def test_t4_reads_as_its_note_says_constant_above_decaying_at_the_end():
    """Issue 13: one sample of the noisy loss put constant 0.1 (the floor, .026) below 1/(10 + t) (.0005 at
    step 2000) on T4's own runs; the mean over the last 10% compares them as the note does."""
    from lrtui.presets import find
    from lrtui.sim.config import prepare

    t4 = find("T4")
    runs = {describe(c): c for c in (t4.config, *t4.pinned)}
    scores = {name: score(simulate(c), 0.0, is_noisy(prepare(c))) for name, c in runs.items()}
    decaying = scores[describe(t4.config)]
    constant_01 = scores["constant lr=0.1"]
    one_seed = lambda c: replace(c, seeds=1)  # noqa: E731
    assert simulate(one_seed(runs["constant lr=0.1"])).final_loss < simulate(one_seed(t4.config)).final_loss  # trap
    assert constant_01.seeds == 16 and constant_01.final_se > 0  # the ± is across seeds
    assert constant_01.final_loss - 2 * constant_01.final_se > 10 * (decaying.final_loss + 2 * decaying.final_se)
    assert constant_01.best_loss > decaying.best_loss
    assert scores["exponential lr=0.1 gamma=0.95"].final_loss > constant_01.final_loss  # frozen too early
    assert decaying.final_loss < scores["constant lr=0.01"].final_loss


# --- the app -------------------------------------------------------------------------------------------

async def test_pin_keep_editing_and_compare():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert not app.query_one(Scoreboard).display
        await pilot.press("escape", "p")  # pin lr=0.5, then edit the lr to 1.5 and pin that too
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("1", ".", "5", "enter", "escape", "p", "tab")
        await settle(app, pilot)
        await pilot.press("2", ".", "5", "enter")  # and the current run diverges
        await settle(app, pilot)
        assert [c.schedule["params"]["lr"] for c in app.pins] == [0.5, 1.5]
        assert app.query_one(Scoreboard).display  # the first pin shows the scoreboard
        text = board_text(app)
        lines = [line for line in text.splitlines() if line.strip()]
        assert "final" in lines[0] and "to " in lines[0] and "diverged" in lines[0]
        now, first, second = lines[1:4]
        # the words every run shares ("constant") are left out: what tells the runs apart remains
        assert now.split()[:3] == ["■", "now", "lr=2.5"]
        assert first.split()[:3] == ["■", "#1", "lr=0.5"] and second.split()[:3] == ["■", "#2", "lr=1.5"]
        assert str(app.trace.diverged_at) in now.split()  # the diverged-at column
        # both plots overlay the pinned runs, each in its own colour
        lr_plot, loss_plot = app.query_one("#lr-panel").plot, app.query_one("#loss-panel").plot
        assert [s.colour for s in lr_plot.series][:3] == ["blue+", "green+", "orange+"]
        assert [s.colour for s in loss_plot.series][:3] == ["blue+", "green+", "orange+"]


async def test_p_on_a_pinned_runs_settings_unpins_it_and_u_U_unpin():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p", "p")
        assert app.pins == []
        lr = row(app, "schedule.lr")
        lr.focus()
        for value in ("0.1", "0.2", "0.3"):
            await pilot.press(*value, "enter", "escape", "p", "tab")
            await settle(app, pilot)
        assert [c.schedule["params"]["lr"] for c in app.pins] == [0.1, 0.2, 0.3]
        await pilot.press("escape", "u")
        assert [c.schedule["params"]["lr"] for c in app.pins] == [0.1, 0.2]
        assert len(app.query_one("#loss-panel").plot.series) == 3
        await pilot.press("escape", "U")
        assert app.pins == [] and len(app.query_one("#loss-panel").plot.series) == 1


async def test_at_most_six_pins():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        for i in range(MAX_PINNED + 1):
            await pilot.press(*f"0.{i + 1}", "enter", "escape", "p", "tab")
            await settle(app, pilot)
        assert len(app.pins) == MAX_PINNED
        assert [c.schedule["params"]["lr"] for c in app.pins][-1] == 0.6


async def test_pinned_runs_are_rerun_on_a_new_problem_or_seed():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p")
        x0 = row(app, "problem.x0")
        x0.focus()
        await pilot.press("3", "enter")
        await settle(app, pilot)
        assert app.pins[0].problem_params == {"x0": 3.0}
        assert app.pin_results[0].loss[0] == pytest.approx(4.5)  # re-simulated from x0 = 3
        assert app.trace.loss[0] == pytest.approx(4.5)


async def test_target_loss_is_editable_and_bad_values_are_refused():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "b")
        assert app.query_one(Scoreboard).display
        target = row(app, "compare.target_loss")
        target.focus()
        await pilot.press("1", "e", "-", "6", "enter")
        assert app.target_loss == 1e-6
        assert "to 1e-06" in board_text(app)
        await pilot.press("enter", *"-1", "enter")
        assert app.target_loss == 1e-6 and "target_loss=-1 is not allowed" in target.message
        await pilot.press("minus")
        assert app.target_loss == pytest.approx(1e-6 / 10 ** 0.1, rel=1e-2)
        await pilot.press("escape", "b")
        assert not app.query_one(Scoreboard).display


async def test_pinned_runs_from_the_constructor_show_at_once():
    app = make_app(Start(constant(0.5), Options(ascii=True), pinned=(constant(1.5), constant(1.9))))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert not app.query_one(Scoreboard).display  # 24 rows: the plots keep them, b opens the board
        assert any("b opens the scoreboard" in n.message for n in app._notifications)  # said once
        await pilot.press("escape", "b")
        lines = board_text(app).splitlines()
        assert any(line.lstrip().startswith("x #1") for line in lines)
        assert any(line.lstrip().startswith("+ #2") for line in lines)
        markers = [s.marker for s in app.query_one("#loss-panel").plot.series]
        assert markers[1:3] == ["x", "+"]  # each pinned run its own marker in ASCII


async def test_the_focused_field_stays_on_screen_when_the_board_opens():
    config = RunConfig(schedule={"name": "wsd", "params": {}}, problem="river_valley", epochs=100)
    app = make_app(Start(config, Options(), pinned=(config,)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("shift+tab")  # from the first field round to the last: smoothing, at the bottom
        await pilot.pause()
        target = row(app, "compare.smoothing")
        assert app.focused is target
        await pilot.press("escape", "b")  # the board takes rows from the form
        await pilot.pause()
        await pilot.pause()
        form = app.query_one("#form")
        assert app.query_one(Scoreboard).display
        assert form.region.contains_region(target.region), (form.region, target.region)


async def test_unpinning_while_the_pins_rerun_leaves_each_pin_with_its_own_run():
    base = RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, problem="mlp", epochs=1500, seeds=1)
    pins = (replace(base, schedule={"name": "constant", "params": {"lr": 0.02}}),
            replace(base, schedule={"name": "constant", "params": {"lr": 0.01}}))
    app = make_app(Start(base, Options(), pinned=pins))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        app.screen.set_focus(app.plot_area)  # on the plots, where u is a command
        app.config = replace(base, seed=1)  # the pins follow the seed and re-run in a worker (a data problem) ...
        await pilot.pause()
        await pilot.press("u")  # ... and one is unpinned before they are back
        await settle(app, pilot)
        while app.busy:
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert [p.seed for p in app.pins] == [1]
        assert [r.config for r in app.pin_results] == app.pins  # not the seed-0 run it had before


async def test_t4_at_80_columns_shows_the_robbins_monro_counters_on_the_board():
    from lrtui.presets import find

    t4 = find("T4")
    for options, sums in ((Options(), ("Σlr", "Σlr²")), (Options(ascii=True), ("sum lr", "sum lr^2"))):
        app = make_app(Start(t4.config, options, pinned=t4.pinned, preset=t4))
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            await pilot.press("escape", "b")
            await settle(app, pilot)
            header, *rest = [line for line in board_text(app).splitlines() if line.strip()]
            assert all(f" {name} " in header for name in sums) and header.rstrip().endswith("verdict"), header
            left_out = [line for line in rest if line.lstrip().startswith("wider terminal shows")]
            assert len(rest) >= 6 and not any(sums[0] in line for line in left_out)  # not named as left out either


async def test_the_first_pin_says_where_the_board_is_in_one_toast():
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and messages[0].startswith("pinned #1: ") and "(b: the scoreboard)" in messages[0]
    app = make_app(Start(constant(0.5), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["pinned #1: constant lr=0.5"]  # the board is open
