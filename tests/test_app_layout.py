"""The app's screen as a person sees it (Textual's Pilot): what it opens with, sizes from 40x12 up, ASCII and the
locale, the help screen."""


import pytest

from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
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
        await pilot.press("escape")  # the plots' footer: its enter was Textual's '⏎' (the newcomer's try, LANG=C)
        await pilot.pause()
        screen_text = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert all(ord(c) < 128 for c in screen_text), {c for c in screen_text if ord(c) >= 128}
        assert "enter Fields" in screen_text


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


async def test_the_runs_settings_have_a_heading_of_their_own_apart_from_onecycles_torch_names():
    """Issue 28: onecycle's epochs and steps_per_epoch (torch's names) sat in the form with the same labels as the
    run's own epochs and steps_per_epoch, which followed the optimizer's rows with no heading. The run's rows now
    sit under "run", as the schedule's, the problem's and the optimizer's sit under theirs; the keys move over
    the rows as before (the heading takes no focus)."""
    from lrtui.ui.widgets.form import RunHeading

    app = make_app(Start(RunConfig(schedule={"name": "onecycle", "params": {}}), Options()))
    async with app.run_test(size=(80, 40)) as pilot:
        await started(app, pilot)
        form = app.query_one("#form")
        lines = [str(w.render()).split()[0] for w in form.children]
        assert lines.count("epochs") == 2 and lines.count("steps_per_epoch") == 2
        heading = lines.index("run")
        assert lines.index("schedule") < lines.index("epochs") < lines.index("optimizer") < heading
        assert lines[heading + 1] == "epochs" and isinstance(form.children[heading], RunHeading)
        assert form.children[heading + 1].field.key == "run.epochs"
        row(app, "optimizer.weight_decay").focus()
        await pilot.press("down")
        assert app.focused.field.key == "run.epochs"
        await pilot.press("up")
        assert app.focused.field.key == "optimizer.weight_decay"
