"""The command palette's preset search (ctrl+p): every teaching scenario and recipe by id and title."""

from __future__ import annotations

from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon

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
    """The command palette, which in lrtui searches the presets."""

    def __init__(self, placeholder: str = "Search the presets: T1-T15, R1-R16, or words of a title…", **kwargs) -> None:
        super().__init__(placeholder=placeholder, **kwargs)


class AsciiPalette(PresetPalette):
    """The palette for ASCII terminals: '>' for the magnifying glass (lrtui.tcss drops the block glyphs of
    its borders and scrollbar)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Search the presets: T1-T15, R1-R16, or words of a title...", **kwargs)

    def on_mount(self) -> None:
        for icon in self.query(SearchIcon):
            icon.icon = ">"
