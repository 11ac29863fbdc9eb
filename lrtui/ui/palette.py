"""The command palette's preset search (ctrl+p): every teaching scenario and recipe by id and title."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
