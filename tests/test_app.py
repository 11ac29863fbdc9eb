"""The app as a person uses it: keys in, screen state out (Textual's Pilot)."""

import asyncio

import numpy as np
import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.ui.playback import SPEEDS
from lrtui.plotting.terminal import Options
from lrtui.ui.widgets.form import FieldRow
from lrtui.ui.screenshot import settle
from tests.conftest import cosine, row, started, status


async def test_opens_with_both_plots_and_a_status_line():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert status(app).startswith("t=0/99  lr=0.1  loss=0.5")
        lr_plot = app.query_one("#lr-panel").plot
        assert lr_plot.geometry is not None and "lr: cosine" in lr_plot.render().plain
        assert app.query_one("#loss-panel").plot.geometry is not None


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


async def test_plus_and_minus_step_the_focused_value():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.lr").focus()
        await pilot.press("+")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(0.126)
        assert app.trace.lr[0] == pytest.approx(0.126)
        await pilot.press("-", "-")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(0.0794)
        row(app, "schedule.T_max").focus()
        await pilot.press("-")
        await settle(app, pilot)
        assert app.config.schedule["params"]["T_max"] == 90


async def test_bad_input_shows_the_message_and_keeps_the_last_valid_value():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        t_max = row(app, "schedule.T_max")
        t_max.focus()
        await pilot.press("0", "enter")
        await settle(app, pilot)
        assert t_max.message == "T_max=0 is not allowed: an integer in [1, 10000000]"
        assert app.config.schedule["params"]["T_max"] == 100 and app.is_running
        await pilot.press("enter", "a", "b", "c", "enter")
        assert "T_max=abc is not allowed" in t_max.message
        await pilot.press("5", "0", "enter")
        await settle(app, pilot)
        assert t_max.message == "" and app.config.schedule["params"]["T_max"] == 50


async def test_inconsistent_values_are_refused_too():
    app = make_app(Start(RunConfig(schedule={"name": "warmup_linear", "params": {}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        w = row(app, "schedule.num_warmup_steps")
        w.focus()
        await pilot.press("5", "0", "0", "enter")
        assert "num_training_steps=100 is not allowed with num_warmup_steps=500" in w.message
        assert app.config.schedule["params"] == {}


async def test_escape_cancels_typing():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("9", "escape", "enter")
        assert lr.buffer == "" and app.config.schedule["params"]["lr"] == 0.1


async def test_switching_schedule_rebuilds_the_form_from_declarations():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        picker = row(app, "schedule")
        picker.focus()
        await pilot.press("enter")
        for ch in "onecycle":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(app, pilot)
        keys = [r.field.key for r in app.query(FieldRow)]
        assert "schedule.max_lr" in keys and "schedule.T_max" not in keys
        assert app.config.schedule == {"name": "onecycle", "params": {"total_steps": 100}}
        assert app.focused.field.key == "schedule"
        await pilot.press("+")  # the next schedule in the registry
        await settle(app, pilot)
        assert app.config.schedule["name"] == "inverse_time"


async def test_tab_and_arrows_move_between_fields():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert app.focused.field.key == "schedule"
        await pilot.press("tab", "tab")
        assert app.focused.field.key == "schedule.T_max"
        await pilot.press("shift+tab")
        assert app.focused.field.key == "schedule.lr"
        await pilot.press("down", "down", "up")
        assert app.focused.field.key == "schedule.T_max"


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


async def test_log_scale_toggles():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "l")  # escape: from the form to the plots, where letters are commands
        await pilot.pause()
        loss = app.query_one("#loss-panel").plot
        assert loss.look.log and "1e-" in loss.render().plain and "(log)" in loss.title
        await pilot.press("L")
        await pilot.pause()
        assert app.query_one("#lr-panel").plot.look.log
        await pilot.press("l")
        assert not loss.look.log


async def test_help_screen_shows_keys_formula_and_note():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.text
        assert "left / right" in text and "lr(t) = eta_min + (lr - eta_min)" in text and "monotone for lr < 1/L" in text
        await pilot.press("escape")
        assert app.screen is not None and not hasattr(app.screen, "text")


async def test_diverged_run_is_shown_as_a_result():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 2.5}}, epochs=40), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("end")
        assert "diverged at epoch 18" in status(app) and "loss=-" in status(app)


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


