"""A session's memory stays flat under use (issue 29): nothing the app shows and then removes stays referenced.

The soak itself, RSS over 2,000 keys in a pty and in a served session, is benchmarks/bench_soak.py; these
tests hold the cause it found: widgets that leave the screen must become garbage. The Textual bug behind the
footer's leak and its workaround: lrtui/ui/compat.py and tests/test_compat.py.
"""

import gc

from textual.widget import Widget

from lrtui.plotting.terminal import Options
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.ui.screenshot import settle
from tests.conftest import row, started


def detached_widgets(app) -> dict[str, int]:
    """Widgets still referenced though no longer in the app's DOM, by class name."""
    gc.collect()
    found: dict[str, int] = {}
    for thing in gc.get_objects():
        if isinstance(thing, Widget) and thing is not app and not thing.is_attached:
            found[type(thing).__name__] = found.get(type(thing).__name__, 0) + 1
    return found


def short_run() -> RunConfig:
    return RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1}}, epochs=30)


async def test_switching_schedules_leaves_no_widget_behind():
    # before the fix: 670 FooterKeys after 30 switches (each switch rebuilds the form: the footer recomposes)
    app = make_app(Start(short_run(), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        row(app, "schedule").focus()
        names = set()
        for switch in range(30):
            await pilot.press("+" if switch < 15 else "-")
            await settle(app, pilot)
            names.add(app.config.schedule["name"])
        assert len(names) > 12  # the switches happened: the form was rebuilt for each schedule
        assert app.config.schedule["name"] == "cosine"
        assert detached_widgets(app) == {}


# escape leaves the form for the plots, where letters are commands; tab goes back to the form
GESTURES = [
    ["tab", "plus", "minus", "right_square_bracket", "delete"],  # nudges on the fields
    ["escape", "p", "tab"], ["escape", "b", "tab"], ["escape", "l", "tab"],  # pin, the board, log scale
    ["escape", "question_mark", "escape", "tab"],  # the help, opened and closed
    ["escape", "c", "escape", "tab"],  # the code screen
    ["escape", "v", "tab"], ["escape", "r", "tab"], ["escape", "s", "tab"], ["escape", "w", "tab"],  # views
    ["escape", "u", "tab"], ["escape", "b", "tab"],
    ["shift+tab", "x", "enter", "escape"],  # a value refused: a notification
    ["down", "plus", "plus", "up", "minus"],
]


async def test_every_kind_of_gesture_leaves_no_widget_behind():
    app = make_app(Start(short_run(), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        screens_seen = set()
        for gesture in GESTURES:
            for key in gesture:
                await pilot.press(key)
                await settle(app, pilot)
                screens_seen.add(type(app.screen).__name__)
        assert {"HelpScreen", "CodeScreen"} <= screens_seen  # the screens opened (and closed again)
        assert app.screen is app.screen_stack[0] and app.is_running
        assert detached_widgets(app) == {}
