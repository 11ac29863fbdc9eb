"""The views that simulate (the range test, r; WSD's branches, w) do it on the app's worker, like any long
run (issue 25): the app answers keys meanwhile, shows their progress, and escape cancels them."""

import re
import threading

import pytest

from lrtui.presets import find
from lrtui.sim.config import RunConfig
from lrtui.ui import simulation, views
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle
from tests.conftest import row, started, status


@pytest.fixture
def gate(monkeypatch):
    """The views' simulations wait for ``gate.set()`` (so a test sees the app while they run)."""
    event = threading.Event()
    real_range, real_many = views.range_test, views.simulate_many

    def held(real):
        def run(*args, **kwargs):
            assert event.wait(60)
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(views, "range_test", held(real_range))
    monkeypatch.setattr(views, "simulate_many", held(real_many))
    yield event
    event.set()


def mlp():
    return RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, problem="mlp", optimizer="adam",
                     epochs=50)


async def test_the_branches_simulate_on_the_worker_while_the_app_answers_keys(gate):
    preset = find("T10")
    app = make_app(Start(preset.config, Options(), pinned=preset.pinned, preset=preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "w")
        assert app.view == "branches" and app.busy
        assert isinstance(app.simulation.running, simulation.ViewJob)
        plot = app.query_one("#branches-panel").plot
        assert plot.series == () and plot.title.startswith("branches: simulating")
        epoch = app.epoch
        await pilot.press("right", "right")  # answered while the branches simulate
        assert app.epoch == epoch + 2 and app.busy
        gate.set()
        await settle(app, pilot)
        assert len(plot.series) == 5 and re.match(r"16 seeds ±\.\d+, last 30: 675 \.", status(app))
        await pilot.press("w", "w")  # away and back: kept, not simulated again
        assert not app.busy and len(plot.series) == 5


async def test_escape_on_a_running_range_test_goes_back_to_the_loss_plot(monkeypatch):
    """A range test that never finishes by itself: escape (the cancel key while progress shows) stops it."""
    monkeypatch.setattr(simulation, "PROGRESS_AFTER", 0.0)
    stop = threading.Event()

    def endless(config, progress=None, **ramp):
        while not stop.wait(0.01):
            progress(1, 100)  # raises Cancelled once escape asked
        raise AssertionError("not cancelled")

    monkeypatch.setattr(views, "range_test", endless)
    app = make_app(Start(mlp(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await pilot.pause(0.3)
        assert app.view == "range" and app.busy and app.cancellable
        assert "range test: simulating: 1 of 100" in status(app)
        assert app.query_one("#range-panel").plot.title == "range test: simulating ... 1%"
        await pilot.press("escape")
        await settle(app, pilot, timeout=10)
        stop.set()
        assert app.view == "loss" and any("range test cancelled" in n.message for n in app._notifications)


async def test_an_edit_while_the_range_test_simulates_gives_the_new_runs_test(gate):
    app = make_app(Start(mlp(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        assert app.busy
        row(app, "schedule.lr").focus()
        await pilot.press("plus")  # a new run while the old one's range test is still running
        gate.set()
        await settle(app, pilot)
        run = app._run()
        assert run.trace.config.schedule["params"]["lr"] > 0.05
        assert app.views["range"].needs(run) is None  # the test kept is the new run's
        assert app.views["range"].result(run) is not None