async def test_typing_a_word_on_a_field_never_runs_a_command(tmp_path, monkeypatch):
    """The traps of issue 13: 'quartic' on the problem field quit at q; 'step' on the schedule field opened
    the sharpness view, exported files and pinned a run. A word typed on a field is typed: on a choice,
    what it selects shows as it is typed and enter selects it."""
    monkeypatch.chdir(tmp_path)
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        problem = row(app, "problem")
        problem.focus()
        await pilot.press(*"quartic")
        assert app.is_running and problem.buffer == "quartic" and "quartic" in problem.render().plain
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running and app.config.problem == "quartic"
        row(app, "schedule").focus()
        await pilot.press(*"step", "enter")
        await settle(app, pilot)
        assert app.config.schedule["name"] == "step" and app.view == "loss" and app.pins == []
        assert list(tmp_path.iterdir()) == [] and app.is_running
        row(app, "optimizer").focus()
        await pilot.press(*"ada")
        assert row(app, "optimizer").render().plain.endswith("ada▏ adam")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config.optimizer == "adam"


async def test_on_a_choice_a_prefix_selects_the_first_match_and_no_match_says_so():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        schedule = row(app, "schedule")
        schedule.focus()
        await pilot.press(*"xyz")
        assert schedule.render().plain.endswith("(no match)")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config.schedule["name"] == "cosine" and "xyz" in row(app, "schedule").message
        await pilot.press(*"COS", "enter")  # case does not matter; the exact name wins over cosine_restarts
        await settle(app, pilot)
        assert app.config.schedule["name"] == "cosine" and row(app, "schedule").message == ""


async def test_escape_leaves_the_form_for_the_commands_and_tab_comes_back():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.T_max").focus()
        footer = lambda: {b.binding.action for b in app.active_bindings.values() if b.enabled}  # noqa: E731
        assert {"leave_form", "quit('field')"} <= footer() and "pin" not in footer()
        await pilot.press("escape")
        assert app.focused is app.plot_area and {"pin", "quit", "enter_form"} <= footer()
        await pilot.press("tab")
        assert app.focused is row(app, "schedule.T_max")  # back where it was
        await pilot.press("escape", "enter")
        assert app.focused is row(app, "schedule.T_max")


async def test_space_types_inside_an_edit_and_plays_outside_it():
    app = make_app(Start(cosine(), Options()))
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


