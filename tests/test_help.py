"""The help's text wrapping: every schedule's formula and every problem's note at any width, whole."""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrtui.sim.config import PROBLEMS
from lrtui.schedules.registry import _REGISTRY
from lrtui.sim.config import RunConfig
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.ui.screens.help import SYMBOLS, Doc, schedule_help, wrap_doc, wrap_formula
from lrtui.ui.screenshot import settle
from tests.conftest import started

TEXTS = [d.doc for d in _REGISTRY.values()] + [p.note for p in PROBLEMS.values()]


def letters(text: str) -> str:
    """The text less its spacing (a word longer than the width is cut, so words may not survive whole)."""
    return "".join(text.split())


@given(text=st.sampled_from(TEXTS), width=st.integers(30, 140))
def test_every_doc_fits_its_width_and_keeps_every_character(text, width):
    wrapped = wrap_doc(text, width)
    assert max(len(line) for line in wrapped.split("\n")) <= width
    assert letters(wrapped) == letters(text)
    if width >= 60:  # no word of ours is that long: then words stay whole
        assert wrapped.split() == text.split()


@given(indent=st.integers(0, 40), body=st.text(st.sampled_from("ab (),;=+"), min_size=1, max_size=300),
       width=st.integers(1, 100))
def test_any_formula_line_is_cut_to_its_width_without_losing_characters(indent, body, width):
    """Any indent at any width, the indent wider than the column too (that once looped for ever: a
    help opened on a 26-column terminal froze the app)."""
    line = " " * indent + body.strip() + "x"
    lines = wrap_formula(line, width)
    assert all(len(part) <= max(width, 2) for part in lines)
    assert letters(" ".join(lines)) == letters(line)


@pytest.mark.parametrize("width", range(1, 30))
def test_every_doc_wraps_at_tiny_widths(width):
    for text in TEXTS:
        assert letters(wrap_doc(text, width)) == letters(text)


def test_a_formula_that_fits_stays_one_line_and_prose_is_reflowed():
    doc = _REGISTRY["cosine"].doc
    wrapped = wrap_doc(doc, 100)
    assert "    lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max)) / 2   for every t" in wrapped.split("\n")
    assert wrap_doc("one\ntwo three\n\nfour", 80) == "one two three\n\nfour"


def test_formulas_break_at_their_own_separators_first():
    line = ("    t < W:          p = t / max(1, W),  f = p | (1 - cos(pi p)) / 2 | 1 - sqrt(1 - p)   "
            "(linear|cosine|1-sqrt)")
    assert wrap_formula(line, 68) == [
        "    t < W:          p = t / max(1, W),",
        "        f = p | (1 - cos(pi p)) / 2 | 1 - sqrt(1 - p)",
        "        (linear|cosine|1-sqrt)",
    ]
    # never inside brackets when there is a break outside them
    assert wrap_formula("    lam = max(0, f * (1 - m) + m), m = min_lr_ratio", 44) == [
        "    lam = max(0, f * (1 - m) + m),", "        m = min_lr_ratio"]


@pytest.mark.asyncio
async def test_the_help_wraps_formulas_to_the_screen():
    app = make_app(Start(RunConfig(schedule={"name": "wsd", "params": {"lr": 0.1}}, epochs=100), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        docs = list(app.screen.query(Doc))
        schedule_doc = next(d for d in docs if "get_wsd_schedule" in d.text)
        lines = [str(schedule_doc.render_line(y).text).rstrip() for y in range(schedule_doc.size.height)]
        assert all(len(line) <= schedule_doc.size.width for line in lines) and schedule_doc.size.width < 80
        assert "        (linear|cosine|1-sqrt)" in lines  # broken at its separator, continued indented
        assert "    lr(t) = lr * lam" in lines


def test_a_formula_breaks_before_an_operator_rather_than_after_it():
    assert wrap_formula("    lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max)) / 2   for every t", 66) == [
        "    lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max))", "        / 2   for every t"]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["plateau", "constant", "wsd"])
async def test_the_help_opens_on_a_narrow_terminal(name):
    app = make_app(Start(RunConfig(schedule={"name": name, "params": {}}, epochs=100), Options()))
    async with app.run_test(size=(26, 12)) as pilot:
        await asyncio.wait_for(started(app, pilot), 20)
        await pilot.press("question_mark")
        await asyncio.wait_for(pilot.pause(), 10)
        assert app.screen.sections[0][0] == f"Schedule: {name}" and app.screen.query(Doc)
        await pilot.press("end")
        await asyncio.wait_for(pilot.pause(), 10)


@pytest.mark.asyncio
async def test_a_presets_title_is_a_heading_apart_from_its_note():
    from lrtui.presets import find

    app = make_app(Start(RunConfig(), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        preset = find("T1")
        app.load_preset(preset)
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown = [str(w.render()) for w in app.screen.query("Static, Doc")]
        assert f"Preset {preset.name}: {preset.title}" in shown
        note = next(d for d in app.screen.query(Doc) if d.text.strip() and preset.note.split()[0] in d.text)
        assert preset.title not in note.text


@pytest.mark.parametrize("definition", list(_REGISTRY.values()), ids=lambda d: d.name)
def test_the_schedule_help_has_no_markup_and_names_its_letters(definition):
    text = schedule_help(definition.doc, [p.name for p in definition.params])
    assert "``" not in text and ":meth:" not in text and ":class:" not in text
    names = {p.name for p in definition.params}
    for name, letter in SYMBOLS.items():
        assert (f"{letter} = {name}" in text) == (name in names)


@pytest.mark.asyncio
@pytest.mark.parametrize("width", [40, 100])
async def test_every_keys_description_is_shown_whole_at_any_width(width):
    """At 40 columns a key's description goes under the key (beside it there is no room for it)."""
    from lrtui.ui.screens.help import KeyTable
    from lrtui.ui.keys import key_rows
    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {}}, epochs=100), Options()))
    async with app.run_test(size=(width, 60)) as pilot:
        await asyncio.wait_for(started(app, pilot), 20)
        await pilot.press("question_mark")
        await asyncio.wait_for(pilot.pause(), 10)
        shown = "".join(letters("".join(s.text for s in line)) for table in app.screen.query(KeyTable)
                        for line in app.console.render_lines(table.render(),
                                                             app.console.options.update_width(table.size.width)))
        _, rows, _ = key_rows()
        for key, what in rows:
            if what:
                assert letters(what) in shown, (key, what)
        tables = list(app.screen.query(KeyTable))
        assert tables and all(t.size.height == len(app.console.render_lines(
            t.render(), app.console.options.update_width(t.size.width), pad=False)) for t in tables)


async def test_the_helps_footer_names_escape_and_q_and_both_close_it():
    """Issue 28: the footer said 'q Close' while the help's text says escape closes it; both work, both named."""
    from textual.widgets import Footer

    from lrtui.ui.screens.help import HelpScreen

    app = make_app(Start(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        for key in ("escape", "q"):
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = [b for b in app.screen.active_bindings.values() if b.binding.show and b.binding.action == "dismiss"]
            assert {b.binding.key_display for b in shown} == {"esc / q"} and app.screen.query(Footer)
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen) and app.is_running
