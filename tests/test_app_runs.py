"""What the app shows of a run (Textual's Pilot): the status line's result and counters, notes on pitfalls, and runs
simulated off the UI thread: a held key, a long run's progress, cancelling it."""


import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.editing import Nudge
from lrtui.ui.widgets.form import FieldRow
from lrtui.ui.screenshot import settle
from tests.conftest import cosine, row, started, status


async def test_diverged_run_is_shown_as_a_result():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 2.5}}, epochs=40), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("end")
        assert "diverged at epoch 18" in status(app) and "loss=-" in status(app)


async def test_a_held_key_never_builds_a_backlog():
    """300 nudges as fast as keys can come: simulations coalesce (latest wins), the screen ends on the last
    value, and quitting is immediate."""
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 1e-4}}, problem="mlp", epochs=50),
                         Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        sims = app.simulations
        for _ in range(30):  # the path a key takes, without waiting between keys
            app.field_changed(lr, Nudge(lr.field, +1))
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(0.1, rel=0.02)
        assert app.trace.config == app.config  # what is drawn is the latest
        assert app.simulations - sims <= 2  # one that was running, one for the latest config
        assert lr.value == "0.1"


async def test_stability_bound_noise_floor_and_robbins_monro_counters():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, problem="catapult", epochs=60),
                         Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        lr_plot = app.query_one("#lr-panel").plot
        assert len(lr_plot.series) == 2 and "(orange: limit 2/λmax)" in lr_plot.title
        await pilot.press("end")
        assert "catapult at epoch 2" in status(app) and "Σlr=30 Σlr²=15" in status(app)
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem_params={"noise": 1.0},
                                   epochs=200), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        loss_plot = app.query_one("#loss-panel").plot
        floor = loss_plot.series[-1]
        assert floor.label == "noise floor" and floor.y[0] == pytest.approx(0.1 / (2 * 1.9))
        assert "stable below 2" in app.query_one("#lr-panel").plot.title  # 2/L = 2 is far above lr 0.1


async def test_pitfalls_show_as_notes():
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 50}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        box = app.query_one("#notes")
        assert box.display and "T_max=50 is shorter than the 100 epochs it runs" in str(box.render())
        row(app, "schedule.T_max").focus()
        await pilot.press("1", "0", "0", "enter")
        await settle(app, pilot)
        assert not box.display


async def test_a_long_run_shows_its_new_lr_curve_before_the_loss_is_simulated():
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100_000}},
                                   epochs=100_000), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        lr_plot = app.query_one("#lr-panel").plot
        drawn = []  # (title, first lr, whether a simulation was still running) at each redraw of the lr plot
        show = lr_plot.show
        lr_plot.show = lambda series, **kw: (drawn.append((kw["title"], series[0].y[0], app.busy)), show(series, **kw))
        row(app, "schedule.lr").focus()
        await pilot.press("plus")  # 10^5 epochs simulate in a worker (a few hundred ms) ...
        await settle(app, pilot)
        preview, final = drawn[0], drawn[-1]
        assert "simulating the loss" in preview[0] and preview[1] == pytest.approx(0.126)
        assert "simulating" not in final[0] and final[1] == pytest.approx(0.126) and len(drawn) == 2


async def test_a_long_run_shows_its_progress_and_escape_cancels_it():
    from dataclasses import replace

    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        before = app.config
        long = replace(before, problem="mlp", epochs=40_000, steps_per_epoch=1, batch_size=None)
        app.config = long
        await pilot.pause(1.0)
        assert app.busy and status(app).startswith("simulating: ") and "(escape cancels)" in status(app)
        loss = app.query_one("#loss-panel").plot
        assert loss.series == () and loss.title.startswith("loss: simulating ... ")  # not the last run's loss
        await pilot.press("escape")
        while app.busy:
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert app.config == before and app.trace.config == before and status(app).startswith("t=0/99")
        assert any("cancelled" in n.message for n in app._notifications)
        assert isinstance(app.focused, FieldRow)  # escape cancelled the run; it did not leave the form