async def test_letters_start_an_edit_on_a_number_field():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("l")
        assert lr.buffer == "l" and not app.log_scale["loss"]
        await pilot.press("backspace", "1")
        assert lr.buffer == "1"
        await pilot.press("e", "-", "3", "enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == 1e-3


async def test_q_is_typed_not_quit_while_editing():
    app = make_app(Start(RunConfig(schedule={"name": "onecycle", "params": {}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.anneal_strategy").focus()
        await pilot.press("enter", "q")
        assert app.is_running and row(app, "schedule.anneal_strategy").buffer == "q"


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
            app.field_changed(FieldRow.Nudge(lr, +1))
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(0.1, rel=0.02)
        assert app.trace.config == app.config  # what is drawn is the latest
        assert app.simulations - sims <= 2  # one that was running, one for the latest config
        assert lr.value == "0.1"


async def test_resizing_down_to_40x12_never_crashes():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        for size in [(80, 24), (40, 12), (41, 13), (200, 60), (40, 12)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("right", "l")
            await pilot.pause()
        assert app.is_running


async def test_ascii_mode_draws_no_braille():
    app = make_app(Start(cosine(), Options(ascii=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        text = app.query_one("#lr-panel").plot.render().plain
        assert "*" in text and not any(0x2800 <= ord(c) <= 0x28FF for c in text)
        assert all(ord(c) < 128 for c in text)
        assert app.query_one("#lr-panel").glyphs == ("v", "^", "o")
        screen_text = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert all(ord(c) < 128 for c in screen_text), {c for c in screen_text if ord(c) >= 128}
        plot = app.query_one("#lr-panel").plot
        assert all(ord(c) < 128 for y in range(plot.size.height) for c in plot.render_line(y).text)


@pytest.mark.parametrize("env, utf8", [
    ({"LANG": "C"}, False), ({"LANG": "en_GB.UTF-8"}, True), ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, False),
    ({"LANG": "en_US.UTF-8", "LC_CTYPE": "C.UTF-8"}, True), ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, False),
    ({"LC_CTYPE": "de_DE.utf8", "LANG": "C"}, True), ({}, False), ({"LC_CTYPE": "C.UTF-8"}, False),
])
def test_locale_is_utf8(env, utf8):
    from lrtui.plotting.terminal import locale_is_utf8

    assert locale_is_utf8(env) is utf8


def test_locale_decides_ascii(monkeypatch):
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C")
    assert Options.from_environment().ascii
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert not Options.from_environment().ascii
    monkeypatch.setenv("NO_COLOR", "1")
    assert Options.from_environment().mono


async def test_landscape_view_toggles_on_2d_problems_only():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.4}}, problem="ravine", epochs=30),
                         Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "v")
        await pilot.pause()
        land = app.query_one("#landscape-panel")
        assert app.view == "landscape" and land.display and not app.query_one("#loss-panel").display
        assert "landscape: ravine" in land.plot.render().plain and land.plot.geometry is not None
        await pilot.press("right", "right", "right")
        (column, row, dot), = land.plot.mark.cells
        g = land.plot.geometry
        assert dot == "●" and (column, row) == (g.column(app.trace.params[3, 0]), g.row(app.trace.params[3, 1]))
        await pilot.press("v")
        assert app.view == "loss" and app.query_one("#loss-panel").display
        await pilot.press("v")
        app.query_one(FieldRow).focus()  # the problem picker sits further down; set it through the model
        from lrtui.ui import fields as F
        app.config = F.set_value(app.config, F.Field("problem", F.PICKERS["problem"], picker=True), "quadratic")
        await settle(app, pilot)
        assert app.view == "loss"  # a 1-D problem has no landscape: back to the loss plot
        await pilot.press("escape", "v")
        assert app.view == "loss"


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


async def test_range_test_view():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="spectrum"),
                         Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await pilot.pause()
        panel = app.query_one("#range-panel")
        assert app.view == "range" and panel.display and not app.query_one("#loss-panel").display
        assert "stable below 0.2" in status(app) and "steepest" in status(app)
        assert panel.plot.xlog and len(panel.plot.vlines) == 4 and panel.plot.mark is None
        row(app, "problem.l1").focus()
        await pilot.press("-")  # l1 10 -> 7.94: a new problem, a new test
        await settle(app, pilot)
        assert f"stable below {2 / 7.94:.4g}" in status(app)
        await pilot.press("escape", "r")
        assert app.view == "loss"


async def test_sharpness_view():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.5}}, problem="catapult", epochs=60),
                         Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "s")
        await pilot.pause()
        panel = app.query_one("#sharpness-panel")
        assert app.view == "sharpness" and panel.display
        sharp, tolerated = panel.plot.series
        assert tolerated.y[0] == pytest.approx(2 / 0.5) and sharp.y[0] == pytest.approx(app.trace.sharpness[0])
        assert sharp.y[-1] < tolerated.y[-1] < sharp.y[0]  # T6: the catapult lands below 2/lr
        await pilot.press("s")
        assert app.view == "loss"
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="mlp", epochs=5),
                         Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "s")
        assert app.view == "loss"  # no curvature on a data problem


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



async def test_quick_nudges_on_the_schedule_picker_keep_focus():
    """Found in tmux: "+ +" in one burst rebuilt the form twice and lost focus."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        picker = row(app, "schedule")
        picker.focus()
        app.field_changed(FieldRow.Nudge(picker, +1))
        app.field_changed(FieldRow.Nudge(picker, +1))
        await settle(app, pilot)
        assert app.config.schedule["name"] == "cyclic"
        assert isinstance(app.focused, FieldRow) and app.focused.field.key == "schedule"


async def test_help_scrolls_with_the_keys_that_step_epochs_elsewhere():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        scroller = app.screen.query_one("VerticalScroll")
        await pilot.press("down", "down", "end")
        await pilot.pause()
        assert scroller.scroll_y > 0 and app.epoch == 0  # the help scrolled; the epoch stayed
        await pilot.press("escape", "right")
        assert app.epoch == 1


async def test_an_edit_from_a_row_that_is_gone_is_ignored():
    """Found by the monkey test: a key queued on T_max's row arrived after the schedule had switched."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        t_max = row(app, "schedule.T_max")
        from lrtui.ui import fields as F
        app.config = F.set_value(app.config, F.Field("schedule", F.PICKERS["schedule"], picker=True), "step")
        await settle(app, pilot)
        app.field_changed(FieldRow.Nudge(t_max, +1))
        app.field_changed(FieldRow.Edit(t_max, "50"))
        await settle(app, pilot)
        assert app.config.schedule == {"name": "step", "params": {"lr": 0.1}} and app.is_running



