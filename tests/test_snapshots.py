"""How the app looks, at 80x24 and 120x40 (pytest-textual-snapshot; SVGs in tests/__snapshots__/).

Update after an intended change with: pytest tests/test_snapshots.py --snapshot-update, then look at the
new SVGs (rsvg-convert turns one into a PNG) before committing them.
"""

import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle

SIZES = [(80, 24), (120, 40)]


def pressing(app, keys):
    """What the snapshot waits for: the first run drawn, then each key and the redraw it causes."""
    async def run_before(pilot):
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        app.clear_notifications()  # toasts time out: a slow machine would take the picture without them
        await pilot.pause()

    return run_before

VIEWS = {
    "default": (RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}), Options(), ["right"] * 12),
    "edited": (
        RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="mlp", optimizer="adam"),
        Options(),
        ["tab", "minus", "minus", "minus", "tab", "5", "0", "enter", "tab", "tab", "tab", "5", "enter", "end"],
    ),
    "diverged": (RunConfig(schedule={"name": "constant", "params": {"lr": 2.5}}, epochs=40), Options(),
                 ["escape", "l", "end"]),
    "landscape": (
        RunConfig(schedule={"name": "cosine_restarts", "params": {"lr": 0.4, "T_0": 20}}, problem="ravine",
                  optimizer="momentum", optimizer_params={"momentum": 0.5}, epochs=80),
        Options(),
        ["escape", "v"] + ["right"] * 6,
    ),
    "ascii": (RunConfig(schedule={"name": "onecycle", "params": {"max_lr": 0.5}}, problem="quartic"),
              Options(ascii=True), ["shift+right"] * 3),
    "map": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="ravine", optimizer="momentum",
                      optimizer_params={"momentum": 0.5}, epochs=300),
            Options(), ["escape", "m", "right", "right", "up"]),
    "map_ascii": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="ravine",
                            optimizer="momentum", optimizer_params={"momentum": 0.5}, epochs=300),
                  Options(ascii=True), ["escape", "m"]),
    "landscape_ascii": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.45}}, problem="ravine", epochs=60),
                        Options(ascii=True), ["escape", "v"] + ["right"] * 5),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_looks(snap_compare, view, size):
    config, options, keys = VIEWS[view]
    app = make_app(Start(config, options))

    assert snap_compare(app, terminal_size=size, run_before=pressing(app, keys))


STABILITY_VIEWS = {
    "stability": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, problem="catapult", epochs=60),
                  ["end"]),
    "range_test": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="spectrum"),
                   ["escape", "r"]),
    "sharpness": (RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, problem="catapult", epochs=60),
                  ["escape", "s", "right", "right"]),
    "wsd_branches": (RunConfig(schedule={"name": "wsd", "params": {"lr": 0.1, "num_warmup_steps": 0,
                                                                   "num_decay_steps": 300, "num_training_steps": 3000,
                                                                   "decay_type": "linear"}},
                               problem="river_valley", problem_params={"noise": 3.0}, epochs=3000),
                     ["escape", "w", "l"]),
}


@pytest.mark.parametrize("view", list(STABILITY_VIEWS))
def test_physics_views(snap_compare, view):
    config, keys = STABILITY_VIEWS[view]
    app = make_app(Start(config, Options()))

    assert snap_compare(app, terminal_size=(80, 24), run_before=pressing(app, keys))


def _noisy(schedule):
    return RunConfig(schedule=schedule, problem="quadratic", problem_params={"noise": 0.3, "x0": 3.0}, epochs=100)


COMPARISON = (
    _noisy({"name": "cosine", "params": {"lr": 0.5, "T_max": 100}}),
    (_noisy({"name": "step", "params": {"lr": 0.5, "step_size": 30}}),
     _noisy({"name": "constant", "params": {"lr": 0.5}})),
)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("keys, options, board", [
    # three schedules, the scoreboard as the legend
    pytest.param(["escape", "l", "end"], Options(), True, id="scoreboard"),
    pytest.param(["escape", "l", "end"], Options(), False, id="legend"),  # the board hidden: a legend on the loss plot
    # each run its marker, no colour
    pytest.param(["escape", "l", "end"], Options(ascii=True, mono=True), True, id="mono"),
])
def test_comparison_of_three_schedules(snap_compare, keys, options, board, size):
    config, pinned = COMPARISON
    app = make_app(Start(config, options, pinned=pinned))
    press = pressing(app, keys)

    async def run_before(pilot):
        await press(pilot)
        if app.show_board != board:  # the board opens by itself only on a tall terminal
            await pilot.press("b")
            await settle(app, pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
