"""Workarounds for bugs in the Textual version lrtui runs on, each tested in tests/test_compat.py.

- Textual 8.2.8: PageUp or PageDown in an OptionList whose lines are not laid out yet (zero height: the
  command palette's list while it opens or filters) raises ``KeyError`` in ``OptionList._move_page``, which
  looks the highlighted option up in a line table that ``_update_lines`` leaves empty for a list with no
  size. Paging such a list has nowhere to go, so the guarded version does nothing then.
- Textual 8.2.8: ``Screen.dismiss`` pops whatever screen is on top. Two enters in quick succession on the
  command palette (keys mashed) dismiss it twice: the second pops the app's last screen
  (``ScreenStackError``), or, had the first opened another screen, that one. A screen that is no longer on
  top is already dismissed: the guarded version does nothing for it.
- Textual 8.2.8 (Textualize/textual#6666, open): ``self.watch(obj, ...)``, and ``data_bind`` which calls it,
  stores ``(watcher, callback)`` on the watched ``obj`` and drops the entries of closed watchers only when
  that attribute changes. The ``Footer`` recomposes its ``FooterKey``s on every change of bindings (each focus
  move, each rebuilt form row), each one data-bound to ``Footer.compact``, which never changes: every key
  ever shown stays referenced, with its styles and render caches (0.5 MiB a schedule switch). The guarded
  ``watch`` drops the closed watchers of the same attribute whenever a new one is added, by Textual's own
  rule (``_check_watchers``), so a list holds its live watchers and at most the last generation of dead ones.
- Textual 8.2.8: ``StylesCache.get_inner_outer`` is an ``lru_cache(1024)`` on a method, so its key holds the
  ``StylesCache`` itself: the style caches of 1,024 widgets long removed (their rendered lines with them) stay
  referenced, about 5 MiB of a session's growth under use. Its result depends on the two colours only: the
  guarded version caches on those.
"""

from __future__ import annotations

from functools import lru_cache, wraps

from textual._styles_cache import StylesCache
from textual.await_complete import AwaitComplete
from textual.color import Color
from textual.dom import DOMNode
from textual.style import Style
from textual.screen import Screen
from textual.widgets import OptionList

_original_move_page = OptionList._move_page


@wraps(_original_move_page)
def _guarded_move_page(self: OptionList, direction) -> None:
    if self.highlighted is not None and self.highlighted not in self._index_to_line:
        return  # not laid out yet: no page to move by
    _original_move_page(self, direction)


_original_dismiss = Screen.dismiss


@wraps(_original_dismiss)
def _guarded_dismiss(self: Screen, result=None) -> AwaitComplete:
    if self.is_attached and self.app.screen is not self:
        return AwaitComplete(_nothing())  # dismissed already (or never shown): nothing to pop
    return _original_dismiss(self, result)


async def _nothing() -> None:
    return None


_original_watch = DOMNode.watch


@wraps(_original_watch)
def _pruning_watch(self: DOMNode, obj: DOMNode, attribute_name: str, callback, init: bool = True) -> None:
    watchers = getattr(obj, "__watchers", {}).get(attribute_name)  # where textual.reactive._watch keeps them
    if watchers:
        watchers[:] = [(node, call) for node, call in watchers if not node._closing]
    _original_watch(self, obj, attribute_name, callback, init)


_original_inner_outer = StylesCache.get_inner_outer


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    return Style(background=base_background + background), Style(background=base_background)


def _colour_keyed_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
    """Inner and outer background styles, cached on the colours alone (not on the widget's StylesCache)."""
    return _inner_outer(base_background, background)


def install() -> None:
    """Apply the workarounds (idempotent)."""
    OptionList._move_page = _guarded_move_page
    Screen.dismiss = _guarded_dismiss
    DOMNode.watch = _pruning_watch
    StylesCache.get_inner_outer = _colour_keyed_inner_outer
