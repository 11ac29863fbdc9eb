"""The command palette's preset search (ctrl+p): every teaching scenario and recipe by id and title."""

from __future__ import annotations

from functools import partial

from textual import work
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon
from textual.css.query import NoMatches

from lrtui.presets import PRESETS


class PresetCommands(Provider):
    """Open a preset: its run, its pinned comparisons and its view."""

    def _choices(self):
        for preset in PRESETS.values():
            yield f"{preset.short}  {preset.title}", preset, partial(self.app.load_preset, preset)

    async def discover(self) -> Hits:
        for text, preset, command in self._choices():
            yield DiscoveryHit(text, command, help=_about(preset))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, preset, command in self._choices():
            match = max(matcher.match(text), matcher.match(preset.name))
            if match > 0:
                yield Hit(match, matcher.highlight(text), command, help=_about(preset))


def _about(preset) -> str:
    """The line under a preset's title: its full name, kind and how many runs it compares."""
    runs = 1 + len(preset.pinned)
    return f"{preset.name} ({preset.kind}{f', {runs} runs' if runs > 1 else ''})"


class PresetPalette(CommandPalette):
    """The command palette, which in lrtui searches the presets.

    Textual 8.2.8's palette searches in a worker that looks its result list up when it starts; a palette
    closed just before (keys mashed: a letter, then escape) has no list any more, and the worker's
    ``NoMatches`` ends the app. Here the search of a palette that is gone ends quietly (tests/test_compat.py).
    """

    def __init__(self, placeholder: str = "Search the presets: T1-T18, R1-R16, or words of a title…", **kwargs) -> None:
        super().__init__(placeholder=placeholder, **kwargs)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            if self.is_attached and self.query(CommandList):
                raise  # the list is there: not the closed-palette case


class AsciiPalette(PresetPalette):
    """The palette for ASCII terminals: '>' for the magnifying glass (lrtui.tcss drops the block glyphs of
    its borders and scrollbar)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Search the presets: T1-T18, R1-R16, or words of a title...", **kwargs)

    def on_mount(self) -> None:
        for icon in self.query(SearchIcon):
            icon.icon = ">"