async def test_cancelling_the_first_run_leaves_no_plot_saying_simulating():
    """A newcomer's try (issue 13): lrtui --problem mlp --epochs 100000, escape: the titles still said
    'simulating ... 22%'."""
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"T_max": 40_000}}, problem="mlp",
                                   epochs=40_000), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.0)
        assert app.busy and app.trace is None
        await pilot.press("escape")
        while app.busy:
            await pilot.pause(0.05)
        await pilot.pause()
        titles = [app.query_one(f"#{name}-panel").plot.title for name in ("lr", "loss")]
        assert titles == ["lr: cosine", "loss: not simulated (cancelled)"], titles
        assert "cancelled" in status(app)


async def test_wsd_stable_steps_typed_beside_a_length_get_a_note():
    """Issue 15: transformers warns when both lengths are given and uses num_stable_steps; the app notes it."""
    app = make_app(Start(RunConfig(schedule={"name": "wsd", "params": {"num_training_steps": 100}}, epochs=100),
                         Options()))
    async with app.run_test(size=(100, 40)) as pilot:
        await started(app, pilot)
        row(app, "schedule.num_stable_steps").focus()
        await pilot.press("5", "0", "enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["num_stable_steps"] == 50
        assert "num_stable_steps will be used" in str(app.query_one("#notes").render())
        assert app.trace.lr[60] == 0.1 and app.trace.lr[80] == 0.0  # the decay runs from 60 to 80


async def test_the_status_line_gives_the_runs_verdict_wherever_the_cursor_is_and_the_trend_there():
    """Issue 28: the default run's status line said 'starting' until the cursor reached the end (the verdict
    showed only where the run's own state was not 'running'). It now gives the run's verdict at every epoch,
    and what the loss does around the cursor beside it; at 80 columns the sums go first, then the long form."""
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, epochs=60), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        verdict = app.shown.verdict.describe()
        assert verdict.startswith("converged at epoch")
        line = status(app)
        assert line.startswith("t=0/59") and f"run: {verdict}  here: starting  Σlr=0.5" in line
        await pilot.press("escape", "right", "right", "right", "right")
        assert status(app).startswith("t=4/59") and f"run: {verdict}  here: converging" in status(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        narrow = status(app)
        assert narrow.startswith("t=4/59") and "here: converging" in narrow and "Σlr" not in narrow
        assert len(narrow) <= 80 - 2  # (its padding)


def test_the_status_line_drops_the_sums_then_the_long_verdict_then_the_trend_to_fit():
    import numpy as np

    from lrtui.analysis.verdict import Verdict
    from lrtui.sim.config import prepare
    from lrtui.sim.engine import simulate
    from lrtui.ui.display import cursor_status

    trace = simulate(prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}},
                                       problem_params={"noise": 1.0}, epochs=2000, seeds=4)))
    verdict = Verdict("noise_floor", 412)
    sums = (np.cumsum(trace.lr), np.cumsum(trace.lr ** 2))
    line = lambda width=None: cursor_status(trace, 1500, verdict, sums, False, noisy=True, width=width)  # noqa: E731
    whole = line()
    assert "run: noise floor from epoch 412  here: " in whole and "  Σlr=150" in whole
    no_sums = whole[:whole.index("  Σlr")]
    assert line(len(whole)) == whole and line(len(whole) - 1) == line(len(no_sums)) == no_sums
    brief = line(len(no_sums) - 1)
    assert brief == no_sums.replace("noise floor from epoch 412", "noise floor")
    assert line(len(brief) - 1) == brief[:brief.index("  here")]  # the trend last
    assert line(10) == line(len(brief) - 1)  # nothing left to drop: the line is cut at the edge


@pytest.mark.parametrize("optimizer, ascii, words", [
    ("sgd", False, "(orange: limit 2/λmax)"), ("momentum", False, "(orange: limit 2(1+μ)/λmax)"),
    ("nesterov", True, "(dots: limit (2(1+mu)/(1+2mu))/lambdamax)")])
def test_the_lr_plots_limit_is_named_by_the_optimizers_own_formula(optimizer, ascii, words):
    """The newcomer's try: under momentum the title said 'limit 2/λmax' over a line drawn at 2(1+μ)/λmax."""
    from lrtui.plotting.series import Look
    from lrtui.sim.config import prepare
    from lrtui.sim.engine import simulate
    from lrtui.ui.views import LrView, Run

    prepared = prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 1.5}}, optimizer=optimizer))
    trace = simulate(prepared)
    look = Look(ascii=ascii, mono=ascii)
    figure = LrView().figure(Run(trace, prepared), look)
    assert words in figure.title
