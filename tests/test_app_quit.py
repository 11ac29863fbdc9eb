"""Quitting by keys (Textual's Pilot): q and ctrl+c, the question unsaved work asks first, and q on a field, which
is typed, not run."""

import asyncio

import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle
from tests.conftest import cosine, row, started


@pytest.mark.parametrize("keys", [["escape", "q"], ["ctrl+c"]])
async def test_quit_keys(keys):
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*keys)
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_with_unsaved_work_asks_once(key):
    """A pinned run or a changed value is work: the first q (or ctrl+c) says so, the second quits."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.lr").focus()
        await pilot.press("+", "escape", "p", key)
        await pilot.pause()
        assert app.is_running and app.unsaved
        toast = [n.message for n in app._notifications][-1]
        assert toast == f"1 pinned run and changes not saved: {key} again to quit, ctrl+s saves"
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running


async def test_quit_asks_again_after_a_while_and_not_after_a_save(tmp_path, monkeypatch):
    import lrtui.ui.app as app_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(app_module, "QUIT_ASKS_FOR", 0.05)
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p", "q")
        await asyncio.sleep(0.2)
        await pilot.press("q")  # the question has lapsed: this one asks again
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+s", "enter")
        await settle(app, pilot)
        assert (tmp_path / "lrtui-session.toml").exists() and not app.unsaved
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running


async def test_q_is_typed_not_quit_while_editing():
    app = make_app(Start(RunConfig(schedule={"name": "onecycle", "params": {}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.anneal_strategy").focus()
        await pilot.press("enter", "q")
        assert app.is_running and row(app, "schedule.anneal_strategy").buffer == "q"