async def test_enter_on_an_empty_edit_just_closes_it():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("enter", "enter")
        assert lr.buffer is None and lr.message == "" and app.config.schedule["params"]["lr"] == 0.1


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


async def test_range_test_without_colour_draws_the_stable_limit_alone():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem="spectrum"),
                         Options(mono=True)))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "r")
        await pilot.pause()
        plot = app.query_one("#range-panel").plot
        assert [round(10 ** x, 6) for x, _ in plot.vlines] == [0.2] and "the stable limit" in plot.title
        assert "steepest" in status(app)  # the picks are in the status line


async def test_delete_puts_the_focused_value_back_to_its_default():
    app = make_app(Start(cosine(T_max=40, eta_min=0.01), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.T_max").focus()
        await pilot.press("delete")
        await settle(app, pilot)
        assert "T_max" not in app.config.schedule["params"] and row(app, "schedule.T_max").value == "100"
        assert app.config.schedule["params"]["eta_min"] == 0.01  # only the focused field
        row(app, "problem.x0").focus()
        await pilot.press("3", "enter", "delete")
        await settle(app, pilot)
        assert app.config.problem_params == {} and app.trace.loss[0] == pytest.approx(0.5)
        row(app, "run.epochs").focus()
        await pilot.press("5", "0", "enter", "delete")
        await settle(app, pilot)
        assert app.config.epochs == 100


async def test_a_key_right_after_a_nudge_sees_the_nudged_value():
    """Found by a newcomer pasting '+p': the nudge travelled as a message behind the 'p', which pinned the
    value from before it."""
    from textual import events

    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.lr").focus()
        await pilot.pause()
        app.post_message(events.Key("plus", "+"))  # a burst: all keys queued before any is handled
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key("p", "p"))
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == pytest.approx(0.126)
        assert [pin.schedule["params"]["lr"] for pin in app.pins] == [pytest.approx(0.126)]


async def test_a_nudge_shows_its_value_and_both_plots_in_the_keys_own_frame():
    """Frames come between awaits: the value, the run and both plots change before the key handler ends
    (once the plots waited for a watcher task, and a key took a frame more, 36 ms instead of 13)."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr_row = row(app, "schedule.lr")
        plots = [app.query_one(f"#{name}-panel").plot for name in ("lr", "loss")]
        versions = [p._version for p in plots]
        app.field_changed(FieldRow.Nudge(lr_row, +1))  # no await: nothing else can run in between
        assert lr_row.value == "0.126" and app.trace.config == app.config
        assert all(p._version > v for p, v in zip(plots, versions))


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


async def test_the_loss_plot_is_smoothed_where_the_gradients_are_noisy_and_says_so():
    from lrtui.analysis.smoothing import ema

    noisy = RunConfig(schedule={"name": "constant", "params": {"lr": 0.1}}, problem_params={"noise": 1.0}, epochs=200)
    app = make_app(Start(noisy, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        loss = app.query_one("#loss-panel").plot
        assert "(EMA 0.9)" in loss.title and np.allclose(loss.series[0].y, ema(app.trace.loss, 0.9))
        floor = loss.drawing_order()[-1]
        assert floor.label == "noise floor"  # drawn over the trace, not hidden under it
        smoothing = row(app, "compare.smoothing")
        smoothing.focus()
        await pilot.press(*"off", "enter")
        await settle(app, pilot)
        assert "EMA" not in loss.title and np.array_equal(loss.series[0].y, app.trace.loss, equal_nan=True)
        await pilot.press("+")  # off -> 0.6
        assert "(EMA 0.6)" in loss.title and smoothing.value == "0.6"
        await pilot.press("delete")
        assert smoothing.value == "auto" and "(EMA 0.9)" in loss.title
    app = make_app(Start(cosine(), Options()))  # no noise: auto is off
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        loss = app.query_one("#loss-panel").plot
        assert "EMA" not in loss.title and np.array_equal(loss.series[0].y, app.trace.loss)


async def test_a_finer_step_searches_the_threshold_and_the_verdict_follows():
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 1.99}}, epochs=100), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        row(app, "schedule.lr").focus()
        assert "converging, oscillating: loss x0.980/epoch" in status(app)
        await pilot.press("]")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == 2.0 and "oscillating from epoch 0" in status(app)
        await pilot.press("]")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == 2.01 and "diverging: loss x1.020/epoch" in status(app)
        await pilot.press("[", "[", "[")
        await settle(app, pilot)
        assert app.config.schedule["params"]["lr"] == 1.98
        await pilot.press("+")  # the normal step: x1.26
        assert app.config.schedule["params"]["lr"] == 2.49


async def test_a_horizon_that_follows_the_run_keeps_following_it():
    app = make_app(Start(cosine(), Options()))  # T_max = epochs = 100
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "run.epochs").focus()
        await pilot.press(*"200", "enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["T_max"] == 200 and not app.query_one("#notes").display
        row(app, "schedule.T_max").focus()
        await pilot.press(*"150", "enter")
        row(app, "run.epochs").focus()
        await pilot.press(*"300", "enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["T_max"] == 150  # set by hand: it stays
        row(app, "schedule").focus()
        await pilot.press(*"warmup_cosine", "enter")
        await settle(app, pilot)
        assert app.config.schedule["params"]["num_training_steps"] == 300


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


async def test_at_40_columns_the_form_gives_the_plots_room_and_keeps_every_name_whole():
    from lrtui.ui.widgets.plots import MIN_WIDTH
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(40, 40)) as pilot:
        await started(app, pilot)
        assert app.query_one("#plots").size.width >= MIN_WIDTH + 2
        for r in app.query(FieldRow):
            lines = [line.plain for line in r.render().wrap(app.console, r.content_region.width)]
            text = "".join(lines)
            assert r.field.label in text and r.value in text and r.size.height >= len(lines), lines


@pytest.mark.parametrize("keys, field, error", [
    (["-", "5"], "run.epochs", "epochs=-5 is not allowed"),
    (["[", "/", "]"], "schedule.lr", "lr=[/] is not allowed"),
    (["+", "+", "x"], "schedule.T_max", "T_max=++x is not allowed"),
])
async def test_step_keys_followed_at_once_by_typing_were_typing(keys, field, error):
    """A newcomer's try (issue 13): typing -5 on epochs gave epochs 5 (a step down, then 5), and [/] left lr
    stepped to 0.099 beside an error. A step key followed at once by typing starts the typed value; the
    steps are taken back, the last valid value stays."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        before = app.config
        row(app, field).focus()
        await pilot.press(*keys, "enter")
        await settle(app, pilot)
        assert app.config == before and error in row(app, field).message
        await pilot.press("-")  # a step alone is still a step
        await settle(app, pilot)
        assert app.config != before and not row(app, field).message


async def test_a_choice_that_matches_nothing_says_so_in_one_short_line():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule").focus()
        await pilot.press(*"xyz", "enter")
        await settle(app, pilot)
        message = row(app, "schedule").message
        assert app.config.schedule["name"] == "cosine" and message.startswith("no schedule starts with xyz")
        assert len(message) < 100 and "constant" not in message


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


async def test_onecycle_epochs_and_steps_per_epoch_typed_in_the_form_set_its_length():
    """Issue 15: the pair replaces the total_steps that followed the run (torch would use a total_steps given)."""
    config = RunConfig(schedule={"name": "onecycle", "params": {"total_steps": 80}}, epochs=80)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(100, 50)) as pilot:
        await started(app, pilot)
        for key, text in (("schedule.epochs", "4"), ("schedule.steps_per_epoch", "30")):
            row(app, key).focus()
            await pilot.press(*text, "enter")
            await settle(app, pilot)
        params = app.config.schedule["params"]
        assert params["epochs"] == 4 and params["steps_per_epoch"] == 30 and "total_steps" not in params
        assert row(app, "schedule.total_steps").value == "120"  # the form shows the length they make
        assert len(app.trace.lr) == 80 and app.trace.lr[35] == pytest.approx(0.1)  # the peak at 0.3 * 120 - 1


async def test_a_long_value_stays_on_its_line_in_the_form_at_80_columns():
    """Found by a newcomer: lr 7.94e-05 went to the next line, and the field looked empty."""
    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {"lr": 1e-4}}, epochs=30), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press("minus")
        await settle(app, pilot)
        shown = lr.render().plain
        assert "\n" not in shown and shown.startswith("lr ") and shown.endswith("7.94e-05"), repr(shown)
        assert len(shown) <= lr.content_region.width
