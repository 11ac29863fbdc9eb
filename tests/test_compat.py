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
    from lrtui.ui.app import LrtuiApp
    from lrtui.plotting.terminal import Options
    from lrtui.ui.screens.palette import PresetPalette

    app = LrtuiApp(RunConfig(schedule={"name": "constant", "params": {}}), Options())
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
