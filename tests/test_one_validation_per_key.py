"""One validation per change: the app holds the validated run and an edit makes the next one, so a key on
the form calls :func:`lrtui.sim.config.prepare` once, from the key to the redrawn plots (the form's values,
the simulation, the verdict and the drawing all read the run the edit validated). A value refused is no
new run: the old one stays."""

import sys

from dataclasses import replace

import pytest

from lrtui.params import ConfigError
from lrtui.plotting.terminal import Options
from lrtui.sim import config as sim_config
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.screenshot import settle
from lrtui.ui.start import Start
from tests.conftest import cosine, row, started


@pytest.fixture
def prepares(monkeypatch):
    """Each call of prepare from now on, wherever it is looked up (each module imports it by name): the run
    it was given and whether it was valid."""
    calls: list[tuple[RunConfig, bool]] = []
    original = sim_config.prepare

    def counted(config):
        try:
            prepared = original(config)
        except ConfigError:
            calls.append((config, False))
            raise
        calls.append((config, True))
        return prepared

    users = [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("lrtui")
             and getattr(m, "prepare", None) is original]
    assert {"lrtui.sim.config", "lrtui.sim.engine", "lrtui.ui.app", "lrtui.ui.fields"} <= {m.__name__ for m in users}
    for module in users:
        monkeypatch.setattr(module, "prepare", counted)
    return calls


LONG = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 5000}}, epochs=5000)
"""Too long to simulate on the spot: the run goes to the worker thread."""

KEYS = {  # what is pressed on which field of which run, and what the run is after
    "a step": (cosine(), "schedule.lr", ["+"], lambda c: c.schedule["params"]["lr"] == pytest.approx(0.126)),
    "a value typed": (cosine(), "schedule.lr", ["0", ".", "2", "enter"], lambda c: c.schedule["params"]["lr"] == 0.2),
    "delete (the default)": (cosine(), "schedule.T_max", ["delete"], lambda c: "T_max" not in c.schedule["params"]),
    "another schedule": (cosine(), "schedule", ["+"], lambda c: c.schedule["name"] != "cosine"),
    "another problem": (cosine(), "problem", ["+"], lambda c: c.problem != "quadratic"),
    "a run setting": (cosine(), "run.epochs", ["+"], lambda c: c.epochs == 110),
    "a step of a long run": (LONG, "schedule.lr", ["+"], lambda c: c.schedule["params"]["lr"] == pytest.approx(0.126)),
}


@pytest.mark.parametrize("start, key, presses, done", KEYS.values(), ids=KEYS.keys())
async def test_a_key_on_the_form_validates_the_run_once(prepares, start, key, presses, done):
    app = make_app(Start(start, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        simulations = app.simulations
        row(app, key).focus()
        prepares.clear()
        await pilot.press(*presses)
        await settle(app, pilot)
        assert done(app.config) and app.trace.config == app.config and app.simulations == simulations + 1
        assert [valid for _, valid in prepares] == [True], f"the run was validated {len(prepares)} times"
        assert prepares[0][0] == app.config


REFUSED = {  # refused by the field itself (no run is made), and by the run as a whole (one is made, and fails)
    "out of the field's range": ("schedule.T_max", ["0", "enter"], "T_max=0 is not allowed", 0),
    "too long a run": ("run.steps_per_epoch", ["1", "0", "0", "0", "0", "0", "enter"], "too long a simulation", 1),
}


@pytest.mark.parametrize("key, presses, message, tried", REFUSED.values(), ids=REFUSED.keys())
async def test_a_refused_value_makes_no_new_run(prepares, key, presses, message, tried):
    app = make_app(Start(replace(cosine(), epochs=1000), Options()))  # (10^5 steps an epoch: about 250 s of work)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        before, simulations = app.config, app.simulations
        row(app, key).focus()
        prepares.clear()
        await pilot.press(*presses)
        await settle(app, pilot)
        assert message in row(app, key).message
        assert app.config is before and app.simulations == simulations
        assert [valid for _, valid in prepares] == [False] * tried
