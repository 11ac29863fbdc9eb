"""The epoch cursor by keys (Textual's Pilot): stepping moves only the cursor, from anywhere, even while typing;
space plays and pauses, < and > set the speed."""

import asyncio
from dataclasses import replace

import pytest

from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.ui.playback import SPEEDS
from lrtui.plotting.terminal import Options
from lrtui.ui.screenshot import settle
from tests.conftest import cosine, row, started, status


@pytest.mark.parametrize("keys, epoch", [
    (["right"], 1), (["right", "right", "left"], 1), (["shift+right"], 10), (["pagedown", "pagedown", "pageup"], 10),
    (["end"], 99), (["end", "home"], 0), (["end", "right"], 99), (["left"], 0), (["end", "shift+left"], 89),
])
async def test_epoch_stepping_keys(keys, epoch):
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*keys)
        assert app.epoch == epoch
        assert status(app).startswith(f"t={epoch}/99")


async def test_stepping_works_while_a_field_is_being_typed_in():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("0", ".", "3")
        assert lr.buffer == "0.3"
        await pilot.press("right", "right", "shift+right", "end", "home", "right")
        assert app.epoch == 1 and lr.buffer == "0.3"  # the typing survived the stepping
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == 0.3 and app.trace.lr[0] == 0.3


async def test_stepping_moves_only_the_cursor():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        plots = [p.plot for p in app.query("PlotPanel")]
        builds = [p.builds for p in plots]
        sims = app.simulations
        plot = app.query_one("#lr-panel").plot
        before = plot.mark.cells[0][0]
        await pilot.press(*["right"] * 30)
        await pilot.pause()
        assert [p.builds for p in plots] == builds and app.simulations == sims
        (column, top, above), (_, bottom, below), (_, row, dot) = plot.mark.cells
        assert column > before and (above, below, dot) == ("▼", "▲", "●")
        assert plot.render_line(top).text[column] == "▼" and plot.render_line(row).text[column] == "●"
        g = plot.geometry
        assert top == g.top - 1 and bottom == g.top + g.height and row == g.row(app.trace.lr[30])


async def test_play_and_pause():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("less_than_sign")  # 30 epochs a second
        footer = lambda: [b.description for _, b, enabled, _ in app.active_bindings.values() if enabled]  # noqa: E731
        assert "Play" in footer() and "Pause" not in footer()
        await pilot.press("space")
        assert app.playback.playing and status(app).startswith("▶ 30/s")
        await pilot.pause()
        assert "Pause" in footer() and "Play" not in footer()  # the footer names what space does now
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert app.epoch > 0
        await pilot.press("space")
        stopped_at = app.epoch
        assert not app.playback.playing
        await asyncio.sleep(0.1)
        assert app.epoch == stopped_at
        await pilot.press(*["greater_than_sign"] * 4, "space")  # 3000 epochs a second
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert app.epoch == 99 and not app.playback.playing  # stops at the end


async def test_space_types_inside_an_edit_and_plays_outside_it():
    # (a long run: playing does not reach its end, and stop, before the test looks, however loaded the machine)
    app = make_app(Start(replace(cosine(T_max=3000), epochs=3000), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        epochs = row(app, "run.epochs")
        epochs.focus()
        await pilot.press("space")
        assert app.playback.playing
        await pilot.press("space", "2", "0", "0", "space", "s", "t", "e", "p", "s")
        assert epochs.buffer == "200 steps" and not app.playback.playing
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config.epochs == 200


async def test_speed_keys_say_the_speed_while_paused():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        start = app.playback.speed_index
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert app.playback.speed_index == start + 1 and not app.playback.playing
        assert [n.message for n in app._notifications] == [
            f"playback speed {SPEEDS[start + 1]} epochs/s (space plays)"]
