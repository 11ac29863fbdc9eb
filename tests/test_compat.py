"""The workarounds for Textual bugs (lrtui/ui/compat.py) stay needed and stay working."""

import pytest
from textual.app import App
from textual.widgets import OptionList

from lrtui.ui import compat


class ZeroHeightList(App):
    """An option list with options but no size yet, as the command palette's list is while it fills."""

    CSS = "OptionList { height: 0; }"

    def compose(self):
        yield OptionList(*[f"option {i}" for i in range(30)])


async def test_paging_a_list_that_is_not_laid_out_crashes_textual_but_not_lrtui():
    app = ZeroHeightList()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        options = app.query_one(OptionList)
        options.highlighted = 3
        with pytest.raises(KeyError):  # the bug, in the Textual lrtui pins: when this fails, drop the workaround
            compat._original_move_page(options, 1)
        compat.install()
        assert OptionList._move_page is compat._guarded_move_page
        options.action_page_down()
        options.action_page_up()
        assert options.highlighted == 3


async def test_paging_still_pages_a_laid_out_list():
    class Plain(App):
        def compose(self):
            yield OptionList(*[f"option {i}" for i in range(30)])

    compat.install()
    app = Plain()
    async with app.run_test(size=(40, 12)) as pilot:
        options = app.query_one(OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.press("pagedown")
        assert options.highlighted > 5
        await pilot.press("pageup")
        assert options.highlighted == 0


async def test_dismissing_a_screen_twice_pops_only_that_screen():
    from textual.screen import ModalScreen, Screen

    class Modal(ModalScreen):
        pass

    class Plain(App):
        pass

    app = Plain()
    async with app.run_test(size=(40, 12)) as pilot:
        modal = Modal()
        await app.push_screen(modal)
        compat._original_dismiss(modal)
        await pilot.pause()
        with pytest.raises(Exception, match="at least one screen"):  # the bug: a second dismiss pops the last screen
            compat._original_dismiss(modal)
    compat.install()
    assert Screen.dismiss is compat._guarded_dismiss
    app = Plain()
    async with app.run_test(size=(40, 12)) as pilot:
        first, second = Modal(), Modal()
        await app.push_screen(first)
        await app.push_screen(second)
        second.dismiss()
        second.dismiss()  # already gone: must not pop `first`
        await pilot.pause()
        assert app.screen is first


async def test_a_palette_closed_while_it_searches_does_not_end_the_app():
    # Textual 8.2.8: the palette's search worker looks up its list after the palette may be gone
    from textual.command import CommandList

    from lrtui.sim.config import RunConfig
    from lrtui.ui.app import make_app
    from lrtui.ui.start import Start
    from lrtui.plotting.terminal import Options
    from lrtui.ui.screens.palette import PresetPalette

    app = make_app(Start(RunConfig(schedule={"name": "constant", "params": {}}), Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, PresetPalette)
        await palette.query_one(CommandList).remove()  # as when the palette is torn down mid-search
        worker = palette._gather_commands("t1")
        await worker.wait()  # the search of a palette without its list ends quietly
        assert app.is_running and worker.error is None


class FooterAndTwoInputs(App):
    """Textualize/textual#6666, reduced: every focus move changes the bindings, the footer recomposes."""

    BINDINGS = [("f1", "bell", "Bell")]

    def compose(self):
        from textual.widgets import Footer, Input

        yield Input(id="a")
        yield Input(id="b")
        yield Footer()


async def _detached_footer_keys_after_tabs(tabs: int) -> int:
    import gc

    from textual.widgets._footer import FooterKey

    app = FooterAndTwoInputs()
    async with app.run_test(size=(60, 8)) as pilot:
        for _ in range(tabs):
            await pilot.press("tab")
            await pilot.pause()
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached)


async def test_textuals_footer_still_keeps_every_key_it_ever_showed(monkeypatch):
    """The canary: when this fails, Textual fixed its bug and compat's pruning watch can go.

    Minimal reproduction, on plain Textual 8.2.8: an App composing two ``Input`` widgets and a ``Footer``;
    press tab 2,000 times and the process grows from 34 to 112 MiB. ``FooterKey``'s ``data_bind`` to
    ``Footer.compact`` adds ``(key, setter)`` to the footer's watchers, which are pruned only when ``compact``
    changes (never): every recompose leaves its keys referenced."""
    from textual.dom import DOMNode

    monkeypatch.setattr(DOMNode, "watch", compat._original_watch)
    assert await _detached_footer_keys_after_tabs(10) >= 10


async def test_the_pruning_watch_lets_the_footers_old_keys_go():
    from textual.dom import DOMNode

    compat.install()
    assert DOMNode.watch is compat._pruning_watch
    assert await _detached_footer_keys_after_tabs(10) == 0


async def test_the_pruning_watch_still_delivers_changes():
    from textual.reactive import reactive
    from textual.widgets import Label

    class Source(App):
        count = reactive(0)

        def compose(self):
            yield Label("0")

        def on_mount(self):
            self.query_one(Label).watch(self, "count", lambda value: self.query_one(Label).update(str(value)))

    compat.install()
    app = Source()
    async with app.run_test(size=(20, 4)) as pilot:
        app.count = 7
        await pilot.pause()
        assert str(app.query_one(Label).render()) == "7"


def _style_caches_kept_by(get_inner_outer) -> int:
    """How many of 50 StylesCaches, dropped after one call each, are still alive."""
    import gc

    from textual._styles_cache import StylesCache
    from textual.color import Color

    for i in range(50):
        get_inner_outer(StylesCache(), Color(i, 0, 0), Color(0, 0, i))
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is StylesCache and not o._cache)


def test_textuals_inner_outer_cache_still_keeps_every_widgets_style_cache():
    """The canary: when this fails, Textual no longer caches get_inner_outer on the instance, and compat's
    colour-keyed version can go. (Textual 8.2.8: ``@lru_cache(1024)`` on the method: its key is ``self``.)"""
    before = _style_caches_kept_by(lambda cache, *colours: None)
    assert _style_caches_kept_by(compat._original_inner_outer) - before >= 50


def test_the_colour_keyed_inner_outer_keeps_no_style_cache_and_gives_the_same_styles():
    from textual._styles_cache import StylesCache
    from textual.color import Color

    compat.install()
    assert StylesCache.get_inner_outer is compat._colour_keyed_inner_outer
    before = _style_caches_kept_by(lambda cache, *colours: None)
    assert _style_caches_kept_by(StylesCache.get_inner_outer) == before
    colours = (Color(10, 20, 30), Color(40, 50, 60, 0.5))
    assert StylesCache().get_inner_outer(*colours) == compat._original_inner_outer(StylesCache(), *colours)
