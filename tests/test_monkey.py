"""Random keys at three terminal sizes (issue 7's monkey test).

5,100 seeded keys in all, 1,700 at each size (one app per size, so the three run side by side): every
binding, digits, letters, punctuation, enter, escape, tab, arrows and page keys, sent in bursts straight
into the driver (no waiting between keys, as a key-mashing class would), with a resize away and back half-way.
After each burst the app must still run, its configuration must be valid, and the cursor must be inside the
run; memory must stay bounded.
"""

import os
import random
import resource
import string

import pytest
from textual import events

from lrtui.sim.config import RunConfig, prepare
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle

KEYS = (
    ["left", "right", "shift+left", "shift+right", "home", "end", "pageup", "pagedown", "space", "tab",
     "shift+tab", "up", "down", "enter", "escape", "backspace", "plus", "minus", "less_than_sign",
     "greater_than_sign", "question_mark", "l", "L", "v", "s", "r", "p", "u", "U", "b", "e", "c", "ctrl+s",
     "ctrl+o", "ctrl+p"] * 3
    + list(string.digits) * 2 + list(string.ascii_letters.replace("q", "")) + list(".,-_=+*/()[]{}:;'\"!@#$%^&~")
)
SIZES = [(40, 12), (80, 24), (200, 60)]
PER_SIZE = 1700
BURST = 50


def _key_event(key: str) -> events.Key:
    char = {"plus": "+", "minus": "-", "less_than_sign": "<", "greater_than_sign": ">", "question_mark": "?",
            "space": " ", "enter": "\r", "tab": "\t", "escape": "\x1b", "backspace": "\x7f"}.get(key)
    if char is None:
        char = key if len(key) == 1 else None
    name = {"+": "plus", "-": "minus", ".": "full_stop", ",": "comma"}.get(key, key)
    return events.Key(name, char)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("LRTUI_MONKEY_SEEDS", "0").split(",")])
async def test_random_keys_never_break_the_app(seed, size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # exports, code files and sessions the keys write land here
    rng = random.Random(f"{seed}-{size}")
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="ravine",
                                   epochs=100), Options()))
    other = SIZES[(SIZES.index(size) + 1) % len(SIZES)]
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        rss = []
        for burst in range(PER_SIZE // BURST):
            if burst in (PER_SIZE // BURST // 2, PER_SIZE // BURST // 2 + 1):  # away and back: a resize mid-run
                await pilot.resize_terminal(*(other if burst == PER_SIZE // BURST // 2 else size))
            for _ in range(BURST):
                event = _key_event(rng.choice(KEYS))
                event.set_sender(app)
                app._driver.send_message(event)
            await settle(app, pilot)
            assert app.is_running, (app.return_code, app._exception)
            prepare(app.config)  # the configuration is valid
            assert len(app.pins) == len(app.pin_results) <= 6
            if app.trace is not None:
                assert 0 <= app.epoch <= len(app.trace.epoch) - 1
            assert app.config.epochs <= 100_000
            if burst in (2, PER_SIZE // BURST - 1):
                rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        assert rss[-1] - rss[0] < 200_000  # kB: bounded, no runaway growth across 1,500 more keys
        assert app.simulations >= 3  # the keys did edit the run (escape sends them to the plots, where no key edits)
