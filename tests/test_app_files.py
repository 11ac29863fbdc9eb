"""The app's presets, sessions, export and code: by keys, as a person uses them (Textual's Pilot)."""

import csv
import json

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Static

from lrtui.presets import PRESETS, find
from lrtui.io.sessions import Session, load_session, save_session
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.widgets.board import Scoreboard
from lrtui.ui.screens.code import CodeScreen
from lrtui.ui.screens.prompt import PathPrompt
from lrtui.ui.screenshot import settle
from tests.conftest import board_text, cosine, row, started, status


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Run in an empty directory: export and code files land here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- presets -------------------------------------------------------------------------------------------

async def test_a_preset_opens_its_run_its_pinned_runs_and_its_view():
    preset = find("T2")
    app = make_app(Start(preset.config, Options(), pinned=preset.pinned, preset=preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.config == preset.config and len(app.pins) == len(preset.pinned) == 5
        assert all(r is not None for r in app.pin_results)
        assert app.view == "landscape" and app.query_one("#landscape-panel").display
        assert app.query_one(Scoreboard).display
        await pilot.press("question_mark")
        help_text = app.screen.text
        assert help_text.startswith("Preset T2-ravine-momentum") and "0.5" in help_text


async def test_the_range_test_preset_uses_its_own_ramp():
    preset = find("T8")
    app = make_app(Start(preset.config, Options(), pinned=preset.pinned, preset=preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.view == "range"
        result = app.views["range"].result(app._run())
        assert result.lr[0] == pytest.approx(1e-4) and result.stable_limit == pytest.approx(0.2)
        assert "stable below 0.2" in status(app)


@pytest.mark.parametrize("part", range(3))
async def test_every_preset_loads_in_the_app_from_the_palette_command(part):
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        for preset in list(PRESETS.values())[part::3]:  # (a third of them one after another in each app)
            app.load_preset(preset)
            await settle(app, pilot)
            assert app.trace is not None and app.trace.config == preset.config, preset.name
            assert [r.config for r in app.pin_results] == list(preset.pinned), preset.name
            assert 0 <= app.epoch < len(app.trace.epoch)


async def test_ctrl_p_searches_presets_and_enter_opens_one():
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"warmup rescue")
        await pilot.pause(0.3)
        await pilot.press("pagedown", "pageup", "down", "up")  # the paging keys reach the palette's list
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.preset is not None and app.preset.name == "T5-warmup-rescue"
        assert app.config == find("T5").config and app.epoch == 0


# --- sessions ------------------------------------------------------------------------------------------

async def test_save_and_load_a_session_by_keys(here):
    app = make_app(Start(cosine(), Options(), pinned=(cosine(lr=0.3),), target_loss=1e-3))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("end")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PathPrompt)
        assert app.screen.query_one(Input).value == "lrtui-session.toml"  # a free name
        await pilot.press("enter")
        await pilot.pause()
        saved = load_session(here / "lrtui-session.toml")
        assert saved == Session(cosine(), (cosine(lr=0.3),), 99, 1e-3)
        # change everything, then load it back
        await pilot.press("escape", "U", "home")
        lr = row(app, "schedule.lr")
        lr.focus()
        await pilot.press(*"0.7", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+o", "enter")
        await settle(app, pilot)
        assert (app.config, app.pins, app.epoch, app.target_loss) == (cosine(), [cosine(lr=0.3)], 99, 1e-3)
        assert status(app).startswith("t=99/99")


async def test_a_bad_session_file_changes_nothing(here):
    (here / "bad.toml").write_bytes(b"\x00\xff garbage")
    app = make_app(Start(cosine(), Options(), pinned=(cosine(lr=0.3),)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+o")
        app.screen.query_one(Input).value = "bad.toml"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.config == cosine() and app.pins == [cosine(lr=0.3)]
        assert any("bad.toml" in n.message and "UTF-8" in n.message for n in app._notifications)
        assert (here / "bad.toml").read_bytes() == b"\x00\xff garbage"


async def test_escape_cancels_the_prompt_and_epoch_keys_are_typed_in_it(here):
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.press("left", "space", "x", "home", "p")
        assert app.epoch == 0 and app.pins == []  # the prompt took the keys
        assert app.screen.query_one(Input).value == "plrtui-session.tom xl"
        await pilot.press("escape")
        assert not isinstance(app.screen, PathPrompt) and not list(here.iterdir())


async def test_save_offers_a_free_name_and_replaces_a_file_only_when_asked_twice(here):
    save_session(Session(cosine(lr=0.5)), here / "lrtui-session.toml")
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+s")
        prompt = app.screen.query_one(Input)
        assert prompt.value == "lrtui-session-2.toml"  # the name offered is free
        prompt.value = "lrtui-session.toml"  # the user types the name of the file that is there
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt) and "is there: enter replaces it" in str(
            app.screen.query_one(Static).render())
        await pilot.press("escape")  # keeps it
        await pilot.pause()
        assert load_session(here / "lrtui-session.toml").config == cosine(lr=0.5)
        await pilot.press("ctrl+s")
        app.screen.query_one(Input).value = "lrtui-session.toml"
        await pilot.press("enter", "enter")  # asked twice: replaced
        await pilot.pause()
        assert any("replaced" in n.message for n in app._notifications)
        assert load_session(here / "lrtui-session.toml").config == cosine()
        await pilot.press("ctrl+s", "enter")  # a free name: written at once
        await pilot.pause()
        assert load_session(here / "lrtui-session-2.toml").config == cosine()


# --- export and code -----------------------------------------------------------------------------------

async def test_e_exports_the_current_and_pinned_runs_without_overwriting(here):
    app = make_app(Start(cosine(), Options(), pinned=(cosine(lr=0.3),)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "e")
        await settle(app, pilot)  # (an export is written in the background, one at a time)
        await pilot.press("e")
        await settle(app, pilot)
    assert sorted(p.name for p in here.iterdir()) == ["lrtui-runs-2.csv", "lrtui-runs-2.json", "lrtui-runs.csv",
                                                       "lrtui-runs.json"]
    with (here / "lrtui-runs.csv").open() as f:
        rows = list(csv.DictReader(f))
    # each column says which run it is: its label and its description
    now, first = "now: cosine lr=0.1 T_max=100", "#1: cosine lr=0.3 T_max=100"
    assert len(rows) == 100 and float(rows[0][f"lr[{now}]"]) == 0.1 and float(rows[0][f"lr[{first}]"]) == 0.3
    runs = json.loads((here / "lrtui-runs.json").read_text())["runs"]
    assert [r["label"] for r in runs] == [now, first] and len(runs[1]["loss"]) == 100
    assert any("lrtui-runs-2.csv" in n.message for n in app._notifications)


async def test_export_and_board_carry_the_held_out_loss_of_a_data_problem(here):
    mlp = RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, problem="mlp", epochs=20)
    app = make_app(Start(mlp, Options(), pinned=(RunConfig(schedule={"name": "constant", "params": {"lr": 0.02}},
                                                           problem="mlp", epochs=20),)))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        while app.busy or any(r is None for r in app.pin_results):
            await pilot.pause(0.05)
        await settle(app, pilot)
        header = board_text(app).splitlines()[0]
        assert "held-out" in header
        await pilot.press("escape", "e")
        await settle(app, pilot)
    with (here / "lrtui-runs.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert float(rows[-1]["heldout_loss[now: constant lr=0.05]"]) == app.trace.heldout_loss[-1]
    runs = json.loads((here / "lrtui-runs.json").read_text())["runs"]
    assert all(len(r["heldout_loss"]) == 20 for r in runs)


async def test_c_shows_the_code_f_switches_framework_w_writes_it(here):
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "c")
        screen = app.screen
        assert isinstance(screen, CodeScreen) and screen.framework == "torch"
        assert "CosineAnnealingLR" in str(screen.query_one("#code").render())
        await pilot.press("f", "f")
        assert screen.framework == "optax" and "optax" in str(screen.query_one("#code").render())
        await pilot.press("w", "w", "c")
        await pilot.pause()
        assert app.clipboard == screen.code
        await pilot.press("escape")
        assert not isinstance(app.screen, CodeScreen)
    files = sorted(p.name for p in here.iterdir())
    assert files == ["lrtui_cosine_optax-2.py", "lrtui_cosine_optax.py"]
    assert (here / "lrtui_cosine_optax.py").read_text() == screen.code


async def test_at_80x24_the_code_screen_pages_sideways_and_says_where_lines_go_on():
    """Issue 28: at 80 columns the code's lines were cut with nothing to say so, and right moved one column (the
    scroll view's own key, ahead of the screen's). The code is not wrapped (what c copies and w writes is the
    script as it is); right / left move a page less a few columns, and the border says "more →" / "← more"."""
    from dataclasses import replace

    from textual.containers import ScrollableContainer, Vertical

    from lrtui.codegen import training_code

    app = make_app(Start(replace(cosine(), optimizer="adamw"), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "c")
        await pilot.pause()
        screen = app.screen
        scroll, frame = screen.query_one("#code-scroll", ScrollableContainer), screen.query_one(Vertical)
        keys = screen.query_one("#code-keys", Static)
        assert keys.size.height == 1 and screen.code == training_code(app.prepared, "torch")  # (not wrapped)
        width = scroll.scrollable_content_region.width
        assert width >= 70 and scroll.max_scroll_x > 0  # (the loop's comment is longer than the screen)
        assert scroll.scroll_x == 0 and frame.border_subtitle == "more →"
        await pilot.press("right")
        await pilot.pause()
        assert scroll.scroll_x == min(width - CodeScreen.PAGE_OVERLAP, scroll.max_scroll_x) > 8
        assert frame.border_subtitle.startswith("← more")
        while scroll.scroll_x < scroll.max_scroll_x:
            await pilot.press("right")
            await pilot.pause()
        assert frame.border_subtitle == "← more"
        await pilot.press("left", "left", "left")
        await pilot.pause()
        assert scroll.scroll_x == 0 and frame.border_subtitle == "more →"
        await pilot.press("f", "f")  # another text, from its start, the border told again
        await pilot.pause()
        assert screen.framework == "optax" and scroll.scroll_x == 0 and frame.border_subtitle in ("", "more →")


async def test_the_code_builds_the_runs_optimizer():
    from dataclasses import replace

    app = make_app(Start(replace(cosine(), optimizer="rmsprop", optimizer_params={"alpha": 0.9}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "c")
        assert "optimizer = torch.optim.RMSprop(model.parameters(), lr=0.1, alpha=0.9)" in app.screen.code
        await pilot.press("f", "f")
        assert "optax.rmsprop(learning_rate=schedule, decay=0.9" in app.screen.code


async def test_the_palette_help_and_code_screens_are_plain_ascii_in_ascii_mode():
    app = make_app(Start(cosine(), Options(ascii=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        for keys in (["ctrl+p"], ["question_mark"], ["escape", "c"]):
            await pilot.press(*keys)
            await pilot.pause(0.2)
            text = "".join(strip.text for strip in app.screen._compositor.render_strips())
            wide = {c for c in text if ord(c) >= 128}
            assert len(app.screen_stack) == 2 and not wide, (keys, wide)
            await pilot.press("escape")
            await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_loading_a_longer_session_never_puts_the_cursor_outside_the_run_on_screen(here):
    long = RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, problem="mlp", epochs=4000, seeds=1)
    save_session(Session(long, (), 3000, None), here / "long.toml")
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+o")
        app.screen.query_one(Input).value = "long.toml"
        await pilot.press("enter")
        app.screen.set_focus(app.plot_area)  # on the plots: keys that redraw while the long run simulates
        await pilot.press("b", "greater_than_sign", "b")
        await settle(app, pilot)
        assert app.is_running and app.epoch == 3000 and status(app).startswith("t=3000/3999")


async def test_a_saved_preset_keeps_its_note_and_an_instructors_note_shows_on_question_mark(here):
    """Issue 13: a saved T3 reloads with its ? note; an instructor writes a note into a session file (the
    way to hand out an exercise) and ? shows it, escape codes escaped."""
    from lrtui.ui.screens.help import HelpScreen

    t3 = find("T3")
    app = make_app(Start(t3.config, Options(), pinned=t3.pinned, preset=t3))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
    saved = load_session(here / "lrtui-session.toml")
    assert saved.note.startswith(f"Preset {t3.name}: {t3.title}\n") and t3.note in saved.note
    exercise = "Exercise 1: the noise floor\nPin lr 0.1, then halve it twice. \x1b[31mWhich floor is lowest?"
    save_session(Session(saved.config, saved.pinned, 0, None, exercise), here / "exercise.toml")
    assert 'note = """\nExercise 1: the noise floor\nPin lr 0.1' in (here / "exercise.toml").read_text()  # lines
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+o")
        app.screen.query_one(Input).value = "exercise.toml"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.text
        assert shown.startswith("Exercise 1: the noise floor\nPin lr 0.1")
        assert "\\x1b[31m" in shown and "\x1b" not in shown


async def test_the_smoothing_is_saved_loaded_and_counts_as_unsaved_work(here):
    t4 = find("T4")
    app = make_app(Start(t4.config, Options(), pinned=t4.pinned, preset=t4))
    async with app.run_test(size=(100, 40)) as pilot:
        await started(app, pilot)
        row(app, "compare.smoothing").focus()
        await pilot.press("delete")  # auto already: nothing changes
        assert not app.unsaved
        for key in "0.99":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.smoothing == "0.99" and app.unsaved and "0.99" in app.query_one("#loss-panel").plot.title
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        assert not app.unsaved
    saved = here / "lrtui-session.toml"
    assert load_session(saved).smoothing == "0.99"
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(100, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+o")
        app.screen.query_one(Input).value = str(saved)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.smoothing == "0.99" and row(app, "compare.smoothing").value == "0.99" and not app.unsaved


async def test_a_preset_or_a_session_asks_before_it_replaces_unsaved_work(tmp_path, monkeypatch):
    """Found by a newcomer: ctrl+p then T3 threw two pinned runs and a changed lr away without a word, while
    q asks first. Then a first pick asked in a toast and only a second pick within 3 s opened it: a student who
    read the toast first got it again for ever (issue 28). Now a yes/no question stays until it is answered;
    ctrl+o's prompt says what loading replaces."""
    from lrtui.ui.screens.confirm import Confirm

    monkeypatch.chdir(tmp_path)
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(100, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "p")
        await settle(app, pilot)
        t3 = find("T3")
        for answer in ("n", "escape"):
            app.load_preset(t3)
            await pilot.pause(4)  # (read slowly: the question is still there)
            assert isinstance(app.screen, Confirm) and app.screen.question == (
                "1 pinned run not saved: open T3 and replace it?")
            await pilot.press(answer)
            await settle(app, pilot)
            assert app.preset is None and len(app.pins) == 1  # nothing replaced
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "1 pinned run not saved: loading replaces them" in app.screen.question
        await pilot.press("escape")
        app.load_preset(t3)
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.preset is t3 and app.config == t3.config
        app.load_preset(find("T1"))  # a preset's runs are not work to lose: no question
        await settle(app, pilot)
        assert app.preset.name.startswith("T1")


async def test_over_a_prompt_the_footer_offers_ctrl_c_not_q():
    """Found by a newcomer: the footer said 'q Quit' over the save prompt, where q is typed into the name."""
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        await pilot.press("escape")
        assert app.check_action("quit", ())  # on the plots q quits
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.check_action("quit", ()) and app.check_action("quit", ("ctrl+c",))
        await pilot.press("q")
        assert app.is_running and app.screen.query_one(Input).value.endswith("q")


async def test_the_code_screen_says_when_a_framework_cannot_express_the_schedule(here):
    """optax has no ChainedScheduler: its tab says why, w writes nothing, and the app goes on."""
    chain = RunConfig(schedule={"name": "chained", "params": {"schedulers": [
        {"name": "linear", "params": {}}, {"name": "cosine", "params": {"T_max": 10}}]}}, epochs=30)
    app = make_app(Start(chain, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "c")
        assert isinstance(app.screen, CodeScreen)
        await pilot.press("f", "f")
        assert app.screen.framework == "optax"
        shown = str(app.screen.query_one("#code", Static).render())
        assert shown.startswith("# no optax code: schedulers[1] (cosine) does not multiply")
        await pilot.press("w")
        await pilot.pause()
        assert not list(here.iterdir()) and app.is_running
        assert any("no optax code" in n.message for n in app._notifications)


async def test_the_code_screen_exports_the_run_on_screen_as_a_training_script(here):
    """Issue 28: the code screen exported the schedule alone, on SGD: an AdamW run came out as SGD, with no
    loop. Its torch tab is now the run: its optimizer with its parameters, its schedule, and the loop."""
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.01, "T_max": 40}}, optimizer="adamw",
                       optimizer_params={"weight_decay": 0.01}, epochs=40, steps_per_epoch=5)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "c")
        shown = str(app.screen.query_one("#code", Static).render())
        assert "torch.optim.AdamW(model.parameters(), lr=0.01)" \
            in shown and "EPOCHS, STEPS_PER_EPOCH = 40, 5" in shown and "    scheduler.step()" in shown
        await pilot.press("w")
        await pilot.pause()
        (written,) = here.iterdir()
        assert written.name == "lrtui_cosine_torch.py" and "for epoch in range(EPOCHS):" in written.read_text()


async def test_an_export_is_written_in_the_background_one_at_a_time(here, monkeypatch):
    """Issue 24: an export of long runs (65 MB) froze the session for 5 s. It is written on a thread: the
    keys are answered meanwhile, a second e says one is being written, and its end is said as before."""
    import threading

    from lrtui.io import run_export

    gate, real = threading.Event(), run_export.export_runs

    def held(*args, **kwargs):
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_export, "export_runs", held)
    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "e")
        assert app.busy and not list(here.iterdir())
        epoch = app.epoch
        await pilot.press("right", "e")  # answered while the export is written
        assert app.epoch == epoch + 1
        assert any("an export is being written" in n.message for n in app._notifications)
        gate.set()
        await settle(app, pilot)
        assert sorted(p.name for p in here.iterdir()) == ["lrtui-runs.csv", "lrtui-runs.json"]
        assert any(n.message.startswith("exported 1 run to lrtui-runs.csv") for n in app._notifications)


async def test_keys_behind_the_one_that_opens_a_screen_reach_that_screen(here):
    """The hostile retry: keys that come in one read (a paste, one message of a browser page) were all
    handed to the form before the first of them had opened its screen: a file name typed behind ctrl+s
    vanished, and q behind ? quit the app instead of closing the help. What is saved is the run as it is
    once the name is given, a nudge typed just before ctrl+s included."""
    from textual import events

    def burst(*keys: str) -> None:  # all queued before any is handled
        names = {"+": "plus", "?": "question_mark", "\r": "enter", "\x1b": "escape", "\x13": "ctrl+s"}
        for key in keys:
            app.post_message(events.Key(names.get(key, key), key if key.isprintable() else None))

    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        row(app, "schedule.lr").focus()
        await pilot.pause()
        burst("+", "\x13", *".json", "\r")  # (the name offered, and a suffix)
        await settle(app, pilot)
        assert not isinstance(app.screen, PathPrompt)
        assert load_session(here / "lrtui-session.toml.json").config.schedule["params"]["lr"] == pytest.approx(0.126)
        burst("\x1b", "?", "q")
        await settle(app, pilot)
        assert app.is_running and len(app.screen_stack) == 1  # the help opened, and q closed it


async def test_the_notes_editor_writes_a_note_that_saves_as_lines_and_question_mark_shows(here):
    """Issue 26: an instructor writes the session's note in the app (t on the plots: a text area), where
    before a note was written into the file by hand; q and the arrows are typed into it, escape keeps it, the
    note is unsaved work until ctrl+s, which writes its lines as lines."""
    from lrtui.ui.screens.help import HelpScreen
    from lrtui.ui.screens.note import NoteEditor

    app = make_app(Start(cosine(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "t")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Week 3: quit", "enter", "tab", *"[b]lr[/b] 0.5", "left", "right")
        assert isinstance(app.screen, NoteEditor) and app.epoch == 0  # typed: not quit, not the cursor
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteEditor)
        assert app.sessions.note == "Week 3: quit\n    [b]lr[/b] 0.5"
        assert app.unsaved and app.unsaved_work == "the note"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.screen.text.startswith("Week 3: quit\n    [b]lr[/b] 0.5")
        await pilot.press("escape", "t")  # editing again starts from it; a paste a note cannot hold is refused
        area = app.screen.query_one("#note")
        area.post_message(events.Paste("x" * 15_000))
        await pilot.pause()
        assert len(area.text) == 15_000 + len("Week 3: quit\n    [b]lr[/b] 0.5")
        area.post_message(events.Paste("y" * 5_000))
        await pilot.pause()
        assert "that paste has 5,000 characters: a note holds at most 20,000" in str(
            app.screen.query_one("#note-said").render())
        assert "y" not in area.text
        await pilot.press("ctrl+z", "escape", "ctrl+s", "enter")
        await settle(app, pilot)
        assert not app.unsaved
    text = (here / "lrtui-session.toml").read_text()
    assert 'note = """\nWeek 3: quit\n    [b]lr[/b] 0.5"""\n' in text
    assert load_session(here / "lrtui-session.toml").note == "Week 3: quit\n    [b]lr[/b] 0.5"


def test_a_note_keeps_its_lines_and_drops_control_characters():
    from lrtui.ui.screens.note import kept_text

    assert kept_text("a  \r\nb\x1b[31m\x07\n\n\n") == "a\nb[31m"
    assert kept_text("\ttab\ud800") == "\ttab"
